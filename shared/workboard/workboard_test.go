package workboard

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

const channel = "C0ROCKET01"

func unbreak() conduit.Edit          { return conduit.Edit{Type: "priority", Value: "unbreak"} }
func priority(k string) conduit.Edit { return conduit.Edit{Type: "priority", Value: k} }
func column(c string) conduit.Edit   { return conduit.Edit{Type: "column", Value: []string{c}} }

// TestLateRaiseIsRecordedNotAnnounced: a raise delivered after its lowering opens an incident
// that is already resolved, and nobody is alerted.
func TestLateRaiseIsRecordedNotAnnounced(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	task := e.newTask("Payments are down")
	e.set(t0.Add(time.Minute))
	_, raise := e.edit("mallory", task, unbreak())
	e.set(t0.Add(3 * time.Minute))
	_, lower := e.edit("erin", task, priority("high"))
	since := e.last()
	e.deliver(task, lower...)
	e.deliver(task, raise...)
	if posts, dms := e.posts(channel, since), e.dms(since); len(posts) != 0 || len(dms) != 0 {
		t.Fatalf("posts %q, DMs %v", posts, dms)
	}
	is := e.incidents()
	if len(is) != 1 || is[0].Open() || is[0].TS != "" || is[0].ResolvedHow != "priority lowered to High by Erin Walsh" || !is[0].ResolvedAt.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("incidents %+v", is)
	}
}

