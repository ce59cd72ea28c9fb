package decision

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
	"github.com/rituals-dev/rituals/shared/streams/streamstest"
)

// The decision tests use the documented example config: team repo-management keeps the
// product team's DACI matrix of PROCESSES.md.
const (
	alice, bob, dave, erin = "U01ALICE01", "U01BOB0002", "U01DAVE005", "U01ERIN006"
	gina, oscar, tomas     = "U01GINA008", "U01OSCAR13", "U01TOMAS10"
	nadia, yuki, priya     = "U01NADIA12", "U01YUKI011", "U01PRIYA03"
	carol                  = "U01CAROL09" // reviews standups; no role in the team
	channel                = "C01REPOMGMT"
)

var now = time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)

type staticConfig struct{ cfg *config.Config }

func (s staticConfig) Current(context.Context, time.Time) (*config.Config, error) { return s.cfg, nil }

type world struct {
	t      *testing.T
	events *streamstest.Recorder
	out    *standins.Outbox
	store  Store
	cmd    Command
	daci   DACI
	ui     Interactions
	proc   *Processor
}

func newWorld(t *testing.T) *world {
	t.Helper()
	data, err := os.ReadFile("../../infra/config/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	db, tables := dynamotest.New(t)
	sb := standins.New(standins.Options{SlackBotToken: "xoxb-test"})
	sb.ExpectCleanSlackText(t)
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	sl := slackapp.NewClient("xoxb-test", standins.SlackAPIURL(srv.URL))
	src := staticConfig{cfg}
	st := Store{API: db, Table: tables.State, Events: tables.Events}
	// The recorder finds the events each write commits with it, as the stream would.
	ev := &streamstest.Recorder{Events: store.Events{API: db, Table: tables.Events}}
	return &world{
		t: t, events: ev, out: sb.Outbox(), store: st,
		cmd:  Command{Config: src, Store: st},
		daci: DACI{Config: src},
		ui:   Interactions{Config: src, Store: st, Slack: sl},
		proc: &Processor{Config: src, Store: st, Effects: store.Effects{API: db, Table: tables.State}, Slack: sl},
	}
}

// run types command text as user in channel and returns the answer (or the usage problem).
func (w *world) run(c slackapp.Command, user, text string) (string, bool) {
	w.t.Helper()
	msg, err := c.Run(context.Background(), slack.SlashCommand{Command: c.Name(), UserID: user, ChannelID: channel, Text: text}, now)
	var ue *slackapp.UsageError
	if errors.As(err, &ue) {
		return ue.Problem, false
	}
	if err != nil {
		w.t.Fatalf("%s %s: %v", c.Name(), text, err)
	}
	return msg.Text, true
}

func (w *world) drain() {
	w.t.Helper()
	w.events.Drain(w.t, w.proc)
}

func (w *world) click(user, action, value string) {
	w.t.Helper()
	cb := slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, User: slack.User{ID: user}}
	cb.Channel.ID = channel
	cb.ActionCallback.BlockActions = []*slack.BlockAction{{ActionID: action, Value: value}}
	if _, err := w.ui.Handle(context.Background(), cb, now); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) calls(api string, since int64) []standins.Call {
	return w.out.Calls(standins.Filter{Service: "slack", API: api, Since: since})
}

// dmsTo lists the users DMs were opened with since.
func (w *world) dmsTo(since int64) []string {
	var out []string
	for _, c := range w.calls("conversations.open", since) {
		out = append(out, c.Arg("users"))
	}
	return out
}

