package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/infra/signing"
	"github.com/rituals-dev/rituals/shared/httpapi/apitest"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
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

type failingInteraction struct{}

func (failingInteraction) Prefix() string { return "standup" }
func (failingInteraction) Handle(context.Context, slack.InteractionCallback, time.Time) (any, error) {
	return nil, errors.New("dynamodb: ProvisionedThroughputExceededException")
}

// TestFailedSubmissionKeepsTheModal: when saving a modal fails on our side the answer keeps the
// modal open (response_action errors on its first input block) with a message, instead of the
// empty 200 that made Slack close it as if saved and lose what the developer typed.
func TestFailedSubmissionKeepsTheModal(t *testing.T) {
	t.Parallel()
	h := Interactions{Secret: secret, Log: quiet, Handlers: []Interaction{failingInteraction{}}}
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
	raw, err := os.ReadFile("../../events/slack/standup.view_submission.submit.json")
	if err != nil {
		t.Fatal(err)
	}
	status, body := send(string(raw))
	var ans struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	if err := json.Unmarshal([]byte(body), &ans); err != nil || status != 200 {
		t.Fatalf("%d %s %v", status, body, err)
	}
	if ans.Action != "errors" || ans.Errors["comment"] != FailureMessage {
		t.Fatalf("answer %s; want response_action errors on the comment block", body)
	}
	if strings.Contains(body, "Throughput") {
		t.Fatalf("internal error leaked: %s", body)
	}
	// A modal without inputs gets a pushed modal that says it was not saved.
	if _, body := send(`{"type":"view_submission","user":{"id":"U1"},"view":{"id":"V1","callback_id":"standup:x","blocks":[{"type":"section","block_id":"s","text":{"type":"mrkdwn","text":"hi"}}],"state":{"values":{}}}}`); !strings.Contains(body, `"response_action":"push"`) || !strings.Contains(body, "Not saved") {
		t.Fatalf("no-input modal: %s", body)
	}
	// A failed button click is acknowledged with an empty object.
	if status, body := send(`{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"standup:open","block_id":"b","type":"button"}]}`); body != "{}" {
		t.Fatalf("block action: %d %q", status, body)
	}
}

// TestReplayedRequestsAreRefused: a byte-identical repeat of a signed click, submission or
// command (captured and sent again within Slack's five-minute window) changes nothing; a new
// click of the same button, with its own timestamp, is handled.
func TestReplayedRequestsAreRefused(t *testing.T) {
	t.Parallel()
	client, tables := dynamotest.New(t)
	var got []string
	guard := &ReplayGuard{API: client, Table: tables.State}
	ix := Interactions{Secret: secret, Log: quiet, Handlers: []Interaction{recordingInteraction{"support", &got}}, Replays: guard}
	click := []byte(url.Values{"payload": {`{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"support:own","block_id":"b","value":"x","type":"button"}]}`}}.Encode())
	send := func(at time.Time) {
		ts, sig := signing.Slack(secret, click, at)
		if _, err := ix.Handle(context.Background(), apitest.Request(http.MethodPost, "/slack/interactions",
			map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}, click, now)); err != nil {
			t.Fatal(err)
		}
	}
	send(now)
	send(now) // the same request again
	if len(got) != 1 {
		t.Fatalf("handled %d times, want once", len(got))
	}
	send(now.Add(time.Second)) // a second click
	if len(got) != 2 {
		t.Fatalf("a new click was refused: handled %d times", len(got))
	}

	ran := 0
	cmds := Commands{Secret: secret, Log: quiet, Replays: guard, Commands: []Command{countingCommand{&ran}}}
	req := commandRequest("/count", "swap @a @b", now)
	for i := 0; i < 2; i++ {
		resp, err := cmds.Handle(context.Background(), req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatal(resp, err)
		}
		if i == 1 && !strings.Contains(resp.Body, "already handled") {
			t.Fatalf("replayed command answered %s", resp.Body)
		}
	}
	if ran != 1 {
		t.Fatalf("command ran %d times, want once", ran)
	}
}

type countingCommand struct{ ran *int }

func (countingCommand) Name() string  { return "/count" }
func (countingCommand) Help() []Usage { return nil }
func (c countingCommand) Run(context.Context, slack.SlashCommand, time.Time) (*slack.Msg, error) {
	*c.ran++
	return Ephemeral("ok"), nil
}
