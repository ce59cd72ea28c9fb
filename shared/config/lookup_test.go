package config

import (
	"os"
	"slices"
	"testing"
	"time"
)

const examplePath = "../../infra/config/example.yaml"

func loadExample(t *testing.T) *Config {
	t.Helper()
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseFile(examplePath, data)
	if err != nil {
		t.Fatalf("example does not parse:\n%v", err)
	}
	return cfg
}

func teamIDs(ts []*Team) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

func clientIDs(cs []*Client) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestPersonLookups(t *testing.T) {
	t.Parallel()
	cfg := loadExample(t)
	tests := []struct {
		name string
		got  *Person
		want string // person id, "" for nil
	}{
		{name: "by id", got: cfg.PersonByID("alice"), want: "alice"},
		{name: "by unknown id", got: cfg.PersonByID("mallory"), want: ""},
		{name: "by github any case", got: cfg.PersonByGitHub("Alice-Liddell"), want: "alice"},
		{name: "by unknown github", got: cfg.PersonByGitHub("ghost"), want: ""},
		{name: "by slack", got: cfg.PersonBySlack("U01BOB0002"), want: "bob"},
		{name: "by slack is exact", got: cfg.PersonBySlack("u01bob0002"), want: ""},
		{name: "by phabricator any case", got: cfg.PersonByPhabricator("BTane"), want: "bob"},
		{name: "by unknown phabricator", got: cfg.PersonByPhabricator("priya"), want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got string
			if tt.got != nil {
				got = tt.got.ID
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTeamsForLabel(t *testing.T) {
	t.Parallel()
	cfg := loadExample(t)
	tests := []struct {
		name, repo, label string
		want              []string
	}{
		{name: "client org repo", repo: "acme/api", label: "team/repo-management", want: []string{"repo-management"}},
		{name: "any case", repo: "ACME/Api", label: "Team/Repo-Management", want: []string{"repo-management"}},
		{name: "client single repo", repo: "partner/shared-lib", label: "team/repo-management", want: []string{"repo-management"}},
		{name: "other repo of that owner", repo: "partner/other", label: "team/repo-management"},
		{name: "listed support repo", repo: "globex-corp/invoices", label: "billing-support", want: []string{"billing"}},
		{name: "client repo outside support.repos", repo: "globex-corp/website", label: "team/billing"},
		{name: "label of a team of another client", repo: "acme/api", label: "team/billing"},
		{name: "not a support label", repo: "acme/api", label: "p1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := teamIDs(cfg.TeamsForLabel(tt.repo, tt.label)); !slices.Equal(got, tt.want) {
				t.Errorf("TeamsForLabel(%q, %q) = %v, want %v", tt.repo, tt.label, got, tt.want)
			}
		})
	}
}

func TestMembershipLookups(t *testing.T) {
	t.Parallel()
	cfg := loadExample(t)
	tests := []struct {
		name, person string
		teams        []string
		clients      []string
	}{
		{name: "member of two teams", person: "priya", teams: []string{"repo-management", "billing"}, clients: []string{"acme", "globex"}},
		{name: "member of one team", person: "alice", teams: []string{"repo-management"}, clients: []string{"acme"}},
		{name: "role only is not membership", person: "dave"},
		{name: "unknown person", person: "mallory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := teamIDs(cfg.TeamsOf(tt.person)); !slices.Equal(got, tt.teams) {
				t.Errorf("TeamsOf = %v, want %v", got, tt.teams)
			}
			if got := clientIDs(cfg.ClientsForPerson(tt.person)); !slices.Equal(got, tt.clients) {
				t.Errorf("ClientsForPerson = %v, want %v", got, tt.clients)
			}
		})
	}
	if got := clientIDs(cfg.ClientsForRepo("Partner/Shared-Lib")); !slices.Equal(got, []string{"acme"}) {
		t.Errorf("ClientsForRepo(partner/shared-lib) = %v", got)
	}
	if got := cfg.ClientsForRepo("initech/tps"); got != nil {
		t.Errorf("ClientsForRepo(initech/tps) = %v", clientIDs(got))
	}
	acme := cfg.Client("acme")
	for repo, want := range map[string]bool{"acme/anything": true, "ACME/x": true, "partner/shared-lib": true, "partner/x": false, "acmex/y": false} {
		if got := acme.Watches(repo); got != want {
			t.Errorf("acme.Watches(%q) = %v, want %v", repo, got, want)
		}
	}
	rm := cfg.Team("repo-management")
	if !rm.HasMember("bob") || rm.HasMember("dave") {
		t.Error("HasMember is wrong")
	}
	if cfg.Team("nope") != nil || cfg.Client("nope") != nil {
		t.Error("unknown ids should give nil")
	}
}

