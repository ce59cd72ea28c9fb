package standup

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/activity"
)

// hugeFootprint has many repositories, each with issues, PRs with many commits and commits
// outside PRs, with long titles.
func hugeFootprint(repos, perRepo int) Footprint {
	fp := Footprint{From: utc("2026-03-02T00:00:00Z"), To: utc("2026-03-03T06:00:00Z")}
	long := strings.Repeat("very long title ", 40)
	for r := 0; r < repos; r++ {
		repo := fmt.Sprintf("acme/repo-%03d", r)
		for i := 0; i < perRepo; i++ {
			at := fp.From.Add(time.Duration(r*perRepo+i) * time.Second)
			var commits []activity.Commit
			for c := 0; c < 50; c++ {
				commits = append(commits, activity.Commit{SHA: fmt.Sprintf("%040d", c), Message: long})
			}
			fp.Items = append(fp.Items,
				activity.Item{Kind: activity.KindIssueOpened, Repo: repo, Number: i, Title: long + "<@U123> & <!channel>", URL: "https://github.com/" + repo + "/issues/1", At: at},
				activity.Item{Kind: activity.KindPRMerged, Repo: repo, Number: 1000 + i, Title: long, URL: "https://github.com/x", At: at, Commits: commits},
				activity.Item{Kind: activity.KindCommit, Repo: repo, SHA: fmt.Sprintf("%040d", i), Message: long, At: at})
		}
	}
	return fp
}

func checkBlocks(t *testing.T, what string, blocks []slack.Block, max int) {
	t.Helper()
	if len(blocks) > max {
		t.Errorf("%s: %d blocks, limit %d", what, len(blocks), max)
	}
	ids := map[string]bool{}
	for _, b := range blocks {
		data, _ := json.Marshal(b)
		var m map[string]any
		_ = json.Unmarshal(data, &m)
		if id, _ := m["block_id"].(string); id != "" {
			if ids[id] {
				t.Errorf("%s: duplicate block_id %s", what, id)
			}
			ids[id] = true
		}
		walkTexts(m, func(kind, text string) {
			limit := MaxText
			if kind == "option" {
				limit = maxOptionText
			}
			if n := utf8.RuneCountInString(text); n > limit {
				t.Errorf("%s: %s text of %d characters (limit %d): %.80s…", what, kind, n, limit, text)
			}
		})
	}
}

// walkTexts calls fn for every text object's text; kind is "option" for option texts.
func walkTexts(v any, fn func(kind, text string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			if k == "options" || k == "initial_options" {
				for _, o := range c.([]any) {
					if om, ok := o.(map[string]any); ok {
						if tm, ok := om["text"].(map[string]any); ok {
							fn("option", tm["text"].(string))
						}
					}
				}
				continue
			}
			if k == "text" {
				if s, ok := c.(string); ok {
					fn("text", s)
					continue
				}
			}
			walkTexts(c, fn)
		}
	case []any:
		for _, c := range v {
			walkTexts(c, fn)
		}
	}
}

