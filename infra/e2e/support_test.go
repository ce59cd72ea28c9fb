package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/infra/standins"
)

// The support feature's end-to-end tests: the real bootstraps behind the local API Gateway,
// stream mappings and schedules of template.yaml, DynamoDB Local and the stand-ins, driven
// with signed real payloads (events/github from @octokit/webhooks-examples, events/slack
// shaped like Slack's documentation). The team config is shared/support/testdata/rituals.yaml:
// team "triage" takes label "bug" in Codertocat/Hello-World, the fixtures' repository.

// supportFunctions are the functions the support flow needs.
var supportFunctions = []string{"GitHubWebhookFunction", "SlackInteractionsFunction", "SlackCommandsFunction", "SupportTriageFunction"}

// supportStack starts a stack with the support functions and the test team config pushed;
// every request and tick returns once the streams processed what it caused.
func supportStack(t *testing.T) *harness {
	t.Helper()
	return startStackWith(t, "../../shared/support/testdata/rituals.yaml", stackOptions{Settle: 2}, supportFunctions...)
}

// supportTick fires the support function's schedule as if at at.
func supportTick(h *harness, at time.Time) {
	h.t.Helper()
	h.schedule("SupportTriageFunction", "Tick", at)
}

func supportIssue(m map[string]any) map[string]any { return m["issue"].(map[string]any) }

// supportLabels replaces the issue's labels, in the shape of its first one.
func supportLabels(names ...string) func(map[string]any) {
	return func(m map[string]any) {
		proto := supportIssue(m)["labels"].([]any)[0].(map[string]any)
		var ls []any
		for _, n := range names {
			l := map[string]any{}
			for k, v := range proto {
				l[k] = v
			}
			l["name"] = n
			ls = append(ls, l)
		}
		supportIssue(m)["labels"] = ls
	}
}

// supportClosed derives the "closed" delivery from the real reopened one: @octokit's package
// has no issues.closed example (see events/README.md).
func supportClosed(t *testing.T) []byte {
	return fixture(t, "github/issues.reopened.json", func(m map[string]any) {
		m["action"] = "closed"
		supportIssue(m)["state"] = "closed"
		supportIssue(m)["updated_at"] = "2021-10-12T09:00:00Z"
		supportIssue(m)["closed_at"] = "2021-10-12T09:00:00Z"
	})
}

// supportCalls returns the outbox calls to service/api after since.
func supportCalls(h *harness, service, api string, since int64) []standins.Call {
	return h.st.Outbox().Calls(standins.Filter{Service: service, API: api, Since: since})
}

// supportTopLevel are chat.postMessage calls to the support channel outside any thread.
func supportTopLevel(cs []standins.Call) []standins.Call {
	var out []standins.Call
	for _, c := range cs {
		if c.Arg("channel") == "C0TRIAGESUP" && c.Arg("thread_ts") == "" && !strings.Contains(c.Arg("text"), "handover") {
			out = append(out, c)
		}
	}
	return out
}

func supportDMs(h *harness, since int64) []string {
	var users []string
	for _, c := range supportCalls(h, "slack", "conversations.open", since) {
		users = append(users, c.Arg("users"))
	}
	return users
}

// TestSupportLabelAnnouncesOnce: the label gives one channel post and one missing-sections
// comment; the same delivery again, and a second delivery of the same state, give nothing new.
func TestSupportLabelAnnouncesOnce(t *testing.T) {
	t.Parallel()
	h := supportStack(t)
	labeled := fixture(t, "github/issues.labeled.json")
	if code, _ := h.github("issues", "sup-label-1", labeled); code != http.StatusAccepted {
		t.Fatalf("webhook answered %d", code)
	}
	posts := supportTopLevel(supportCalls(h, "slack", "chat.postMessage", 0))
	comments := supportCalls(h, "github", "issues/create-comment", 0)
	if len(posts) != 1 || !strings.Contains(posts[0].Arg("blocks"), "support:ack") {
		t.Fatalf("announcements: %+v", posts)
	}
	if len(comments) != 1 || comments[0].Path != "/repos/Codertocat/Hello-World/issues/1/comments" ||
		!strings.Contains(comments[0].Arg("body"), "**Description**, **Background** and **Impact**") {
		t.Fatalf("sections comments: %+v", comments)
	}
	last := h.st.Outbox().Last()
	h.github("issues", "sup-label-1", labeled)                                  // redelivery
	h.github("issues", "sup-opened-1", fixture(t, "github/issues.opened.json")) // same state, same second
	for _, c := range supportCalls(h, "", "", last) {
		t.Errorf("redelivery caused %s %s", c.Service, c.API)
	}
}

