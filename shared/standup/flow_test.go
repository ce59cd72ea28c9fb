package standup

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/activity"
	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// flow is the whole standup wired to DynamoDB Local and recording fake Slack and GitHub APIs.
type flow struct {
	t      *testing.T
	cfg    *config.Config
	api    *fakeAPI
	events store.Events
	st     Store
	sched  Scheduler
	inter  Interactions
	cmd    Command
	proc   Processor
}

func newFlow(t *testing.T, cfgFile string) *flow {
	t.Helper()
	client, tables := dynamotest.New(t)
	data, err := os.ReadFile(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	api := newFakeAPI(t)
	src := staticConfig{cfg}
	cal := calendar.NewCalendar(quiet)
	st := Store{API: client, Table: tables.State, Events: tables.Events}
	fx := store.Effects{API: client, Table: tables.State}
	events := store.Events{API: client, Table: tables.Events}
	sl := api.slack()
	deps := Deps{Store: st, Events: events, Config: src, Calendar: cal, Activity: activity.Reader{API: client, Table: tables.State}, Views: sl, Log: quiet}
	return &flow{
		t: t, cfg: cfg, api: api, events: events, st: st,
		sched: Scheduler{Store: st, Effects: fx, Config: src, Calendar: cal, Slack: sl, Issues: api.github(t).Issues, Log: quiet},
		inter: Interactions{deps},
		cmd:   Command{deps},
		proc:  Processor{Store: st, Effects: fx, Config: src, Calendar: cal, Slack: sl, Issues: api.github(t).Issues, Responder: HTTPResponder{}, Parts: events, Log: quiet},
	}
}

// record mirrors real GitHub webhook payloads (events/github) into the activity tables.
func (f *flow) record(received time.Time, files ...string) {
	f.t.Helper()
	rec := activity.Recorder{API: f.st.API.(activity.RecorderAPI), Table: f.st.Table}
	for i, name := range files {
		payload, err := os.ReadFile("../../events/github/" + name)
		if err != nil {
			f.t.Fatal(err)
		}
		typ := strings.SplitN(name, ".", 2)[0]
		if _, err := rec.Record(context.Background(), store.Event{Key: "github#" + name, Source: "github", Type: typ,
			ReceivedAt: received.Add(time.Duration(i) * time.Second), Payload: payload}); err != nil {
			f.t.Fatalf("record %s: %v", name, err)
		}
	}
}

func (f *flow) tick(at string) TickResult {
	f.t.Helper()
	res, err := f.sched.Tick(context.Background(), utc(at))
	if err != nil {
		f.t.Fatalf("tick %s: %v", at, err)
	}
	return res
}

// interact sends a Slack interaction payload (a fixture from events/slack, optionally edited).
func (f *flow) interact(file string, at string, edit func(*slack.InteractionCallback)) any {
	f.t.Helper()
	data, err := os.ReadFile("../../events/slack/" + file)
	if err != nil {
		f.t.Fatal(err)
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal(data, &cb); err != nil {
		f.t.Fatal(err)
	}
	if edit != nil {
		edit(&cb)
	}
	out, err := f.inter.Handle(context.Background(), cb, utc(at))
	if err != nil {
		f.t.Fatalf("interaction %s: %v", file, err)
	}
	return out
}

// process delivers the stored internal event key to the processor, as the stream would.
func (f *flow) process(key string) {
	f.t.Helper()
	e, err := f.events.GetEvent(context.Background(), key)
	if err != nil {
		f.t.Fatalf("event %s: %v", key, err)
	}
	if err := f.proc.Process(context.Background(), e); err != nil {
		f.t.Fatalf("process %s: %v", key, err)
	}
}

func only(t *testing.T, calls []call, want ...string) {
	t.Helper()
	got := methods(calls)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("calls = %v, want %v", got, want)
	}
}

func contains(t *testing.T, what string, c call, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(c.text(), s) {
			t.Errorf("%s lacks %q:\n%s", what, s, c.text())
		}
	}
}

