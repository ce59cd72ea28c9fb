package config

import (
	"slices"
	"strings"
	"testing"
)

// TestManagementProblems holds hr.management's rules to their messages: baseDoc's client acme
// is worked for by repo-management, whose roles are em, delivery_manager and qa (all carol).
func TestManagementProblems(t *testing.T) {
	t.Parallel()
	const hr = "hr: {reviewer: carol, repo: acme/hr}"
	tests := []struct {
		name string
		with string // hr.management's value
		want []string
	}{
		{name: "members refused", with: "[em, members]", want: []string{
			"21:59 clients[0].hr.management[1]: members would show reviewer notes to every developer: name roles (e.g. em) or people",
		}},
		{name: "typo suggests the role", with: "[delivery_manger]", want: []string{
			"21:55 clients[0].hr.management[0]: unknown role or person \"delivery_manger\" (did you mean \"delivery_manager\"?); roles in teams working for acme: delivery_manager, em, qa; or a person id",
		}},
		{name: "typo suggests the person", with: "[alcie]", want: []string{
			"21:55 clients[0].hr.management[0]: unknown role or person \"alcie\" (did you mean \"alice\"?)",
		}},
		{name: "named role nobody holds", with: "[pm]", want: []string{
			"21:55 clients[0].hr.management[0]: no team working for \"acme\" has a pm: set it in the team's roles, or name a person",
		}},
		{name: "not a slug", with: "[Director]", want: []string{
			"21:55 clients[0].hr.management[0]: role or person \"Director\" must be a lowercase slug (letters, digits, - or _): write \"director\"",
		}},
		{name: "listed twice", with: "[em, em]", want: []string{
			"21:59 clients[0].hr.management[1]: \"em\" is listed twice (first at line 21)",
		}},
		{name: "not a list", with: "em", want: []string{
			"21:54 clients[0].hr.management: must be a list, e.g. [em, director]",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := strings.Replace(baseDoc, hr, "hr: {reviewer: carol, repo: acme/hr, management: "+tt.with+"}", 1)
			assertProblems(t, doc, tt.want)
		})
	}
}

func TestManagementResolvesRolesAndPeople(t *testing.T) {
	t.Parallel()
	doc := strings.Replace(baseDoc, "hr: {reviewer: carol, repo: acme/hr}", "hr: {reviewer: carol, repo: acme/hr, management: [tech_lead, qa, bob]}", 1)
	doc = strings.Replace(doc, "qa: [carol]}", "qa: [carol], tech_lead: alice}", 1)
	cfg, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Management(cfg.Client("acme")), []string{"alice", "carol", "bob"}; !slices.Equal(got, want) {
		t.Errorf("Management = %v, want %v", got, want)
	}
	for _, tt := range []struct {
		person string
		want   bool
	}{{"alice", true}, {"bob", true}, {"carol", true}, {"nobody", false}} {
		if got := cfg.IsManagement("acme", tt.person); got != tt.want {
			t.Errorf("IsManagement(acme, %s) = %v, want %v", tt.person, got, tt.want)
		}
	}
	if cfg.IsManagement("nope", "alice") {
		t.Error("IsManagement of an unknown client")
	}
	base, err := Parse([]byte(baseDoc))
	if err != nil {
		t.Fatal(err)
	}
	if got := base.Management(base.Client("acme")); len(got) != 0 {
		t.Errorf("without hr.management: %v, want nobody", got)
	}
}