// TestSupportAckCommentsAndUpdates: Acknowledge (real block_actions shape) opens the modal;
// the submission (real view_submission shape) gives a GitHub comment, a message update, a
// thread line and a DM to the requester.
func TestSupportAckCommentsAndUpdates(t *testing.T) {
	t.Parallel()
	h := supportStack(t)
	h.github("issues", "sup-ack-1", fixture(t, "github/issues.labeled.json"))
	since := h.st.Outbox().Last()
	if code, body := h.interact("support.block_actions.ack.json"); code != 200 {
		t.Fatalf("block_actions: %d %s", code, body)
	}
	views := supportCalls(h, "slack", "views.open", since)
	if len(views) != 1 || !strings.Contains(views[0].Arg("view"), `"callback_id":"support:ack_modal"`) {
		t.Fatalf("views.open: %+v", views)
	}
	// A bad ETA keeps the modal open with the field's error.
	code, body := h.interact("support.view_submission.ack.json", func(m map[string]any) {
		m["view"].(map[string]any)["state"].(map[string]any)["values"].(map[string]any)["eta"].(map[string]any)["eta"].(map[string]any)["value"] = "whenever"
	})
	if code != 200 || !strings.Contains(body, `"response_action":"errors"`) || !strings.Contains(body, `"eta"`) {
		t.Fatalf("bad ETA: %d %s", code, body)
	}
	since = h.st.Outbox().Last()
	if code, body := h.interact("support.view_submission.ack.json"); code != 200 || strings.Contains(body, "errors") {
		t.Fatalf("view_submission: %d %s", code, body)
	}
	comments := supportCalls(h, "github", "issues/create-comment", since)
	if len(comments) != 1 || !strings.Contains(comments[0].Arg("body"), "**Acknowledged** by Ann Lee (@ann-lee)") ||
		!strings.Contains(comments[0].Arg("body"), "> Which README did you read") {
		t.Fatalf("ack comment: %+v", comments)
	}
	updates := supportCalls(h, "slack", "chat.update", since)
	if len(updates) != 1 || !strings.Contains(updates[0].Arg("blocks"), "Acknowledged by") {
		t.Fatalf("chat.update: %+v", updates)
	}
	if dms := supportDMs(h, since); len(dms) != 1 || dms[0] != "U0OCTO0006" {
		t.Fatalf("requester DM: %v", dms)
	}
	// An outsider clicking gets the ephemeral refusal.
	since = h.st.Outbox().Last()
	h.interact("support.block_actions.ack.json", func(m map[string]any) { m["user"].(map[string]any)["id"] = "U0ZED00007" })
	if eph := supportCalls(h, "slack", "chat.postEphemeral", since); len(eph) != 1 || eph[0].Arg("text") != "Only Triage can acknowledge this support request." {
		t.Fatalf("outsider: %+v", eph)
	}
}

// TestSupportCloseResolves: closing the issue resolves the request; its buttons then say it no
// longer exists.
func TestSupportCloseResolves(t *testing.T) {
	t.Parallel()
	h := supportStack(t)
	h.github("issues", "sup-close-1", fixture(t, "github/issues.labeled.json"))
	since := h.st.Outbox().Last()
	h.github("issues", "sup-close-2", supportClosed(t))
	updates := supportCalls(h, "slack", "chat.update", since)
	if len(updates) != 1 || !strings.Contains(updates[0].Arg("blocks"), "Resolved") || strings.Contains(updates[0].Arg("blocks"), "support:ack") {
		t.Fatalf("update on close: %+v", updates)
	}
	var resolved int
	for _, c := range supportCalls(h, "slack", "chat.postMessage", since) {
		if c.Arg("thread_ts") != "" && strings.Contains(c.Arg("text"), "request resolved") {
			resolved++
		}
	}
	if resolved != 1 {
		t.Fatalf("%d resolved thread lines", resolved)
	}
	since = h.st.Outbox().Last()
	h.interact("support.block_actions.ack.json")
	if eph := supportCalls(h, "slack", "chat.postEphemeral", since); len(eph) != 1 || !strings.Contains(eph[0].Arg("text"), "no longer exists") {
		t.Fatalf("stale button: %+v", eph)
	}
}

// TestSupportUrgentNagsStopAfterAck: a p1 DMs the engineer on rotation at once and at each
// interval (schedule fired with a chosen time), and no more once acknowledged.
func TestSupportUrgentNagsStopAfterAck(t *testing.T) {
	t.Parallel()
	h := supportStack(t)
	opened := time.Now()
	h.github("issues", "sup-p1-1", fixture(t, "github/issues.labeled.json", supportLabels("bug", "p1")))
	if dms := supportDMs(h, 0); len(dms) != 1 {
		t.Fatalf("p1 did not page at once: %v", dms)
	}
	since := h.st.Outbox().Last()
	supportTick(h, opened.Add(31*time.Minute))
	supportTick(h, opened.Add(32*time.Minute))
	if dms := supportDMs(h, since); len(dms) != 1 {
		t.Fatalf("nags after 31 and 32 minutes: %v", dms)
	}
	h.interact("support.view_submission.ack.json")
	since = h.st.Outbox().Last()
	for _, after := range []time.Duration{61 * time.Minute, 3 * time.Hour} {
		supportTick(h, opened.Add(after))
	}
	if dms := supportDMs(h, since); len(dms) != 0 {
		t.Fatalf("nagged after the ack: %v", dms)
	}
}

// TestSupportHandoverAcrossDST: the handover is posted once, at 09:00 Europe/London on the
// Monday after the clocks go forward (08:00 UTC), naming that week's engineer.
func TestSupportHandoverAcrossDST(t *testing.T) {
	t.Parallel()
	h := supportStack(t)
	handovers := func(since int64) []standins.Call {
		var out []standins.Call
		for _, c := range supportCalls(h, "slack", "chat.postMessage", since) {
			if strings.Contains(c.Arg("text"), "Support handover") {
				out = append(out, c)
			}
		}
		return out
	}
	supportTick(h, time.Date(2026, 3, 30, 7, 55, 0, 0, time.UTC))
	if got := handovers(0); len(got) != 0 {
		t.Fatalf("handover before 09:00 BST: %s", got[0].Arg("text"))
	}
	supportTick(h, time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC))
	supportTick(h, time.Date(2026, 3, 30, 8, 5, 0, 0, time.UTC))
	got := handovers(0)
	if len(got) != 1 || got[0].Arg("channel") != "C0TRIAGESUP" || !strings.Contains(got[0].Arg("text"), "<@U0ANN00001> is on support until Mon 6 Apr 09:00 BST") {
		t.Fatalf("handovers: %+v", got)
	}
}