// TestDecisionFromCreationToApproval: the record names the matrix's people, the consulted are
// asked in its thread, the approver by DM; only the approver's click counts, and once approved
// the thread and every informed person hear the outcome.
func TestDecisionFromCreationToApproval(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	out, ok := w.run(w.cmd, alice, "new technical-approach Adopt trunk-based development")
	if !ok || !strings.Contains(out, "Recorded *D1 · Adopt trunk-based development* (Determine technical approach)") {
		t.Fatalf("new: %q", out)
	}
	w.drain()
	posts := w.calls("chat.postMessage", 0)
	if len(posts) < 2 || posts[0].Arg("channel") != channel {
		t.Fatalf("posts: %+v", posts)
	}
	var blocks []struct {
		Fields   []struct{ Text string } `json:"fields"`
		Elements []struct {
			ActionID string `json:"action_id"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(posts[0].Arg("blocks")), &blocks); err != nil {
		t.Fatal(err)
	}
	var fields, buttons []string
	for _, b := range blocks {
		for _, f := range b.Fields {
			fields = append(fields, f.Text)
		}
		for _, e := range b.Elements {
			buttons = append(buttons, e.ActionID)
		}
	}
	if got := strings.Join(fields, " | "); got != "*Drives*\n<@U01ALICE01> | *Approves*\n<@U01DAVE005> | "+
		"*Consulted*\n<@U01GINA008>, <@U01YUKI011>, <@U01BOB0002>, <@U01PRIYA03> | "+
		"*Informed*\n<@U01ERIN006>, <@U01TOMAS10>, <@U01NADIA12>, <@U01OSCAR13>" {
		t.Errorf("record's people: %q", got)
	}
	if strings.Join(buttons, " ") != ActionApprove+" "+ActionReject {
		t.Errorf("record's buttons: %v", buttons)
	}
	ts := posts[0].Response.(map[string]any)["ts"].(string)
	if c := posts[1]; c.Arg("thread_ts") != ts || !strings.HasPrefix(c.Arg("text"), "<@U01GINA008>, <@U01YUKI011>, <@U01BOB0002>, <@U01PRIYA03>: you are consulted on *D1 · Adopt trunk-based development*") {
		t.Errorf("consult: %s", c.Arg("text"))
	}
	if dms := w.dmsTo(0); len(dms) != 1 || dms[0] != dave {
		t.Fatalf("asked by DM: %v", dms)
	}

	// The driver is not the approver: refused, nothing changes.
	since := w.out.Last()
	w.click(alice, ActionApprove, "repo-management/1")
	if eph := w.calls("chat.postEphemeral", since); len(eph) != 1 || !strings.HasPrefix(eph[0].Arg("text"), "Only <@U01DAVE005> can approve or reject *D1 · Adopt trunk-based development*") {
		t.Fatalf("refusal: %+v", eph)
	}
	if d, _ := w.store.Get(context.Background(), ID{"repo-management", 1}); d.State != Open || len(d.Verdicts) != 0 || d.Rev != 1 {
		t.Fatalf("a refused click changed the decision: %+v", d)
	}
	if evs := w.events.Take(); len(evs) != 0 {
		t.Fatal("a refused click put an event")
	}

	since = w.out.Last()
	w.click(dave, ActionApprove, "repo-management/1")
	w.drain()
	var thread []string
	for _, c := range w.calls("chat.postMessage", since) {
		if c.Arg("thread_ts") == ts {
			thread = append(thread, c.Arg("text"))
		}
	}
	if len(thread) != 2 || thread[0] != ":heavy_check_mark: <@U01DAVE005> approved." || !strings.Contains(thread[1], "is settled. :white_check_mark: *Approved* by <@U01DAVE005>") {
		t.Fatalf("thread: %q", thread)
	}
	if dms := w.dmsTo(since); strings.Join(dms, " ") != strings.Join([]string{erin, tomas, nadia, oscar}, " ") {
		t.Fatalf("informed: %v", dms)
	}
	ups := w.calls("chat.update", since)
	if len(ups) != 1 || strings.Contains(ups[0].Arg("blocks"), ActionApprove) || !strings.Contains(ups[0].Arg("blocks"), "Approved") {
		t.Fatalf("record update: %+v", ups)
	}
	// A second click, and the same event processed again, repeat nothing.
	since = w.out.Last()
	w.click(dave, ActionReject, "repo-management/1")
	w.proc.Event(context.Background(), store.Event{Key: "again", Source: EventSource, Type: EventChanged, Payload: []byte(`{"decision":"repo-management/1","rev":2}`)})
	for _, c := range w.calls("", since) {
		if c.API != "chat.update" && c.API != "chat.postEphemeral" {
			t.Errorf("repeated: %s %s", c.API, c.Arg("text"))
		}
	}
	if eph := w.calls("chat.postEphemeral", since); len(eph) != 1 || !strings.Contains(eph[0].Arg("text"), "is settled already") {
		t.Fatalf("second click: %+v", eph)
	}

	list, _ := w.run(w.cmd, bob, "list")
	if !strings.Contains(list, "• *D1 · Adopt trunk-based development* · Determine technical approach · approved") {
		t.Errorf("list: %s", list)
	}
	show, _ := w.run(w.cmd, bob, "show d1")
	if !strings.Contains(show, "*Approves*: <@U01DAVE005>") || !strings.Contains(show, "<@U01DAVE005> approved") {
		t.Errorf("show: %s", show)
	}
}

// TestDecisionWithTwoApprovers: product strategy needs the PM and the director; one approval
// leaves it open, one rejection settles it.
func TestDecisionWithTwoApprovers(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.run(w.cmd, erin, "new product-strategy Focus 2027 on self-hosted customers")
	w.drain()
	if dms := w.dmsTo(0); strings.Join(dms, " ") != erin+" "+oscar {
		t.Fatalf("approvers asked: %v", dms)
	}
	w.click(erin, ActionApprove, "repo-management/1")
	w.drain()
	d, _ := w.store.Get(context.Background(), ID{"repo-management", 1})
	if d.State != Open || len(d.Verdicts) != 1 {
		t.Fatalf("after one approval: %+v", d)
	}
	since := w.out.Last()
	w.click(oscar, ActionReject, "repo-management/1")
	w.drain()
	if d, _ = w.store.Get(context.Background(), ID{"repo-management", 1}); d.State != Rejected {
		t.Fatalf("after the rejection: %+v", d)
	}
	// Informed: the TPM only (everyone else is consulted).
	if dms := w.dmsTo(since); len(dms) != 1 || dms[0] != tomas {
		t.Fatalf("informed: %v", dms)
	}
}

func TestDACICommand(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	out, _ := w.run(w.daci, bob, "technical-approach")
	want := "*Determine technical approach* (`technical-approach`) in Repo Management\n" +
		"*Drives*: <@U01ALICE01> (tech_lead)\n" +
		"*Approves*: <@U01DAVE005> (em)\n" +
		"*Consulted*: <@U01GINA008>, <@U01YUKI011>, <@U01BOB0002>, <@U01PRIYA03> (members, qa, ux)\n" +
		"*Informed*: <@U01ERIN006>, <@U01TOMAS10>, <@U01NADIA12>, <@U01OSCAR13> (crs, director, pm, tpm)\n" +
		"`/decision new technical-approach &lt;title&gt;` records one."
	if out != want {
		t.Errorf("/daci technical-approach:\n%s\nwant:\n%s", out, want)
	}
	if out, _ := w.run(w.daci, bob, "feature-priorities"); !strings.Contains(out, "*Approves*: <@U01ERIN006>, <@U01ALICE01> — no role approves this kind, so its drivers do") {
		t.Errorf("no A: %s", out)
	}
	if out, _ := w.run(w.daci, bob, ""); strings.Count(out, "\n• ") != 16 || !strings.Contains(out, "• `product-strategy` Set product strategy: <@U01ERIN006>, <@U01OSCAR13> approves") {
		t.Errorf("/daci: %s", out)
	}
}

// TestDecisionBadInput: each refusal says what to type instead and records nothing.
func TestDecisionBadInput(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tests := []struct {
		name, user, text, want string
		daci                   bool
	}{
		{name: "unknown kind with a suggestion", user: alice, text: "new technical Use Postgres", want: "Repo Management has no kind of decision \"technical\". Did you mean `technical-approach`? Its kinds: `product-strategy`, `roadmap`"},
		{name: "no kind", user: alice, text: "new", want: "Say which kind of decision it is."},
		{name: "no title", user: alice, text: "new roadmap", want: "Say what is being decided, e.g. `/decision new roadmap Adopt trunk-based development`."},
		{name: "title too long", user: alice, text: "new roadmap " + strings.Repeat("x", 201), want: "A decision's title is at most 200 characters (yours has 201)"},
		{name: "someone outside the team", user: carol, text: "new roadmap Q1 goals", want: "Only members of Repo Management and the people holding its roles can record its decisions."},
		{name: "show a decision that does not exist", user: alice, text: "show D99", want: "Repo Management has no decision D99."},
		{name: "show without an id", user: alice, text: "show latest", want: `"latest" is not a decision id`},
		{name: "unknown subcommand", user: alice, text: "approve D1", want: "`/decision approve` is not a /decision command."},
		{name: "unknown kind in /daci", user: alice, text: "budget", want: "Repo Management has no kind of decision \"budget\".", daci: true},
	}
	for _, tt := range tests {
		c := slackapp.Command(w.cmd)
		if tt.daci {
			c = w.daci
		}
		got, _ := w.run(c, tt.user, tt.text)
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("%s: %q\nwant prefix %q", tt.name, got, tt.want)
		}
	}
	if list, _ := w.store.List(context.Background(), "repo-management", 10); len(list) != 0 || len(w.events.Take()) != 0 {
		t.Fatalf("bad input stored %d decisions, or put events", len(list))
	}
}

// TestConcurrentVerdicts: two approvers clicking at once both count (the record is written on
// condition of its revision, and the loser retries on the new one).
func TestConcurrentVerdicts(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.run(w.cmd, dave, "new events Team summit in March")
	var wg sync.WaitGroup
	for _, who := range []string{erin, tomas} { // the PM and the TPM both approve events
		wg.Add(1)
		go func(who string) {
			defer wg.Done()
			w.click(who, ActionApprove, "repo-management/1")
		}(who)
	}
	wg.Wait()
	d, _ := w.store.Get(context.Background(), ID{"repo-management", 1})
	if d.State != Approved || len(d.Verdicts) != 2 || d.Rev != 3 {
		t.Fatalf("after two concurrent approvals: %+v", d)
	}
}

// TestWritesCommitTheirEvent: a decision written by the store alone — no command, no click
// to announce it — carries its decision.changed event in the same transaction, so it is posted
// (once) and its approver asked; a write that loses a race writes no event.
func TestWritesCommitTheirEvent(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	d, err := w.store.Create(ctx, &Decision{ID: ID{Team: "repo-management"}, Kind: "roadmap", KindName: "Set roadmap and goals", Title: "Q1 goals", OpenedBy: erin, Approvers: []string{"oscar"}, Channel: channel, Created: now})
	if err != nil {
		t.Fatal(err)
	}
	w.drain()
	var inChannel []standins.Call
	for _, c := range w.calls("chat.postMessage", 0) {
		if c.Arg("channel") == channel {
			inChannel = append(inChannel, c)
		}
	}
	if len(inChannel) != 1 || !strings.Contains(inChannel[0].Arg("text"), "Decision D1 · Q1 goals") {
		t.Fatalf("posts: %+v", inChannel)
	}
	if dms := w.dmsTo(0); len(dms) != 1 || dms[0] != oscar {
		t.Fatalf("approver asked: %v", dms)
	}
	stale := *d
	stale.Rev = 2
	if err := w.store.put(ctx, &stale, 5, now); !errors.Is(err, ErrChanged) {
		t.Fatalf("a write from a stale revision: %v", err)
	}
	if _, err := w.events.GetEvent(ctx, "rituals#decision.changed#"+d.ID.String()+"#2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the refused write left its event: %v", err)
	}
	w.run(w.cmd, bob, "show D1")
	w.drain()
	if n := len(w.calls("chat.postMessage", 0)); n != 2 {
		t.Fatalf("looking at it posted again: %d posts", n)
	}
}
