package labels

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/config"
)

// The team works in New York; Thanksgiving (Thu 26 Nov 2026) is a US public holiday.
var newYork, _ = time.LoadLocation("America/New_York")

// monday is Mon 23 Nov 2026 10:00 in New York: a label goes on then.
var monday = time.Date(2026, 11, 23, 10, 0, 0, 0, newYork)

func labeled(t *testing.T, n int, name string, when time.Time, others ...string) []byte {
	return payload(t, "issues.labeled.json", number(n), label(name, others...), at(when))
}

func TestNeedsInfoFlow(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	received := monday.Add(2 * time.Second)

	// Issue 1: the comment asks once; a redelivery (and the same change from a second webhook)
	// does nothing more.
	r.mustDeliver("issues", labeled(t, 1, "needs-info", monday), received)
	comments := r.calls("issues/create-comment", 0)
	if len(comments) != 1 || comments[0].Path != "/repos/Codertocat/Hello-World/issues/1/comments" {
		t.Fatalf("comments: %v", apis(comments))
	}
	body := comments[0].Arg("body")
	if !strings.Contains(body, "Thanks @Codertocat! Could you tell us the steps to reproduce Spelling error in the README file?") ||
		!strings.Contains(body, "label rule “needs-info” of Triage") {
		t.Fatalf("comment body: %q", body)
	}
	last := r.srv.Outbox().Last()
	r.mustDeliver("issues", labeled(t, 1, "needs-info", monday), received)
	r.mustDeliver("issues", labeled(t, 1, "needs-info", monday), received.Add(time.Minute))
	if cs := r.calls("", last); len(cs) != 0 {
		t.Fatalf("a redelivery called %v", apis(cs))
	}

	// The author replies: issue 1's timer is cancelled at once.
	reply := payload(t, "issue_comment.created.json", number(1), at(monday.Add(time.Hour)), func(m map[string]any) {
		issueOf(m)["labels"] = []any{map[string]any{"name": "needs-info"}}
	})
	r.mustDeliver("issue_comment", reply, monday.Add(time.Hour))
	timers, err := r.p.Timers.OfIssue(context.Background(), "triage", "Codertocat/Hello-World", 1)
	if err != nil || len(timers) != 1 || timers[0].State != Cancelled || timers[0].Error != "cancelled: the author replies" {
		t.Fatalf("issue 1's timers after the reply: %+v, %v", timers, err)
	}

	// Issue 2 gets no reply. Seven business days from Monday skip the weekend and Thanksgiving:
	// due Thursday 3 December at the same time of day, not Wednesday.
	r.mustDeliver("issues", labeled(t, 2, "needs-info", monday), received)
	timers, _ = r.p.Timers.OfIssue(context.Background(), "triage", "Codertocat/Hello-World", 2)
	wantDue := time.Date(2026, 12, 3, 10, 0, 2, 0, newYork)
	if len(timers) != 1 || !timers[0].Due.Equal(wantDue) {
		t.Fatalf("issue 2's timer: %+v, want due %v", timers, wantDue)
	}
	since := r.srv.Outbox().Last()
	for _, early := range []time.Time{time.Date(2026, 12, 2, 10, 30, 0, 0, newYork), wantDue.Add(-time.Second)} {
		if st := r.sweep(early); st.Fired != 0 || st.Read != 0 {
			t.Fatalf("sweep at %v: %+v", early, st)
		}
	}
	st := r.sweep(wantDue.Add(3 * time.Minute))
	if st.Fired != 1 || st.Read != 1 {
		t.Fatalf("sweep when due: %+v", st)
	}
	got := r.calls("", since)
	if len(got) != 2 || got[0].API != "issues/create-comment" || got[1].API != "issues/update" ||
		got[1].Path != "/repos/Codertocat/Hello-World/issues/2" || got[1].Arg("state") != "closed" || got[1].Arg("state_reason") != "not_planned" {
		t.Fatalf("when due: %v %+v", apis(got), got)
	}
	if !strings.Contains(got[0].Arg("body"), "Closing: no reply in 7 business days. @Codertocat, reply") {
		t.Fatalf("closing comment: %q", got[0].Arg("body"))
	}
	// Re-fired and later sweeps do nothing more.
	since = r.srv.Outbox().Last()
	r.sweep(wantDue.Add(3 * time.Minute))
	r.sweep(wantDue.Add(time.Hour))
	if cs := r.calls("", since); len(cs) != 0 {
		t.Fatalf("a re-fired sweep called %v", apis(cs))
	}
}