// TestStreamRecordProcessedTwice: a stream record processed twice (a retried batch) posts and
// DMs once.
func TestStreamRecordProcessedTwice(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	task := e.newTask("Login broken")
	_, raise := e.edit("mallory", task, unbreak())
	ev := e.delivery(task, raise...)
	since := e.last()
	for i := 0; i < 2; i++ {
		if err := e.proc.Event(e.ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if posts := e.posts(channel, since); len(posts) != 1 || !strings.HasPrefix(posts[0], "Unbreak Now! T") {
		t.Fatalf("posts %q", posts)
	}
	if dms := e.dms(since); len(dms) != 1 || dms[0] != "U0ALICE001" {
		t.Fatalf("DMs %v", dms)
	}
}

// TestPriorityOwnerTold: a priority change by someone else on a task whose priority the PM set
// is reported to the PM, once; a change over someone else's setting is not.
func TestPriorityOwnerTold(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	task := e.newTask("Billing export")
	e.set(t0.Add(time.Minute))
	_, p1 := e.edit("erin", task, priority("high"))
	since := e.last()
	e.deliver(task, p1...)
	if dms := e.dms(since); len(dms) != 0 {
		t.Fatalf("the PM's own change reported: %v", dms)
	}
	e.set(t0.Add(2 * time.Minute))
	_, p2 := e.edit("bob", task, priority("low"))
	e.deliver(task, p2...)
	e.deliver(task, p2...)
	if dms := e.dms(since); len(dms) != 1 || dms[0] != "U0ERIN0003" {
		t.Fatalf("DMs %v", dms)
	}
	found := false
	for _, c := range e.calls("slack", "chat.postMessage", since) {
		if strings.Contains(c.Arg("text"), "Bob Byrne changed the priority of") && strings.Contains(c.Arg("text"), "from *High* to *Low*") {
			found = true
		}
	}
	if !found {
		t.Fatal("no report to the PM")
	}
	since = e.last()
	e.set(t0.Add(3 * time.Minute))
	_, p3 := e.edit("alice", task, priority("normal"))
	e.deliver(task, p3...)
	if dms := e.dms(since); len(dms) != 0 {
		t.Fatalf("a change over bob's setting reported: %v", dms)
	}
}

// TestTaskTheBotCannotEdit: when the server refuses the move back, the team is told once and
// the effect is recorded as failed: a redelivery neither edits nor reports again.
func TestTaskTheBotCannotEdit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	if _, err := e.srv.SeedConduit(standins.ConduitSeed{Tasks: []standins.ConduitTask{{ID: 301, PHID: "PHID-TASK-lockedtask00001", Name: "Locked <task>",
		Projects: []string{"PHID-PROJ-rocket"}, Columns: map[string]string{"PHID-PROJ-rocket": "PHID-PCOL-rocketdoing"}, Locked: true}}}); err != nil {
		t.Fatal(err)
	}
	_, move := e.edit("bob", "PHID-TASK-lockedtask00001", column("PHID-PCOL-rocketready"))
	since := e.last()
	ev := e.delivery("PHID-TASK-lockedtask00001", move...)
	for i := 0; i < 2; i++ {
		if err := e.proc.Event(e.ctx, ev); err != nil {
			t.Fatalf("processing %d: %v", i, err)
		}
	}
	if edits := e.calls("conduit", conduit.MethodTaskEdit, since); len(edits) != 1 {
		t.Fatalf("%d edit attempts, want 1", len(edits))
	}
	posts := e.posts(channel, since)
	if len(posts) != 1 || !strings.Contains(posts[0], "Rituals could not move back") || !strings.Contains(posts[0], "T301: Locked &lt;task&gt;") ||
		!strings.Contains(posts[0], "You Shall Not Pass") {
		t.Fatalf("reports %q", posts)
	}
	if dms := e.dms(since); len(dms) != 1 || dms[0] != "U0BOB00002" {
		t.Fatalf("mover DMs %v", dms)
	}
}

// TestPointsRules: QA may move into Done, but not a task without points (moved back, said why);
// In Review (warn) only comments.
func TestPointsRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, standins.FlavorPhorge)
	task := e.newTask("Invoice PDF")
	_, toDone := e.edit("gina", task, column("PHID-PCOL-rocketdone"))
	since := e.last()
	e.deliver(task, toDone...)
	edits := e.calls("conduit", conduit.MethodTaskEdit, since)
	if len(edits) != 1 || !strings.Contains(edits[0].Arg("transactions"), `"columnPHID":"PHID-PCOL-rocketnew"`) ||
		!strings.Contains(edits[0].Arg("transactions"), "a task needs story points to enter **Done**") || strings.Contains(edits[0].Arg("transactions"), "only") {
		t.Fatalf("edits %+v", edits)
	}
	e.set(t0.Add(time.Minute))
	_, pts := e.edit("alice", task, conduit.Edit{Type: "points", Value: 3})
	_, again := e.edit("gina", task, column("PHID-PCOL-rocketdone"))
	since = e.last()
	e.deliver(task, append(pts, again...)...)
	if edits := e.calls("conduit", conduit.MethodTaskEdit, since); len(edits) != 0 {
		t.Fatalf("a move with points enforced: %+v", edits)
	}
	other := e.newTask("Refund flow")
	_, review := e.edit("bob", other, column("PHID-PCOL-rocketreview"))
	since = e.last()
	e.deliver(other, review...)
	edits = e.calls("conduit", conduit.MethodTaskEdit, since)
	if len(edits) != 1 || strings.Contains(edits[0].Arg("transactions"), "columnPHID") || !strings.Contains(edits[0].Arg("transactions"), "Heads-up from Rituals") {
		t.Fatalf("warn mode %+v", edits)
	}
	if dms := e.dms(since); len(dms) != 1 || dms[0] != "U0BOB00002" {
		t.Fatalf("DMs %v", dms)
	}
}

// TestEscalationCountsBusinessDays: escalate_after 1d from Friday 16:00 is Monday 16:00 (the
// team's weekend does not count); nags keep coming every interval meanwhile, one per tick.
func TestEscalationCountsBusinessDays(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", "escalate_after: 2h", "escalate_after: 1d")
	fri := time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC)
	e.set(fri)
	task := e.newTask("Nightly import fails")
	_, raise := e.edit("mallory", task, unbreak())
	e.deliver(task, raise...)
	var escalations int
	for _, at := range []time.Time{fri.Add(31 * time.Minute), fri.Add(25 * time.Hour), time.Date(2026, 11, 30, 15, 59, 0, 0, time.UTC), time.Date(2026, 11, 30, 16, 1, 0, 0, time.UTC), time.Date(2026, 11, 30, 16, 20, 0, 0, time.UTC)} {
		since := e.last()
		e.tick(at)
		for _, u := range e.dms(since) {
			if u == "U0DAVE0005" {
				escalations++
				if at.Before(time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)) {
					t.Errorf("escalated at %v", at)
				}
			}
		}
	}
	if escalations != 1 {
		t.Fatalf("%d escalations, want 1", escalations)
	}
	is := e.incidents()
	if len(is) != 1 || is[0].EscalatedAt.IsZero() {
		t.Fatalf("incident %+v", is)
	}
}

