package retro

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/store"
)

const (
	pia, eli, ana, raj, kim = "U0PIA00001", "U0ELI00002", "U0ANA00003", "U0RAJ00004", "U0KIM00005"
	emma, zed               = "U0EMMA0006", "U0ZED00007"
	product                 = "C0PRODUCT1"
)

// blockTexts are the mrkdwn and plain texts of a posted message's blocks, in order.
func blockTexts(c standins.Call) []string {
	var blocks []map[string]any
	_ = json.Unmarshal([]byte(c.Arg("blocks")), &blocks)
	var out []string
	for _, b := range blocks {
		if t, ok := b["text"].(map[string]any); ok {
			out = append(out, t["text"].(string))
		}
		for _, f := range asList(b["fields"]) {
			out = append(out, f.(map[string]any)["text"].(string))
		}
		for _, e := range asList(b["elements"]) {
			if m, ok := e.(map[string]any); ok && m["text"] != nil {
				if s, ok := m["text"].(string); ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

func asList(v any) []any { l, _ := v.([]any); return l }

// sprint42 runs the retro of the README: five people add five items, vote three dots each,
// and pia (the facilitator) closes it. It returns the outbox position before the close.
func sprint42(t *testing.T, w *world) int64 {
	t.Helper()
	w.must(pia, product, "start Sprint 42")
	w.drain()
	for _, a := range []struct{ who, text string }{
		{pia, "went well Pairing on the release"},
		{eli, "not working Flaky CI on main"},
		{ana, "open questions How do we plan for maintenance once a product is in production?"},
		{raj, "2 Too many meetings <!channel> & friends, ask @octocat"},
		{kim, "went-well Fast code reviews"},
	} {
		w.must(a.who, product, "add "+a.text)
	}
	w.must(pia, product, "voting")
	for _, v := range []struct{ who, items string }{
		{pia, "3 3 2"}, {eli, "3 2 4"}, {ana, "3 1 2"}, {raj, "2 5 1"}, {kim, "3 3 5"},
	} {
		w.must(v.who, product, "vote "+v.items)
	}
	w.drain()
	since := w.out.Last()
	w.must(pia, product, "close")
	w.drain()
	return since
}

// TestRetroFlow: a retro of five people from start to action items, with the exact ranking,
// issues opened once however often the close is processed, an owner picked in Slack, and the
// issue's state mirrored from its webhook.
func TestRetroFlow(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	since := sprint42(t, w)

	boards := w.calls("slack", "chat.postMessage", 0)
	if len(boards) == 0 || boards[0].Arg("channel") != product || !strings.Contains(boards[0].Arg("text"), "Retro Sprint 42") {
		t.Fatalf("board: %+v", boards)
	}
	board := boards[0].Response.(map[string]any)["ts"].(string)
	var results, actions standins.Call
	for _, c := range w.calls("slack", "chat.postMessage", since) {
		if c.Arg("thread_ts") != board {
			t.Errorf("closing posted outside the board's thread: %s", c.Arg("text"))
		}
		switch {
		case strings.HasPrefix(c.Arg("text"), "Results of the retro"):
			results = c
		case strings.Contains(c.Arg("text"), "action items from the retro"):
			actions = c
		}
	}
	got := strings.Join(blockTexts(results), "\n")
	want := strings.Join([]string{
		"Results: Sprint 42",
		"5 people placed 15 of their dots (3 each).",
		"*Went well*\n• (2) Pairing on the release\n• (2) Fast code reviews",
		"*Not working*\n• (4) Flaky CI on main\n• (1) Too many meetings &lt;!channel&gt; &amp; friends, ask @octocat",
		"*Open questions*\n• (6) How do we plan for maintenance once a product is in production?",
	}, "\n")
	if got != want {
		t.Errorf("results:\n%s\nwant:\n%s", got, want)
	}
	if text := results.Arg("text"); text != "Results of the retro Sprint 42: top item (6) How do we plan for maintenance once a product is in production?" {
		t.Errorf("results notification: %q", text)
	}

	issues := w.calls("github", "issues/create", 0)
	if len(issues) != 3 {
		t.Fatalf("%d issues opened, want the top 3", len(issues))
	}
	for i, title := range []string{
		"Retro action: How do we plan for maintenance once a product is in production?",
		"Retro action: Flaky CI on main",
		"Retro action: Pairing on the release",
	} {
		if got := issues[i].Arg("title"); got != title || issues[i].Path != "/repos/acme/retros/issues" || issues[i].Arg("labels") != `["retro"]` {
			t.Errorf("issue %d: %s %q %s", i, issues[i].Path, got, issues[i].Arg("labels"))
		}
		if body := issues[i].Arg("body"); !strings.Contains(body, "https://slack.com/archives/"+product+"/p"+strings.ReplaceAll(board, ".", "")) {
			t.Errorf("issue %d does not link back to the board: %s", i, body)
		}
	}
	if !contains(strings.Join(blockTexts(actions), "\n"), "<https://github.com/acme/retros/issues/1|acme/retros#1> (6) How do we plan", "<https://github.com/acme/retros/issues/3|acme/retros#3> (2) Pairing") {
		t.Errorf("action items message: %v", blockTexts(actions))
	}

	// The close processed again (a re-fired event, a retried record) repeats nothing.
	last := w.out.Last()
	w.proc.Event(context.Background(), closedEvent(t, w, "Sprint 42 again"))
	w.must(pia, product, "close") // "already closed" puts the same event again: a duplicate
	w.drain()
	for _, c := range w.calls("", "", last) {
		if c.API != "chat.update" {
			t.Errorf("a repeated close caused %s %s %s", c.Service, c.API, c.Arg("text"))
		}
	}

	// An owner is picked for action item #3 (the first one): the issue is assigned to them,
	// the thread hears it.
	last = w.out.Last()
	w.interact(eli, product, nil, slack.BlockAction{ActionID: ActionOwner, BlockID: "owner:product/1:3", SelectedUser: raj})
	w.drain()
	if as := w.calls("github", "issues/add-assignees", last); len(as) != 1 || as[0].Path != "/repos/acme/retros/issues/1/assignees" || as[0].Arg("assignees") != `["raj-i"]` {
		t.Fatalf("assignment: %+v", as)
	}
	lines := w.calls("slack", "chat.postMessage", last)
	if len(lines) != 1 || !strings.Contains(lines[0].Arg("text"), "<@U0RAJ00004> owns the action item <https://github.com/acme/retros/issues/1|acme/retros#1>") {
		t.Fatalf("owner line: %+v", lines)
	}
	if ups := w.calls("slack", "chat.update", last); len(ups) != 1 || !strings.Contains(ups[0].Arg("blocks"), "Owner: \\u003c@U0RAJ00004\\u003e") && !strings.Contains(ups[0].Arg("blocks"), "Owner: <@U0RAJ00004>") {
		t.Fatalf("actions message update: %+v", ups)
	}
	// Someone outside the team may not pick owners.
	last = w.out.Last()
	w.interact(zed, product, nil, slack.BlockAction{ActionID: ActionOwner, BlockID: "owner:product/1:3", SelectedUser: zed})
	if eph := w.calls("slack", "chat.postEphemeral", last); len(eph) != 1 || !strings.Contains(eph[0].Arg("text"), "Only people of Product") {
		t.Fatalf("outsider: %+v", eph)
	}
	if a, _ := w.store.Action(context.Background(), ID{"product", 1}, 3); a.Owner != raj {
		t.Fatalf("the outsider's pick was stored: %+v", a)
	}

	// /retro actions lists the three; once #1 is closed on GitHub, two.
	list := w.must(pia, product, "actions")
	if strings.Count(list, "\n•") != 3 || !strings.Contains(list, "owner <@U0RAJ00004> · open · from _Sprint 42_") {
		t.Fatalf("actions:\n%s", list)
	}
	if err := w.proc.Event(context.Background(), issuesEvent(t, "closed", "acme/retros", 1, "2026-11-28T10:00:00Z")); err != nil {
		t.Fatal(err)
	}
	if err := w.proc.Event(context.Background(), issuesEvent(t, "reopened", "acme/retros", 1, "2026-11-28T09:00:00Z")); err != nil {
		t.Fatal(err) // older than the close: ignored
	}
	list = w.must(pia, product, "actions")
	if strings.Count(list, "\n•") != 2 || strings.Contains(list, "acme/retros#1") {
		t.Fatalf("actions after #1 closed:\n%s", list)
	}
	if all := w.must(pia, product, "actions all"); !strings.Contains(all, "issues/1|acme/retros#1> How do we plan for maintenance once a product is in production? — owner <@U0RAJ00004> · closed") {
		t.Fatalf("actions all:\n%s", all)
	}
	// The next retro's board starts from the open ones.
	last = w.out.Last()
	w.must(pia, product, "start Sprint 43")
	w.drain()
	next := w.calls("slack", "chat.postMessage", last)
	if len(next) != 1 || !contains(next[0].Arg("blocks"), "Open action items from earlier retros", "acme/retros#2", "acme/retros#3") || strings.Contains(next[0].Arg("blocks"), "acme/retros#1|") {
		t.Fatalf("next board: %+v", next)
	}
}

// closedEvent is a retro.closed event for product/1 under a key of its own: the close
// re-fired by hand, or by a replayed dead letter.
func closedEvent(t *testing.T, w *world, key string) store.Event {
	t.Helper()
	return store.Event{Key: key, Source: EventSource, Type: EventClosed, ReceivedAt: w.now, Payload: []byte(`{"retro":"product/1"}`)}
}

// issuesEvent is an issues delivery about repo#number, as GitHub sends it.
func issuesEvent(t *testing.T, action, repo string, number int, updated string) store.Event {
	t.Helper()
	state := "open"
	if action == "closed" {
		state = "closed"
	}
	payload, _ := json.Marshal(map[string]any{
		"action":     action,
		"issue":      map[string]any{"number": number, "state": state, "updated_at": updated, "title": "x"},
		"repository": map[string]any{"full_name": repo},
	})
	return store.Event{Key: "github#" + action + updated, Source: "github", Type: "issues", Action: action, Payload: payload}
}
