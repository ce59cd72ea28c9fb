package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

var configNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// writeConfig writes the example config, with replacements applied as old, new pairs, to a
// temporary file and returns its path.
func writeConfig(t *testing.T, name string, replace ...string) string {
	t.Helper()
	data, err := os.ReadFile("../../config/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(doc, replace[i]) {
			t.Fatalf("%q is not in the example", replace[i])
		}
		doc = strings.Replace(doc, replace[i], replace[i+1], 1)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	good := writeConfig(t, "good.yaml")
	bad := writeConfig(t, "bad.yaml",
		"members: [priya, sam]", "members: [priya, samm]",
		`due: "06:00"                # created`, `due: 6am                # created`)
	tests := []struct {
		name       string
		args       []string
		wantErr    error // nil: success
		wantOut    string
		wantStderr []string
	}{
		{name: "valid file", args: []string{"validate", good}, wantOut: good + ": ok (13 people, 2 clients, 2 teams)\n"},
		{
			name: "invalid file", args: []string{"validate", bad}, wantErr: errInvalid,
			wantStderr: []string{
				bad + `:139:12: teams[0].standup.due: time "6am" must be HH:MM (24-hour): write "06:00"` + "\n",
				bad + `:201:22: teams[1].members[1]: unknown person "samm" (did you mean "sam"?`,
				bad + `:215:19: teams[1].support.rotation.members[0]: "sam" is not a member of team "billing"`,
				bad + `:277:19: teams[1].clinic.rotation.members[0]: "sam" is not a member of team "billing"`,
				bad + ": 5 problems\n",
			},
		},
		{name: "one of two invalid", args: []string{"validate", good, bad}, wantErr: errInvalid, wantOut: good + ": ok"},
		{name: "missing file", args: []string{"validate", filepath.Join(t.TempDir(), "nope.yaml")}, wantErr: errInvalid, wantStderr: []string{"no such file"}},
		{name: "no file", args: []string{"validate"}, wantErr: errAny},
		{name: "no subcommand", wantErr: errAny, wantStderr: []string{"usage:"}},
		{name: "unknown subcommand", args: []string{"check", good}, wantErr: errAny},
		{name: "help", args: []string{"help"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			err := runConfig(context.Background(), tt.args, &stdout, &stderr, envOf(nil), configNow)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("err = %v; stderr:\n%s", err, stderr.String())
			case tt.wantErr == errAny && err == nil, tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if !strings.HasPrefix(stdout.String(), tt.wantOut) {
				t.Errorf("stdout = %q, want it to start with %q", stdout.String(), tt.wantOut)
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
		})
	}
}

// errAny marks cases where any error will do.
var errAny = errors.New("any error")

func TestConfigPush(t *testing.T) {
	t.Parallel()
	client, tables := dynamotest.New(t)
	env := envOf(map[string]string{
		"STATE_TABLE":       tables.State,
		"DYNAMODB_ENDPOINT": dynamotest.Endpoint(t),
		"USER":              "shell-user",
	})
	good := writeConfig(t, "rituals.yaml")
	changed := writeConfig(t, "changed.yaml", "name: Billing", "name: Billing Team")
	third := writeConfig(t, "third.yaml", "name: Billing", "name: Payments")
	bad := writeConfig(t, "bad.yaml", "country: NZ", "country: UK")
	ctx := context.Background()

	steps := []struct {
		name    string
		args    []string
		env     func(string) string
		wantErr string
		wantOut string
	}{
		{name: "invalid is not pushed", args: []string{"push", bad}, env: env, wantErr: "not pushed: config is not valid"},
		{name: "no table", args: []string{"push", good}, env: envOf(nil), wantErr: "set STATE_TABLE"},
		{name: "two files", args: []string{"push", good, changed}, env: env, wantErr: "exactly one file"},
		{name: "first push, flag after the file", args: []string{"push", good, "-by", "carol"}, env: env, wantOut: good + ": pushed version 1 to " + tables.State + "\n"},
		{name: "same file again", args: []string{"push", good}, env: env, wantOut: good + ": unchanged, version 1 is current"},
		{name: "changed file, pusher from $USER", args: []string{"push", changed}, env: env, wantOut: changed + ": pushed version 2"},
		{name: "flag before the file", args: []string{"push", "-by", "dave", third}, env: env, wantOut: third + ": pushed version 3"},
	}
	for _, s := range steps {
		var stdout, stderr bytes.Buffer
		err := runConfig(ctx, s.args, &stdout, &stderr, s.env, configNow)
		if s.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), s.wantErr) {
				t.Fatalf("%s: err = %v, want %q", s.name, err, s.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v\n%s", s.name, err, stderr.String())
		}
		if !strings.HasPrefix(stdout.String(), s.wantOut) {
			t.Errorf("%s: stdout = %q, want %q", s.name, stdout.String(), s.wantOut)
		}
	}
	cfg, version, err := config.Load(ctx, client, tables.State)
	if err != nil || version != 3 || cfg.Team("billing").Name != "Payments" {
		t.Fatalf("Load = version %d, %v", version, err)
	}
	for sk, want := range map[string]string{"v#000001": "carol", "v#000002": "shell-user", "v#000003": "dave"} {
		out, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tables.State), Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "CONFIG"}, "sk": &types.AttributeValueMemberS{Value: sk},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := out.Item["pushed_by"].(*types.AttributeValueMemberS); got == nil || got.Value != want {
			t.Errorf("%s pushed_by = %v, want %s", sk, got, want)
		}
	}
}
