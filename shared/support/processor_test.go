package support

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

var hello1 = ID{Team: "triage", Repo: "Codertocat/Hello-World", Number: 1}

// closedPayload derives an issues "closed" delivery from the real reopened one (the package
// @octokit/webhooks-examples has no closed example; see events/README.md).
func closedPayload(t testing.TB, updated string) []byte {
	return payload(t, "issues.reopened.json", withAction("closed"), withUpdated(updated), withState("closed"))
}

// actionPayload is the block_actions fixture for action id by Slack user.
func actionPayload(t testing.TB, action, user string) slack.InteractionCallback {
	return callback(t, slackFixture(t, "support.block_actions.ack.json", func(m map[string]any) {
		m["user"].(map[string]any)["id"] = user
		a := m["actions"].([]any)[0].(map[string]any)
		a["action_id"] = action
	}))
}

// submission is the view_submission fixture with the ETA text and user replaced.
func submission(t testing.TB, user, eta string) slack.InteractionCallback {
	return callback(t, slackFixture(t, "support.view_submission.ack.json", func(m map[string]any) {
		m["user"].(map[string]any)["id"] = user
		vals := m["view"].(map[string]any)["state"].(map[string]any)["values"].(map[string]any)
		vals["eta"].(map[string]any)["eta"].(map[string]any)["value"] = eta
	}))
}

func apis(cs []call) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.API)
	}
	return out
}

// blocksOf returns a Slack call's blocks JSON with <, > and & unescaped, for matching.
func blocksOf(c call) string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(c.Form.Get("blocks"))
}

func countWith(cs []call, sub string) int {
	n := 0
	for _, c := range cs {
		if strings.Contains(c.text(), sub) || strings.Contains(blocksOf(c), sub) {
			n++
		}
	}
	return n
}

