package config

import (
	"reflect"
	"testing"
)

// sprintsDoc is phabDoc with sprints for its team (lines 44-55) and the server after them.
const sprintsDoc = baseDoc + `    phabricator:
      project: "#team_rocket"
      triage_after: 3d
      ubn: {nag_every: 15m, escalate_after: 1d}
      columns:
        - {column: Ready, allow: [qa, bob]}
        - {column: Done, allow: members, require_points: true, mode: warn}
        - {column: PHID-PCOL-abc123, require_points: true}
    sprints:
      repos: [acme/web, partner/shared-lib]
      points_label: "estimate/{n}"
      scale: [0.5, 1, 2, 3, 5, 8, 13]
      split_above: 5
      done_statuses: [resolved]
      done_column: "QA cleared / sign-off"
      start_at: "10:00"
      report_at: "15:30"
      list:
        - {milestone: Rocket Sprint 1, from: 2026-11-04, to: 2026-11-17}
        - {milestone: "acme/web#3", from: 2026-11-18, to: 2026-12-01}
phabricator:
  url: https://phab.example.org/
`

func TestParseSprints(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(sprintsDoc))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Teams[0].Sprints
	if s == nil {
		t.Fatal("no sprints")
	}
	if !reflect.DeepEqual(s.Repos, []string{"acme/web", "partner/shared-lib"}) || s.PointsLabel != "estimate/{n}" || s.SplitAbove != 5 ||
		!reflect.DeepEqual(s.Scale, []float64{0.5, 1, 2, 3, 5, 8, 13}) || s.DoneColumn != "QA cleared / sign-off" ||
		!reflect.DeepEqual(s.DoneStatuses, []string{"resolved"}) || s.StartAt != (Clock{10, 0}) || s.ReportAt != (Clock{15, 30}) || s.Length != 14 {
		t.Errorf("settings %+v", s)
	}
	want := []SprintDates{
		{Milestone: "Rocket Sprint 1", From: Date{2026, 11, 4}, To: Date{2026, 11, 17}},
		{Milestone: "acme/web#3", From: Date{2026, 11, 18}, To: Date{2026, 12, 1}},
	}
	for i := range s.List {
		s.List[i].path = ""
	}
	if !reflect.DeepEqual(s.List, want) {
		t.Errorf("list %+v", s.List)
	}
	for label, want := range map[string]float64{"estimate/3": 3, "Estimate/0.5": 0.5, " estimate/13 ": 13} {
		if v, ok, err := s.PointsFromLabel(label); !ok || err != nil || v != want {
			t.Errorf("PointsFromLabel(%q) = %v, %v, %v", label, v, ok, err)
		}
	}
	for _, label := range []string{"bug", "estimate/", "points: 3", "estimates/3"} {
		if _, ok, _ := s.PointsFromLabel(label); ok {
			t.Errorf("%q is not a points label", label)
		}
	}
	if _, ok, err := s.PointsFromLabel("estimate/lots"); !ok || err == nil {
		t.Errorf("a points label without a number is a points label with an error: %v %v", ok, err)
	}
	if !s.OnScale(0.5) || s.OnScale(4) || s.ScaleText() != "0.5, 1, 2, 3, 5, 8, 13" {
		t.Errorf("scale %v", s.Scale)
	}
	if repo, n, ok := GitHubMilestone("acme/web#3"); !ok || repo != "acme/web" || n != 3 {
		t.Errorf("GitHubMilestone = %s %d %v", repo, n, ok)
	}
	if _, _, ok := GitHubMilestone("Rocket Sprint 1"); ok {
		t.Error("a name is not a GitHub milestone")
	}
}

func TestSprintDefaultsAndCadence(t *testing.T) {
	t.Parallel()
	doc := replaceOnce(t, sprintsDoc, `      repos: [acme/web, partner/shared-lib]
      points_label: "estimate/{n}"
      scale: [0.5, 1, 2, 3, 5, 8, 13]
      split_above: 5
      done_statuses: [resolved]
      done_column: "QA cleared / sign-off"
      start_at: "10:00"
      report_at: "15:30"
      list:
        - {milestone: Rocket Sprint 1, from: 2026-11-04, to: 2026-11-17}
        - {milestone: "acme/web#3", from: 2026-11-18, to: 2026-12-01}
`, `      cadence: {first: 2026-11-04, milestone: "Rocket Sprint {n}", number: 41}
`)
	cfg, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Teams[0].Sprints
	if s.PointsLabel != DefaultPointsLabel || !reflect.DeepEqual(s.Scale, DefaultScale) || s.SplitAbove != 8 || s.ReportAt != (Clock{16, 0}) || s.StartAt != (Clock{}) {
		t.Errorf("defaults %+v", s)
	}
	for _, tt := range []struct {
		day  Date
		want SprintDates
		ok   bool
	}{
		{Date{2026, 11, 3}, SprintDates{}, false},
		{Date{2026, 11, 4}, SprintDates{Milestone: "Rocket Sprint 41", From: Date{2026, 11, 4}, To: Date{2026, 11, 17}}, true},
		{Date{2026, 11, 17}, SprintDates{Milestone: "Rocket Sprint 41", From: Date{2026, 11, 4}, To: Date{2026, 11, 17}}, true},
		{Date{2026, 11, 18}, SprintDates{Milestone: "Rocket Sprint 42", From: Date{2026, 11, 18}, To: Date{2026, 12, 1}}, true},
		{Date{2027, 1, 1}, SprintDates{Milestone: "Rocket Sprint 45", From: Date{2026, 12, 30}, To: Date{2027, 1, 12}}, true},
	} {
		got, ok := s.Cadence.At(tt.day)
		if ok != tt.ok || got != tt.want {
			t.Errorf("At(%s) = %+v, %v; want %+v, %v", tt.day, got, ok, tt.want, tt.ok)
		}
	}
}

