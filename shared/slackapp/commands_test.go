package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/infra/signing"
	"github.com/rituals-dev/rituals/shared/httpapi"
	"github.com/rituals-dev/rituals/shared/httpapi/apitest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type fakeCommand struct {
	name string
	err  error
}

func (f fakeCommand) Name() string { return f.name }
func (f fakeCommand) Help() []Usage {
	return []Usage{{Syntax: f.name + " list", Summary: "list things"}}
}
func (f fakeCommand) Run(_ context.Context, cmd slack.SlashCommand, _ time.Time) (*slack.Msg, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &slack.Msg{ResponseType: slack.ResponseTypeInChannel, Text: "ran " + cmd.Text}, nil
}

func commandRequest(command, text string, at time.Time) httpapi.Request {
	body := []byte(url.Values{"command": {command}, "text": {text}, "user_id": {"U1"}, "channel_id": {"C1"}}.Encode())
	ts, sig := signing.Slack(secret, body, at)
	return apitest.Request(http.MethodPost, "/slack/commands", map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig,
	}, body, now)
}

func TestCommands(t *testing.T) {
	t.Parallel()
	support := fakeCommand{name: "/support"}
	broken := fakeCommand{name: "/broken", err: errors.New("dynamodb down")}
	picky := fakeCommand{name: "/picky", err: &UsageError{Problem: `unknown date "tomorow"`, Usage: []Usage{{"/picky <date>", "pick a date"}}}}
	others := []Command{support, broken, picky}
	h := Commands{Secret: secret, Commands: append([]Command{Rituals{Others: others}}, others...), Log: quiet}
	cases := []struct {
		name, command, text string
		at                  time.Time
		status              int
		ephemeral           bool
		want                []string
	}{
		{"help lists every command", "/rituals", "help", now, 200, true, []string{"/rituals help", "/support list", "/broken list", "/picky list"}},
		{"bare /rituals is help", "/rituals", "", now, 200, true, []string{"/support list"}},
		{"unknown subcommand", "/rituals", "frobnicate", now, 200, true, []string{"`/rituals frobnicate` is not a Rituals command", "Usage:", "/rituals help"}},
		{"unknown command", "/nope", "", now, 200, true, []string{"does not know `/nope`", "/rituals help"}},
		{"command runs", "/support", "list", now, 200, false, []string{"ran list"}},
		{"usage error says what to type", "/picky", "tomorow", now, 200, true, []string{`unknown date "tomorow"`, "/picky &lt;date&gt;"}},
		{"failure is ephemeral and vague", "/broken", "", now, 200, true, []string{"failed on our side"}},
		{"stale request", "/rituals", "help", now.Add(-301 * time.Second), 401, false, []string{"more than 5 minutes"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, err := h.Handle(context.Background(), commandRequest(tc.command, tc.text, tc.at))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tc.status, resp.Body)
			}
			text := resp.Body
			var msg slack.Msg
			if resp.StatusCode == 200 {
				if err := json.Unmarshal([]byte(resp.Body), &msg); err != nil {
					t.Fatal(err)
				}
				text = msg.Text
				if strings.Contains(resp.Body, "metadata") || strings.Contains(resp.Body, "null") {
					t.Errorf("reply carries empty fields Slack rejects: %s", resp.Body)
				}
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("reply %q lacks %q", text, w)
				}
			}
			if resp.StatusCode != 200 {
				return
			}
			if (msg.ResponseType == slack.ResponseTypeEphemeral) != tc.ephemeral {
				t.Errorf("response_type %q, ephemeral want %v", msg.ResponseType, tc.ephemeral)
			}
			if strings.Contains(resp.Body, "dynamodb down") {
				t.Error("internal error leaked to the user")
			}
		})
	}
}
