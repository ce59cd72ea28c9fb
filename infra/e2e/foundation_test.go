package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/rituals-dev/rituals/infra/localrun"
	"github.com/rituals-dev/rituals/infra/signing"

	"github.com/rituals-dev/rituals/shared/activity"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// foundationFunctions are the ingestion functions and the activity mirror (issue 2).
var foundationFunctions = []string{
	"GitHubWebhookFunction", "PhabricatorWebhookFunction", "SlackCommandsFunction",
	"SlackInteractionsFunction", "ActivityRecorderFunction",
}

// TestFoundationEveryRoute sends signed real payloads through every route of the real
// bootstraps behind the local API Gateway and checks the answers and what was stored.
func TestFoundationEveryRoute(t *testing.T) {
	t.Parallel()
	h := startStack(t, "../../infra/config/example.yaml", foundationFunctions...)
	opened := fixture(t, "github/issues.opened.json")
	tampered := []byte(strings.Replace(string(opened), "Spelling error", "Spelling errot", 1))

	type check struct {
		name   string
		send   func() (int, string)
		status int
		want   string
	}
	checks := []check{
		{"github ping", func() (int, string) { return h.github("ping", "e2e-ping", fixture(t, "github/ping.json")) }, 200, "pong"},
		{"github new delivery", func() (int, string) { return h.github("issues", "e2e-1", opened) }, 202, "accepted"},
		{"github redelivery", func() (int, string) { return h.github("issues", "e2e-1", opened) }, 200, "duplicate"},
		{"github one byte changed", func() (int, string) {
			return h.post("/webhooks/github", map[string]string{"Content-Type": "application/json", "X-GitHub-Event": "issues", "X-GitHub-Delivery": "e2e-2",
				"X-Hub-Signature-256": mustSign(h, opened)}, tampered)
		}, 401, "signature does not match"},
		{"github unsigned", func() (int, string) {
			return h.post("/webhooks/github", map[string]string{"Content-Type": "application/json", "X-GitHub-Event": "issues", "X-GitHub-Delivery": "e2e-3"}, opened)
		}, 401, "missing X-Hub-Signature-256"},
		{"phabricator new", func() (int, string) { return h.phabricator(fixture(t, "phabricator/task-edited.json")) }, 202, "accepted"},
		{"phabricator retry", func() (int, string) { return h.phabricator(fixture(t, "phabricator/task-edited.json")) }, 200, "duplicate"},
		{"phabricator test request", func() (int, string) { return h.phabricator(fixture(t, "phabricator/test-request.json")) }, 202, `"test":true`},
		{"phabricator bad signature", func() (int, string) {
			return h.post("/webhooks/phabricator", map[string]string{"X-Phabricator-Webhook-Signature": strings.Repeat("0", 64)}, fixture(t, "phabricator/task-edited.json"))
		}, 401, "signature does not match"},
		{"slack /rituals help", func() (int, string) {
			return h.slack("/slack/commands", "application/x-www-form-urlencoded", fixture(t, "slack/command.rituals-help.txt"), time.Now())
		}, 200, "/standup"},
		{"slack unknown subcommand", func() (int, string) {
			body := []byte(url.Values{"command": {"/rituals"}, "text": {"dance"}, "user_id": {"U1"}}.Encode())
			return h.slack("/slack/commands", "application/x-www-form-urlencoded", body, time.Now())
		}, 200, "is not a Rituals command"},
		{"slack timestamp 301 s old", func() (int, string) {
			return h.slack("/slack/commands", "application/x-www-form-urlencoded", fixture(t, "slack/command.rituals-help.txt"), time.Now().Add(-301*time.Second))
		}, 401, "more than 5 minutes"},
		{"slack url_verification", func() (int, string) {
			return h.slack("/slack/events", "application/json", fixture(t, "slack/url_verification.json"), time.Now())
		}, 200, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"},
		{"slack event", func() (int, string) {
			return h.slack("/slack/events", "application/json", fixture(t, "slack/event_callback.message.json"), time.Now())
		}, 200, "accepted"},
		{"slack event retried", func() (int, string) {
			return h.slack("/slack/events", "application/json", fixture(t, "slack/event_callback.message.json"), time.Now())
		}, 200, "duplicate"},
		{"slack interaction nobody owns", func() (int, string) {
			body := []byte(url.Values{"payload": {`{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"nobody:x"}]}`}}.Encode())
			return h.slack("/slack/interactions", "application/x-www-form-urlencoded", body, time.Now())
		}, 200, ""},
		// Routes are declared POST, so API Gateway itself answers anything else with 404.
		{"GET has no route", func() (int, string) {
			resp, err := http.Get(h.st.URL + "/webhooks/github")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}, 404, "Not Found"},
	}
	for _, c := range checks {
		status, body := c.send()
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: got %d %q, want %d containing %q", c.name, status, body, c.status, c.want)
		}
	}

	// /rituals help lists every command Rituals offers, ephemerally.
	// Signed a second later than the check above: the same bytes at the same second would be a
	// replay of it, which the stack refuses.
	_, help := h.slack("/slack/commands", "application/x-www-form-urlencoded", fixture(t, "slack/command.rituals-help.txt"), time.Now().Add(time.Second))
	var msg struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}
	if err := json.Unmarshal([]byte(help), &msg); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"/rituals help", "/support oncall", "/standup history", "/phab ubn", "/clinic oncall", "/clinic queue", "/clinic &lt;team&gt; signup", "/clinic stats", "/clinic swap", "/clinic override", "/clinic help", "/sprint status"} {
		if !strings.Contains(msg.Text, cmd) {
			t.Errorf("/rituals help does not list %s:\n%s", cmd, msg.Text)
		}
	}
	if msg.ResponseType != "ephemeral" {
		t.Errorf("help is %q, want ephemeral", msg.ResponseType)
	}

	// Exactly the accepted deliveries were stored: 1 GitHub, 2 Herald (one a test), 1 Slack event.
	client, _ := dynamotest.New(t)
	out, err := client.Scan(context.Background(), scanInput(h.prefix+"EventsTable"))
	if err != nil {
		t.Fatal(err)
	}
	heads := 0
	for _, it := range out.Items {
		if _, ok := it["source"]; ok {
			heads++
		}
	}
	if heads != 4 {
		t.Errorf("events table holds %d deliveries, want 4", heads)
	}
}

