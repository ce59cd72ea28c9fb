package slackapp

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/infra/signing"
	"github.com/rituals-dev/rituals/shared/httpapi/apitest"
)

type recordingInteraction struct {
	prefix string
	got    *[]string
}

func (r recordingInteraction) Prefix() string { return r.prefix }
func (r recordingInteraction) Handle(_ context.Context, cb slack.InteractionCallback, _ time.Time) (any, error) {
	*r.got = append(*r.got, Route(cb))
	if cb.Type == slack.InteractionTypeViewSubmission {
		return map[string]any{"response_action": "clear"}, nil
	}
	return nil, nil
}

func TestInteractionsRouting(t *testing.T) {
	t.Parallel()
	var got []string
	h := Interactions{Secret: secret, Log: quiet, Handlers: []Interaction{recordingInteraction{"support", &got}}}
	send := func(payload string) (int, string) {
		body := []byte(url.Values{"payload": {payload}}.Encode())
		ts, sig := signing.Slack(secret, body, now)
		resp, err := h.Handle(context.Background(), apitest.Request(http.MethodPost, "/slack/interactions",
			map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}, body, now))
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, resp.Body
	}
	if s, _ := send(`{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"support:ack","block_id":"b","value":"x","type":"button"}]}`); s != 200 {
		t.Fatalf("block action: %d", s)
	}
	if s, b := send(`{"type":"view_submission","user":{"id":"U1"},"view":{"id":"V1","callback_id":"support:eta","state":{"values":{}}}}`); s != 200 || b != `{"response_action":"clear"}` {
		t.Fatalf("view submission: %d %s", s, b)
	}
	if s, _ := send(`{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"supportive:x","type":"button"}]}`); s != 200 {
		t.Fatalf("unowned action: %d", s)
	}
	if s, _ := send(`not json`); s != 400 {
		t.Fatalf("bad payload: %d", s)
	}
	if len(got) != 2 || got[0] != "support:ack" || got[1] != "support:eta" {
		t.Fatalf("routed %v", got)
	}
}
