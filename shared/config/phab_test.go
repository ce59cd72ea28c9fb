package config

import (
	"reflect"
	"testing"
	"time"
)

// phabDoc is baseDoc with a Phabricator workboard for its team (lines 36-) and the server.
const phabDoc = baseDoc + `    phabricator:
      project: "#team_rocket"
      triage_after: 3d
      ubn: {nag_every: 15m, escalate_after: 1d}
      columns:
        - {column: Ready, allow: [qa, bob]}
        - {column: Done, allow: members, require_points: true, mode: warn}
        - {column: PHID-PCOL-abc123, require_points: true}
phabricator:
  url: https://phab.example.org/
`

func TestParsePhabricator(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(phabDoc))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Phabricator == nil || cfg.Phabricator.URL != "https://phab.example.org" {
		t.Fatalf("server %+v", cfg.Phabricator)
	}
	team := cfg.Teams[0]
	p := team.Phabricator
	if p.Project != "team_rocket" || p.TriageAfter != (Span{BusinessDays: 3}) || p.TriageAt != (Clock{9, 30}) ||
		p.UBNNagEvery != (Span{Duration: 15 * time.Minute}) || p.UBNEscalateAfter != (Span{BusinessDays: 1}) || p.PriorityOwner != "pm" {
		t.Errorf("settings %+v", p)
	}
	ready, ok := p.Rule("ready", "")
	if !ok || ready.Mode != ModeEnforce || ready.RequirePoints {
		t.Fatalf("ready rule %+v", ready)
	}
	// qa is carol; bob by name; alice is neither.
	for person, want := range map[string]bool{"carol": true, "bob": true, "alice": false, "": false} {
		if got := ready.Allows(team, person); got != want {
			t.Errorf("Ready allows %q = %v", person, got)
		}
	}
	if got := ready.AllowedPeople(team); !reflect.DeepEqual(got, []string{"carol", "bob"}) {
		t.Errorf("allowed people %v", got)
	}
	done, _ := p.Rule("Done", "")
	if done.Mode != ModeWarn || !done.RequirePoints || !done.Allows(team, "alice") || done.Allows(team, "carol") {
		t.Errorf("done rule %+v", done)
	}
	byPHID, ok := p.Rule("Whatever the name", "PHID-PCOL-abc123")
	if !ok || !byPHID.Allows(team, "carol") || byPHID.AllowedPeople(team) != nil {
		t.Errorf("rule by PHID %+v", byPHID)
	}
	if owners := p.PriorityOwners(team); owners != nil {
		t.Errorf("no pm, so no priority owner: %v", owners)
	}
}

// TestPhabricatorProblems: every mistake in a workboard section is reported at its line with
// what to write instead.
func TestPhabricatorProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, old, new string
		want           []string
	}{
		{name: "no server", old: "phabricator:\n  url: https://phab.example.org/\n", new: "", want: []string{
			"37:7 teams[0].phabricator: team \"repo-management\" uses Phabricator, so the top level needs `phabricator: {url: https://phabricator.example.org}`",
		}},
		{name: "server url with /api", old: "url: https://phab.example.org/", new: "url: https://phab.example.org/api", want: []string{
			"45:8 phabricator.url: url \"https://phab.example.org/api\": write the server's root without /api, e.g. https://phab.example.org",
		}},
		{name: "project is a name", old: `project: "#team_rocket"`, new: "project: Team Rocket", want: []string{
			"37:16 teams[0].phabricator.project: project \"Team Rocket\" must be the project's slug as in its URL (lowercase, _ for spaces, e.g. \"team_rocket\") or its PHID",
		}},
		{name: "triage_after in hours", old: "triage_after: 3d", new: "triage_after: 4h", want: []string{
			"38:21 teams[0].phabricator.triage_after: triage_after counts business days: write e.g. 2d, not 4h0m0s",
		}},
		{name: "nag shorter than the tick", old: "nag_every: 15m", new: "nag_every: 2m", want: []string{
			"39:24 teams[0].phabricator.ubn.nag_every: nag_every 2m0s is shorter than the 5 minutes between ticks: write 5m or more",
		}},
		{name: "unknown allow entry", old: "allow: [qa, bob]", new: "allow: [qa, bobb, qaa]", want: []string{
			"41:39 teams[0].phabricator.columns[0].allow[1]: \"bobb\" is neither a role of team \"repo-management\" (em, delivery_manager, qa, members, pm) nor a person id (did you mean \"bob\"?)",
			"41:45 teams[0].phabricator.columns[0].allow[2]: \"qaa\" is neither a role of team \"repo-management\" (em, delivery_manager, qa, members, pm) nor a person id (did you mean \"qa\"?)",
		}},
		{name: "role nobody holds", old: "allow: [qa, bob]", new: "allow: [pm]", want: []string{
			"41:35 teams[0].phabricator.columns[0].allow[0]: team \"repo-management\" has nobody as pm: set roles.pm, or name people in allow",
		}},
		{name: "bad mode", old: "mode: warn", new: "mode: block", want: []string{
			"42:70 teams[0].phabricator.columns[1].mode: mode \"block\" must be enforce (move the task back and comment) or warn (comment and tell the mover)",
		}},
		{name: "two rules for one column", old: "{column: Done,", new: "{column: READY,", want: []string{
			"42:20 teams[0].phabricator.columns[1].column: column \"READY\" already has a rule (line 41); put everything about one column in one rule",
		}},
		{name: "rule that does nothing", old: "{column: PHID-PCOL-abc123, require_points: true}", new: "{column: Backlog}", want: []string{
			"43:11 teams[0].phabricator.columns[2]: the rule for column \"Backlog\" does nothing: add allow (who may move tasks in) or require_points: true",
		}},
		{name: "empty allow", old: "allow: [qa, bob]", new: "allow: []", want: []string{
			"41:34 teams[0].phabricator.columns[0].allow: an empty allow list would let nobody move tasks in; list roles or people, or remove the key to allow everyone",
		}},
		{name: "not a column PHID", old: "PHID-PCOL-abc123", new: "PHID-PROJ-abc123", want: []string{
			"43:20 teams[0].phabricator.columns[2].column: column \"PHID-PROJ-abc123\" is not a column PHID (PHID-PCOL-...); write the column's name as the board shows it, or its PHID",
		}},
		{name: "unknown key", old: "triage_after: 3d", new: "triage_afer: 3d", want: []string{
			"38:7 teams[0].phabricator.triage_afer: unknown key \"triage_afer\" (did you mean \"triage_after\"?); allowed keys: project, triage_column, triage_after, triage_at, ubn, priority_owner, columns",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertProblems(t, replaceOnce(t, phabDoc, tt.old, tt.new), tt.want)
		})
	}
}

func replaceOnce(t *testing.T, doc, old, new string) string {
	t.Helper()
	out, n := "", 0
	for i := 0; i+len(old) <= len(doc); i++ {
		if doc[i:i+len(old)] == old {
			n++
			if n == 1 {
				out = doc[:i] + new + doc[i+len(old):]
			}
		}
	}
	if n != 1 {
		t.Fatalf("%q occurs %d times, want once", old, n)
	}
	return out
}