// TestParseGuarantees checks what ParseFile documents: references resolve, zones are loaded,
// defaults are filled in.
func TestParseGuarantees(t *testing.T) {
	t.Parallel()
	cfg := loadExample(t)
	for _, p := range cfg.People {
		if p.Location() == nil || p.Location().String() != p.TimeZone {
			t.Errorf("%s: Location() = %v, want %s", p.ID, p.Location(), p.TimeZone)
		}
	}
	for _, c := range cfg.Clients {
		if cfg.PersonByID(c.HR.Reviewer) == nil {
			t.Errorf("client %s: reviewer %q does not resolve", c.ID, c.HR.Reviewer)
		}
	}
	for _, tm := range cfg.Teams {
		refs := append(append([]string{}, tm.Members...), tm.Roles.EM, tm.Roles.DeliveryManager)
		for _, id := range refs {
			if cfg.PersonByID(id) == nil {
				t.Errorf("team %s: %q does not resolve", tm.ID, id)
			}
		}
		for _, id := range tm.Clients {
			if cfg.Client(id) == nil {
				t.Errorf("team %s: client %q does not resolve", tm.ID, id)
			}
		}
		for _, id := range tm.Support.Rotation.Members {
			if !tm.HasMember(id) {
				t.Errorf("team %s: rotation member %q is not a member", tm.ID, id)
			}
		}
		if _, ok := tm.Support.Priority(tm.Support.DefaultPriority); !ok {
			t.Errorf("team %s: default priority %q is not a priority", tm.ID, tm.Support.DefaultPriority)
		}
	}

	billing := cfg.Team("billing")
	if billing.Slack.SupportChannel != "C01BILLING" || billing.Slack.DigestChannel != "C01BILLING" {
		t.Errorf("slack channels default to channel: %+v", billing.Slack)
	}
	if got := billing.Support; len(got.Priorities) != 4 || got.DefaultPriority != "p3" || got.NagEvery != (Span{Duration: 30 * time.Minute}) || got.EscalateAfter != (Span{Duration: time.Hour}) {
		t.Errorf("support defaults: %+v", got)
	}
	if billing.Standup.Days != BusinessWeek {
		t.Errorf("days: weekdays = %v", billing.Standup.Days)
	}
	if b := cfg.Team("repo-management").Support.Board; b == nil || b.Owner != "acme" || b.Project != 7 || b.Status != "Support Issues" {
		t.Errorf("board = %+v", b)
	}
	if got := cfg.Client("globex").HR.OverdueAfterBusinessDays; got != 2 {
		t.Errorf("overdue days default = %d, want 2", got)
	}
	alice, priya := cfg.PersonByID("alice"), cfg.PersonByID("priya")
	if !alice.AwayOn(Date{2026, 12, 25}) || alice.AwayOn(Date{2027, 1, 2}) || !priya.AwayOn(Date{2026, 10, 20}) {
		t.Error("AwayOn is wrong")
	}
	if cfg.PersonByID("erin").Name != "Erin Walsh" {
		t.Error("name")
	}
}

