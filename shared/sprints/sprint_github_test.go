package sprints

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The same sprint as TestPhabricatorSprint, run by team comet on the GitHub milestone
// acme/web#7 in India's time zone: the sprint comes from the milestone's due date (Tuesday 10
// November, 14 days), points from "points: N" labels, done is closed as completed. Two
// differences on purpose: the second walk-on's delivery is processed only after Friday's
// snapshot was stored (it shows from Monday, and Friday keeps what was known on Friday), and
// #15 is closed as not planned (it is not done, so it carries over).
var kolkata = mustZone("Asia/Kolkata")

func ist(m time.Month, d, hh, mm int) time.Time { return in(kolkata, 2026, m, d, hh, mm) }

const cometMS = "acme/web#7"

// milestone7 is acme/web's milestone 7 as GitHub's payloads show it.
func milestone7() map[string]any {
	return map[string]any{
		"url": "https://api.github.com/repos/acme/web/milestones/7", "html_url": "https://github.com/acme/web/milestone/7",
		"id": 7000007, "node_id": "MI_7", "number": 7, "title": "Comet Sprint 7", "description": "", "state": "open",
		"open_issues": 0, "closed_issues": 0, "created_at": "2026-10-20T10:00:00Z", "updated_at": "2026-10-20T10:00:00Z",
		"due_on": "2026-11-10T07:00:00Z", "closed_at": nil,
		"creator": map[string]any{"login": "priya-r", "id": 101, "node_id": "U_101", "type": "User"},
	}
}

// issue edits a fixture into acme/web#n at at: its title, labels, assignee, milestone (nil:
// none) and state.
func issue(n int, title string, labels []string, assignee string, milestone map[string]any, state, reason string, at time.Time) func(m map[string]any) {
	return func(m map[string]any) {
		repo := m["repository"].(map[string]any)
		repo["full_name"], repo["name"] = "acme/web", "web"
		repo["owner"].(map[string]any)["login"] = "acme"
		is := m["issue"].(map[string]any)
		is["number"], is["title"] = n, title
		is["html_url"] = fmt.Sprintf("https://github.com/acme/web/issues/%d", n)
		var ls []any
		for _, l := range labels {
			ls = append(ls, map[string]any{"name": l, "color": "ededed", "default": false, "id": 1, "node_id": "L", "url": "https://api.github.com/x"})
		}
		is["labels"] = ls
		user := map[string]any{"login": assignee, "id": 1, "node_id": "U", "type": "User"}
		is["assignee"], is["assignees"] = user, []any{user}
		is["milestone"] = milestone
		is["state"], is["state_reason"] = state, nil
		is["closed_at"] = nil
		if state == "closed" {
			is["state_reason"], is["closed_at"] = reason, at.UTC().Format(time.RFC3339)
		}
		is["updated_at"] = at.UTC().Format(time.RFC3339)
		delete(is, "pull_request")
	}
}

// with sets a top-level field of the delivery.
func with(k string, v any) func(m map[string]any) { return func(m map[string]any) { m[k] = v } }

type ghIssue struct {
	n        int
	title    string
	labels   []string
	assignee string
}

