package config

import (
	"reflect"
	"testing"
	"time"
)

// clinicDoc is baseDoc with Clinic Duty for its team (lines 47-).
const clinicDoc = baseDoc + `    clinic:
      rotation: {members: [bob, alice], handover: {day: mon, time: "09:30"}, start: 2026-01-05}
      approvers: [em, alice]
      visitors_per_sprint: 3
      repos: [acme/api]
      first_response: 1d
      reviewer: round_robin
      reviewers: [alice]
`

func TestParseClinic(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(clinicDoc))
	if err != nil {
		t.Fatal(err)
	}
	team := cfg.Teams[0]
	c := team.Clinic
	if c.Rotation.Weeks != 2 || c.Rotation.Days() != 14 || !reflect.DeepEqual(c.Rotation.Members, []string{"bob", "alice"}) || c.VisitorsPerSprint != 3 ||
		c.FirstResponse != (Span{BusinessDays: 1}) || c.Reviewer != ReviewerRoundRobin {
		t.Fatalf("clinic %+v", c)
	}
	if got := team.ClinicApprovers(); !reflect.DeepEqual(got, []string{"carol", "alice"}) {
		t.Errorf("approvers %v", got)
	}
	if team.ClinicChannel() != "C01TEAM" || !team.ClinicWatches("ACME/api") || team.ClinicWatches("acme/web") {
		t.Errorf("channel %s, repos %v", team.ClinicChannel(), c.Repos)
	}
	if got := team.Rotations(); !reflect.DeepEqual(got, []string{RotationSupport, RotationClinic}) {
		t.Errorf("rotations %v", got)
	}
	if !team.Insider("carol") || !team.Insider("bob") || team.Insider("zed") || team.Member("carol") != nil || team.Member("bob") == nil {
		t.Error("insiders are members and role holders; members are members")
	}
	// Two-week turns from Monday 5 January 09:30 London, across the spring DST change.
	london, _ := time.LoadLocation("Europe/London")
	sh := c.Rotation.At(time.Date(2026, 3, 30, 9, 0, 0, 0, london)) // turn 6 starts 30 March 09:30 BST
	if sh.Period != 5 || sh.Member != "alice" || !sh.End.Equal(time.Date(2026, 3, 30, 9, 30, 0, 0, london)) {
		t.Errorf("turn before the handover: %+v", sh)
	}
	if sh := c.Rotation.At(time.Date(2026, 3, 30, 8, 30, 0, 0, time.UTC)); sh.Period != 6 || sh.Member != "bob" {
		t.Errorf("09:30 BST is 08:30 UTC: %+v", sh)
	}
	// Defaults: two weeks, the EM approves, two visitors, two business days, the engineer on duty.
	d, err := Parse([]byte(baseDoc + "    clinic:\n      rotation: {members: [alice], handover: {day: tue, time: \"10:00\"}, start: 2026-01-06}\n"))
	if err != nil {
		t.Fatal(err)
	}
	dc := d.Teams[0].Clinic
	if dc.Rotation.Weeks != 2 || dc.VisitorsPerSprint != 2 || dc.FirstResponse != (Span{BusinessDays: 2}) || dc.Reviewer != ReviewerDuty ||
		!reflect.DeepEqual(d.Teams[0].ClinicApprovers(), []string{"carol"}) || !d.Teams[0].ClinicWatches("acme/anything") ||
		!reflect.DeepEqual(d.Teams[0].ClinicReviewers(), []string{"alice"}) {
		t.Errorf("defaults %+v", dc)
	}
	if d.Teams[0].Support.Rotation.Weeks != 1 {
		t.Errorf("support stays weekly: %d", d.Teams[0].Support.Rotation.Weeks)
	}
}

