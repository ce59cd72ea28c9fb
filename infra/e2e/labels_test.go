package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/infra/standins"
)

// Label rules end to end: the real bootstraps behind the local API Gateway, the stream mapping
// (with its filter) and the sweep schedule of template.yaml, DynamoDB Local and the stand-ins,
// driven with signed real payloads (events/github, from @octokit/webhooks-examples, with the
// issue number, labels and times changed). The team config is shared/labels/testdata/rituals.yaml:
// team "triage" (New York, members in the US) watches Codertocat/Hello-World.

var labelsFunctions = []string{"GitHubWebhookFunction", "LabelRulesFunction", "SlackCommandsFunction"}

// labelsE2E is the stack on a settable clock: deliveries are received, and Slack commands
// signed, at its time.
type labelsE2E struct {
	*harness
	clock *standupClock
}

func labelsStart(t *testing.T) *labelsE2E {
	t.Helper()
	clock := &standupClock{}
	clock.Set("2026-11-23T15:00:00Z") // Monday 10:00 in New York
	h := startStackWith(t, "../../shared/labels/testdata/rituals.yaml", stackOptions{Now: clock.Now, Settle: 2}, labelsFunctions...)
	return &labelsE2E{harness: h, clock: clock}
}

// send delivers events/github/<file> as event, about issue n, changed by edits, with the
// issue's updated_at (and a comment's created_at) at the stack's time.
func (e *labelsE2E) send(event, file, delivery string, n int, edits ...func(m map[string]any)) int {
	e.t.Helper()
	now := e.clock.Now().UTC().Format(time.RFC3339)
	edits = append([]func(map[string]any){func(m map[string]any) {
		is, ok := m["issue"].(map[string]any)
		if !ok {
			is = m["pull_request"].(map[string]any)
		}
		is["number"] = n
		is["html_url"] = fmt.Sprintf("https://github.com/Codertocat/Hello-World/issues/%d", n)
		is["updated_at"] = now
		if c, ok := m["comment"].(map[string]any); ok {
			c["created_at"] = now
		}
	}}, edits...)
	code, body := e.github(event, delivery, fixture(e.t, "github/"+file, edits...))
	if code != http.StatusAccepted && code != http.StatusOK {
		e.t.Fatalf("%s %s: %d %s", event, file, code, body)
	}
	return code
}

// labelsTo sets the payload's label (for labeled/unlabeled) and the issue's labels.
func labelsTo(name string, onIssue ...string) func(map[string]any) {
	return func(m map[string]any) {
		if l, ok := m["label"].(map[string]any); ok {
			l["name"] = name
		}
		var ls []any
		for _, n := range onIssue {
			ls = append(ls, map[string]any{"name": n, "color": "ededed", "default": false})
		}
		is, ok := m["issue"].(map[string]any)
		if !ok {
			is = m["pull_request"].(map[string]any)
		}
		is["labels"] = ls
	}
}

// sweep fires the label-rule sweep as if at at (and sets the clock there).
func (e *labelsE2E) sweep(at string) {
	e.t.Helper()
	e.schedule("LabelRulesFunction", "Sweep", e.clock.Set(at))
}

// command runs a slash command as Ann, in the team's channel, at the stack's time.
func (e *labelsE2E) command(command, text string) string {
	e.t.Helper()
	body := url.Values{"command": {command}, "text": {text}, "user_id": {"U0ANN00001"}, "channel_id": {"C0TRIAGE01"}, "team_id": {"T0LOCAL"}}.Encode()
	code, answer := e.slack("/slack/commands", "application/x-www-form-urlencoded", []byte(body), e.clock.Now())
	if code != http.StatusOK {
		e.t.Fatalf("%s %s: %d %s", command, text, code, answer)
	}
	var reply struct{ Text string }
	_ = json.Unmarshal([]byte(answer), &reply)
	return reply.Text
}

func (e *labelsE2E) since(last int64) []standins.Call {
	return e.st.Outbox().Calls(standins.Filter{Since: last})
}

// TestLabelsEndToEnd runs the needs-info and security rules on one stack (each stack costs
// seconds to start).
func TestLabelsEndToEnd(t *testing.T) {
	t.Parallel()
	e := labelsStart(t)
	labelsNeedsInfo(t, e)
	labelsSecurity(t, e)
}

