package support

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
)

func TestNagsDue(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	s := cfg.Team("triage").Support // nag every 30m, escalate after 2h
	businessDay := calendar.NewCalendar(nil).TeamBusinessDay(cfg, cfg.Team("triage"))
	created := time.Date(2026, 3, 6, 16, 50, 0, 0, time.UTC)
	cases := []struct {
		after    time.Duration
		n        int
		escalate bool
	}{
		{0, 0, false},
		{29 * time.Minute, 0, false},
		{30 * time.Minute, 1, false},
		{59 * time.Minute, 1, false},
		{time.Hour, 2, false},
		{2*time.Hour - time.Second, 3, false},
		{2 * time.Hour, 4, true},
		{3 * time.Hour, 6, true},
	}
	for _, tc := range cases {
		n, esc := NagsDue(s, created, created.Add(tc.after), businessDay)
		if n != tc.n || esc != tc.escalate {
			t.Errorf("after %v: nag %d escalate %v, want %d %v", tc.after, n, esc, tc.n, tc.escalate)
		}
	}
	// Business-day spans count weekdays only.
	bd := *s
	bd.NagEvery, bd.EscalateAfter = config.Span{BusinessDays: 1}, config.Span{BusinessDays: 2}
	fri := time.Date(2026, 3, 6, 16, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		at       time.Time
		n        int
		escalate bool
	}{
		{time.Date(2026, 3, 8, 16, 0, 0, 0, time.UTC), 0, false}, // Sunday
		{time.Date(2026, 3, 9, 16, 0, 0, 0, time.UTC), 1, false}, // Monday
		{time.Date(2026, 3, 10, 16, 0, 0, 0, time.UTC), 2, true}, // Tuesday
	} {
		if n, esc := NagsDue(&bd, fri, tc.at, businessDay); n != tc.n || esc != tc.escalate {
			t.Errorf("business days at %v: %d %v, want %d %v", tc.at, n, esc, tc.n, tc.escalate)
		}
	}
}

func TestDailyNagDue(t *testing.T) {
	t.Parallel()
	ldn := london(t)
	cfg := testConfig(t)
	businessDay := calendar.NewCalendar(nil).TeamBusinessDay(cfg, cfg.Team("triage"))
	oneDay := config.Span{BusinessDays: 1}
	created := time.Date(2026, 3, 6, 16, 0, 0, 0, ldn) // Friday 16:00: due Monday 16:00
	cases := []struct {
		name string
		at   time.Time
		due  bool
	}{
		{"Saturday", time.Date(2026, 3, 7, 12, 0, 0, 0, ldn), false},
		{"Monday before the target", time.Date(2026, 3, 9, 15, 59, 0, 0, ldn), false},
		{"Monday at the target", time.Date(2026, 3, 9, 16, 0, 0, 0, ldn), true},
		{"Tuesday before NagAt", time.Date(2026, 3, 10, 8, 59, 0, 0, ldn), false},
		{"Tuesday from NagAt", time.Date(2026, 3, 10, 9, 0, 0, 0, ldn), true},
		{"Sunday after", time.Date(2026, 3, 15, 10, 0, 0, 0, ldn), false},
	}
	for _, tc := range cases {
		if _, due := DailyNagDue(oneDay, created, tc.at, ldn, businessDay); due != tc.due {
			t.Errorf("%s: due %v, want %v", tc.name, due, tc.due)
		}
	}
}

// TestSupportSkipsPublicHolidays: support business days skip the public holidays every member
// observes (the team is in GB and the US: Christmas Day is off, GB's Boxing Day substitute is
// not). Before support used the one business calendar, a request filed on Christmas Eve was
// nagged on Christmas Day.
func TestSupportSkipsPublicHolidays(t *testing.T) {
	t.Parallel()
	ldn := london(t)
	cfg := testConfig(t)
	team := cfg.Team("triage")
	businessDay := calendar.NewCalendar(nil).TeamBusinessDay(cfg, team)
	created := time.Date(2026, 12, 24, 16, 0, 0, 0, ldn) // Thursday
	for _, tc := range []struct {
		name string
		at   time.Time
		due  bool
	}{
		{"Christmas Day (GB and US holiday)", time.Date(2026, 12, 25, 16, 0, 0, 0, ldn), false},
		{"Monday 28th (GB only) at the target", time.Date(2026, 12, 28, 16, 0, 0, 0, ldn), true},
	} {
		if _, due := DailyNagDue(config.Span{BusinessDays: 1}, created, tc.at, ldn, businessDay); due != tc.due {
			t.Errorf("%s: due %v, want %v", tc.name, due, tc.due)
		}
	}
	// Urgent spans in business days skip the holiday too: one business day after Christmas Eve
	// is Monday, not Friday.
	bd := *team.Support
	bd.NagEvery = config.Span{BusinessDays: 1}
	if n, _ := NagsDue(&bd, created, time.Date(2026, 12, 25, 17, 0, 0, 0, ldn), businessDay); n != 0 {
		t.Errorf("nagged %d times on Christmas Day", n)
	}
	if n, _ := NagsDue(&bd, created, time.Date(2026, 12, 28, 16, 0, 0, 0, ldn), businessDay); n != 1 {
		t.Errorf("Monday: nag %d, want 1", n)
	}
}