// TestMorningTriage: on each business morning after triage_at the engineer on duty gets the
// tasks that have waited triage_after business days; public holidays of the whole team do not
// count, nor do weekends; the list goes once a day.
func TestMorningTriage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.set(time.Date(2026, 11, 19, 10, 0, 0, 0, time.UTC)) // Thursday
	e.newTask("Old request")
	e.set(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)) // Monday
	e.newTask("Fresh request")
	moved := e.newTask("Triaged request")
	_, out := e.edit("erin", moved, column("PHID-PCOL-rocketdoing"))
	e.deliver(moved, out...)

	since := e.last()
	e.tick(time.Date(2026, 11, 24, 9, 29, 0, 0, time.UTC)) // before triage_at
	if len(e.dms(since)) != 0 {
		t.Fatal("sent before triage_at")
	}
	e.tick(time.Date(2026, 11, 24, 9, 31, 0, 0, time.UTC))
	e.tick(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	var lists []string
	for _, c := range e.calls("slack", "chat.postMessage", since) {
		if strings.Contains(c.Arg("text"), "waiting in New &amp; TBD") {
			lists = append(lists, c.Arg("text"))
		}
	}
	if dms := e.dms(since); len(lists) != 1 || len(dms) != 1 || dms[0] != "U0ALICE001" {
		t.Fatalf("lists %q to %v", lists, dms)
	}
	if !strings.Contains(lists[0], "Rocket: 1 task waiting") || !strings.Contains(lists[0], "Old request> — 3 business days") ||
		strings.Contains(lists[0], "Fresh") || strings.Contains(lists[0], "Triaged") {
		t.Fatalf("list %s", lists[0])
	}

	// Christmas and Boxing Day (observed Monday 28th) are the whole team's holidays.
	e.set(time.Date(2026, 12, 24, 10, 0, 0, 0, time.UTC))
	e.newTask("Holiday request")
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 12, 28, 9, 31, 0, 0, time.UTC), false}, // a holiday: no list at all
		{time.Date(2026, 12, 29, 9, 31, 0, 0, time.UTC), false}, // one business day so far
		{time.Date(2026, 12, 30, 10, 1, 0, 0, time.UTC), true},
	} {
		since := e.last()
		e.tick(tc.at)
		got := false
		for _, c := range e.calls("slack", "chat.postMessage", since) {
			got = got || strings.Contains(c.Arg("text"), "Holiday request")
		}
		if got != tc.want {
			t.Errorf("at %v listed %v, want %v", tc.at, got, tc.want)
		}
	}
}