func TestLabelRemovedAndClosedCancel(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.mustDeliver("issues", labeled(t, 5, "needs-info", monday), monday)
	r.mustDeliver("issues", labeled(t, 6, "needs-info", monday), monday)
	unlabeled := payload(t, "issues.unlabeled.json", number(5), label("needs-info"), at(monday.Add(time.Hour)))
	r.mustDeliver("issues", unlabeled, monday.Add(time.Hour))
	closed := payload(t, "issues.labeled.json", number(6), label("needs-info"), action("closed"), at(monday.Add(2*time.Hour)), func(m map[string]any) { delete(m, "label") })
	r.mustDeliver("issues", closed, monday.Add(2*time.Hour))
	for n, want := range map[int]string{5: "cancelled: the label is removed", 6: "cancelled: the issue is closed"} {
		ts, err := r.p.Timers.OfIssue(context.Background(), "triage", "Codertocat/Hello-World", n)
		if err != nil || len(ts) != 1 || ts[0].State != Cancelled || ts[0].Error != want {
			t.Errorf("issue %d: %+v, %v; want %q", n, ts, err, want)
		}
	}
	since := r.srv.Outbox().Last()
	if st := r.sweep(monday.AddDate(0, 1, 0)); st.Read != 0 {
		t.Fatalf("cancelled timers are off the due index: %+v", st)
	}
	if cs := r.calls("", since); len(cs) != 0 {
		t.Fatalf("cancelled timers fired: %v", apis(cs))
	}
}

// TestLateLabelEventTriggersNothing: the removal arrives before the label (deliveries come out
// of order); the stale label event neither comments nor sets a timer.
func TestLateLabelEventTriggersNothing(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.mustDeliver("issues", payload(t, "issues.unlabeled.json", number(7), label("needs-info"), at(monday.Add(time.Minute))), monday.Add(time.Minute))
	r.mustDeliver("issues", labeled(t, 7, "needs-info", monday), monday.Add(2*time.Minute))
	if cs := r.calls("", 0); len(cs) != 0 {
		t.Fatalf("a stale label event called %v", apis(cs))
	}
	if ts, _ := r.p.Timers.OfIssue(context.Background(), "triage", "Codertocat/Hello-World", 7); len(ts) != 0 {
		t.Fatalf("timers: %+v", ts)
	}
}

// TestAuthorReplyBeforeTheLabelEvent: the author's reply is processed before the (earlier)
// label event; the timer that event sets ends at once, and never fires.
func TestAuthorReplyBeforeTheLabelEvent(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	reply := payload(t, "issue_comment.created.json", number(8), at(monday.Add(time.Hour)), func(m map[string]any) {
		issueOf(m)["labels"] = []any{map[string]any{"name": "needs-info"}}
	})
	r.mustDeliver("issue_comment", reply, monday.Add(time.Hour))
	r.mustDeliver("issues", labeled(t, 8, "needs-info", monday), monday.Add(2*time.Hour))
	ts, _ := r.p.Timers.OfIssue(context.Background(), "triage", "Codertocat/Hello-World", 8)
	if len(ts) != 1 || ts[0].State != Cancelled {
		t.Fatalf("timer: %+v", ts)
	}
	since := r.srv.Outbox().Last()
	if st := r.sweep(monday.AddDate(0, 0, 14)); st.Fired != 0 || st.Read != 0 {
		t.Fatalf("sweep: %+v", st)
	}
	if cs := r.calls("", since); len(cs) != 0 {
		t.Fatalf("fired after the author replied: %v", apis(cs))
	}
}

func TestSecurityRulePostsPrivatelyAndAssignsTheRotation(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	body := payload(t, "issues.labeled.json", number(9), label("security"), at(monday), func(m map[string]any) {
		issueOf(m)["title"] = "Token leak <img src=x> @everyone"
	})
	r.mustDeliver("issues", body, monday)
	posts := r.calls("chat.postMessage", 0)
	if len(posts) != 1 || posts[0].Arg("channel") != "G0SECURITY1" {
		t.Fatalf("posts: %+v", posts)
	}
	text := posts[0].Arg("text")
	if !strings.Contains(text, "Security report https://github.com/Codertocat/Hello-World/issues/9 by <@U0OCTO0006>: Token leak &lt;img src=x&gt; @everyone") ||
		!strings.Contains(text, "_Label rule security of Triage_") {
		t.Fatalf("post text: %q", text)
	}
	// Week 46 of the rotation that started on Mon 5 Jan 2026 (ann, ben, cat) is Ben's.
	assigned := r.calls("issues/add-assignees", 0)
	if len(assigned) != 1 || assigned[0].Arg("assignees") != `["benode"]` {
		t.Fatalf("assignees: %+v", assigned)
	}
	// The rule is on issues only: a pull request labeled security does nothing.
	since := r.srv.Outbox().Last()
	r.mustDeliver("pull_request", payload(t, "pull_request.labeled.json", label("security"), at(monday)), monday)
	if cs := r.calls("", since); len(cs) != 0 {
		t.Fatalf("a pull request triggered %v", apis(cs))
	}
}

