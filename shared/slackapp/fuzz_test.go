package slackapp

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/rituals-dev/rituals/infra/signing"
	"github.com/rituals-dev/rituals/shared/httpapi/apitest"
	"github.com/rituals-dev/rituals/shared/store"
)

// FuzzParsers: any correctly signed body sent to the command or interaction routes is answered
// 200 or 400 — never a 5xx or a panic — so a malformed request from Slack gets a clear answer.
func FuzzParsers(f *testing.F) {
	f.Add([]byte("command=%2Frituals&text=help&user_id=U1"))
	f.Add([]byte(`payload={"type":"block_actions","actions":[{"action_id":"x:y"}]}`))
	f.Add([]byte("payload=%7B%22type%22%3A%22view_submission%22%2C%22view%22%3Anull%7D"))
	f.Add([]byte("%zz"))
	commands := Commands{Secret: secret, Commands: []Command{Rituals{}}, Log: quiet}
	interactions := Interactions{Secret: secret, Log: quiet}
	f.Fuzz(func(t *testing.T, body []byte) {
		ts, sig := signing.Slack(secret, body, now)
		h := map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}
		for name, handle := range map[string]func(context.Context, apitest.Req) (int, error){
			"commands": func(ctx context.Context, r apitest.Req) (int, error) {
				resp, err := commands.Handle(ctx, r)
				return resp.StatusCode, err
			},
			"interactions": func(ctx context.Context, r apitest.Req) (int, error) {
				resp, err := interactions.Handle(ctx, r)
				return resp.StatusCode, err
			},
		} {
			status, err := handle(context.Background(), apitest.Request(http.MethodPost, "/slack/"+name, h, body, now))
			if err != nil || (status != 200 && status != 400) {
				t.Fatalf("%s: status %d err %v", name, status, err)
			}
		}
	})
}

// memEvents is an EventPutter that keeps events in memory, with the events table's dedupe.
type memEvents map[string]store.Event

func (m memEvents) PutEvent(_ context.Context, e store.Event) error {
	if _, dup := m[e.Key]; dup {
		return store.ErrDuplicate
	}
	m[e.Key] = e
	return nil
}

// FuzzEvents: any correctly signed body sent to the Events API route is answered 200 or 400 —
// never a 5xx or a panic. An accepted event_callback is stored once, under its event_id, with
// the body exactly as received; the same body again is a duplicate; a url_verification echoes
// its challenge and stores nothing.
func FuzzEvents(f *testing.F) {
	for _, name := range []string{"url_verification.json", "event_callback.message.json", "standup.event_callback.app_home_opened.json", "support.event_callback.message.question.json"} {
		if b, err := os.ReadFile("../../events/slack/" + name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"type":"event_callback","event_id":"","event":{}}`))
	f.Add([]byte(`{"type":"event_callback","event_id":"Ev1","event":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		stored := memEvents{}
		h := EventsAPI{Secret: secret, Events: stored, Log: quiet}
		ts, sig := signing.Slack(secret, body, now)
		req := apitest.Request(http.MethodPost, "/slack/events", map[string]string{"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}, body, now)
		resp, err := h.Handle(context.Background(), req)
		if err != nil || (resp.StatusCode != 200 && resp.StatusCode != 400) {
			t.Fatalf("status %d err %v", resp.StatusCode, err)
		}
		var env struct {
			Type      string `json:"type"`
			EventID   string `json:"event_id"`
			Challenge string `json:"challenge"`
		}
		if json.Unmarshal(body, &env) != nil || resp.StatusCode != 200 {
			if len(stored) != 0 {
				t.Fatalf("a refused body was stored: %v", stored)
			}
			return
		}
		switch {
		case env.Type == "event_callback" && env.EventID != "":
			e, ok := stored["slack#"+env.EventID]
			if len(stored) != 1 || !ok || !bytes.Equal(e.Payload, body) || e.Source != "slack" {
				t.Fatalf("event_callback stored as %+v", stored)
			}
			again, _ := h.Handle(context.Background(), req)
			if again.StatusCode != 200 || !strings.Contains(again.Body, "duplicate") || len(stored) != 1 {
				t.Fatalf("redelivery: %d %s", again.StatusCode, again.Body)
			}
		case env.Type == "url_verification":
			if len(stored) != 0 || !strings.Contains(resp.Body, "challenge") {
				t.Fatalf("url_verification: %s, stored %v", resp.Body, stored)
			}
		default:
			if len(stored) != 0 {
				t.Fatalf("%q envelope stored %v", env.Type, stored)
			}
		}
	})
}
