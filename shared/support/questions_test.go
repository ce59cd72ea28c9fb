package support

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/store"
)

// message delivers a Slack message event (the fixture with edits) to the processor.
func (h *harness) message(t testing.TB, fixture string, edits ...func(m map[string]any)) {
	t.Helper()
	h.seq++
	body := slackFixture(t, fixture, edits...)
	if err := h.p.Event(context.Background(), store.Event{
		Key: fmt.Sprintf("slack#Ev%d", h.seq), Source: "slack", Type: "message", ReceivedAt: time.Now(), Payload: body,
	}); err != nil {
		t.Fatal(err)
	}
}

func eventField(k string, v any) func(m map[string]any) {
	return func(m map[string]any) { m["event"].(map[string]any)[k] = v }
}

// TestQuestionsDigest: top-level questions from outside the team that no member answered in a
// thread within a business day are DMed to the engineer on rotation once a business day.
func TestQuestionsDigest(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testConfig(t))
	ctx := context.Background()
	ldn := london(t)
	const q = "support.event_callback.message.question.json" // zed, Mon 30 Mar 2026 10:40 BST
	h.message(t, q)
	h.message(t, q) // the same event again
	// A second question, answered by ann in its thread (the reply fixture).
	h.message(t, q, eventField("ts", "1774863000.000050"), eventField("text", "Where are the docs?"))
	h.message(t, "support.event_callback.message.reply.json", eventField("thread_ts", "1774863000.000050"))
	// Not questions: a bot, an edit, a team member's own post, another channel, a reply by an
	// outsider (does not answer).
	h.message(t, q, eventField("ts", "1774863100.000001"), eventField("bot_id", "B0RITBOT01"))
	h.message(t, q, eventField("ts", "1774863200.000001"), eventField("subtype", "message_changed"))
	h.message(t, q, eventField("ts", "1774863300.000001"), eventField("user", "U0BEN00002"))
	h.message(t, q, eventField("ts", "1774863400.000001"), eventField("channel", "C0ELSEWHERE"))
	h.message(t, "support.event_callback.message.reply.json", eventField("user", "U0ZED00007"))

	digests := func(at time.Time) []call {
		h.fakes.Reset()
		if err := h.p.Tick(ctx, at); err != nil {
			t.Fatal(err)
		}
		var out []call
		for _, c := range h.fakes.Calls("chat.postMessage") {
			if strings.Contains(c.text(), "have had no answer") {
				out = append(out, c)
			}
		}
		return out
	}
	// Tuesday 09:05: the question is not yet a business day old (Monday 10:40).
	if got := digests(time.Date(2026, 3, 31, 9, 5, 0, 0, ldn)); len(got) != 0 {
		t.Fatalf("digest too early: %s", got[0].text())
	}
	// Wednesday 08:55: before the digest time.
	if got := digests(time.Date(2026, 4, 1, 8, 55, 0, 0, ldn)); len(got) != 0 {
		t.Fatal("digest before 09:00")
	}
	// Wednesday 09:00: one DM to ann (on rotation in week 12), with the one unanswered question.
	got := digests(time.Date(2026, 4, 1, 9, 0, 0, 0, ldn))
	if len(got) != 1 {
		t.Fatalf("%d digests", len(got))
	}
	text := got[0].text()
	for _, want := range []string{"1 question(s) in <#C0TRIAGESUP>", "https://slack.com/archives/C0TRIAGESUP/p1774863600000100", "<@U0ZED00007>: Quick one"} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q: %s", want, text)
		}
	}
	if strings.Contains(text, "Where are the docs") || strings.Contains(text, "p1774863300000001") {
		t.Errorf("digest lists an answered question or a non-question: %s", text)
	}
	if opens := h.fakes.Calls("conversations.open"); len(opens) != 1 || opens[0].Form.Get("users") != "U0ANN00001" {
		t.Errorf("digest went to %+v", opens)
	}
	if got := digests(time.Date(2026, 4, 1, 15, 0, 0, 0, ldn)); len(got) != 0 {
		t.Fatal("second digest the same day")
	}
	// Saturday: none; the next Monday: again, still unanswered.
	if got := digests(time.Date(2026, 4, 4, 10, 0, 0, 0, ldn)); len(got) != 0 {
		t.Fatal("digest on a Saturday")
	}
	if got := digests(time.Date(2026, 4, 6, 10, 0, 0, 0, ldn)); len(got) != 1 {
		t.Fatal("no digest on the next business day")
	}
}
