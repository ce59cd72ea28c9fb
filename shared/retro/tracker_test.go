package retro

import (
	"context"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

func TestIssueTextIsEscaped(t *testing.T) {
	t.Parallel()
	a := &Action{RetroTitle: "Sprint <42>", Field: "not working", Dots: 4, Text: "Ask @octocat about <img src=x> & the\nflaky CI"}
	body := IssueBody(Draft{Action: a, Board: "https://slack.com/archives/C1/p1", TeamName: "Product & Co"})
	for _, want := range []string{
		"**Sprint &lt;42&gt;** of Product &amp; Co: 4 dot(s) in *not working*",
		"> Ask @\u200doctocat about &lt;img src=x&gt; &amp; the\n> flaky CI\n",
		"in the retro's thread: https://slack.com/archives/C1/p1",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	// Titles are plain text on GitHub (no HTML, no notifications): kept as typed, on one line.
	if got := IssueTitle(a); got != "Retro action: Ask @octocat about <img src=x> & the flaky CI" {
		t.Errorf("title %q", got)
	}
	long := &Action{Text: strings.Repeat("a", 300)}
	if n := len([]rune(IssueTitle(long))); n != maxIssueTitle {
		t.Errorf("long title has %d characters", n)
	}
}

// TestUntrackedActionItems: a team without retro.repo keeps its action items in Slack, where
// they are marked done.
func TestUntrackedActionItems(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.must(zed, "C0INFRA001", "start Q4")
	w.must(zed, "C0INFRA001", "add keep pairing on-call")
	w.must(zed, "C0INFRA001", "voting")
	w.must(zed, "C0INFRA001", "vote 1")
	w.must(zed, "C0INFRA001", "close")
	w.drain()
	if n := len(w.calls("github", "", 0)); n != 0 {
		t.Fatalf("%d GitHub calls for a team without a tracker", n)
	}
	var actions string
	for _, c := range w.calls("slack", "chat.postMessage", 0) {
		if strings.Contains(c.Arg("text"), "action item from the retro Q4") {
			actions = c.Arg("blocks")
		}
	}
	if !strings.Contains(actions, "no tracker") || !strings.Contains(actions, ActionDone) {
		t.Fatalf("actions message: %s", actions)
	}
	since := w.out.Last()
	w.interact(zed, "C0INFRA001", nil, slack.BlockAction{ActionID: ActionDone, Value: "infra/1:1"})
	w.drain()
	if a, _ := w.store.Action(context.Background(), ID{"infra", 1}, 1); a.State != StateClosed {
		t.Fatalf("action %+v", a)
	}
	lines := w.calls("slack", "chat.postMessage", since)
	if len(lines) != 1 || !strings.Contains(lines[0].Arg("text"), "<@U0ZED00007> marked an action item done: pairing on-call") {
		t.Fatalf("thread: %+v", lines)
	}
	if out := w.must(zed, "C0INFRA001", "actions"); !strings.Contains(out, "no open action items") {
		t.Fatalf("actions: %s", out)
	}
}
