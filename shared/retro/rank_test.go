package retro

import (
	"reflect"
	"strings"
	"testing"
)

// processesItems are the retro result of PROCESSES.md, as items and the dots each got.
func processesItems() ([]string, []Item, []Ballot) {
	fields := []string{"Open questions / currently not working well", "Volunteer-driven development: currently not working", "Important / good that we have this"}
	texts := []struct {
		field int
		text  string
		dots  int
	}{
		{0, "How to decide on impact metrics", 8},
		{1, "Contribution styles", 0},
		{0, "How do we plan for maintenance once a product is in production?", 21},
		{2, "Events / hackathons", 0},
		{1, "How do we ensure volunteer time is not wasted?", 12},
		{0, "Decision, approval, Technical Committee", 10},
		{1, "Dedicated code review team for volunteer contributions", 17},
		{2, "Documentation, user design, proof of concept", 9},
		{0, "Come up with better ideas to get new ideas into the pipeline and communicate them", 3},
		{1, `A "socialize and validate" touch point early in the process`, 8},
		{0, "How do we figure out security and privacy implications", 2},
		{1, "No process to support volunteers in their contributions", 2},
	}
	var items []Item
	dots := map[int]int{}
	for i, x := range texts {
		items = append(items, Item{N: i + 1, Field: x.field, Text: x.text})
		dots[i+1] = x.dots
	}
	// Voters with 3 dots each, spread as the table says.
	var ballots []Ballot
	cur := Ballot{Voter: "U0", Dots: map[int]int{}}
	for n := 1; n <= len(items); n++ {
		for d := 0; d < dots[n]; d++ {
			if cur.Used == 3 {
				ballots = append(ballots, cur)
				cur = Ballot{Voter: "U" + string(rune('A'+len(ballots))), Dots: map[int]int{}}
			}
			cur.Dots[n]++
			cur.Used++
		}
	}
	return fields, items, append(ballots, cur)
}

// TestRankProcessesExample: the ranking reproduces PROCESSES.md's result, line for line.
func TestRankProcessesExample(t *testing.T) {
	t.Parallel()
	fields, items, ballots := processesItems()
	res := Rank(fields, items, ballots)
	var got []string
	for _, f := range res.Fields {
		got = append(got, "*"+f.Field+"*")
		for _, it := range f.Items {
			got = append(got, ResultLine(it))
		}
	}
	want := []string{
		"*Open questions / currently not working well*",
		"• (21) How do we plan for maintenance once a product is in production?",
		"• (10) Decision, approval, Technical Committee",
		"• (8) How to decide on impact metrics",
		"• (3) Come up with better ideas to get new ideas into the pipeline and communicate them",
		"• (2) How do we figure out security and privacy implications",
		"*Volunteer-driven development: currently not working*",
		"• (17) Dedicated code review team for volunteer contributions",
		"• (12) How do we ensure volunteer time is not wasted?",
		`• (8) A "socialize and validate" touch point early in the process`,
		"• (2) No process to support volunteers in their contributions",
		"• (0) Contribution styles",
		"*Important / good that we have this*",
		"• (9) Documentation, user design, proof of concept",
		"• (0) Events / hackathons",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ranking:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The table adds up to 92 dots: 30 people placed all 3 of theirs, one placed 2.
	if res.Voters != 31 || res.DotsPlaced != 92 {
		t.Errorf("%d voters, %d dots", res.Voters, res.DotsPlaced)
	}
	var top []int
	for _, it := range res.Top(3) {
		top = append(top, it.Dots)
	}
	if !reflect.DeepEqual(top, []int{21, 17, 12}) {
		t.Errorf("top 3 across fields: %v", top)
	}
}

func TestTopSkipsUndottedItemsAndBreaksTiesByOrder(t *testing.T) {
	t.Parallel()
	items := []Item{{N: 1, Field: 0, Text: "a"}, {N: 2, Field: 1, Text: "b"}, {N: 3, Field: 0, Text: "c"}, {N: 4, Field: 1, Text: "d"}}
	ballots := []Ballot{{Voter: "U1", Used: 3, Dots: map[int]int{2: 1, 3: 1, 1: 1}}, {Voter: "U2", Used: 0, Dots: map[int]int{}}}
	res := Rank([]string{"x", "y"}, items, ballots)
	var got []int
	for _, it := range res.Top(5) {
		got = append(got, it.N)
	}
	if !reflect.DeepEqual(got, []int{1, 2, 3}) || res.Voters != 1 {
		t.Errorf("top = %v (voters %d)", got, res.Voters)
	}
	if len(res.Top(0)) != 0 {
		t.Error("Top(0) is not empty")
	}
}

func TestMatchField(t *testing.T) {
	t.Parallel()
	fields := []string{"went well", "not working", "open questions"}
	tests := []struct {
		text  string
		field int
		rest  string
	}{
		{"went well Pairing on the release", 0, "Pairing on the release"},
		{"Went Well: pairing", 0, "pairing"},
		{"went-well pairing", 0, "pairing"},
		{"not_working flaky CI", 1, "flaky CI"},
		{"2 flaky CI", 1, "flaky CI"},
		{"open How do we plan maintenance?", 2, "How do we plan maintenance?"},
		{"3: who owns the pager?", 2, "who owns the pager?"},
		{"4 nope", -1, ""},
		{"kudos to Ana", -1, ""},
		{"well done", -1, ""},
	}
	for _, tt := range tests {
		f, rest, ok := MatchField(fields, tt.text)
		if f != tt.field || (ok && rest != tt.rest) || ok != (tt.field >= 0) {
			t.Errorf("MatchField(%q) = %d %q %v, want %d %q", tt.text, f, rest, ok, tt.field, tt.rest)
		}
	}
	// A first word two fields share is ambiguous.
	if f, _, ok := MatchField([]string{"team wins", "team worries"}, "team late releases"); ok {
		t.Errorf("ambiguous first word matched field %d", f)
	}
}

func TestParseItems(t *testing.T) {
	t.Parallel()
	got, err := ParseItems("#3 5,7")
	if err != nil || !reflect.DeepEqual(got, []int{3, 5, 7}) {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := ParseItems("three"); err == nil || !strings.Contains(err.Error(), `"three" is not an item number`) {
		t.Fatalf("%v", err)
	}
}
