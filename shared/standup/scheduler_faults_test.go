package standup

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/store"
)

// fakeWall is an injectable wall clock for leases.
type fakeWall struct{ ns atomic.Int64 }

func newFakeWall(t time.Time) *fakeWall {
	w := &fakeWall{}
	w.ns.Store(t.UnixNano())
	return w
}
func (w *fakeWall) Now() time.Time          { return time.Unix(0, w.ns.Load()) }
func (w *fakeWall) Advance(d time.Duration) { w.ns.Add(int64(d)) }

// withWall gives the flow's scheduler and effects one injected wall clock.
func withWall(f *flow, w *fakeWall) {
	f.sched.Clock = w.Now
	f.sched.Effects.Clock = w.Now
	f.sched.Effects.Lease = time.Minute
	f.proc.Effects = f.sched.Effects
}

// TestTicksNeverOverlap: a tick that starts while another is still running (the function's
// timeout used to equal the schedule's period) yields instead of doing the same work at once.
func TestTicksNeverOverlap(t *testing.T) {
	t.Parallel()
	f := newFlow(t, "testdata/flow.yaml")
	f.tick("2019-05-16T05:00:00Z") // Octo's standup is created
	f.api.take()
	hold := make(chan struct{})
	f.api.mu.Lock()
	f.api.hold = hold
	f.api.mu.Unlock()
	first := make(chan error, 1)
	go func() {
		_, err := f.sched.Tick(context.Background(), utc("2019-05-16T08:30:00Z")) // posts the nag: held
		first <- err
	}()
	waitFor(t, func() bool { return f.api.held.Load() == 1 })
	res, err := f.sched.Tick(context.Background(), utc("2019-05-16T08:35:00Z"))
	if err != nil || !res.Yielded || res.Nagged != 0 {
		t.Fatalf("overlapping tick: %+v %v; want it to yield", res, err)
	}
	close(hold)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	only(t, f.api.take(), "chat.postMessage")
	if cur, _ := f.st.Cursor(context.Background()); !cur.Equal(utc("2019-05-16T08:30:00Z")) {
		t.Fatalf("cursor %v, want the first tick's time", cur)
	}
	// The yielded interval is covered by the next tick: nothing is lost, nothing doubled.
	f.tick("2019-05-16T08:40:00Z")
	only(t, f.api.take())
}

