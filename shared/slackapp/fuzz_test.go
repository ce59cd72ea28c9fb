package slackapp

import (
	"context"
	"net/http"
	"testing"

	"github.com/rituals-dev/rituals/infra/signing"
	"github.com/rituals-dev/rituals/shared/httpapi/apitest"
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