// TestStandupFlow walks one day of a two-person team through the scheduler, the modal, the
// processor and the review, with real GitHub payloads and Slack interaction payloads.
func TestStandupFlow(t *testing.T) {
	t.Parallel()
	f := newFlow(t, "testdata/flow.yaml")
	ctx := context.Background()
	f.record(utc("2019-05-15T15:21:00Z"), "issues.opened.json", "issue_comment.created.json", "issues.assigned.json", "pull_request.opened.json", "push.json")

	// Due: Octo (London, BST) at 06:00 = 05:00Z. Created once; the same tick again does nothing.
	if res := f.tick("2019-05-16T05:00:00Z"); res.Created != 1 {
		t.Fatalf("due tick: %+v", res)
	}
	if res := f.tick("2019-05-16T05:00:00Z"); res.Created != 0 || res.Existing != 0 || res.From != res.To {
		t.Fatalf("repeated tick did something: %+v", res)
	}
	only(t, f.api.take())

	// Nag at 09:30 BST, once.
	f.tick("2019-05-16T08:30:00Z")
	calls := f.api.take()
	only(t, calls, "chat.postMessage")
	contains(t, "nag", calls[0], "channel=U0OCTOCAT1", ActionOpen, "hello/octo/2019-05-16", "Fill in")
	f.tick("2019-05-16T08:30:00Z")
	only(t, f.api.take())

	// Fill in: the modal is pre-filled with the footprint from the real payloads.
	f.interact("standup.block_actions.open.json", "2019-05-16T08:31:00Z", nil)
	calls = f.api.take()
	only(t, calls, "views.open")
	contains(t, "modal", calls[0], CallbackSubmit, "Codertocat/Hello-World", "opened issue", "Spelling error in the README file",
		"commented on", "opened PR", "commit", "not in any PR", "Since my first standup", "Full day")

	// Submit through a real view_submission payload; a missing comment is an error first.
	out := f.interact("standup.view_submission.submit.json", "2019-05-16T08:34:00Z", func(cb *slack.InteractionCallback) {
		cb.View.State.Values["comment"]["value"] = slack.BlockAction{Value: "  "}
		delete(cb.View.State.Values, "availability")
	})
	errs, _ := json.Marshal(out)
	if !strings.Contains(string(errs), `"response_action":"errors"`) || !strings.Contains(string(errs), `"comment"`) || !strings.Contains(string(errs), `"availability"`) {
		t.Fatalf("invalid submission answered %s", errs)
	}
	if out := f.interact("standup.view_submission.submit.json", "2019-05-16T08:35:00Z", nil); out != nil {
		t.Fatalf("submission answered %v", out)
	}
	id := ID{Client: "hello", Person: "octo", Date: date("2019-05-16")}
	sd, err := f.st.Standup(ctx, id)
	if err != nil || !sd.Submitted() || sd.Entry.Revision != 1 || len(sd.Entry.Footprint.Items) == 0 || sd.Entry.Plan[0].Ref() != "Codertocat/Hello-World#1" || !sd.Entry.Plan[0].ExpectDone {
		t.Fatalf("stored standup: %+v %v", sd.Entry, err)
	}

	// Blockers reach the delivery manager at once, once.
	f.process("rituals#standup.submitted#hello/octo/2019-05-16#1")
	calls = f.api.take()
	only(t, calls, "chat.postMessage")
	contains(t, "blocker DM", calls[0], "channel=U0FRANK001", "Waiting for review rights", ActionView)
	f.process("rituals#standup.submitted#hello/octo/2019-05-16#1")
	only(t, f.api.take())

	// Digest at 10:30 BST and the reviewer's message, in the same tick; Mona (New York) is
	// not due yet.
	f.tick("2019-05-16T09:30:00Z")
	calls = f.api.take()
	only(t, calls, "chat.postMessage", "chat.postMessage")
	contains(t, "digest", calls[0], "channel=C0OCTODIG1", "Fix the README spelling", "Waiting for review rights", "Not due yet", "Mona Lisa")
	contains(t, "reviewer message", calls[1], "channel=U0CAROL001", ActionReview, "hello/octo/2019-05-16")
	f.tick("2019-05-16T09:30:00Z")
	only(t, f.api.take())

	// Mona: due 06:00 EDT = 10:00Z, submits late: her standup goes to the digest's thread.
	f.tick("2019-05-16T10:00:00Z")
	f.api.take()
	f.interact("standup.view_submission.submit.json", "2019-05-16T10:05:00Z", func(cb *slack.InteractionCallback) {
		cb.User.ID = "U0MONA0001"
		cb.View.PrivateMetadata = "hello/mona/2019-05-16"
		delete(cb.View.State.Values, "blockers")
	})
	f.process("rituals#standup.submitted#hello/mona/2019-05-16#1")
	calls = f.api.take()
	only(t, calls, "chat.postMessage")
	contains(t, "late standup", calls[0], "channel=C0OCTODIG1", "thread_ts=1558000000.", "Late standup", "Mona Lisa")
	f.tick("2019-05-16T10:10:00Z")
	calls = f.api.take()
	only(t, calls, "chat.postMessage")
	contains(t, "second reviewer message", calls[0], "channel=U0CAROL001", "hello/mona/2019-05-16")
	if strings.Contains(calls[0].text(), "hello/octo/") {
		t.Error("Octo's standup was brought to the reviewer twice")
	}

	// Octo's review is overdue after 2 of Carol's business days: Monday 08:35Z. One issue.
	f.tick("2019-05-20T08:40:00Z")
	calls = f.api.take()
	var issue *call
	for i, c := range calls {
		if c.Method == "POST /repos/Codertocat/hr/issues" {
			if issue != nil {
				t.Fatal("two issues opened")
			}
			issue = &calls[i]
		}
	}
	if issue == nil {
		t.Fatalf("no overdue issue: %v", methods(calls))
	}
	contains(t, "overdue issue", *issue, "Standup review overdue: Octo Cat, 2019-05-16", `"assignees":["carol-hr"]`)
	f.tick("2019-05-20T08:40:00Z")
	only(t, f.api.take())
	f.tick("2019-05-20T08:45:00Z")
	for _, c := range f.api.take() {
		if strings.Contains(c.Method, "issues") {
			t.Fatalf("issue touched again: %s", c.Method)
		}
	}

	// Review: the reviewer modal, Mark reviewed, and the issue closes itself.
	f.interact("standup.block_actions.review.json", "2019-05-20T09:00:00Z", nil)
	calls = f.api.take()
	only(t, calls, "views.open")
	contains(t, "review modal", calls[0], CallbackReview, "Mark reviewed", "Reviewer only")
	if out := f.interact("standup.view_submission.review.json", "2019-05-20T09:05:00Z", nil); out != nil {
		t.Fatalf("review answered %v", out)
	}
	f.process("rituals#standup.reviewed#hello/octo/2019-05-16")
	only(t, f.api.take(), "POST /repos/Codertocat/hr/issues/1/comments", "PATCH /repos/Codertocat/hr/issues/1")
	f.process("rituals#standup.reviewed#hello/octo/2019-05-16")
	only(t, f.api.take())

	// Reviewed standups can no longer be edited; a second review is refused.
	out = f.interact("standup.view_submission.submit.json", "2019-05-20T09:10:00Z", nil)
	if b, _ := json.Marshal(out); !strings.Contains(string(b), "already reviewed") {
		t.Fatalf("edit after review answered %s", b)
	}
	out = f.interact("standup.view_submission.review.json", "2019-05-20T09:11:00Z", nil)
	if b, _ := json.Marshal(out); !strings.Contains(string(b), "already reviewed") {
		t.Fatalf("second review answered %s", b)
	}
	assertNoReviewerFields(t, f, id)
}

