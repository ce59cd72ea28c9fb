package config

import (
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// teamDoc is baseDoc with lines appended to its (last) team.
func teamDoc(lines string) string { return baseDoc + lines }

func TestParseRetroAndDACI(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(teamDoc(`    retro:
      fields: [Went well, To improve]
      dots: 5
      anonymous: true
      hide_votes: true
      actions: 0
      repo: acme/retros
      labels: [retro, team/repo-management]
    daci:
      - {kind: technical-approach, name: Determine technical approach, roles: {em: A, qa: C, members: D}}
      - {kind: tools, roles: {members: D, em: I}}
`)))
	if err != nil {
		t.Fatal(err)
	}
	team := cfg.Team("repo-management")
	want := &Retro{Fields: []string{"Went well", "To improve"}, Dots: 5, Anonymous: true, HideVotes: true, Actions: 0, Repo: "acme/retros", Labels: []string{"retro", "team/repo-management"}}
	if !reflect.DeepEqual(team.Retro, want) {
		t.Errorf("retro = %+v, want %+v", team.Retro, want)
	}
	k := team.DecisionKind("technical-approach")
	if k == nil || k.Name != "Determine technical approach" || len(k.Roles) != 3 || k.Roles[2] != (RolePart{"members", Drives}) {
		t.Fatalf("kind = %+v", k)
	}
	if got := k.People(team); !reflect.DeepEqual(got, DACIPeople{Drivers: []string{"alice", "bob"}, Approvers: []string{"carol"}}) {
		// carol is qa (C) and em (A): she approves, and is not also consulted.
		t.Errorf("people = %+v", got)
	}
	tools := team.DecisionKind("tools")
	if tools.Name != "tools" {
		t.Errorf("name defaults to the kind: %q", tools.Name)
	}
	if got := tools.People(team); !reflect.DeepEqual(got, DACIPeople{Drivers: []string{"alice", "bob"}, Approvers: []string{"alice", "bob"}, Informed: []string{"carol"}}) {
		t.Errorf("a kind without A is approved by its drivers: %+v", got)
	}
	if team.DecisionKind("nope") != nil {
		t.Error("unknown kind found")
	}
}

func TestRetroDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(teamDoc("    retro: {repo: acme/retros}\n")))
	if err != nil {
		t.Fatal(err)
	}
	want := &Retro{Fields: DefaultRetroFields, Dots: 3, Actions: 3, Repo: "acme/retros", Labels: []string{"retro"}}
	if got := cfg.Team("repo-management").Retro; !reflect.DeepEqual(got, want) {
		t.Errorf("retro = %+v, want %+v", got, want)
	}
	plain, err := Parse([]byte(baseDoc))
	if err != nil {
		t.Fatal(err)
	}
	team := plain.Team("repo-management")
	if team.Retro != nil || !reflect.DeepEqual(team.RetroSettings(), DefaultRetro()) || len(team.DACI) != 0 {
		t.Errorf("a team without retro or daci: %+v %+v", team.Retro, team.DACI)
	}
}