// TestSprintsProblems: every mistake in a sprints section is reported at its line with what to
// write instead.
func TestSprintsProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, old, new string
		want           []string
	}{
		{name: "end before start", old: "from: 2026-11-18, to: 2026-12-01", new: "from: 2026-11-18, to: 2026-11-10", want: []string{
			"55:59 teams[0].sprints.list[1].to: the sprint ends (to 2026-11-10) before it starts (from 2026-11-18)",
		}},
		{name: "overlapping sprints", old: "from: 2026-11-18, to: 2026-12-01", new: "from: 2026-11-17, to: 2026-12-01", want: []string{
			"55:11 teams[0].sprints.list[1]: sprint \"acme/web#3\" (2026-11-17 to 2026-12-01) overlaps sprint \"Rocket Sprint 1\" (2026-11-04 to 2026-11-17, line 54): a team runs one sprint at a time",
		}},
		{name: "one milestone twice", old: `"acme/web#3"`, new: `rocket sprint 1`, want: []string{
			"55:23 teams[0].sprints.list[1].milestone: milestone \"rocket sprint 1\" is already a sprint (line 54): a milestone is one sprint",
		}},
		{name: "milestone outside the repos", old: `"acme/web#3"`, new: `"acme/api#3"`, want: []string{
			"55:23 teams[0].sprints.list[1].milestone: milestone \"acme/api#3\" is in acme/api, which is not in sprints.repos (acme/web, partner/shared-lib): add the repository or fix the milestone",
		}},
		{name: "github milestone without a number", old: `"acme/web#3"`, new: `"acme/web#three"`, want: []string{
			"55:23 teams[0].sprints.list[1].milestone: GitHub milestone \"acme/web#three\" must be owner/name#<number>",
		}},
		{name: "repo of another client", old: "repos: [acme/web, partner/shared-lib]", new: "repos: [acme/web, globex/web]", want: []string{
			"45:25 teams[0].sprints.repos[1]: repo \"globex/web\" does not belong to the team's clients (acme): add it to a client's github.repos, or remove it",
		}},
		{name: "points label without {n}", old: `"estimate/{n}"`, new: `"estimate"`, want: []string{
			"46:21 teams[0].sprints.points_label: points_label \"estimate\" must contain {n} once",
		}},
		{name: "points label that is only {n}", old: `"estimate/{n}"`, new: `"{n}"`, want: []string{
			"46:21 teams[0].sprints.points_label: points_label {n} alone would read every numeric label as points",
		}},
		{name: "scale out of order", old: "scale: [0.5, 1, 2, 3, 5, 8, 13]", new: "scale: [1, 3, 2, 0, many]", want: []string{
			"47:21 teams[0].sprints.scale[2]: list the scale in ascending order, each estimate once: 2 comes after 3",
			"47:24 teams[0].sprints.scale[3]: estimates are more than 0 points, not 0",
			"47:27 teams[0].sprints.scale[4]: must be a number of points, not \"many\"",
		}},
		{name: "split_above not a number", old: "split_above: 5", new: "split_above: big", want: []string{
			"48:20 teams[0].sprints.split_above: must be a number, not \"big\"",
		}},
		{name: "bad clock", old: `start_at: "10:00"`, new: `start_at: "10am"`, want: []string{
			"51:17 teams[0].sprints.start_at: time \"10am\" must be HH:MM (24-hour): write \"10:00\"",
		}},
		{name: "list and cadence", old: "      list:\n", new: "      cadence: {first: 2026-11-04, milestone: \"Sprint {n}\"}\n      list:\n", want: []string{
			"53:16 teams[0].sprints.cadence: use list (sprints with fixed dates) or cadence (a sprint every few days), not both",
		}},
		{name: "cadence without {n}", old: "      list:\n        - {milestone: Rocket Sprint 1, from: 2026-11-04, to: 2026-11-17}\n        - {milestone: \"acme/web#3\", from: 2026-11-18, to: 2026-12-01}\n",
			new: "      cadence: {first: 2026-11-04, milestone: Sprint, length: 0}\n", want: []string{
				"53:47 teams[0].sprints.cadence.milestone: milestone \"Sprint\" must contain {n} once",
				"53:63 teams[0].sprints.cadence.length: length is a sprint's length in calendar days: from 1 to 366, not 0",
			}},
		{name: "unknown key", old: "split_above: 5", new: "split_at: 5", want: []string{
			"48:7 teams[0].sprints.split_at: unknown key \"split_at\"; allowed keys: repos, points_label, due_dates, length, scale, split_above, done_statuses, done_column, start_at, report_at, list, cadence",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertProblems(t, replaceOnce(t, sprintsDoc, tt.old, tt.new), tt.want)
		})
	}
}

// TestSprintsNeedMilestones: without repos and without a Phabricator project there is nothing to
// run sprints on, and Phabricator's keys need a Phabricator project.
func TestSprintsNeedMilestones(t *testing.T) {
	t.Parallel()
	doc := baseDoc + `    sprints:
      done_column: Done
`
	assertProblems(t, doc, []string{
		"37:7 teams[0].sprints: team \"repo-management\" runs sprints on milestones: set sprints.repos (GitHub repositories) or teams[].phabricator (a Phabricator project)",
		"37:20 teams[0].sprints.done_column: done_column is about Phabricator tasks, and team \"repo-management\" has no phabricator section",
	})
}