// assertNoReviewerFields proves that what the reviewer wrote never reaches anything the
// developer or the team sees: the developer's modal, the read-only modal, history, the
// digest, status, App Home, and every message sent to anyone but the reviewer.
func assertNoReviewerFields(t *testing.T, f *flow, id ID) {
	t.Helper()
	ctx := context.Background()
	r, ok, err := f.st.ReviewOf(ctx, id)
	if err != nil || !ok || !strings.Contains(r.Notes, "REVIEWER-ONLY") || len(r.Flags) != 1 {
		t.Fatalf("review not stored: %+v %v %v", r, ok, err)
	}
	secrets := []string{"REVIEWER-ONLY", "1:1", string(FlagFollowUp), FlagFollowUp.Label()}
	var shown []string
	// The developer opens the standup (now read-only) and their App Home.
	f.interact("standup.block_actions.open.json", "2019-05-20T09:20:00Z", nil)
	data, _ := os.ReadFile("../../events/slack/standup.event_callback.app_home_opened.json")
	if err := f.proc.Process(ctx, store.Event{Key: "slack#Ev0STANDUPHOME1", Source: "slack", Type: "app_home_opened", ReceivedAt: utc("2019-05-20T09:21:00Z"), Payload: data}); err != nil {
		t.Fatal(err)
	}
	for _, c := range f.api.take() {
		shown = append(shown, c.text())
	}
	// History and status commands.
	for _, text := range []string{"history", "history <@U0OCTOCAT1> hello", "status"} {
		for _, user := range []string{"U0OCTOCAT1", "U0FRANK001"} {
			msg, err := f.cmd.Run(ctx, slack.SlashCommand{Command: "/standup", Text: text, UserID: user}, utc("2019-05-20T09:22:00Z"))
			if err != nil {
				t.Fatalf("/standup %s: %v", text, err)
			}
			b, _ := json.Marshal(msg)
			shown = append(shown, string(b))
		}
	}
	// The digest of that day, rendered again, and the read-only modal.
	team := f.cfg.Team("octo-team")
	lines, err := Roster(ctx, f.st, f.sched.Calendar, f.cfg, team, id.Date, utc("2019-05-20T09:22:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{DigestBlocks(team, id.Date, lines, nil, Links{}), StatusText(team, id.Date, lines)} {
		b, _ := json.Marshal(v)
		shown = append(shown, string(b))
	}
	sd, _ := f.st.Standup(ctx, id)
	b, _ := json.Marshal(ReadOnlyModal(sd, f.cfg.PersonByID("octo"), f.cfg.Client("hello")))
	shown = append(shown, string(b))
	page, _, _ := f.st.Page(ctx, "hello", "octo", config.Date{}, false, 10)
	b, _ = json.Marshal(page)
	shown = append(shown, string(b))
	if len(shown) < 10 {
		t.Fatalf("only %d renderings checked", len(shown))
	}
	for _, s := range shown {
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				t.Errorf("reviewer-only %q shown to the developer or team in:\n%.600s", secret, s)
			}
		}
	}
}