func TestModalWithinLimits(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	p, c := cfg.PersonByID("hana"), cfg.Client("acme")
	var many []activity.Assignment
	for i := 0; i < 250; i++ {
		many = append(many, activity.Assignment{Repo: "acme/app", Number: i + 1, Title: strings.Repeat("assigned issue title ", 10)})
	}
	cases := []struct {
		name        string
		fp          Footprint
		assignments []activity.Assignment
		wantMore    []string
	}{
		{"empty", Footprint{From: utc("2026-03-02T00:00:00Z")}, nil, []string{"No GitHub activity"}},
		{"one repo, few issues", hugeFootprint(1, 2), many[:3], nil},
		{"huge footprint and 250 assignments", hugeFootprint(80, 30), many, []string{"more repositories", "and 150 more open issues", "…and"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			last := &Last{ID: "acme/hana/2026-03-02", Date: "2026-03-02", Comment: strings.Repeat("x", 5000), Blockers: "b",
				Plan: []PlanItem{{Repo: "acme/app", Number: 1, Title: "t", ExpectDone: true}}}
			v := BuildModal(ModalInput{Standup: Standup{Slot: Slot{ID: ID{Client: "acme", Person: "hana", Date: date("2026-03-03")}}},
				Person: p, Client: c, Last: last, Footprint: tc.fp, Assignments: tc.assignments, NextDay: date("2026-03-04"), PlanCheck: CheckPlan(last, tc.fp)})
			checkBlocks(t, tc.name, v.Blocks.BlockSet, MaxModalBlocks)
			data, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.wantMore {
				if !strings.Contains(string(data), w) {
					t.Errorf("modal lacks %q", w)
				}
			}
			if strings.Contains(string(data), "<@U123>") || strings.Contains(string(data), "<!channel>") {
				t.Error("titles are not escaped: they could ping people")
			}
			if v.CallbackID != CallbackSubmit || v.PrivateMetadata != "acme/hana/2026-03-03" {
				t.Errorf("callback %q metadata %q", v.CallbackID, v.PrivateMetadata)
			}
			if utf8.RuneCountInString(v.Title.Text) > maxTitle {
				t.Errorf("title %q too long", v.Title.Text)
			}
			// The other renderers of the same standup stay within limits too.
			e := &Entry{Submitted: utc("2026-03-03T07:00:00Z"), Edited: utc("2026-03-03T07:00:00Z"), Revision: 1, Footprint: tc.fp,
				Comment: strings.Repeat("c", 3000), Blockers: strings.Repeat("b", 3000), Availability: FullDay, PlanCheck: CheckPlan(last, tc.fp)}
			for _, a := range tc.assignments {
				e.Plan = append(e.Plan, PlanItem{Repo: a.Repo, Number: a.Number, Title: a.Title})
			}
			sd := Standup{Slot: Slot{ID: ID{Client: "acme", Person: "hana", Date: date("2026-03-03")}}, Entry: e}
			checkBlocks(t, "read-only", ReadOnlyModal(sd, p, c).Blocks.BlockSet, MaxModalBlocks)
			checkBlocks(t, "review", ReviewModal(sd, Review{}, p, c).Blocks.BlockSet, MaxModalBlocks)
			checkBlocks(t, "history", HistoryBlocks(p, c, []Standup{sd, sd, sd, sd, sd}, true, true, testLinks), MaxMessageBlocks)
			var lines []Line
			var items []ReviewerItem
			for i := 0; i < 80; i++ {
				lines = append(lines, Line{Duty: Duty{Person: p, Client: c}, ID: ID{Client: "acme", Person: fmt.Sprint("p", i)}, Standup: &sd, OpenBlockers: "x"})
				items = append(items, ReviewerItem{Standup: sd, Person: p})
			}
			checkBlocks(t, "digest", DigestBlocks(cfg.Team("core"), date("2026-03-03"), lines, nil, testLinks), MaxMessageBlocks)
			checkBlocks(t, "reviewer message", ReviewerMessage(c, items, testLinks), MaxMessageBlocks)
			if data, _ := json.Marshal(ReviewerMessage(c, items, testLinks)); !strings.Contains(string(data), "more; they stay in your queue") {
				t.Error("reviewer message does not say what was cut")
			}
		})
	}
}