// TestRequestLifecycle drives one request from its label to its close through the processor,
// the buttons and the modal, against DynamoDB Local and recording Slack and GitHub servers.
func TestRequestLifecycle(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testConfig(t))
	ctx := context.Background()
	// Monday 2 March 2026 10:00 GMT: week 8 of the rotation, cat's week.
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	labeled := payload(t, "issues.labeled.json")

	// 1. The label opens one request: one announcement, one sections comment, the board.
	if err := h.issue(t, labeled, t0); err != nil {
		t.Fatal(err)
	}
	posts := h.fakes.Calls("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("channel") != "C0TRIAGESUP" || posts[0].Form.Get("thread_ts") != "" {
		t.Fatalf("announcement posts: %+v", posts)
	}
	blocks := blocksOf(posts[0])
	for _, want := range []string{"support:ack", "support:eta", "support:loop", "support:own", `"value":"triage:Codertocat/Hello-World#1"`, "<@U0CAT00003>", "Missing sections", "Background", "<@U0OCTO0006>", "p3"} {
		if !strings.Contains(blocks, want) {
			t.Errorf("announcement lacks %q: %s", want, blocks)
		}
	}
	comments := h.fakes.Calls("create-comment")
	if len(comments) != 1 || !strings.Contains(comments[0].text(), "**Description**, **Background** and **Impact**") || !strings.Contains(comments[0].text(), "## Impact") {
		t.Fatalf("sections comment: %+v", comments)
	}
	if gql := h.fakes.Calls("graphql"); len(gql) != 3 || countWith(gql, "addProjectV2ItemById") != 1 || countWith(gql, "updateProjectV2ItemFieldValue") != 1 {
		t.Fatalf("board calls: %v", apis(gql))
	} else if v := gql[2].JSON["variables"].(map[string]any); v["optionId"] != "opt_support" || v["itemId"] != "PVTI_item1" || v["fieldId"] != "PVTSSF_status" {
		t.Errorf("status set with %v", v)
	}
	if dms := h.fakes.Calls("conversations.open"); len(dms) != 0 {
		t.Errorf("a p3 request paged someone: %+v", dms)
	}
	r := h.request(t, hello1)
	if r.State != Open || r.TS == "" || r.Synced != 1 || r.Engineer != "cat" || !r.Created.Equal(t0) {
		t.Fatalf("request after label: %+v", r)
	}

	// 2. Redelivery and a same-second "opened" change nothing outside.
	h.fakes.Reset()
	if err := h.issue(t, labeled, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := h.issue(t, payload(t, "issues.opened.json"), t0.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := h.fakes.Calls(""); len(got) != 0 {
		t.Fatalf("redelivery made calls: %v", apis(got))
	}

	// 3. An edit that completes the sections updates the message and the thread; no second
	// comment.
	edited := payload(t, "issues.edited.json", withUpdated("2019-05-15T15:30:00Z"), withBody(fullBody))
	if err := h.issue(t, edited, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := apis(h.fakes.Calls("")); !slices.Equal(got, []string{"chat.postMessage", "chat.update"}) {
		t.Fatalf("after the edit: %v", got)
	}
	line := h.fakes.Calls("chat.postMessage")[0]
	if line.Form.Get("thread_ts") != r.TS || !strings.Contains(line.text(), "All required sections") {
		t.Errorf("thread line %v", line.Form)
	}
	if upd := h.fakes.Calls("chat.update")[0]; upd.Form.Get("ts") != r.TS || strings.Contains(blocksOf(upd), "Missing sections") {
		t.Errorf("update still shows missing sections: %s", blocksOf(upd))
	}

	// 4. Someone outside the team is told only the team can acknowledge.
	h.fakes.Reset()
	t1 := t0.Add(20 * time.Minute)
	if _, err := h.ix.Handle(ctx, actionPayload(t, ActionAck, "U0ZED00007"), t1); err != nil {
		t.Fatal(err)
	}
	if eph := h.fakes.Calls("chat.postEphemeral"); len(eph) != 1 || eph[0].text() != "Only Triage can acknowledge this support request." || eph[0].Form.Get("user") != "U0ZED00007" {
		t.Fatalf("outsider: %+v", eph)
	}
	if len(h.fakes.Calls("views.open")) != 0 {
		t.Fatal("outsider got the modal")
	}

	// 5. Acknowledge: the modal opens; a bad ETA keeps it open; a good one records the ack.
	h.fakes.Reset()
	if _, err := h.ix.Handle(ctx, actionPayload(t, ActionAck, "U0ANN00001"), t1); err != nil {
		t.Fatal(err)
	}
	views := h.fakes.Calls("views.open")
	if len(views) != 1 || views[0].JSON["trigger_id"] != "1774000100.000200.0123456789abcdef0123456789abcdef" {
		t.Fatalf("views.open: %+v", views)
	}
	view := views[0].JSON["view"].(map[string]any)
	if view["callback_id"] != ModalAck || view["private_metadata"] != hello1.String() {
		t.Errorf("modal %v", view)
	}
	out, err := h.ix.Handle(ctx, submission(t, "U0ANN00001", "yesterday-ish"), t1)
	if err != nil {
		t.Fatal(err)
	}
	if ve, ok := out.(*ViewErrors); !ok || ve.ResponseAction != "errors" || !strings.Contains(ve.Errors["eta"], "yesterday-ish") {
		t.Fatalf("bad ETA answer: %#v", out)
	}
	if h.request(t, hello1).Acked.IsZero() == false {
		t.Fatal("a bad ETA was recorded")
	}
	out, err = h.ix.Handle(ctx, submission(t, "U0ANN00001", "in 2h"), t1)
	if err != nil || out != nil {
		t.Fatalf("good ETA answer: %#v %v", out, err)
	}
	r = h.request(t, hello1)
	if !r.Acked.Equal(t1) || r.AckedBy != "ann" || !r.ETA.Equal(t1.Add(2*time.Hour)) || !strings.Contains(r.Questions, "Which README") {
		t.Fatalf("ack not recorded: %+v", r)
	}
	h.fakes.Reset()
	h.flush(t)
	comments = h.fakes.Calls("create-comment")
	if len(comments) != 1 || !strings.Contains(comments[0].text(), "**Acknowledged** by Ann Lee (@ann-lee)") ||
		!strings.Contains(comments[0].text(), "**ETA:** Mon 2 Mar 2026 12:20 GMT") || !strings.Contains(comments[0].text(), "> Which README") {
		t.Fatalf("ack comment: %+v", comments)
	}
	if opens := h.fakes.Calls("conversations.open"); len(opens) != 1 || opens[0].Form.Get("users") != "U0OCTO0006" {
		t.Fatalf("requester DM: %+v", opens)
	}
	if countWith(h.fakes.Calls("chat.postMessage"), "was acknowledged by <@U0ANN00001>") != 1 || countWith(h.fakes.Calls("chat.postMessage"), "acknowledged after 20m") != 1 {
		t.Errorf("DM or thread line missing: %v", h.fakes.Calls("chat.postMessage"))
	}
	if upd := h.fakes.Calls("chat.update"); len(upd) != 1 || !strings.Contains(blocksOf(upd[0]), "Acknowledged by <@U0ANN00001>") {
		t.Fatalf("message update after ack: %+v", upd)
	}

	// 6. Loop in EM & PM: a thread line mentioning both, once.
	h.fakes.Reset()
	if _, err := h.ix.Handle(ctx, actionPayload(t, ActionLoop, "U0BEN00002"), t1); err != nil {
		t.Fatal(err)
	}
	h.flush(t)
	if n := countWith(h.fakes.Calls("chat.postMessage"), "<@U0EMMA0004> <@U0PETE0005>: <@U0BEN00002> loops you in"); n != 1 {
		t.Fatalf("loop line: %v", h.fakes.Calls("chat.postMessage"))
	}
	if _, err := h.ix.Handle(ctx, actionPayload(t, ActionLoop, "U0CAT00003"), t1); err != nil {
		t.Fatal(err)
	}
	if eph := h.fakes.Calls("chat.postEphemeral"); len(eph) != 1 || !strings.Contains(eph[0].text(), "already looped in") {
		t.Fatalf("second loop: %+v", eph)
	}

	// 7. Ownership: assigned on GitHub; a second member takes it over.
	h.fakes.Reset()
	if _, err := h.ix.Handle(ctx, actionPayload(t, ActionOwn, "U0ANN00001"), t1); err != nil {
		t.Fatal(err)
	}
	h.flush(t)
	if _, err := h.ix.Handle(ctx, actionPayload(t, ActionOwn, "U0BEN00002"), t1.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	h.flush(t)
	add, rm := h.fakes.Calls("add-assignees"), h.fakes.Calls("remove-assignees")
	if len(add) != 2 || add[0].JSON["assignees"].([]any)[0] != "ann-lee" || add[1].JSON["assignees"].([]any)[0] != "benode" {
		t.Fatalf("assignees added: %+v", add)
	}
	if len(rm) != 1 || rm[0].JSON["assignees"].([]any)[0] != "ann-lee" {
		t.Fatalf("assignees removed: %+v", rm)
	}
	if n := countWith(h.fakes.Calls("chat.postMessage"), "<@U0BEN00002> took over ownership from <@U0ANN00001>"); n != 1 {
		t.Errorf("takeover line missing")
	}
	if r = h.request(t, hello1); r.Owner != "ben" {
		t.Fatalf("owner %q", r.Owner)
	}

	// 8. Close resolves: the message loses its buttons; the thread says so.
	h.fakes.Reset()
	t2 := t0.Add(26 * time.Hour)
	if err := h.issue(t, closedPayload(t, "2019-05-16T10:00:00Z"), t2); err != nil {
		t.Fatal(err)
	}
	upd := h.fakes.Calls("chat.update")
	if len(upd) != 1 || strings.Contains(blocksOf(upd[0]), "support:ack") || !strings.Contains(blocksOf(upd[0]), "Resolved") {
		t.Fatalf("close update: %+v", upd)
	}
	if countWith(h.fakes.Calls("chat.postMessage"), "request resolved") != 1 {
		t.Errorf("no resolved line: %v", h.fakes.Calls("chat.postMessage"))
	}
	if r = h.request(t, hello1); r.State != Resolved {
		t.Fatalf("state %q", r.State)
	}

	// 9. Buttons and the modal on the closed request say it no longer exists.
	h.fakes.Reset()
	if _, err := h.ix.Handle(ctx, actionPayload(t, ActionOwn, "U0ANN00001"), t2); err != nil {
		t.Fatal(err)
	}
	if eph := h.fakes.Calls("chat.postEphemeral"); len(eph) != 1 || eph[0].text() != StaleText {
		t.Fatalf("stale button: %+v", eph)
	}
	out, _ = h.ix.Handle(ctx, submission(t, "U0ANN00001", "in 2h"), t2)
	if ve, ok := out.(*ViewErrors); !ok || ve.Errors["eta"] != StaleText {
		t.Fatalf("stale submission: %#v", out)
	}

	// 10. The whole history again (a replayed stream) repeats nothing.
	h.fakes.Reset()
	for i, b := range [][]byte{labeled, edited, closedPayload(t, "2019-05-16T10:00:00Z")} {
		if err := h.issue(t, b, t0.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if got := h.fakes.Calls(""); len(got) != 0 {
		t.Fatalf("replay made calls: %v", apis(got))
	}
}

// TestGitHubFailureIsRetried: a GitHub outage fails the record (so Lambda retries it) after
// the request is stored; the retry finishes the effects without repeating the done ones.
func TestGitHubFailureIsRetried(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testConfig(t))
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	h.fakes.failGitHub = 1
	err := h.issue(t, payload(t, "issues.labeled.json"), t0)
	if err == nil {
		t.Fatal("a GitHub 502 did not fail the record")
	}
	r := h.request(t, hello1)
	if r.State != Open || r.Synced != 0 {
		t.Fatalf("request not kept for the retry: %+v", r)
	}
	if n := len(h.fakes.Calls("chat.postMessage")); n != 1 {
		t.Fatalf("%d announcements before the failure", n)
	}
	// The stream retries the same record.
	if err := h.issue(t, payload(t, "issues.labeled.json"), t0); err != nil {
		t.Fatal(err)
	}
	if n, c := len(h.fakes.Calls("chat.postMessage")), len(h.fakes.Calls("create-comment")); n != 1 || c != 1 {
		t.Fatalf("after the retry: %d posts, %d comments", n, c)
	}
	if r := h.request(t, hello1); r.Synced != 1 {
		t.Fatalf("not synced after the retry: %+v", r)
	}
}

// TestPermanentGitHubRefusalIsSkipped: a board the token cannot see is logged and skipped, so
// it does not hold the request's other effects back forever.
func TestPermanentGitHubRefusalIsSkipped(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testConfig(t, "board: {owner: Codertocat, project: 1}", "board: {owner: Codertocat, project: 1, status: Triage}"))
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if err := h.issue(t, payload(t, "issues.labeled.json"), t0); err != nil {
		t.Fatal(err)
	}
	if n := countWith(h.fakes.Calls("graphql"), "addProjectV2ItemById"); n != 0 {
		t.Fatalf("added to a board without the status")
	}
	if r := h.request(t, hello1); r.Synced != 1 {
		t.Fatalf("request stuck: %+v", r)
	}
}

// TestUrgentRequestPagesAtOnce: a p1 DMs the engineer on rotation when it opens.
func TestUrgentRequestPagesAtOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testConfig(t))
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if err := h.issue(t, payload(t, "issues.labeled.json", withLabels("bug", "p1")), t0); err != nil {
		t.Fatal(err)
	}
	opens := h.fakes.Calls("conversations.open")
	if len(opens) != 1 || opens[0].Form.Get("users") != "U0CAT00003" {
		t.Fatalf("page: %+v", opens)
	}
	if countWith(h.fakes.Calls("chat.postMessage"), "Urgent *p1* support request") != 1 {
		t.Fatalf("page text: %v", h.fakes.Calls("chat.postMessage"))
	}
}

// TestChangedEventForUnknownRequest: an internal event naming a request that is gone is
// dropped, not retried.
func TestChangedEventForUnknownRequest(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testConfig(t))
	b, _ := json.Marshal(ChangedEvent{ID: hello1.String()})
	if err := h.p.Changed(context.Background(), storeEvent(EventChanged, b)); err != nil {
		t.Fatal(err)
	}
	if err := h.p.Changed(context.Background(), storeEvent(EventChanged, []byte("{"))); err != nil {
		t.Fatal(err)
	}
	if len(h.fakes.Calls("")) != 0 {
		t.Fatal("calls for an unknown request")
	}
}

