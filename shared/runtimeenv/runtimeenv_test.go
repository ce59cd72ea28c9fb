package runtimeenv

import (
	"context"
	"errors"
	"strings"
	"testing"
)

type params map[string]string

func (p params) Parameter(_ context.Context, name string) (string, error) {
	v, ok := p[name]
	if !ok {
		return "", errors.New("ParameterNotFound")
	}
	return v, nil
}

func TestLoad(t *testing.T) {
	t.Parallel()
	spec := Spec{Vars: []string{"EVENTS_TABLE", "STATE_TABLE"}, Secrets: []string{"GITHUB_WEBHOOK_SECRET", "SLACK_BOT_TOKEN"}}
	cases := []struct {
		name    string
		env     map[string]string
		params  params
		wantErr []string
		secret  string
	}{
		{"plain secrets (local)", map[string]string{"EVENTS_TABLE": "e", "STATE_TABLE": "s", "GITHUB_WEBHOOK_SECRET": "gh", "SLACK_BOT_TOKEN": "xoxb"}, nil, nil, "gh"},
		{"secrets from SSM", map[string]string{"EVENTS_TABLE": "e", "STATE_TABLE": "s", "GITHUB_WEBHOOK_SECRET_PARAM": "/r/gh", "SLACK_BOT_TOKEN_PARAM": "/r/slack"}, params{"/r/gh": "from-ssm", "/r/slack": "xoxb"}, nil, "from-ssm"},
		{"every missing variable at once", map[string]string{"STATE_TABLE": "s"}, nil, []string{"EVENTS_TABLE", "GITHUB_WEBHOOK_SECRET (or GITHUB_WEBHOOK_SECRET_PARAM)", "SLACK_BOT_TOKEN (or SLACK_BOT_TOKEN_PARAM)"}, ""},
		{"missing parameter names it", map[string]string{"EVENTS_TABLE": "e", "STATE_TABLE": "s", "GITHUB_WEBHOOK_SECRET_PARAM": "/r/gh", "SLACK_BOT_TOKEN": "x"}, params{}, []string{"SSM parameter /r/gh"}, ""},
		{"empty parameter", map[string]string{"EVENTS_TABLE": "e", "STATE_TABLE": "s", "GITHUB_WEBHOOK_SECRET_PARAM": "/r/gh", "SLACK_BOT_TOKEN": "x"}, params{"/r/gh": ""}, []string{"is empty"}, ""},
		{"blank parameter", map[string]string{"EVENTS_TABLE": "e", "STATE_TABLE": "s", "GITHUB_WEBHOOK_SECRET_PARAM": "/r/gh", "SLACK_BOT_TOKEN": "x"}, params{"/r/gh": " \n"}, []string{"is empty"}, ""},
		{"blank secret is not a secret", map[string]string{"EVENTS_TABLE": "e", "STATE_TABLE": "s", "GITHUB_WEBHOOK_SECRET": "  ", "SLACK_BOT_TOKEN": "x"}, nil, []string{"GITHUB_WEBHOOK_SECRET (or GITHUB_WEBHOOK_SECRET_PARAM)"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			getenv := func(k string) string { return tc.env[k] }
			env, err := Load(context.Background(), spec, getenv, tc.params)
			if len(tc.wantErr) > 0 {
				if err == nil {
					t.Fatal("no error")
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if env.Secret("GITHUB_WEBHOOK_SECRET") != tc.secret || env.Var("EVENTS_TABLE") != "e" {
				t.Fatalf("env = %v", env)
			}
			if strings.Contains(env.String(), tc.secret) {
				t.Errorf("String() reveals a secret: %s", env.String())
			}
		})
	}
}