func TestReleaseBlockerRunsEveryActionInOrder(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.mustDeliver("pull_request", payload(t, "pull_request.labeled.json", label("release-blocker"), at(monday)), monday)
	got := apis(r.calls("", 0))
	want := []string{"graphql", "graphql", "graphql", "conversations.open", "chat.postMessage", "issues/add-labels", "issues/remove-label", "issues/lock"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("calls %v, want %v", got, want)
	}
	lock := r.calls("issues/lock", 0)[0]
	if lock.Path != "/repos/Codertocat/Hello-World/issues/2/lock" || lock.Arg("lock_reason") != "resolved" {
		t.Fatalf("lock: %+v", lock)
	}
	dm := r.calls("chat.postMessage", 0)[0]
	if !strings.Contains(dm.Arg("text"), "Release blocker: https://github.com/Codertocat/Hello-World/pull/2") {
		t.Fatalf("dm: %q", dm.Arg("text"))
	}
}

// TestForbiddenIsReportedOnce: a 403 on close is told to the team's channel once, not
// retried, and the rule's other actions and later issues go on.
func TestForbiddenIsReportedOnce(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.fail.add("PATCH", "/issues/", 403, -1)
	for _, n := range []int{11, 12} {
		r.mustDeliver("issues", labeled(t, n, "needs-info", monday), monday)
	}
	due := time.Date(2026, 12, 3, 10, 0, 0, 0, newYork)
	st := r.sweep(due)
	if st.Fired != 2 || st.Failed != 0 {
		t.Fatalf("sweep: %+v", st)
	}
	var reports []string
	for _, c := range r.calls("chat.postMessage", 0) {
		if c.Arg("channel") == "C0TRIAGE01" {
			reports = append(reports, c.Arg("text"))
		}
	}
	if len(reports) != 1 || !strings.Contains(reports[0], "could not close the issue") || !strings.Contains(reports[0], "permission refused") {
		t.Fatalf("reports: %q", reports)
	}
	if n := len(r.calls("issues/create-comment", 0)); n != 4 {
		t.Fatalf("%d comments, want 2 asks and 2 closing comments", n)
	}
	since := r.srv.Outbox().Last()
	r.sweep(due.Add(time.Hour))
	if cs := r.calls("", since); len(cs) != 0 {
		t.Fatalf("retried a refused action: %v", apis(cs))
	}
}

// TestFailingTimerIsRetriedThenGivenUp: a firing that keeps failing is retried by later sweeps,
// spaced out, then given up after MaxAttempts with one notice; other timers are not held back.
func TestFailingTimerIsRetriedThenGivenUp(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.mustDeliver("issues", labeled(t, 21, "needs-info", monday), monday)
	r.mustDeliver("issues", labeled(t, 22, "needs-info", monday), monday)
	r.fail.add("POST", "/issues/21/comments", 502, -1)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, newYork)
	st, err := r.p.Sweep(context.Background(), now)
	if err == nil || st.Failed != 1 || st.Fired != 1 {
		t.Fatalf("first sweep: %+v, %v", st, err)
	}
	wait := RetryBackoff
	for attempt := 2; attempt <= MaxAttempts; attempt++ {
		if st, _ := r.p.Sweep(context.Background(), now.Add(wait-time.Second)); st.Read != 0 {
			t.Fatalf("attempt %d came early: %+v", attempt, st)
		}
		now = now.Add(wait)
		st, _ = r.p.Sweep(context.Background(), now)
		if st.Read != 1 {
			t.Fatalf("attempt %d: %+v", attempt, st)
		}
		wait *= 3
	}
	if st.Dead != 1 {
		t.Fatalf("last attempt: %+v", st)
	}
	ts, _ := r.p.Timers.OfIssue(context.Background(), "triage", "Codertocat/Hello-World", 21)
	if len(ts) != 1 || ts[0].State != Dead || !strings.Contains(ts[0].Error, "gave up after 5 attempts") {
		t.Fatalf("timer: %+v", ts)
	}
	var notices int
	for _, c := range r.calls("chat.postMessage", 0) {
		if strings.Contains(c.Arg("text"), "gave up on") {
			notices++
		}
	}
	if notices != 1 {
		t.Fatalf("%d notices", notices)
	}
	if st := r.sweep(now.AddDate(0, 0, 1)); st.Read != 0 {
		t.Fatalf("a dead timer is still due: %+v", st)
	}
}