// TestSlackFailureMidSync: a Slack error while posting a thread line fails the record; the
// retry posts the rest once, and what was done before the error is not repeated.
func TestSlackFailureMidSync(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testConfig(t))
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if err := h.issue(t, payload(t, "issues.labeled.json"), t0); err != nil {
		t.Fatal(err)
	}
	edited := payload(t, "issues.edited.json", withUpdated("2019-05-15T15:30:00Z"), withBody(fullBody), withLabels("bug", "p2"))
	h.fakes.Reset()
	h.fakes.failSlack = 1
	if err := h.issue(t, edited, t0.Add(time.Minute)); err == nil {
		t.Fatal("a Slack error did not fail the record")
	}
	if err := h.issue(t, edited, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	posts := h.fakes.Calls("chat.postMessage")
	if len(posts) != 2 || countWith(posts, "Priority is now *p2*") != 1 || countWith(posts, "All required sections") != 1 {
		t.Fatalf("thread lines after the retry: %v", posts)
	}
	if upd := h.fakes.Calls("chat.update"); len(upd) != 1 {
		t.Fatalf("%d updates", len(upd))
	}
	if r := h.request(t, hello1); r.Synced != 3 || r.Rendered != r.Content {
		t.Fatalf("request not synced: synced %d rendered %d content %d", r.Synced, r.Rendered, r.Content)
	}
}