func TestParseAnswers(t *testing.T) {
	t.Parallel()
	as := []activity.Assignment{{Repo: "acme/app", Number: 7, Title: "Seven", URL: "u7"}, {Repo: "acme/app", Number: 8, Title: "Eight"}}
	state := func(values map[string]map[string]slack.BlockAction) *slack.ViewState {
		return &slack.ViewState{Values: values}
	}
	opt := func(v string) slack.OptionBlockObject { return slack.OptionBlockObject{Value: v} }
	cases := []struct {
		name     string
		state    *slack.ViewState
		wantErrs []string
		check    func(t *testing.T, a Answers)
	}{
		{"nothing", state(nil), []string{blockAvailability, blockComment}, nil},
		{"blank comment", state(map[string]map[string]slack.BlockAction{
			blockAvailability: {actionValue: {SelectedOption: opt("part_day")}}, blockComment: {actionValue: {Value: "   "}},
		}), []string{blockComment}, nil},
		{"unknown availability", state(map[string]map[string]slack.BlockAction{
			blockAvailability: {actionValue: {SelectedOption: opt("beach")}}, blockComment: {actionValue: {Value: "x"}},
		}), []string{blockAvailability}, nil},
		{"complete", state(map[string]map[string]slack.BlockAction{
			blockPlan:                    {actionItems: {SelectedOptions: []slack.OptionBlockObject{opt("acme/app#7")}}},
			blockDone:                    {actionItems: {SelectedOptions: []slack.OptionBlockObject{opt("acme/app#8")}}},
			blockAvailability:            {actionValue: {SelectedOption: opt("emergency_only")}},
			blockComment:                 {actionValue: {Value: " ship it "}},
			blockBlockers:                {actionValue: {Value: ""}},
			blockRepoPrefix + "acme/app": {actionValue: {Value: "tidy"}},
		}), nil, func(t *testing.T, a Answers) {
			if len(a.Plan) != 2 || a.Plan[0].Number != 7 || a.Plan[0].ExpectDone || !a.Plan[1].ExpectDone || a.Plan[0].Title != "Seven" {
				t.Errorf("plan %+v (expect done implies planned)", a.Plan)
			}
			if a.Comment != "ship it" || a.Availability != EmergencyOnly || a.Blockers != "" || a.RepoComments["acme/app"] != "tidy" {
				t.Errorf("answers %+v", a)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, errs := ParseAnswers(tc.state, as, nil)
			if len(errs) != len(tc.wantErrs) {
				t.Fatalf("errors %v, want on %v", errs, tc.wantErrs)
			}
			for _, b := range tc.wantErrs {
				if errs[b] == "" {
					t.Errorf("no error on %s: %v", b, errs)
				}
			}
			if tc.check != nil {
				tc.check(t, a)
			}
		})
	}
}

func TestCheckPlan(t *testing.T) {
	t.Parallel()
	last := &Last{ID: "acme/hana/2026-03-02", Plan: []PlanItem{
		{Repo: "acme/app", Number: 1, ExpectDone: true},
		{Repo: "acme/app", Number: 2, ExpectDone: true},
		{Repo: "acme/app", Number: 3, ExpectDone: true},
		{Repo: "acme/app", Number: 4},
	}}
	fp := Footprint{Items: []activity.Item{
		{Kind: activity.KindIssueClosed, Repo: "ACME/app", Number: 1},
		{Kind: activity.KindPRMerged, Repo: "acme/app", Number: 40, Title: "Fixes #2"},
		{Kind: activity.KindPRMerged, Repo: "acme/app", Number: 41, Title: "Fixes #30"},
		{Kind: activity.KindIssueClosed, Repo: "acme/other", Number: 3},
		{Kind: activity.KindIssueClosed, Repo: "acme/app", Number: 4},
	}}
	c := CheckPlan(last, fp)
	if c.Summary() != "2 of 3 items expected done were done" {
		t.Fatalf("summary %q (%+v)", c.Summary(), c)
	}
	if CheckPlan(nil, fp) != nil || CheckPlan(&Last{}, fp) != nil {
		t.Error("no plan, no check")
	}
	for text, want := range map[string]bool{"#2": true, "fix #2.": true, "#21": false, "#12": false, "x #21 and #2": true} {
		if mentions(text, 2) != want {
			t.Errorf("mentions(%q, 2) = %v", text, !want)
		}
	}
}