func TestGitHubSprint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ist(time.October, 26, 12, 0))
	e.github(ist(time.October, 26, 12, 0), "milestone", "milestone.created.json", with("milestone", milestone7()), func(m map[string]any) {
		repo := m["repository"].(map[string]any)
		repo["full_name"] = "acme/web"
	})
	issues := map[int]*ghIssue{}
	put := func(at time.Time, fixture, state, reason string, is *ghIssue, extra ...func(map[string]any)) {
		t.Helper()
		edits := append([]func(map[string]any){issue(is.n, is.title, is.labels, is.assignee, milestone7(), state, reason, at), with("milestone", milestone7())}, extra...)
		e.github(at, "issues", fixture, edits...)
	}
	for i, c := range []ghIssue{{11, "Export invoices as CSV", []string{"points: 3"}, "priya-r"}, {12, "Retry failed webhooks", []string{"points: 5"}, "priya-r"},
		{13, "Fix the login flow", []string{"points: 2", "bug"}, "sam-iyer"}, {14, "Dark mode", []string{"points: 8"}, "sam-iyer"},
		{15, "Audit log", []string{"enhancement"}, "sam-iyer"}, {16, "Rewrite the billing engine", []string{"points: 13"}, "priya-r"}} {
		c := c
		issues[c.n] = &c
		put(ist(time.October, 27, 10, i), "issues.milestoned.json", "open", "", &c)
	}
	e.tick(ist(time.October, 27, 11, 0)) // the day before: the due date's sprint is set up
	sp, err := e.store.Sprint(e.ctx, "comet", cometMS)
	if err != nil {
		t.Fatalf("the due date's sprint was not set up: %v", err)
	}
	if sp.How != FromDueDate || sp.From != date(10, 28) || sp.To != date(11, 10) || sp.Milestone.Name != "Comet Sprint 7" {
		t.Fatalf("sprint %+v", sp)
	}

	start := e.last()
	e.tick(ist(time.October, 28, 9, 30))
	if posts := e.posts("C0COMET001", start); len(posts) != 1 || !strings.Contains(posts[0], "6 planned tasks, 31 points (1 without an estimate)") {
		t.Fatalf("start %q", posts)
	}
	if dm := e.posts("U0SAM00007", start); len(dm) != 1 || !strings.Contains(dm[0], "acme/web#15 Audit log") || !strings.Contains(dm[0], "add a label like `points: 3`") {
		t.Errorf("sam's estimate list %q", dm)
	}
	put(ist(time.October, 28, 14, 0), "issues.reopened.json", "closed", "completed", issues[11], with("action", "closed"))
	daily := func(m time.Month, d int) { e.tick(ist(m, d, 0, 5)) }
	daily(time.October, 29)
	daily(time.October, 30)

	before := e.last()
	walk1 := &ghIssue{17, "Hotfix: EU VAT rounding", []string{"points: 3"}, "sam-iyer"}
	walk2 := &ghIssue{18, "Customer demo data", nil, "priya-r"}
	put(ist(time.October, 30, 11, 0), "issues.milestoned.json", "open", "", walk1)
	daily(time.October, 31)                                                         // Friday's snapshot is stored...
	put(ist(time.October, 30, 11, 30), "issues.milestoned.json", "open", "", walk2) // ...before this Friday delivery is processed
	if got := e.posts("C0COMET001", before); len(got) != 2 || !strings.Contains(got[1], "acme/web#18 Customer demo data> (no estimate, Priya Raman), added Fri 30 Oct.") {
		t.Errorf("walk-ons %q", got)
	}
	put(ist(time.October, 31, 12, 0), "issues.reopened.json", "closed", "completed", issues[13], with("action", "closed"))
	daily(time.November, 1)
	daily(time.November, 2)
	daily(time.November, 3)
	// Day 5: #14 is taken out of the milestone.
	e.github(ist(time.November, 3, 10, 0), "issues", "issues.demilestoned.json", issue(14, "Dark mode", []string{"points: 8"}, "sam-iyer", nil, "open", "", ist(time.November, 3, 10, 0)), with("milestone", milestone7()))
	daily(time.November, 4)
	daily(time.November, 5)
	// Day 7: #12's label goes from points: 5 to points: 8 (two deliveries: the removal first,
	// which tells nobody), #15 and #18 get estimates.
	before = e.last()
	issues[12].labels = nil
	put(ist(time.November, 5, 9, 0), "issues.unlabeled.json", "open", "", issues[12], with("label", map[string]any{"name": "points: 5", "color": "ededed", "id": 1, "node_id": "L", "url": "https://api.github.com/x", "default": false}))
	issues[12].labels = []string{"points: 8"}
	put(ist(time.November, 5, 9, 1), "issues.labeled.json", "open", "", issues[12], with("label", map[string]any{"name": "points: 8", "color": "ededed", "id": 2, "node_id": "L", "url": "https://api.github.com/x", "default": false}))
	issues[15].labels = []string{"enhancement", "points: 3"}
	put(ist(time.November, 5, 9, 5), "issues.labeled.json", "open", "", issues[15])
	walk2.labels = []string{"points: 5"}
	put(ist(time.November, 5, 9, 10), "issues.labeled.json", "open", "", walk2)
	if got := append(e.posts("U0PRIYA006", before), e.posts("U0SAM00007", before)...); len(got) != 0 {
		t.Errorf("estimates swapped or set on the scale tell nobody: %q", got)
	}
	daily(time.November, 6)
	daily(time.November, 7)
	daily(time.November, 8)
	daily(time.November, 9)
	// Day 9: done, and #15 closed as not planned (not done).
	put(ist(time.November, 9, 11, 0), "issues.reopened.json", "closed", "completed", issues[12], with("action", "closed"))
	put(ist(time.November, 9, 12, 0), "issues.reopened.json", "closed", "completed", walk1, with("action", "closed"))
	put(ist(time.November, 9, 15, 0), "issues.reopened.json", "closed", "completed", issues[16], with("action", "closed"))
	put(ist(time.November, 9, 15, 30), "issues.reopened.json", "closed", "not_planned", issues[15], with("action", "closed"))
	daily(time.November, 10)

	before = e.last()
	e.tick(ist(time.November, 10, 16, 0))
	e.tick(ist(time.November, 10, 16, 5))

	data, err := e.store.Load(e.ctx, "comet", cometMS)
	if err != nil {
		t.Fatal(err)
	}
	wantSnap := map[string][4]float64{
		"2026-10-28": {6, 31, 1, 3}, "2026-10-29": {6, 31, 1, 3}, "2026-10-30": {7, 34, 1, 3}, // #18 was not known yet
		"2026-11-02": {8, 34, 2, 5}, "2026-11-03": {7, 26, 2, 5}, "2026-11-04": {7, 26, 2, 5},
		"2026-11-05": {7, 37, 2, 5}, "2026-11-06": {7, 37, 2, 5}, "2026-11-09": {7, 37, 5, 29},
	}
	if len(data.Days) != len(wantSnap) {
		t.Errorf("%d snapshots: %v", len(data.Days), data.Days)
	}
	for d, p := range data.Days {
		if got := [4]float64{float64(p.ScopeTasks), p.ScopePoints, float64(p.DoneTasks), p.DonePoints}; got != wantSnap[d.String()] {
			t.Errorf("snapshot of %s = %v, want %v", d, got, wantSnap[d.String()])
		}
	}
	if len(e.charts) != 1 {
		t.Fatalf("%d charts", len(e.charts))
	}
	wantChart := Chart{
		Title:  "Comet Sprint 7 — burnup (Wed 28 Oct – Tue 10 Nov 2026)",
		Unit:   "points",
		Labels: []string{"start", "Wed 28", "Thu 29", "Fri 30", "Mon 2", "Tue 3", "Wed 4", "Thu 5", "Fri 6", "Mon 9", "Tue 10"},
		X:      []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
		Scope:  []float64{31, 31, 31, 34, 34, 26, 26, 37, 37, 37, 37},
		Done:   []float64{0, 3, 3, 3, 5, 5, 5, 5, 5, 29, 29},
	}
	if !reflect.DeepEqual(e.charts[0], wantChart) {
		t.Errorf("chart\n got %+v\nwant %+v", e.charts[0], wantChart)
	}
	report := e.posts("C0COMET001", before)
	if len(report) != 1 {
		t.Fatalf("report %q", report)
	}
	for _, want := range []string{
		"*Sprint report: <https://github.com/acme/web/milestone/7|Comet Sprint 7>* (Wed 28 Oct – Tue 10 Nov 2026)",
		"4 of 6 planned tasks completed (1 taken out of the sprint)",
		"2 walk-on tasks (8 points):",
		"<https://github.com/acme/web/issues/17|acme/web#17 Hotfix: EU VAT rounding> — 3 points, done, added Fri 30 Oct",
		"<https://github.com/acme/web/issues/18|acme/web#18 Customer demo data> — 5 points, added Fri 30 Oct",
		"Points: 31 planned; 29 done of 37 in scope now",
		"Carried over: 2 tasks, 8 points",
		"<https://github.com/acme/web/issues/15|acme/web#15 Audit log> — 3 points, Sam Iyer",
		"Priya Raman: 3 of 4 tasks done, 24 of 29 points",
		"Sam Iyer: 2 of 3 tasks done, 5 of 8 points",
	} {
		if !strings.Contains(report[0], want) {
			t.Errorf("report lacks %q:\n%s", want, report[0])
		}
	}
	if done := e.calls("slack", "files.completeUploadExternal", before); len(done) != 1 || done[0].Arg("channel_id") != "C0COMET001" {
		t.Errorf("chart upload %v", done)
	}
}