// TestInProgressKeepsTheCursor: an effect still claimed by a tick that died is not done. Before
// the fix the tick counted it as done and moved the cursor, so the nag was never sent.
func TestInProgressKeepsTheCursor(t *testing.T) {
	t.Parallel()
	f := newFlow(t, "testdata/flow.yaml")
	wall := newFakeWall(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
	withWall(f, wall)
	f.tick("2019-05-16T05:00:00Z")
	f.api.take()
	// A tick died right after claiming Octo's nag.
	claimed, stop := make(chan struct{}), make(chan struct{})
	go func() {
		_, _, _ = f.sched.Effects.Once(context.Background(), "standup:nag:hello/octo/2019-05-16", func(context.Context) (string, error) {
			close(claimed)
			<-stop
			return "", errors.New("killed")
		})
	}()
	<-claimed
	defer close(stop)
	_, err := f.sched.Tick(context.Background(), utc("2019-05-16T08:30:00Z"))
	if !errors.Is(err, store.ErrInProgress) {
		t.Fatalf("tick with the nag still claimed: %v, want ErrInProgress", err)
	}
	if cur, _ := f.st.Cursor(context.Background()); !cur.Equal(utc("2019-05-16T05:00:00Z")) {
		t.Fatalf("cursor moved to %v although the nag was not sent", cur)
	}
	only(t, f.api.take())
	// Once the dead tick's lease has passed, the next tick covers the interval again.
	wall.Advance(2 * time.Minute)
	if res := f.tick("2019-05-16T08:35:00Z"); res.Nagged != 1 {
		t.Fatalf("next tick: %+v; want the nag", res)
	}
	calls := f.api.take()
	only(t, calls, "chat.postMessage")
	contains(t, "nag", calls[0], "channel=U0OCTOCAT1")
}

// TestBadHRRepoDoesNotPinTheCursor: an hr.repo GitHub answers 404 for (a typo, a deleted repo)
// is logged and skipped. Before the fix every tick failed on it and the cursor never moved,
// so nobody got their standup created or nagged.
func TestBadHRRepoDoesNotPinTheCursor(t *testing.T) {
	t.Parallel()
	f := newFlow(t, "testdata/flow.yaml")
	f.api.ghStatus["POST /repos/Codertocat/hr/issues"] = 404
	f.tick("2019-05-16T05:00:00Z")
	f.interact("standup.view_submission.submit.json", "2019-05-16T08:35:00Z", nil)
	f.tick("2019-05-16T09:30:00Z") // digest and reviewer message
	f.api.take()
	res, err := f.sched.Tick(context.Background(), utc("2019-05-20T08:40:00Z")) // review overdue
	if err != nil {
		t.Fatalf("tick with a bad hr.repo failed: %v", err)
	}
	if cur, _ := f.st.Cursor(context.Background()); !cur.Equal(utc("2019-05-20T08:40:00Z")) {
		t.Fatalf("cursor %v, want it moved past the refused issue", cur)
	}
	if res.Overdue != 0 {
		t.Fatalf("a refused issue counted as opened: %+v", res)
	}
	// Not asked again on the next tick.
	f.api.ghStatus["POST /repos/Codertocat/hr/issues"] = 0
	f.tick("2019-05-20T08:45:00Z")
	for _, c := range f.api.take() {
		if c.Method == "POST /repos/Codertocat/hr/issues" {
			t.Fatal("the refused issue was tried again")
		}
	}
}

// TestLateStandupWaitsForTheDigest: a first submission that arrives while the team's digest is
// being posted waits on the digest instead of failing its stream record (which, while the
// digest post kept failing, ended in the dead-letter queue); the digest then posts it to its
// thread, once.
func TestLateStandupWaitsForTheDigest(t *testing.T) {
	t.Parallel()
	f := newFlow(t, "testdata/flow.yaml")
	ctx := context.Background()
	f.tick("2019-05-16T05:00:00Z")
	f.api.take()
	team, day := f.cfg.Team("octo-team"), date("2019-05-16")
	now := utc("2019-05-16T09:30:00Z") // the digest is due; Mona (New York) is not yet
	// The digest has started and read its roster (without Mona) but Slack keeps failing it.
	f.api.fail["chat.postMessage"] = true
	if err := f.sched.digest(ctx, f.cfg, DigestDue{Team: team, Date: day}, now); err == nil {
		t.Fatal("digest post should have failed")
	}
	f.interact("standup.view_submission.submit.json", "2019-05-16T10:06:00Z", func(cb *slack.InteractionCallback) {
		cb.User.ID = "U0MONA0001"
		cb.View.PrivateMetadata = "hello/mona/2019-05-16"
		delete(cb.View.State.Values, "blockers")
	})
	f.process("rituals#standup.submitted#hello/mona/2019-05-16#1") // waits: no error, no post
	f.process("rituals#standup.submitted#hello/mona/2019-05-16#1")
	dg, err := f.st.Digest(ctx, team.ID, day)
	if err != nil || len(dg.Late) != 1 || dg.Late[0] != "hello/mona/2019-05-16" {
		t.Fatalf("digest state %+v %v; want Mona waiting", dg, err)
	}
	only(t, f.api.take())
	// Slack is back: the digest posts, then Mona's standup in its thread.
	delete(f.api.fail, "chat.postMessage")
	if err := f.sched.digest(ctx, f.cfg, DigestDue{Team: team, Date: day}, now.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	calls := f.api.take()
	only(t, calls, "chat.postMessage", "chat.postMessage")
	contains(t, "late standup", calls[1], "channel=C0OCTODIG1", "thread_ts=", "Late standup", "Mona Lisa")
	// A redelivered event and a re-run digest post nothing more.
	f.process("rituals#standup.submitted#hello/mona/2019-05-16#1")
	if err := f.sched.digest(ctx, f.cfg, DigestDue{Team: team, Date: day}, now.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	only(t, f.api.take())
}

// TestDigestRefusedForGood: a digest channel the bot is not in is logged and skipped; the tick
// moves on and late standups of that day have no thread to go to (and do not fail).
func TestDigestRefusedForGood(t *testing.T) {
	t.Parallel()
	f := newFlow(t, "testdata/flow.yaml")
	f.api.refuse["chat.postMessage"] = "not_in_channel"
	f.tick("2019-05-16T05:00:00Z")
	if _, err := f.sched.Tick(context.Background(), utc("2019-05-16T09:30:00Z")); err != nil {
		t.Fatalf("tick with a refused digest: %v", err)
	}
	delete(f.api.refuse, "chat.postMessage")
	f.tick("2019-05-16T10:00:00Z")
	f.api.take()
	f.interact("standup.view_submission.submit.json", "2019-05-16T10:06:00Z", func(cb *slack.InteractionCallback) {
		cb.User.ID = "U0MONA0001"
		cb.View.PrivateMetadata = "hello/mona/2019-05-16"
		delete(cb.View.State.Values, "blockers")
	})
	f.process("rituals#standup.submitted#hello/mona/2019-05-16#1")
	only(t, f.api.take())
}

// waitFor polls cond (a few seconds at most) for a state another goroutine reaches.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 300; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not reached")
}

// TestLateReviewClosesItsIssue: a review that comes after the overdue-review issue's effect
// record expired (effects are kept 400 days; before the fix, 120) still closes the issue,
// because its number is on the review item; a second reviewed event closes nothing more.
func TestLateReviewClosesItsIssue(t *testing.T) {
	t.Parallel()
	f := newFlow(t, "testdata/flow.yaml")
	ctx := context.Background()
	f.tick("2019-05-16T05:00:00Z")
	f.interact("standup.view_submission.submit.json", "2019-05-16T08:35:00Z", nil)
	f.tick("2019-05-16T09:30:00Z")
	f.tick("2019-05-20T08:40:00Z") // the issue is opened
	f.api.take()
	id := ID{Client: "hello", Person: "octo", Date: date("2019-05-16")}
	if n, _, err := f.st.Ticket(ctx, id); err != nil || n != 1 {
		t.Fatalf("ticket %d %v", n, err)
	}
	if _, err := f.st.API.(*dynamodb.Client).DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(f.st.Table), Key: store.Key("EFFECT#standup:overdue:"+id.String(), "effect"),
	}); err != nil {
		t.Fatal(err)
	}
	f.interact("standup.view_submission.review.json", "2019-09-20T09:05:00Z", nil)
	f.process("rituals#standup.reviewed#hello/octo/2019-05-16")
	only(t, f.api.take(), "POST /repos/Codertocat/hr/issues/1/comments", "PATCH /repos/Codertocat/hr/issues/1")
	if _, closed, _ := f.st.Ticket(ctx, id); !closed {
		t.Fatal("the closed issue is not recorded on the review")
	}
	f.process("rituals#standup.reviewed#hello/octo/2019-05-16")
	only(t, f.api.take())
}