// TestFoundationActivityMirrorAndDeadLetter: a push and an opened issue reach the activity
// mirror through the stream mapping and its filter; a poison delivery is retried, then
// dead-lettered, while the records around it are processed — nothing lost.
func TestFoundationActivityMirrorAndDeadLetter(t *testing.T) {
	t.Parallel()
	h := startStack(t, "../../infra/config/example.yaml", foundationFunctions...)
	// A delivery GitHub could never send: valid JSON, but "issue" is not an object.
	poison := []byte(`{"action":"opened","issue":"not an issue","repository":{"full_name":"Codertocat/Hello-World"},"sender":{"login":"Codertocat"}}`)
	for _, d := range []struct {
		event, id string
		body      []byte
	}{
		{"push", "act-push", fixture(t, "github/push.json")},
		{"issues", "act-poison", poison},
		{"issues", "act-opened", fixture(t, "github/issues.opened.json")},
		{"star", "act-star", []byte(`{"action":"created","repository":{"full_name":"Codertocat/Hello-World"}}`)},
	} {
		if status, body := h.github(d.event, d.id, d.body); status != 202 {
			t.Fatalf("%s: %d %s", d.id, status, body)
		}
	}
	h.wait()

	client, _ := dynamotest.New(t)
	reader := activity.Reader{API: client, Table: h.prefix + "StateTable"}
	items, err := reader.Footprint(context.Background(), "Codertocat", []string{"Codertocat/*"},
		time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[activity.Kind]int{}
	for _, it := range items {
		kinds[it.Kind]++
	}
	if kinds[activity.KindCommit] != 1 || kinds[activity.KindIssueOpened] != 1 {
		t.Errorf("footprint kinds = %v, want one commit and one opened issue", kinds)
	}

	dls := h.st.DeadLetters()
	if len(dls) != 1 {
		t.Fatalf("%d dead letters, want 1 (the poison delivery): %+v", len(dls), dls)
	}
	if b, _ := json.Marshal(dls[0]); !strings.Contains(string(b), "github#act-poison") || !strings.Contains(string(b), "RetryAttemptsExhausted") {
		t.Errorf("dead letter does not name the poison record after exhausted retries: %s", b)
	}
	for _, f := range h.st.Functions() {
		if f.Function == "ActivityRecorderFunction" && f.Invocations < 4 {
			t.Errorf("activity recorder invoked %d times: the poison record was not retried", f.Invocations)
		}
	}
	events := store.Events{API: client, Table: h.prefix + "EventsTable"}
	if _, err := events.GetEvent(context.Background(), "github#act-poison"); err != nil {
		t.Errorf("the poison delivery is no longer stored: %v", err)
	}
}

func mustSign(_ *harness, body []byte) string {
	return signing.GitHub([]byte(localrun.DefaultSecrets["GITHUB_WEBHOOK_SECRET"]), body)
}

func scanInput(table string) *dynamodb.ScanInput {
	return &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)}
}