// TestFailingRuleDoesNotBlockOthers: two rules on one label; the first's action fails, the
// delivery fails (to be retried) but the second rule ran; the retry does only what is left.
func TestFailingRuleDoesNotBlockOthers(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	extra := *r.cfg.Team("triage").LabelRule("needs-info")
	extra.ID, extra.Name, extra.Timers = "ask-again", "ask-again", nil
	team := r.cfg.Team("triage")
	team.LabelRules = append([]*config.LabelRule{&extra}, team.LabelRules...)
	r.fail.add("POST", "/comments", 502, 1)
	body := labeled(t, 31, "needs-info", monday)
	if err := r.deliver("issues", body, monday); err == nil {
		t.Fatal("want the delivery to fail")
	}
	if n := countOK(r.calls("issues/create-comment", 0)); n != 1 {
		t.Fatalf("%d comments posted; the second rule should have run", n)
	}
	r.mustDeliver("issues", body, monday) // the retry
	r.mustDeliver("issues", body, monday) // and a redelivery
	if n := countOK(r.calls("issues/create-comment", 0)); n != 2 {
		t.Fatalf("%d comments posted after the retry, want 2", n)
	}
}

func TestOverlappingSweepsDoEachThingOnce(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	const issues = 12
	for n := 100; n < 100+issues; n++ {
		r.mustDeliver("issues", labeled(t, n, "needs-info", monday), monday)
	}
	since := r.srv.Outbox().Last()
	due := time.Date(2026, 12, 3, 10, 0, 0, 0, newYork)
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = r.p.Sweep(context.Background(), due) // may meet the other's work in progress
		}()
	}
	wg.Wait()
	r.sweep(due.Add(5 * time.Minute)) // finishes whatever was in progress elsewhere
	if n := len(r.calls("issues/create-comment", since)); n != issues {
		t.Errorf("%d comments, want %d", n, issues)
	}
	if n := len(r.calls("issues/update", since)); n != issues {
		t.Errorf("%d closes, want %d", n, issues)
	}
}

func TestRepeatingTimerRemindsUpToItsLimit(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	friday := time.Date(2026, 11, 20, 15, 0, 0, 0, newYork)
	r.mustDeliver("issues", labeled(t, 41, "blocked", friday), friday)
	// Every 2 business days: Tue 24, Fri 27 (Thanksgiving skipped), Tue 1 Dec; then no more.
	for _, day := range []int{24, 27, 1, 3, 7} {
		month := time.November
		if day < 20 {
			month = time.December
		}
		r.sweep(time.Date(2026, month, day, 15, 1, 0, 0, newYork))
	}
	comments := r.calls("issues/create-comment", 0)
	dms := r.calls("conversations.open", 0)
	if len(comments) != 3 || len(dms) != 3 || dms[0].Arg("users") != "U0OCTO0006" {
		t.Fatalf("comments %d, DMs %v", len(comments), apis(dms))
	}
	if !strings.Contains(comments[0].Arg("body"), "@Codertocat: still blocked?") {
		t.Fatalf("reminder: %q", comments[0].Arg("body"))
	}
	ts, _ := r.p.Timers.OfIssue(context.Background(), "triage", "Codertocat/Hello-World", 41)
	if len(ts) != 1 || ts[0].State != Done || ts[0].Fired != 3 {
		t.Fatalf("timer: %+v", ts)
	}
}

func countOK(cs []standins.Call) int {
	n := 0
	for _, c := range cs {
		if c.Status/100 == 2 {
			n++
		}
	}
	return n
}

// TestTimerDueAcrossDST: business days keep the team's time of day when the clocks change
// (New York leaves daylight saving on Sun 1 Nov 2026): 10:00 EDT is 14:00Z, 10:00 EST 15:00Z.
func TestTimerDueAcrossDST(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	friday := time.Date(2026, 10, 23, 10, 0, 0, 0, newYork)
	r.mustDeliver("issues", labeled(t, 51, "needs-info", friday), friday)
	ts, err := r.p.Timers.OfIssue(context.Background(), "triage", "Codertocat/Hello-World", 51)
	want := time.Date(2026, 11, 3, 15, 0, 0, 0, time.UTC) // Tue 3 Nov 10:00 EST
	if err != nil || len(ts) != 1 || !ts[0].Due.Equal(want) {
		t.Fatalf("timers %+v, %v; want due %v", ts, err, want)
	}
}