// dmTargets lists the users DMs were opened with.
func dmTargets(h *harness) []string {
	var out []string
	for _, c := range h.fakes.Calls("conversations.open") {
		out = append(out, c.Form.Get("users"))
	}
	return out
}

// TestUrgentNagsStopAfterAck: a p1 pages at once, re-nags at each interval, escalates to the
// EM once, and stops when acknowledged; re-running a tick repeats nothing.
func TestUrgentNagsStopAfterAck(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testConfig(t))
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) // cat's week
	const cat, emma = "U0CAT00003", "U0EMMA0004"
	steps := []struct {
		after time.Duration
		dms   []string
	}{
		{0, []string{cat}}, // the page when it opened
		{29 * time.Minute, nil},
		{30 * time.Minute, []string{cat}},
		{31 * time.Minute, nil},
		{30 * time.Minute, nil}, // the same tick again
		{65 * time.Minute, []string{cat}},
		{2 * time.Hour, []string{cat, emma}},
		{2*time.Hour + 5*time.Minute, nil},
		{150 * time.Minute, []string{cat}}, // no second escalation
	}
	for _, s := range steps {
		h.fakes.Reset()
		if s.after > 0 {
			if err := h.p.Tick(ctx, t0.Add(s.after)); err != nil {
				t.Fatal(err)
			}
		} else if err := h.issue(t, payload(t, "issues.labeled.json", withLabels("bug", "p1")), t0); err != nil {
			t.Fatal(err)
		}
		if got := dmTargets(h); !slices.Equal(got, s.dms) {
			t.Fatalf("tick at +%v: DMs to %v, want %v", s.after, got, s.dms)
		}
	}
	// Acknowledged at +2h40m: no more nags.
	tAck := t0.Add(160 * time.Minute)
	if _, err := h.ix.Handle(ctx, submission(t, "U0CAT00003", "in 1h"), tAck); err != nil {
		t.Fatal(err)
	}
	h.flush(t)
	for _, after := range []time.Duration{3 * time.Hour, 4 * time.Hour, 30 * time.Hour} {
		h.fakes.Reset()
		if err := h.p.Tick(ctx, t0.Add(after)); err != nil {
			t.Fatal(err)
		}
		if got := dmTargets(h); len(got) != 0 {
			t.Fatalf("nagged after the ack (+%v): %v", after, got)
		}
	}
}

// TestDailyNags: a p2 (ack within 1 business day) opened on a Friday afternoon is nagged once
// on Monday when its target passes and once each following business day, never at weekends,
// and not after the ack.
func TestDailyNags(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testConfig(t))
	ctx := context.Background()
	ldn := london(t)
	t0 := time.Date(2026, 3, 6, 16, 0, 0, 0, ldn) // Friday; ann's week (week 8 began 2 March: cat)
	if err := h.issue(t, payload(t, "issues.labeled.json", withLabels("bug", "p2")), t0); err != nil {
		t.Fatal(err)
	}
	var nags []string
	for at := t0; at.Before(time.Date(2026, 3, 11, 12, 0, 0, 0, ldn)); at = at.Add(30 * time.Minute) {
		h.fakes.Reset()
		if err := h.p.Tick(ctx, at); err != nil {
			t.Fatal(err)
		}
		for range dmTargets(h) {
			nags = append(nags, at.Format("Mon 15:04"))
		}
	}
	if want := []string{"Mon 16:00", "Tue 09:00", "Wed 09:00"}; !slices.Equal(nags, want) {
		t.Fatalf("nags at %v, want %v", nags, want)
	}
	if _, err := h.ix.Handle(ctx, submission(t, "U0ANN00001", "in 2h"), time.Date(2026, 3, 11, 12, 0, 0, 0, ldn)); err != nil {
		t.Fatal(err)
	}
	h.flush(t)
	h.fakes.Reset()
	if err := h.p.Tick(ctx, time.Date(2026, 3, 12, 10, 0, 0, 0, ldn)); err != nil {
		t.Fatal(err)
	}
	if got := dmTargets(h); len(got) != 0 {
		t.Fatalf("nagged after the ack: %v", got)
	}
}

