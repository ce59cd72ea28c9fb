package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/infra/standins"
)

// The standup feature end to end: the real bootstraps behind the local API Gateway, the
// schedule and stream mappings of template.yaml, DynamoDB Local and the stand-ins. Real GitHub
// payloads (events/github: Codertocat in Codertocat/Hello-World, May 2019) build the footprint;
// the team config is shared/standup/testdata/flow.yaml (Octo = Codertocat in London, Mona in
// New York, Frank the delivery manager, Carol the client's reviewer). The stack's clock is set
// to the simulated day, so the Slack requests are signed and stamped at those times.

var standupFunctions = []string{
	"GitHubWebhookFunction", "ActivityRecorderFunction", "SlackInteractionsFunction",
	"SlackCommandsFunction", "StandupSchedulerFunction", "StandupProcessorFunction",
}

// standupClock is the stack's settable clock.
type standupClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *standupClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *standupClock) Set(s string) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t, _ = time.Parse(time.RFC3339, s)
	return c.t
}

// standupE2E is the stack on the simulated day's clock; every request and tick returns once
// the streams processed what it caused.
type standupE2E struct {
	*harness
	clock *standupClock
	seen  int64
}

func standupStart(t *testing.T) *standupE2E {
	t.Helper()
	clock := &standupClock{}
	clock.Set("2019-05-16T04:00:00Z")
	h := startStackWith(t, "../../shared/standup/testdata/flow.yaml", stackOptions{Now: clock.Now, Settle: 2}, standupFunctions...)
	return &standupE2E{harness: h, clock: clock}
}

// deliver sends the real GitHub payload events/github/<file>, of the event its name begins with.
func (e *standupE2E) deliver(file string) {
	e.t.Helper()
	if code, _ := e.github(strings.SplitN(file, ".", 2)[0], "standup-e2e-"+file, fixture(e.t, "github/"+file)); code != http.StatusAccepted {
		e.t.Fatalf("github %s: %d", file, code)
	}
}

// fire fires the standup schedule as if at at (and sets the clock there).
func (e *standupE2E) fire(at string) {
	e.t.Helper()
	e.schedule("StandupSchedulerFunction", "Tick", e.clock.Set(at))
}

// calls returns the outbox calls since the previous calls().
func (e *standupE2E) calls() []standins.Call {
	all := e.st.Outbox().Calls(standins.Filter{Since: e.seen})
	if n := len(all); n > 0 {
		e.seen = all[n-1].Seq
	}
	return all
}

func standupJSON(c standins.Call) string {
	b, _ := json.Marshal(c.Request)
	return string(b)
}

func standupExpect(t *testing.T, what string, calls []standins.Call, api string, subs ...string) standins.Call {
	t.Helper()
	for _, c := range calls {
		if c.API != api {
			continue
		}
		body := standupJSON(c)
		ok := true
		for _, s := range subs {
			if !strings.Contains(body, s) {
				ok = false
			}
		}
		if ok {
			if c.Status >= 300 || !c.Authorized {
				t.Fatalf("%s: %s answered %d (authorized %v): %v", what, api, c.Status, c.Authorized, c.Response)
			}
			if r, _ := c.Response.(map[string]any); r != nil && r["ok"] == false {
				t.Fatalf("%s: %s refused: %v", what, api, r)
			}
			return c
		}
	}
	var seen []string
	for _, c := range calls {
		seen = append(seen, c.API+" "+standupJSON(c))
	}
	t.Fatalf("%s: no %s call with %q among:\n%s", what, api, subs, strings.Join(seen, "\n"))
	return standins.Call{}
}

func standupNone(t *testing.T, what string, calls []standins.Call) {
	t.Helper()
	if len(calls) > 0 {
		var seen []string
		for _, c := range calls {
			seen = append(seen, c.API)
		}
		t.Fatalf("%s: want no calls, got %v", what, seen)
	}
}

func TestStandupEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	e := standupStart(t)

	// Octo's footprint, from real GitHub payloads.
	for _, f := range []string{"issues.opened.json", "issue_comment.created.json", "issues.assigned.json", "pull_request.opened.json", "push.json"} {
		e.deliver(f)
	}
	e.calls()

	// Due time: 06:00 in London (BST) = 05:00Z. The standup is created silently; the same
	// tick again changes nothing.
	e.fire("2019-05-16T05:00:00Z")
	e.fire("2019-05-16T05:00:00Z")
	standupNone(t, "due tick", e.calls())

	// Nag time, 09:30 BST: one DM with a Fill in button; the same tick again sends nothing.
	e.fire("2019-05-16T08:30:00Z")
	standupExpect(t, "nag", e.calls(), "chat.postMessage", "U0OCTOCAT1", "standup:open", "hello/octo/2019-05-16", "Fill in")
	e.fire("2019-05-16T08:30:00Z")
	standupNone(t, "repeated nag tick", e.calls())

	// Fill in opens the modal pre-filled from the footprint.
	e.clock.Set("2019-05-16T08:31:00Z")
	if code, _ := e.interact("standup.block_actions.open.json"); code != http.StatusOK {
		t.Fatalf("open: %d", code)
	}
	standupExpect(t, "modal", e.calls(), "views.open", "standup:submit", "Codertocat/Hello-World", "Spelling error in the README file", "opened PR")

	// Submit through the real view_submission payload: the blocker goes to Frank at once.
	e.clock.Set("2019-05-16T08:35:00Z")
	if code, body := e.interact("standup.view_submission.submit.json"); code != http.StatusOK || strings.Contains(body, "errors") {
		t.Fatalf("submit: %d %s", code, body)
	}
	standupExpect(t, "blocker escalation", e.calls(), "chat.postMessage", "U0FRANK001", "Waiting for review rights", "standup:view")

	// Digest at 10:30 BST and the reviewer's message with a Review button.
	e.fire("2019-05-16T09:30:00Z")
	calls := e.calls()
	standupExpect(t, "digest", calls, "chat.postMessage", "C0OCTODIG1", "Fix the README spelling", "Waiting for review rights", "Mona Lisa")
	standupExpect(t, "reviewer message", calls, "chat.postMessage", "U0CAROL001", "standup:review", "hello/octo/2019-05-16")
	e.fire("2019-05-16T09:30:00Z")
	standupNone(t, "repeated digest tick", e.calls())

	// Mona (New York) submits after the digest: her standup goes to the digest's thread.
	e.fire("2019-05-16T10:00:00Z")
	e.calls()
	e.clock.Set("2019-05-16T10:05:00Z")
	if code, body := e.interact("standup.view_submission.submit.json", func(m map[string]any) {
		m["user"].(map[string]any)["id"] = "U0MONA0001"
		m["view"].(map[string]any)["private_metadata"] = "hello/mona/2019-05-16"
	}); code != http.StatusOK || strings.Contains(body, "errors") {
		t.Fatalf("late submit: %d %s", code, body)
	}
	standupExpect(t, "late standup in the digest thread", e.calls(), "chat.postMessage", "C0OCTODIG1", "thread_ts", "Mona Lisa")

	// Octo's review is overdue after two of Carol's business days (Monday 08:35Z): one issue
	// in the HR repo, assigned to Carol; the same tick again opens none.
	e.fire("2019-05-20T08:40:00Z")
	issue := standupExpect(t, "overdue HR issue", e.calls(), "issues/create", "Standup review overdue: Octo Cat, 2019-05-16", "carol-hr")
	if !strings.Contains(issue.Path, "/repos/Codertocat/hr/issues") {
		t.Fatalf("issue opened at %s", issue.Path)
	}
	e.fire("2019-05-20T08:40:00Z")
	standupNone(t, "repeated overdue tick", e.calls())

	// Review: the reviewer's modal, Mark reviewed, and the issue closes itself.
	e.clock.Set("2019-05-20T09:00:00Z")
	e.interact("standup.block_actions.review.json")
	standupExpect(t, "review modal", e.calls(), "views.open", "standup:review_submit", "Mark reviewed")
	if code, body := e.interact("standup.view_submission.review.json"); code != http.StatusOK || strings.Contains(body, "errors") {
		t.Fatalf("review: %d %s", code, body)
	}
	standupExpect(t, "issue closed", e.calls(), "issues/update", "closed")

	if dl := e.st.DeadLetters(); len(dl) > 0 {
		t.Fatalf("dead letters: %+v", dl)
	}
}