// TestParseRetroAndDACIProblems holds each retro and DACI rule to its message and position.
func TestParseRetroAndDACIProblems(t *testing.T) {
	t.Parallel()
	base := strings.Count(baseDoc, "\n") // the first appended line is base+1
	at := func(offset int, rest string) string { return itoa(base+offset) + ":" + rest }
	tests := []struct {
		name, add string
		want      []string
	}{
		{name: "unknown retro key", add: "    retro: {dot: 3}\n", want: []string{
			at(1, `13 teams[0].retro.dot: unknown key "dot" (did you mean "dots"?)`),
		}},
		{name: "dots out of range", add: "    retro: {dots: 0, actions: 21}\n", want: []string{
			at(1, "19 teams[0].retro.dots: dots must be from 1 to 20 (each person's dots per retro), not 0"),
			at(1, "31 teams[0].retro.actions: actions must be from 0 (no action items) to 20, not 21"),
		}},
		{name: "dots not a number", add: "    retro: {dots: three}\n", want: []string{
			at(1, `19 teams[0].retro.dots: must be a whole number, not "three"`),
		}},
		{name: "fields empty", add: "    retro: {fields: []}\n", want: []string{
			at(1, "21 teams[0].retro.fields: list at least one field"),
		}},
		{name: "field repeated in another case", add: "    retro: {fields: [Went well, went well]}\n", want: []string{
			at(1, `33 teams[0].retro.fields[1]: "went well" is listed twice`),
		}},
		{name: "numeric field", add: "    retro: {fields: [went well, \"2\"]}\n", want: []string{
			at(1, `33 teams[0].retro.fields[1]: field "2" is a number, which `+"`/retro add`"+` reads as a field's position`),
		}},
		{name: "repo pasted as URL", add: "    retro: {repo: https://github.com/acme/retros}\n", want: []string{
			at(1, `19 teams[0].retro.repo: repo "https://github.com/acme/retros" must be owner/name: write "acme/retros"`),
		}},
		{name: "anonymous yes", add: "    retro: {anonymous: yes}\n", want: []string{
			at(1, `24 teams[0].retro.anonymous: must be true or false, not "yes"`),
		}},
		{name: "daci not a list", add: "    daci: {kind: x}\n", want: []string{
			at(1, "11 teams[0].daci: must be a list, e.g. [{kind: technical-approach"),
		}},
		{name: "kind missing and roles missing", add: "    daci:\n      - {name: Something}\n", want: []string{
			at(2, `9 teams[0].daci[0]: missing "kind" (add e.g. `+"`kind: technical-approach`)"),
			at(2, `9 teams[0].daci[0]: missing "roles"`),
		}},
		{name: "kind not a slug, kind twice", add: "    daci:\n      - {kind: Tech Approach, roles: {em: A}}\n      - {kind: tools, roles: {em: A}}\n      - {kind: tools, roles: {em: D}}\n", want: []string{
			at(2, `16 teams[0].daci[0].kind: kind "Tech Approach" must be a lowercase slug (letters, digits, - or _): write "tech-approach"`),
			at(4, `16 teams[0].daci[2].kind: kind "tools" is listed twice (first at line `+itoa(base+3)+`)`),
		}},
		{name: "bad letters", add: "    daci:\n      - {kind: tools, roles: {em: a, qa: X, members: [D]}}\n", want: []string{
			at(2, "35 teams[0].daci[0].roles.em: write the letter in capitals: A"),
			at(2, `42 teams[0].daci[0].roles.qa: "X" is not a DACI letter: write D (drives), A (approves), C (consulted) or I (informed)`),
			at(2, "54 teams[0].daci[0].roles.members: must be one letter: D, A, C or I, not a list"),
		}},
		{name: "role nobody holds", add: "    daci:\n      - {kind: tools, roles: {em: A, tech_lead: D, delivery_manger: I}}\n", want: []string{
			at(2, `38 teams[0].daci[0].roles.tech_lead: team "repo-management" has no role "tech_lead": give it to someone under the team's roles (e.g. `+"`tech_lead: alice`"+`), or leave it out of this row; roles held: delivery_manager, em, members, qa`),
			at(2, `52 teams[0].daci[0].roles.delivery_manger: team "repo-management" has no role "delivery_manger" (did you mean "delivery_manager"?)`),
		}},
		{name: "nobody decides", add: "    daci:\n      - {kind: tools, roles: {em: C, members: I}}\n", want: []string{
			at(2, `30 teams[0].daci[0].roles: kind "tools" needs a role that drives (D) or approves (A)`),
		}},
		{name: "role without a letter, role twice", add: "    daci:\n      - kind: tools\n        roles:\n          em: A\n          qa:\n          em: D\n", want: []string{
			at(5, `11 teams[0].daci[0].roles.qa: give role qa a letter`),
			at(6, `11 teams[0].daci[0].roles.em: role "em" appears twice (first at line `+itoa(base+4)+`); keep one`),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertProblems(t, teamDoc(tt.add), tt.want)
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestExampleDACIMatrix: the example's matrix is the product team's table from PROCESSES.md;
// reading it back gives the people its rows name.
func TestExampleDACIMatrix(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseFile(examplePath, data)
	if err != nil {
		t.Fatal(err)
	}
	team := cfg.Team("repo-management")
	if len(team.DACI) != 16 {
		t.Fatalf("the example's matrix has %d kinds, want the 16 rows of PROCESSES.md", len(team.DACI))
	}
	tests := []struct {
		kind string
		want DACIPeople
	}{
		// PM and director both approve; nobody drives.
		{"product-strategy", DACIPeople{Approvers: []string{"erin", "oscar"}, Consulted: []string{"dave", "alice", "gina", "yuki", "bob", "priya", "nadia"}, Informed: []string{"tomas"}}},
		// The EM approves, the tech lead drives; alice leads and is a member: she drives only.
		{"technical-approach", DACIPeople{Drivers: []string{"alice"}, Approvers: []string{"dave"}, Consulted: []string{"gina", "yuki", "bob", "priya"}, Informed: []string{"erin", "tomas", "nadia", "oscar"}}},
		// No A: the PM and the tech lead drive, so they approve; the director is only informed.
		{"feature-priorities", DACIPeople{Drivers: []string{"erin", "alice"}, Approvers: []string{"erin", "alice"}, Consulted: []string{"tomas", "dave", "gina", "yuki", "bob", "priya", "nadia"}, Informed: []string{"oscar"}}},
		// The engineers (members) drive team tools; the director is not involved.
		{"team-tools", DACIPeople{Drivers: []string{"alice", "bob", "priya"}, Approvers: []string{"dave"}, Consulted: []string{"erin", "gina", "yuki"}, Informed: []string{"tomas", "nadia"}}},
	}
	for _, tt := range tests {
		k := team.DecisionKind(tt.kind)
		if k == nil {
			t.Errorf("no kind %s in the example", tt.kind)
			continue
		}
		if got := k.People(team); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.kind, got, tt.want)
		}
	}
	if r := team.Retro; r == nil || r.Repo != "acme/retros" || !r.HideVotes || r.Dots != 3 {
		t.Errorf("the example's retro: %+v", r)
	}
}