// labelsNeedsInfo: comment; the author replies (or the label goes) → timer cancelled; an issue
// with no reply
// is closed after 7 business days, across a weekend and Thanksgiving; redeliveries and a
// re-fired schedule do nothing twice.
func labelsNeedsInfo(t *testing.T, e *labelsE2E) {

	// Issue 1: needs-info asks the author once; the same delivery again is a duplicate, and the
	// same change from a second webhook does nothing more.
	e.send("issues", "issues.labeled.json", "lbl-ni-1", 1, labelsTo("needs-info", "needs-info"))
	ask := standupExpect(t, "the ask", e.since(0), "issues/create-comment", "Thanks @Codertocat!", "label rule “needs-info” of Triage")
	if ask.Path != "/repos/Codertocat/Hello-World/issues/1/comments" {
		t.Fatalf("ask on %s", ask.Path)
	}
	last := e.st.Outbox().Last()
	if code := e.send("issues", "issues.labeled.json", "lbl-ni-1", 1, labelsTo("needs-info", "needs-info")); code != http.StatusOK {
		t.Fatalf("redelivery answered %d, want 200 duplicate", code)
	}
	e.send("issues", "issues.labeled.json", "lbl-ni-1-repo-hook", 1, labelsTo("needs-info", "needs-info"))
	standupNone(t, "redelivery", e.since(last))

	// A pull request gets the label too, and loses it again: asked once, timer cancelled.
	last = e.st.Outbox().Last()
	e.send("pull_request", "pull_request.labeled.json", "lbl-ni-pr-on", 2, labelsTo("needs-info", "needs-info"))
	standupExpect(t, "the ask on a pull request", e.since(last), "issues/create-comment", "Thanks @Codertocat!")
	e.clock.Set("2026-11-23T15:30:00Z")
	e.send("pull_request", "pull_request.unlabeled.json", "lbl-ni-pr-off", 2, labelsTo("needs-info"))
	if got := e.command("/labels", "pending Codertocat/Hello-World#2"); !strings.Contains(got, "cancelled: the label is removed") {
		t.Fatalf("/labels pending for the pull request: %s", got)
	}

	// The author replies an hour later: the timer is cancelled at once.
	e.clock.Set("2026-11-23T16:00:00Z")
	e.send("issue_comment", "issue_comment.created.json", "lbl-ni-reply", 1, labelsTo("", "needs-info"))
	if got := e.command("/labels", "pending Codertocat/Hello-World#1"); !strings.Contains(got, "cancelled: the author replies") {
		t.Fatalf("/labels pending for issue 1: %s", got)
	}

	// Issue 3 gets no reply. Seven business days from Monday 23 November skip the weekend and
	// Thanksgiving (Thursday 26th): due Thursday 3 December 10:00 in New York (15:00Z).
	e.clock.Set("2026-11-23T15:00:00Z")
	e.send("issues", "issues.labeled.json", "lbl-ni-3", 3, labelsTo("needs-info", "needs-info"))
	if got := e.command("/labels", "pending"); !strings.Contains(got, "Codertocat/Hello-World#3") || !strings.Contains(got, "due Thu 3 Dec 10:00 EST") || strings.Contains(got, "#1>") {
		t.Fatalf("/labels pending: %s", got)
	}
	last = e.st.Outbox().Last()
	e.sweep("2026-12-02T15:30:00Z") // 7 business days had there been no holiday
	e.sweep("2026-12-03T14:59:00Z")
	standupNone(t, "before the due time", e.since(last))
	e.sweep("2026-12-03T15:05:00Z")
	got := e.since(last)
	closing := standupExpect(t, "closing comment", got, "issues/create-comment", "Closing: no reply in 7 business days. @Codertocat")
	closed := standupExpect(t, "close", got, "issues/update", `"state":"closed"`, `"state_reason":"not_planned"`)
	if len(got) != 2 || closing.Seq > closed.Seq || closed.Path != "/repos/Codertocat/Hello-World/issues/3" {
		t.Fatalf("when due: %v", got)
	}
	// The schedule fired again, at the same and a later time: nothing twice.
	last = e.st.Outbox().Last()
	e.sweep("2026-12-03T15:05:00Z")
	e.sweep("2026-12-03T15:10:00Z")
	standupNone(t, "a re-fired schedule", e.since(last))
}

// labelsSecurity: a security label posts to the private channel and assigns the engineer on
// the support rotation; redeliveries do nothing twice.
func labelsSecurity(t *testing.T, e *labelsE2E) {
	e.clock.Set("2026-11-23T15:00:00Z")
	last := e.st.Outbox().Last()
	e.send("issues", "issues.labeled.json", "lbl-sec-1", 9, labelsTo("security", "security"), func(m map[string]any) {
		m["issue"].(map[string]any)["title"] = "Token in logs <b>@here</b>"
	})
	calls := e.since(last)
	post := standupExpect(t, "private post", calls, "chat.postMessage", `"channel":"G0SECURITY1"`, "Security report https://github.com/Codertocat/Hello-World/issues/9 by \\u003c@U0OCTO0006\\u003e")
	if text, _ := post.Request.(map[string]any)["text"].(string); !strings.Contains(text, "Token in logs &lt;b&gt;@here&lt;/b&gt;") {
		t.Fatalf("post text not escaped: %q", text)
	}
	// The support rotation (ann, ben, cat from Mon 5 Jan) is on Ben in the week of 23 November.
	standupExpect(t, "rotation assignee", calls, "issues/add-assignees", `"assignees":["benode"]`)
	last = e.st.Outbox().Last()
	e.send("issues", "issues.labeled.json", "lbl-sec-1", 9, labelsTo("security", "security"))
	e.send("issues", "issues.labeled.json", "lbl-sec-1-again", 9, labelsTo("security", "security"))
	standupNone(t, "redelivery", e.since(last))
	if got := e.command("/labels", "rules"); !strings.Contains(got, "*security* — when `security` is added to an issue") {
		t.Fatalf("/labels rules: %s", got)
	}
}
