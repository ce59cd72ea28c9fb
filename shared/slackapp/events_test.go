package slackapp

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rituals-dev/rituals/infra/signing"
	"github.com/rituals-dev/rituals/shared/httpapi"
	"github.com/rituals-dev/rituals/shared/httpapi/apitest"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

func eventRequest(t *testing.T, file string, retry string) httpapi.Request {
	t.Helper()
	body, err := os.ReadFile("../../events/slack/" + file)
	if err != nil {
		t.Fatal(err)
	}
	ts, sig := signing.Slack(secret, body, now)
	h := map[string]string{"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}
	if retry != "" {
		h["X-Slack-Retry-Num"] = retry
		h["X-Slack-Retry-Reason"] = "http_timeout"
	}
	return apitest.Request(http.MethodPost, "/slack/events", h, body, now)
}

func TestEventsAPI(t *testing.T) {
	t.Parallel()
	client, tables := dynamotest.New(t)
	events := store.Events{API: client, Table: tables.Events}
	h := EventsAPI{Secret: secret, Events: events, Log: quiet}
	ctx := context.Background()

	resp, _ := h.Handle(ctx, eventRequest(t, "url_verification.json", ""))
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"`) {
		t.Fatalf("challenge: %d %s", resp.StatusCode, resp.Body)
	}
	first, _ := h.Handle(ctx, eventRequest(t, "event_callback.message.json", ""))
	retried, _ := h.Handle(ctx, eventRequest(t, "event_callback.message.json", "1"))
	if first.StatusCode != 200 || !strings.Contains(first.Body, "accepted") {
		t.Fatalf("first: %d %s", first.StatusCode, first.Body)
	}
	if retried.StatusCode != 200 || !strings.Contains(retried.Body, "duplicate") {
		t.Fatalf("retry: %d %s", retried.StatusCode, retried.Body)
	}
	out, err := client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(tables.Events), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if out.Count != 1 {
		t.Fatalf("stored %d events, want 1", out.Count)
	}
	e, err := events.GetEvent(ctx, "slack#Ev123ABC456")
	if err != nil {
		t.Fatal(err)
	}
	if e.Source != "slack" || e.Type != "message" {
		t.Errorf("stored %+v", e)
	}

	bad := eventRequest(t, "event_callback.message.json", "")
	bad.Body = strings.Replace(bad.Body, "prospect", "prosper", 1)
	resp, _ = h.Handle(ctx, bad)
	if resp.StatusCode != 401 {
		t.Fatalf("tampered event: %d", resp.StatusCode)
	}
}