// TestTakeIt: Take it records the response at the click, and the processor assigns the task to
// the person in Phabricator and updates the post.
func TestTakeIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	task := e.newTask("Queue stuck")
	_, raise := e.edit("mallory", task, unbreak())
	e.deliver(task, raise...)
	inc := e.incidents()[0]
	slackClient := slackapp.NewClient("xoxb-test", standins.SlackAPIURL(e.url))
	h := Interactions{Config: staticConfig{e.cfg}, Store: e.proc.Board.Store, Events: e.events, Slack: slackClient, Log: quiet}
	click := func(user, action string) {
		cb := slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, User: slack.User{ID: user}, Channel: slack.Channel{GroupConversation: slack.GroupConversation{Conversation: slack.Conversation{ID: channel}}}}
		cb.ActionCallback.BlockActions = []*slack.BlockAction{{ActionID: action, Value: inc.Key()}}
		if _, err := h.Handle(e.ctx, cb, t0.Add(4*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	since := e.last()
	click("U0MALL0006", ActionTake) // an outsider
	if eph := e.calls("slack", "chat.postEphemeral", since); len(eph) != 1 || !strings.Contains(eph[0].Arg("text"), "Only Rocket's members") {
		t.Fatalf("outsider: %+v", eph)
	}
	click("U0BOB00002", ActionTake)
	got, err := e.proc.Board.Store.Get(e.ctx, "rocket", inc.ID)
	if err != nil || got.RespondedBy != "bob" || got.TakenBy != "bob" || !got.RespondedAt.Equal(t0.Add(4*time.Minute)) {
		t.Fatalf("incident %+v %v", got, err)
	}
	ev, err := e.events.GetEvent(e.ctx, "rituals#phab#rocket#"+inc.ID+"#"+strconv.Itoa(got.Rev))
	if err != nil {
		t.Fatal(err)
	}
	since = e.last()
	for i := 0; i < 2; i++ {
		if err := e.proc.Event(e.ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	edits := e.calls("conduit", conduit.MethodTaskEdit, since)
	if len(edits) != 1 || !strings.Contains(edits[0].Arg("transactions"), `"value":"PHID-USER-bob"`) {
		t.Fatalf("edits %+v", edits)
	}
	if tk, _ := e.srv.ConduitTask(taskID(t, e, task)); tk.OwnerPHID != "PHID-USER-bob" {
		t.Fatalf("owner %q", tk.OwnerPHID)
	}
	if ups := e.calls("slack", "chat.update", since); len(ups) == 0 || !strings.Contains(ups[len(ups)-1].Arg("blocks"), "took it from Slack after 4m") {
		t.Fatalf("updates %+v", ups)
	}
}

// taskID finds a stand-in task's id by PHID.
func taskID(t *testing.T, e *env, phid string) int {
	t.Helper()
	for id := 1; id < 1000; id++ {
		if tk, ok := e.srv.ConduitTask(id); ok && tk.PHID == phid {
			return id
		}
	}
	t.Fatalf("no task %s", phid)
	return 0
}

// TestColumnMovesReadAtRunTime: on Phabricator the move is read from
// maniphest.gettasktransactions (three reads); on Phorge master from transaction.search (two).
func TestColumnMovesReadAtRunTime(t *testing.T) {
	t.Parallel()
	for flavor, want := range map[string][]string{
		standins.FlavorPhabricator: {conduit.MethodTaskSearch, conduit.MethodTransactions, conduit.MethodTaskTransactions},
		standins.FlavorPhorge:      {conduit.MethodTaskSearch, conduit.MethodTransactions},
	} {
		t.Run(flavor, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, flavor)
			task := e.newTask("Flaky test")
			_, move := e.edit("bob", task, column("PHID-PCOL-rocketready"))
			since := e.last()
			e.deliver(task, move...)
			var got []string
			for _, c := range e.calls("conduit", "", since) {
				if c.API != conduit.MethodTaskEdit && c.API != conduit.MethodUserSearch {
					got = append(got, c.API)
				}
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("reads %v, want %v", got, want)
			}
			if edits := e.calls("conduit", conduit.MethodTaskEdit, since); len(edits) != 1 {
				t.Fatalf("the unauthorized move was not enforced: %+v", edits)
			}
		})
	}
}

func TestCommand(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	cmd := Command{Config: staticConfig{e.cfg}, Store: e.proc.Board.Store, Mirror: e.proc.Board.Mirror, Calendar: e.proc.Board.Calendar}
	run := func(user, ch, text string) (string, error) {
		m, err := cmd.Run(e.ctx, slack.SlashCommand{Command: "/phab", UserID: user, ChannelID: ch, Text: text}, t0.Add(3*24*time.Hour))
		if err != nil {
			return "", err
		}
		return m.Text, nil
	}
	if out, _ := run("U0ALICE001", channel, "triage"); !strings.Contains(out, "has not read Rocket's board yet") {
		t.Errorf("triage before any delivery: %s", out)
	}
	e.newTask("Waiting <task>")
	tests := []struct {
		name, user, ch, text string
		want                 []string
		usage                bool
	}{
		{name: "help", user: "U0ALICE001", text: "help", want: []string{"`/phab ubn`", "`/phab triage`", "`/phab rules`"}},
		{name: "empty is help", user: "U0ALICE001", text: "", want: []string{"`/phab help`"}},
		{name: "ubn", user: "U0ALICE001", ch: channel, text: "ubn", want: []string{"No open Unbreak Now! tasks for Rocket."}},
		{name: "triage", user: "U0ALICE001", ch: channel, text: "triage", want: []string{"Rocket: 1 task in New &amp; TBD, 1 for 2d (business days) or more", "T205: Waiting &lt;task&gt;", "3 business days"}},
		{name: "rules", user: "U0ALICE001", ch: "C0ELSEWHERE", text: "rocket rules", want: []string{
			"*Ready*: only the PM (Erin Walsh) may move tasks in (moved back, commented and the mover told).",
			"*Done*: only QA (Gina Costa) may move tasks in; tasks need story points",
			"*In Review*: tasks need story points (commented and the mover told).",
			"escalated to the EM (<@U0DAVE0005>) after 2h0m0s",
		}},
		{name: "team from membership", user: "U0BOB00002", ch: "C0ELSEWHERE", text: "ubn", want: []string{"No open Unbreak Now!"}},
		{name: "which team", user: "U0MALL0006", ch: "C0ELSEWHERE", text: "ubn", usage: true},
		{name: "unknown", user: "U0ALICE001", ch: channel, text: "dance", usage: true},
		{name: "extra argument", user: "U0ALICE001", ch: channel, text: "ubn now", usage: true},
	}
	for _, tc := range tests {
		out, err := run(tc.user, tc.ch, tc.text)
		var ue *slackapp.UsageError
		if tc.usage != errors.As(err, &ue) || (!tc.usage && err != nil) {
			t.Errorf("%s: err %v", tc.name, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: %q lacks %q", tc.name, out, w)
			}
		}
	}
}

// TestMorningTriageFollowsTheTeamsClock: triage_at is 09:30 in London on both sides of the
// end of summer time (08:30 UTC on Friday 23 October 2026, 09:30 UTC on Monday 26th).
func TestMorningTriageFollowsTheTeamsClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.set(time.Date(2026, 10, 19, 10, 0, 0, 0, time.UTC)) // Monday
	e.newTask("Waiting since Monday")
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 10, 23, 8, 29, 0, 0, time.UTC), false}, // 09:29 BST
		{time.Date(2026, 10, 23, 8, 31, 0, 0, time.UTC), true},  // 09:31 BST
		{time.Date(2026, 10, 26, 8, 31, 0, 0, time.UTC), false}, // 08:31 GMT
		{time.Date(2026, 10, 26, 9, 31, 0, 0, time.UTC), true},  // 09:31 GMT
	} {
		since := e.last()
		e.tick(tc.at)
		got := false
		for _, c := range e.calls("slack", "chat.postMessage", since) {
			got = got || strings.Contains(c.Arg("text"), "Waiting since Monday")
		}
		if got != tc.want {
			t.Errorf("at %v sent %v, want %v", tc.at, got, tc.want)
		}
	}
}

