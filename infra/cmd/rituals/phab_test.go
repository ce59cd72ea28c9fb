package main

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rituals-dev/rituals/infra/standins"
)

// TestPhabCheck resolves the workboard test config against the seeded Conduit stand-in: every
// name found is an ok line; a misspelt column, an unknown user and a wrong project are PROBLEM
// lines that say what to change.
func TestPhabCheck(t *testing.T) {
	t.Parallel()
	s := standins.New(standins.Options{ConduitToken: "api-checktoken"})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	if err := s.SeedConduitFile("../../../shared/workboard/testdata/conduit-seed.json"); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile("../../../shared/workboard/testdata/rituals.yaml")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, replace ...string) string {
		doc := string(cfg)
		for i := 0; i+1 < len(replace); i += 2 {
			if !strings.Contains(doc, replace[i]) {
				t.Fatalf("%q not in the config", replace[i])
			}
			doc = strings.Replace(doc, replace[i], replace[i+1], 1)
		}
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	env := map[string]string{"CONDUIT_API_URL": standins.ConduitAPIURL(srv.URL), "CONDUIT_API_TOKEN": "api-checktoken"}
	tests := []struct {
		name    string
		file    string
		env     map[string]string
		wantErr error
		want    []string
	}{
		{name: "all found", file: write("good.yaml"), env: env, want: []string{
			"ok      bot: rituals-bot (PHID-USER-ritualsbotlocal0); Unbreak Now! is priority 100 \"Unbreak Now!\"",
			"ok      people: 6 of 6 Phabricator usernames found",
			"ok      team rocket: project rocket → PHID-PROJ-rocket \"Rocket\", 5 columns (New & TBD, In Progress, In Review, Ready, Done); 1 milestones or subprojects below it count too",
			"ok      team rocket: triage column \"New & TBD\" → PHID-PCOL-rocketnew",
			"ok      team rocket: column rule \"Ready\" → PHID-PCOL-rocketready: pm may move tasks in (enforce)",
			"ok      team rocket: column rule \"Done\" → PHID-PCOL-rocketdone: qa may move tasks in, points required (enforce)",
			"no problems",
		}},
		{name: "problems", file: write("bad.yaml", "{column: Ready,", "{column: Readdy,", "phabricator: gina,", "phabricator: ginna,", "project: rocket", "project: rockets"),
			env: env, wantErr: errPhabProblems, want: []string{
				"PROBLEM person gina: no Phabricator user \"ginna\" (fix people[].phabricator",
				"PROBLEM team rocket: project \"rockets\" not found: use the slug from the project's URL (/tag/<slug>/) or its PHID",
			}},
		{name: "column typo", file: write("col.yaml", "{column: Ready,", "{column: Readdy,"), env: env, wantErr: errPhabProblems, want: []string{
			"PROBLEM team rocket: column rule \"Readdy\": no such column on the board (did you mean \"Ready\"?); columns: New & TBD, In Progress, In Review, Ready, Done",
			"1 problem",
		}},
		{name: "bad token", file: write("t.yaml"), env: map[string]string{"CONDUIT_API_URL": env["CONDUIT_API_URL"], "CONDUIT_API_TOKEN": "api-nope"}, wantErr: errAny},
		{name: "no token", file: write("n.yaml"), env: map[string]string{"CONDUIT_API_URL": env["CONDUIT_API_URL"]}, wantErr: errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			err := runPhab(context.Background(), []string{"check", tt.file}, &stdout, &stderr, envOf(tt.env))
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("err = %v\n%s%s", err, stdout.String(), stderr.String())
			case tt.wantErr == errAny && err == nil, tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("err = %v, want %v\n%s", err, tt.wantErr, stdout.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, stdout.String())
				}
			}
		})
	}
}
