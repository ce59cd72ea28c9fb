package sprints

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/config"
)

// The whole of team rocket's first sprint on a Phabricator milestone, in New York time, from
// Wednesday 28 October to Tuesday 10 November 2026: across a weekend and across the end of
// daylight saving time (Sunday 1 November), with the tick running as the schedule does.
//
//	before  T1 3 (alice), T2 5 (alice), T3 2 (bob), T4 8 (bob), T5 no points (bob), T6 13 (alice)
//	day 1   Wed 28: the sprint starts at 10:00 (planned: 6 tasks, 31 points); T1 done
//	day 3   Fri 30: walk-ons T7 3 (bob) and T8 without points (alice)
//	        Sat 31: T3 done (shows on Monday)
//	day 5   Tue 3:  T4 (8) taken out of the sprint
//	day 7   Thu 5:  points changed: T2 5 → 8, T5 gets 3, T8 gets 5
//	day 9   Mon 9:  T2 and T7 done, T6 moved to Sign-off (done by the team's column)
//	day 10  Tue 10: the report at 16:00
var (
	newYork = mustZone("America/New_York")
	ms1     = "PHID-PROJ-rocketsprint1"
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func date(m time.Month, d int) config.Date { return config.Date{Year: 2026, Month: m, Day: d} }

func ny(m time.Month, d, hh, mm int) time.Time { return in(newYork, 2026, m, d, hh, mm) }

func newTask(title string, points any, owner string) []conduit.Edit {
	edits := []conduit.Edit{{Type: "title", Value: title}, {Type: "projects.add", Value: []string{ms1}}, {Type: "owner", Value: "PHID-USER-" + owner}}
	if points != nil {
		edits = append(edits, conduit.Edit{Type: "points", Value: points})
	}
	return edits
}

func TestPhabricatorSprint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ny(time.October, 27, 9, 0))
	e.tick(ny(time.October, 27, 9, 0)) // the config's sprint is set up the day before it starts
	sp, err := e.store.Sprint(e.ctx, "rocket", ms1)
	if err != nil {
		t.Fatalf("the config's sprint was not set up: %v", err)
	}
	if sp.How != FromConfig || sp.From != (config.Date{Year: 2026, Month: 10, Day: 28}) || !sp.Captured.IsZero() {
		t.Fatalf("sprint %+v", sp)
	}

	tasks := map[string]string{}
	for i, c := range []struct {
		title  string
		points any
		owner  string
	}{{"Export invoices as CSV", 3, "alice"}, {"Retry failed webhooks", 5, "alice"}, {"Fix the <b>login</b> & logout flow", 2, "bob"},
		{"Dark mode", 8, "bob"}, {"Audit log <!channel> & <b>more</b>", nil, "bob"}, {"Rewrite the billing engine", 13, "alice"}} {
		tasks["T"+string(rune('1'+i))] = e.change(ny(time.October, 27, 15, i), "alice", "", newTask(c.title, c.points, c.owner)...)
	}

	// k names a task as it is shown: "T41" for the test's T1, whatever ids the server gave.
	k := func(name string) string { return e.key(tasks[name]) }

	// Day 1: the start, then T1 done.
	start := e.last()
	e.tick(ny(time.October, 28, 10, 0))
	sp, _ = e.store.Sprint(e.ctx, "rocket", ms1)
	if !sp.Captured.Equal(ny(time.October, 28, 10, 0)) {
		t.Fatalf("captured at %v", sp.Captured)
	}
	posts := e.posts("C0ROCKET01", start)
	if len(posts) != 1 || !strings.Contains(posts[0], "started (Wed 28 Oct – Tue 10 Nov 2026): 6 planned tasks, 31 points (1 without an estimate)") {
		t.Fatalf("start announcement %q", posts)
	}
	if dm := e.posts("U0BOB00002", start); len(dm) != 1 || !strings.Contains(dm[0], k("T5")+" Audit log &lt;!channel&gt; &amp; &lt;b&gt;more&lt;/b&gt;") || !strings.Contains(dm[0], "no estimate") {
		t.Errorf("bob's estimate list %q", dm)
	}
	if dm := e.posts("U0ALICE001", start); len(dm) != 1 || !strings.Contains(dm[0], k("T6")+" Rewrite the billing engine") || !strings.Contains(dm[0], "consider splitting it") {
		t.Errorf("alice's split list %q", dm)
	}
	e.change(ny(time.October, 28, 14, 0), "alice", tasks["T1"], conduit.Edit{Type: "status", Value: "resolved"})

	// Daily ticks from now on, a few minutes after each midnight, as the 5-minute schedule runs.
	daily := func(m time.Month, d int) { e.tick(ny(m, d, 0, 5)) }
	daily(time.October, 29)
	daily(time.October, 30)

	// Day 3: two walk-ons, announced once each (a redelivery announces nothing more).
	before := e.last()
	tasks["T7"] = e.change(ny(time.October, 30, 11, 0), "bob", "", newTask("Hotfix: EU VAT rounding", 3, "bob")...)
	e.set(ny(time.October, 30, 11, 30))
	var t8x []string
	tasks["T8"], t8x = e.edit("erin", "", newTask("Customer demo data", nil, "alice")...)
	e.deliver(tasks["T8"], t8x...)
	e.deliver(tasks["T8"], t8x...)
	walkOns := e.posts("C0ROCKET01", before)
	if len(walkOns) != 2 || !strings.Contains(walkOns[0], "Walk-on in <https://phabricator.example.org/project/view/11/|Rocket Sprint 1>: <https://phabricator.example.org/"+k("T7")+"|"+k("T7")+" Hotfix: EU VAT rounding> (3 points, Bob Byrne), added Fri 30 Oct.") ||
		!strings.Contains(walkOns[1], k("T8")+" Customer demo data> (no estimate, Alice Ames)") {
		t.Errorf("walk-on announcements %q", walkOns)
	}
	if dm := e.posts("U0ALICE001", before); len(dm) != 1 || !strings.Contains(dm[0], k("T8")+" Customer demo data") || !strings.Contains(dm[0], "no estimate") {
		t.Errorf("alice hears T8 needs an estimate once: %q", dm)
	}

	daily(time.October, 31)
	e.change(ny(time.October, 31, 12, 0), "bob", tasks["T3"], conduit.Edit{Type: "status", Value: "resolved"}) // Saturday
	daily(time.November, 1)
	daily(time.November, 2) // DST ended yesterday: midnight is now UTC-5
	daily(time.November, 3)
	// Day 5: T4 is taken out.
	e.change(ny(time.November, 3, 10, 0), "erin", tasks["T4"], conduit.Edit{Type: "projects.remove", Value: []string{ms1}})
	daily(time.November, 4)
	daily(time.November, 5)
	// Day 7: estimates change.
	before = e.last()
	e.change(ny(time.November, 5, 9, 0), "alice", tasks["T2"], conduit.Edit{Type: "points", Value: 8})
	e.change(ny(time.November, 5, 9, 5), "bob", tasks["T5"], conduit.Edit{Type: "points", Value: 3})
	e.change(ny(time.November, 5, 9, 10), "alice", tasks["T8"], conduit.Edit{Type: "points", Value: 5})
	if got := e.posts("U0ALICE001", before); len(got) != 0 {
		t.Errorf("estimates on the scale and not above 8 tell nobody: %q", got)
	}
	daily(time.November, 6)
	daily(time.November, 7)
	daily(time.November, 8)
	daily(time.November, 9)
	// Day 9: done.
	e.change(ny(time.November, 9, 11, 0), "alice", tasks["T2"], conduit.Edit{Type: "status", Value: "resolved"})
	e.change(ny(time.November, 9, 12, 0), "bob", tasks["T7"], conduit.Edit{Type: "status", Value: "resolved"})
	e.change(ny(time.November, 9, 15, 0), "gina", tasks["T6"], conduit.Edit{Type: "column", Value: "PHID-PCOL-s1signoff"})
	daily(time.November, 10)

	// Day 10: the report.
	before = e.last()
	e.tick(ny(time.November, 10, 15, 55))
	if got := e.calls("slack", "chat.postMessage", before); len(got) != 0 {
		t.Fatalf("nothing before 16:00: %v", got)
	}
	e.tick(ny(time.November, 10, 16, 0))
	e.tick(ny(time.November, 10, 16, 5)) // the next tick repeats nothing

	wantDays := []config.Date{date(10, 28), date(10, 29), date(10, 30), date(11, 2), date(11, 3), date(11, 4), date(11, 5), date(11, 6), date(11, 9), date(11, 10)}
	data, err := e.store.Load(e.ctx, "rocket", ms1)
	if err != nil {
		t.Fatal(err)
	}
	// The snapshots stored on the nine days that ended: (scope tasks, scope points, done tasks, done points).
	wantSnap := map[config.Date][4]float64{
		date(10, 28): {6, 31, 1, 3}, date(10, 29): {6, 31, 1, 3}, date(10, 30): {8, 34, 1, 3},
		date(11, 2): {8, 34, 2, 5}, date(11, 3): {7, 26, 2, 5}, date(11, 4): {7, 26, 2, 5},
		date(11, 5): {7, 37, 2, 5}, date(11, 6): {7, 37, 2, 5}, date(11, 9): {7, 37, 5, 29},
	}
	if len(data.Days) != len(wantSnap) {
		t.Errorf("%d snapshots, want %d: %v", len(data.Days), len(wantSnap), data.Days)
	}
	for d, w := range wantSnap {
		p, ok := data.Days[d]
		if got := [4]float64{float64(p.ScopeTasks), p.ScopePoints, float64(p.DoneTasks), p.DonePoints}; !ok || got != w || !p.At.Equal(d.AddDays(1).In(newYork)) {
			t.Errorf("snapshot of %s = %v at %v, want %v at local midnight", d, got, p.At, w)
		}
	}
	if len(e.charts) != 1 {
		t.Fatalf("%d charts rendered, want 1", len(e.charts))
	}
	chart := e.charts[0]
	wantChart := Chart{
		Title:  "Rocket Sprint 1 — burnup (Wed 28 Oct – Tue 10 Nov 2026)",
		Unit:   "points",
		Labels: []string{"start", "Wed 28", "Thu 29", "Fri 30", "Mon 2", "Tue 3", "Wed 4", "Thu 5", "Fri 6", "Mon 9", "Tue 10"},
		X:      []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
		Scope:  []float64{31, 31, 31, 34, 34, 26, 26, 37, 37, 37, 37},
		Done:   []float64{0, 3, 3, 3, 5, 5, 5, 5, 5, 29, 29},
	}
	if !reflect.DeepEqual(chart, wantChart) {
		t.Errorf("chart\n got %+v\nwant %+v", chart, wantChart)
	}
	f := Compute(sp, e.cfg.Team("rocket"), e.cfg, data, e.proc.Calendar.TeamBusinessDay(e.cfg, e.cfg.Team("rocket")), ny(time.November, 10, 16, 0))
	if !reflect.DeepEqual(f.Days, wantDays) {
		t.Errorf("business days %v", f.Days)
	}
	var carried, walked []string
	for _, l := range f.Carried {
		carried = append(carried, l.Key)
	}
	for _, l := range f.WalkOns {
		walked = append(walked, l.Key)
	}
	if len(f.Planned) != 6 || f.PlannedPoints != 31 || f.PlannedDone != 4 || f.PlannedRemoved != 1 || f.WalkOnPoints != 8 ||
		!reflect.DeepEqual(walked, []string{k("T7"), k("T8")}) || !reflect.DeepEqual(carried, []string{k("T5"), k("T8")}) || f.CarriedPoints != 8 ||
		f.Now.ScopePoints != 37 || f.Now.DonePoints != 29 || f.Now.ScopeTasks != 7 || f.Now.DoneTasks != 5 {
		t.Errorf("figures %+v", f)
	}
	wantPeople := []PersonFigures{{Owner: "alice", Name: "Alice Ames", Tasks: 4, Done: 3, Points: 29, DonePoints: 24}, {Owner: "bob", Name: "Bob Byrne", Tasks: 3, Done: 2, Points: 8, DonePoints: 5}}
	if !reflect.DeepEqual(f.People, wantPeople) {
		t.Errorf("per person %+v", f.People)
	}

	report := e.posts("C0ROCKET01", before)
	if len(report) != 1 {
		t.Fatalf("report posts %q", report)
	}
	for _, want := range []string{
		"*Sprint report: <https://phabricator.example.org/project/view/11/|Rocket Sprint 1>* (Wed 28 Oct – Tue 10 Nov 2026)",
		":chart_with_upwards_trend: 4 of 6 planned tasks completed (1 taken out of the sprint)",
		":turtle: 2 walk-on tasks (8 points):",
		"<https://phabricator.example.org/" + k("T7") + "|" + k("T7") + " Hotfix: EU VAT rounding> — 3 points, done, added Fri 30 Oct",
		"<https://phabricator.example.org/" + k("T8") + "|" + k("T8") + " Customer demo data> — 5 points, added Fri 30 Oct",
		":dart: Points: 31 planned; 29 done of 37 in scope now",
		":arrow_right: Carried over: 2 tasks, 8 points",
		"<https://phabricator.example.org/" + k("T5") + "|" + k("T5") + " Audit log &lt;!channel&gt; &amp; &lt;b&gt;more&lt;/b&gt;> — 3 points, Bob Byrne",
		"Alice Ames: 3 of 4 tasks done, 24 of 29 points",
		"Bob Byrne: 2 of 3 tasks done, 5 of 8 points",
	} {
		if !strings.Contains(report[0], want) {
			t.Errorf("report lacks %q:\n%s", want, report[0])
		}
	}
	// The chart went up with the external upload flow, into the channel.
	tickets, ups, done := e.calls("slack", "files.getUploadURLExternal", before), e.calls("slack", "upload_url", before), e.calls("slack", "files.completeUploadExternal", before)
	if len(tickets) != 1 || len(ups) != 1 || len(done) != 1 || done[0].Arg("channel_id") != "C0ROCKET01" || !strings.Contains(done[0].Arg("initial_comment"), "Burnup of Rocket Sprint 1 at the end") {
		t.Errorf("upload calls: %d tickets, %d uploads, %d completions %v", len(tickets), len(ups), len(done), done)
	}
	// The draft of the next planning document, in the report's thread.
	var draft string
	for _, c := range e.calls("slack", "chat.postMessage", before) {
		if c.Arg("thread_ts") != "" {
			draft = c.Arg("text")
		}
	}
	for _, want := range []string{"Last sprint review", "👏 Wins", "📈 4 of 6 planned tasks completed", "🐢 2 walk-on tasks", "2 tasks (8 points) carried over", "1 planned task taken out of the sprint", "🎯 Goals and priorities (ideally no more than 3)"} {
		if !strings.Contains(draft, want) {
			t.Errorf("draft lacks %q:\n%s", want, draft)
		}
	}
	sp, _ = e.store.Sprint(e.ctx, "rocket", ms1)
	if !sp.Reported.Equal(ny(time.November, 10, 16, 0)) || sp.ReportTS == "" || sp.ReportChannel != "C0ROCKET01" {
		t.Errorf("reported %v %q %q", sp.Reported, sp.ReportTS, sp.ReportChannel)
	}

	// After midnight the last day's snapshot is stored; nothing is posted again, and the days
	// before keep what they showed.
	before = e.last()
	e.tick(ny(time.November, 11, 0, 5))
	data, _ = e.store.Load(e.ctx, "rocket", ms1)
	if p := data.Days[config.Date{Year: 2026, Month: 11, Day: 10}]; p.ScopePoints != 37 || p.DonePoints != 29 {
		t.Errorf("last day's snapshot %+v", p)
	}
	if got := e.calls("slack", "chat.postMessage", before); len(got) != 0 {
		t.Errorf("posted again: %v", got)
	}
}