// TestTakeItOnATaskTheBotCannotEdit: the refusal is said once in the post's thread; the
// effect is recorded as failed, so a retried event does not try again.
func TestTakeItOnATaskTheBotCannotEdit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	if _, err := e.srv.SeedConduit(standins.ConduitSeed{Tasks: []standins.ConduitTask{{ID: 302, PHID: "PHID-TASK-lockedubn000001", Name: "Locked outage",
		Priority: 80, Projects: []string{"PHID-PROJ-rocket"}, Locked: true}}}); err != nil {
		t.Fatal(err)
	}
	_, raise := e.edit("mallory", "PHID-TASK-lockedubn000001", unbreak())
	e.deliver("PHID-TASK-lockedubn000001", raise...)
	inc := e.incidents()[0]
	payload := `{"team":"rocket","id":"` + inc.ID + `","action":"take","person":"bob"}`
	ev := store.Event{Key: "rituals#phab#test", Source: EventSource, Type: EventUBN, ReceivedAt: t0, Payload: []byte(payload)}
	since := e.last()
	for i := 0; i < 2; i++ {
		if err := e.proc.Event(e.ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if edits := e.calls("conduit", conduit.MethodTaskEdit, since); len(edits) != 1 {
		t.Fatalf("%d edit attempts, want 1", len(edits))
	}
	var reports []string
	for _, p := range e.posts(channel, since) {
		if strings.Contains(p, "could not assign") {
			reports = append(reports, p)
		}
	}
	if len(reports) != 1 || !strings.Contains(reports[0], "T302: Locked outage") {
		t.Fatalf("reports %q", reports)
	}
}