// TestClinicProblems: every mistake in a clinic section is reported at its line with what to
// write instead.
func TestClinicProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, old, new string
		want           []string
	}{
		{name: "no rotation", old: `      rotation: {members: [bob, alice], handover: {day: mon, time: "09:30"}, start: 2026-01-05}` + "\n", new: "", want: []string{
			"37:7 teams[0].clinic: missing \"rotation\" (add e.g. `rotation: {members: [alice, bob], handover: {day: mon, time: \"09:00\"}, start: 2026-01-05}`)",
		}},
		{name: "someone outside the team on the rotation", old: "members: [bob, alice], handover", new: "members: [bob, carol], handover", want: []string{
			"37:33 teams[0].clinic.rotation.members[1]: \"carol\" is not a member of team \"repo-management\": add them to teams[0].members or take them off the Clinic Duty rotation",
		}},
		{name: "weeks out of range", old: "{members: [bob, alice], handover", new: "{members: [bob, alice], weeks: 0, handover", want: []string{
			"37:48 teams[0].clinic.rotation.weeks: weeks is how long one turn lasts: a whole number from 1 to 8 (e.g. `weeks: 2`), not 0",
		}},
		{name: "start not on the handover day", old: `"09:30"}, start: 2026-01-05}`, new: `"09:30"}, start: 2026-01-07}`, want: []string{
			"37:85 teams[0].clinic.rotation.start: start 2026-01-07 is a Wednesday but handover.day is mon: write 2026-01-05 or 2026-01-12",
		}},
		{name: "unknown approver", old: "approvers: [em, alice]", new: "approvers: [em, alicia]", want: []string{
			"38:23 teams[0].clinic.approvers[1]: unknown person \"alicia\" (known: alice, bob, carol)",
		}},
		{name: "approver role nobody holds", old: "approvers: [em, alice]", new: "approvers: [pm]", want: []string{
			"38:19 teams[0].clinic.approvers[0]: nobody holds role \"pm\" in team \"repo-management\": set roles.pm, or name the approvers (person ids)",
		}},
		{name: "no visitors", old: "visitors_per_sprint: 3", new: "visitors_per_sprint: 0", want: []string{
			"39:28 teams[0].clinic.visitors_per_sprint: visitors_per_sprint is how many visiting engineers one sprint takes: a whole number from 1 to 50, not 0",
		}},
		{name: "repo of another client", old: "repos: [acme/api]", new: "repos: [globex/api]", want: []string{
			"40:15 teams[0].clinic.repos[0]: repo \"globex/api\" does not belong to the team's clients (acme): add it to a client's github.repos, or remove it",
		}},
		{name: "target without a unit", old: "first_response: 1d", new: "first_response: 2", want: []string{
			"41:23 teams[0].clinic.first_response: duration \"2\" needs a unit: e.g. 2m, 2h or 2d (business days)",
		}},
		{name: "unknown reviewer mode", old: "reviewer: round_robin", new: "reviewer: roundrobin", want: []string{
			"42:17 teams[0].clinic.reviewer: unknown reviewer \"roundrobin\" (did you mean \"round_robin\"? one of: duty, round_robin)",
		}},
		{name: "reviewers without the round-robin", old: "reviewer: round_robin", new: "reviewer: duty", want: []string{
			"43:18 teams[0].clinic.reviewers: reviewers are taken in turn only with `reviewer: round_robin`; add it, or remove reviewers (outside patches go to the engineer on duty)",
		}},
		{name: "reviewer outside the team", old: "reviewers: [alice]", new: "reviewers: [carol]", want: []string{
			"43:19 teams[0].clinic.reviewers[0]: \"carol\" is not a member of team \"repo-management\": outside patches go to team members; add them to teams[0].members or take them off reviewers",
		}},
		{name: "no EM", old: "roles: {em: carol, delivery_manager: carol, qa: [carol]}", new: "roles: {delivery_manager: carol, qa: [carol]}", want: []string{
			"27:12 teams[0].roles: team \"repo-management\" takes support requests, so roles.em is required: urgent requests escalate to the EM",
			"27:12 teams[0].roles: team \"repo-management\" runs Clinic Duty, so roles.em is required: outside patches without a first response escalate to the EM",
			"38:19 teams[0].clinic.approvers[0]: nobody holds role \"em\" in team \"repo-management\": set roles.em, or name the approvers (person ids)",
		}},
		{name: "unknown key", old: "first_response: 1d", new: "first_reply: 1d", want: []string{
			"41:7 teams[0].clinic.first_reply: unknown key \"first_reply\"; allowed keys: rotation, channel, approvers, visitors_per_sprint, repos, first_response, reviewer, reviewers",
		}},
		{name: "label rule naming the clinic rotation of a team without one", old: "    clinic:\n", new: "    label_rules:\n      - {id: x, when: {label: team/repo-management}, do: [{dm: {rotation: clinic}}]}\n    clinical:\n", want: []string{
			"37:75 teams[0].label_rules[0].do[0].dm.rotation: unknown rotation \"clinic\" (one of: support)",
			"38:5 teams[0].clinical: unknown key \"clinical\" (did you mean \"clinic\"?); allowed keys: id, name, clients, timezone, members, roles, slack, standup, support, retro, daci, labels, label_rules, phabricator, sprints, clinic",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertProblems(t, replaceOnce(t, clinicDoc, tt.old, tt.new), tt.want)
		})
	}
}
