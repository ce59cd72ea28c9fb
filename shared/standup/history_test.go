package standup

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// TestHistoryPaging pages through a person's standups: the command shows the newest page,
// Older goes through an internal event to the processor, which replaces the message through
// response_url.
func TestHistoryPaging(t *testing.T) {
	t.Parallel()
	f := newFlow(t, "testdata/standup.yaml")
	ctx := context.Background()
	// Eight weekdays of Hana's standups (Honolulu, due 16:00Z).
	at := utc("2026-03-02T15:55:00Z")
	f.tick(at.Format(time.RFC3339))
	for d := 0; d < 12; d++ {
		f.tick(at.Add(time.Duration(d)*24*time.Hour + 5*time.Minute).Format(time.RFC3339))
	}
	f.api.take()
	msg, err := f.cmd.Run(ctx, slack.SlashCommand{Command: "/standup", Text: "history <@U0HANA0001|hana>", UserID: "U0LEE00001"}, utc("2026-03-14T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(msg)
	if !strings.Contains(string(data), "Fri 2026-03-13") || strings.Contains(string(data), "Fri 2026-03-06") || !strings.Contains(string(data), "Older") {
		t.Fatalf("first page: %s", data)
	}
	var older *slack.ButtonBlockElement
	for _, b := range msg.Blocks.BlockSet {
		if a, ok := b.(*slack.ActionBlock); ok {
			for _, el := range a.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok && strings.Contains(btn.Text.Text, "Older") {
					older = btn
				}
			}
		}
	}
	if older == nil {
		t.Fatal("no Older button")
	}
	cb := slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, User: slack.User{ID: "U0LEE00001"}, ResponseURL: f.api.srv.URL + "/respond"}
	cb.ActionCallback.BlockActions = []*slack.BlockAction{{ActionID: ActionHistory, Value: older.Value, ActionTs: "1773446400.000100"}}
	if _, err := f.inter.Handle(ctx, cb, utc("2026-03-14T00:01:00Z")); err != nil {
		t.Fatal(err)
	}
	f.process("rituals#standup.history#U0LEE00001#1773446400.000100#" + hash(older.Value))
	calls := f.api.take()
	only(t, calls, "response_url")
	contains(t, "older page", calls[0], `"replace_original":true`, "Fri 2026-03-06", "Newer")
	if strings.Contains(calls[0].text(), "Fri 2026-03-13") {
		t.Error("older page shows the newest standup")
	}
}