// TestHandoverAcrossDST: the handover message is posted once per shift, at the handover in
// the team's zone whichever the UTC offset, naming the engineer (overrides applied) and the
// open requests.
func TestHandoverAcrossDST(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testConfig(t))
	ctx := context.Background()
	// An open request to list.
	if err := h.issue(t, payload(t, "issues.labeled.json"), time.Date(2026, 3, 27, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	handovers := func(at time.Time) []call {
		h.fakes.Reset()
		if err := h.p.Tick(ctx, at); err != nil {
			t.Fatal(err)
		}
		var out []call
		for _, c := range h.fakes.Calls("chat.postMessage") {
			if strings.Contains(c.text(), "Support handover") {
				out = append(out, c)
			}
		}
		return out
	}
	// Spring: Monday 30 March 09:00 BST is 08:00 UTC; week 12 is ann's.
	if got := handovers(time.Date(2026, 3, 30, 7, 55, 0, 0, time.UTC)); len(got) != 0 {
		t.Fatalf("handover before 09:00 BST: %v", got[0].text())
	}
	got := handovers(time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC))
	if len(got) != 1 || got[0].Form.Get("channel") != "C0TRIAGESUP" || !strings.Contains(got[0].text(), "<@U0ANN00001> is on support until Mon 6 Apr 09:00 BST") ||
		!strings.Contains(got[0].text(), "Open support requests (1)") || !strings.Contains(got[0].text(), "Codertocat/Hello-World#1") {
		t.Fatalf("spring handover: %+v", got)
	}
	if got := handovers(time.Date(2026, 3, 30, 8, 5, 0, 0, time.UTC)); len(got) != 0 {
		t.Fatal("handover posted twice")
	}
	// Autumn: Monday 26 October 09:00 GMT is 09:00 UTC; week 42 is ann's but ben covers it.
	if err := h.st.SaveOverrides(ctx, "triage", []Override{{Period: 42, Kind: Cover, Member: "ben", From: date("2026-10-26"), To: date("2026-10-26"), By: "ann", Made: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}}, Audit{By: "ann", Made: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), What: "cover"}); err != nil {
		t.Fatal(err)
	}
	if got := handovers(time.Date(2026, 10, 26, 8, 30, 0, 0, time.UTC)); len(got) != 0 {
		t.Fatal("handover at 08:30 GMT")
	}
	got = handovers(time.Date(2026, 10, 26, 9, 0, 0, 0, time.UTC))
	if len(got) != 1 || !strings.Contains(got[0].text(), "<@U0BEN00002> is on support (covering until 2026-10-26); the shift ends Mon 2 Nov 09:00 GMT") {
		t.Fatalf("autumn handover: %+v", got)
	}
}

// TestTickResyncsBehindRequests: a change whose support.changed event never reached the
// processor (dead-lettered, or the put failed after the request was written) is synced by the
// next tick.
func TestTickResyncsBehindRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testConfig(t))
	ctx := context.Background()
	t0 := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	if err := h.issue(t, payload(t, "issues.labeled.json"), t0); err != nil {
		t.Fatal(err)
	}
	if _, err := h.ix.Handle(ctx, submission(t, "U0ANN00001", "in 2h"), t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	h.events.take() // lost
	h.fakes.Reset()
	if err := h.p.Tick(ctx, t0.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n := countWith(h.fakes.Calls("create-comment"), "**Acknowledged**"); n != 1 {
		t.Fatalf("ack comment after the tick: %d", n)
	}
	if len(h.fakes.Calls("chat.update")) != 1 {
		t.Fatal("message not updated by the tick")
	}
	h.fakes.Reset()
	if err := h.p.Tick(ctx, t0.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := h.fakes.Calls(""); len(got) != 0 {
		t.Fatalf("second tick repeated: %v", apis(got))
	}
}