func TestPriorityFor(t *testing.T) {
	t.Parallel()
	s := loadExample(t).Team("repo-management").Support
	tests := []struct {
		name   string
		labels []string
		want   string
		urgent bool
	}{
		{name: "highest wins", labels: []string{"bug", "p3", "P1"}, want: "p1", urgent: true},
		{name: "p0", labels: []string{"p0"}, want: "p0", urgent: true},
		{name: "no priority label", labels: []string{"bug", "team/repo-management"}, want: "p3"},
		{name: "no labels", want: "p3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := s.PriorityFor(tt.labels); got.Name != tt.want || got.Urgent != tt.urgent {
				t.Errorf("PriorityFor(%v) = %+v, want %s (urgent %v)", tt.labels, got, tt.want, tt.urgent)
			}
		})
	}
	if !s.HasLabel("TEAM/repo-management") || s.HasLabel("p1") {
		t.Error("HasLabel is wrong")
	}
}

func TestSectionMatches(t *testing.T) {
	t.Parallel()
	s := loadExample(t).Team("repo-management").Support.RequiredSections
	tests := []struct {
		heading string
		want    string // title of the matching section, "" for none
	}{
		{"Description", "Description"},
		{"## summary:", "Description"},
		{"### Short Description", "Description"},
		{"context", "Background"},
		{"IMPACT", "Impact"},
		{"Impacts", ""},
		{"extra information", "Additional information"},
	}
	for _, tt := range tests {
		t.Run(tt.heading, func(t *testing.T) {
			t.Parallel()
			var got string
			for _, sec := range s {
				if sec.Matches(tt.heading) {
					got = sec.Title
				}
			}
			if got != tt.want {
				t.Errorf("%q matches %q, want %q", tt.heading, got, tt.want)
			}
		})
	}
}

func TestRotationAt(t *testing.T) {
	t.Parallel()
	r := loadExample(t).Team("repo-management").Support.Rotation // alice, bob, priya from Mon 2026-01-05 09:00 London
	london, _ := time.LoadLocation("Europe/London")
	auckland, _ := time.LoadLocation("Pacific/Auckland")
	tests := []struct {
		name   string
		at     time.Time
		member string
		week   int
		start  string
	}{
		{name: "first handover", at: time.Date(2026, 1, 5, 9, 0, 0, 0, london), member: "alice", week: 0, start: "2026-01-05T09:00:00Z"},
		{name: "minute before start is the previous cycle", at: time.Date(2026, 1, 5, 8, 59, 0, 0, london), member: "priya", week: -1, start: "2025-12-29T09:00:00Z"},
		{name: "handover morning before handover", at: time.Date(2026, 1, 12, 8, 0, 0, 0, london), member: "alice", week: 0, start: "2026-01-05T09:00:00Z"},
		{name: "second week", at: time.Date(2026, 1, 12, 9, 0, 0, 0, london), member: "bob", week: 1, start: "2026-01-12T09:00:00Z"},
		{name: "cycle repeats", at: time.Date(2026, 1, 28, 12, 0, 0, 0, london), member: "alice", week: 3, start: "2026-01-26T09:00:00Z"},
		{name: "instant given in another zone", at: time.Date(2026, 1, 12, 21, 30, 0, 0, auckland), member: "alice", week: 0, start: "2026-01-05T09:00:00Z"},
		{name: "after the clocks go forward", at: time.Date(2026, 3, 30, 9, 0, 0, 0, london), member: "alice", week: 12, start: "2026-03-30T09:00:00+01:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := r.At(tt.at)
			if got.Member != tt.member || got.Period != tt.week || got.Start.Format(time.RFC3339) != tt.start {
				t.Errorf("At(%v) = %s week %d from %s, want %s week %d from %s", tt.at, got.Member, got.Period, got.Start.Format(time.RFC3339), tt.member, tt.week, tt.start)
			}
			if !got.End.Equal(r.Handover.Time.On(DateOf(got.Start).AddDays(7), london)) || tt.at.Before(got.Start) || !tt.at.Before(got.End) {
				t.Errorf("shift [%v, %v) must be a week and contain %v", got.Start, got.End, tt.at)
			}
		})
	}
}