// TestReviewIssueClosesWithOneComment: when closing the overdue-review issue fails after its
// comment was posted (GitHub answers the close with a 502), the retry closes it without posting
// the comment again — each call is its own effect. Found by the chaos test (seed 436327344).
func TestReviewIssueClosesWithOneComment(t *testing.T) {
	t.Parallel()
	f := newFlow(t, "testdata/flow.yaml")
	ctx := context.Background()
	f.tick("2019-05-16T05:00:00Z")
	f.interact("standup.view_submission.submit.json", "2019-05-16T08:35:00Z", nil)
	f.tick("2019-05-16T09:30:00Z")
	f.tick("2019-05-20T08:40:00Z") // the issue is opened
	f.api.take()
	f.interact("standup.view_submission.review.json", "2019-05-20T09:05:00Z", nil)
	e, err := f.events.GetEvent(ctx, "rituals#standup.reviewed#hello/octo/2019-05-16")
	if err != nil {
		t.Fatal(err)
	}
	f.api.mu.Lock()
	f.api.ghStatus["PATCH /repos/Codertocat/hr/issues/1"] = http.StatusBadGateway
	f.api.mu.Unlock()
	if err := f.proc.Process(ctx, e); err == nil {
		t.Fatal("the close failed, yet the record was processed")
	}
	only(t, f.api.take(), "POST /repos/Codertocat/hr/issues/1/comments")
	f.api.mu.Lock()
	delete(f.api.ghStatus, "PATCH /repos/Codertocat/hr/issues/1")
	f.api.mu.Unlock()
	f.process("rituals#standup.reviewed#hello/octo/2019-05-16") // the stream's retry
	only(t, f.api.take(), "PATCH /repos/Codertocat/hr/issues/1")
}
