package standins

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

const (
	slackToken   = "xoxb-test"
	githubToken  = "ghp_test"
	conduitToken = "api-test"
)

func newServer(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	clock := time.Date(2024, 5, 6, 7, 30, 0, 0, time.UTC)
	s := New(Options{SlackBotToken: slackToken, GitHubToken: githubToken, ConduitToken: conduitToken, Now: func() time.Time { return clock }})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

// slackCall posts form values (with the token in the form when token is set) and decodes the
// answer.
func slackCall(t *testing.T, base, method, bearer string, form url.Values) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, SlackAPIURL(base)+method, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSlackChecksLikeSlack(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	cases := []struct {
		name, method, bearer string
		form                 url.Values
		wantErr              string
	}{
		{"no token", "chat.postMessage", "", url.Values{"channel": {"C1"}, "text": {"hi"}}, "not_authed"},
		{"wrong bearer", "chat.postMessage", "xoxb-wrong", url.Values{"channel": {"C1"}, "text": {"hi"}}, "invalid_auth"},
		{"wrong form token", "chat.postMessage", "", url.Values{"token": {"nope"}, "channel": {"C1"}, "text": {"hi"}}, "invalid_auth"},
		{"unknown method", "chat.fly", slackToken, nil, "unknown_method"},
		{"no channel", "chat.postMessage", slackToken, url.Values{"text": {"hi"}}, "channel_not_found"},
		{"no text or blocks", "chat.postMessage", slackToken, url.Values{"channel": {"C1"}}, "no_text"},
		{"empty blocks", "chat.postMessage", slackToken, url.Values{"channel": {"C1"}, "blocks": {"[]"}}, "no_text"},
		{"update without ts", "chat.update", slackToken, url.Values{"channel": {"C1"}, "text": {"x"}}, "message_not_found"},
		{"update unknown message", "chat.update", slackToken, url.Values{"channel": {"C1"}, "ts": {"1.000001"}, "text": {"x"}}, "message_not_found"},
		{"ephemeral without user", "chat.postEphemeral", slackToken, url.Values{"channel": {"C1"}, "text": {"x"}}, "user_not_in_channel"},
		{"open without users", "conversations.open", slackToken, nil, "users_list_not_supplied"},
		{"views.open without trigger", "views.open", slackToken, url.Values{"view": {`{"type":"modal"}`}}, "invalid_arguments"},
		{"views.open without view", "views.open", slackToken, url.Values{"trigger_id": {"1.2.3"}}, "invalid_arguments"},
		{"views.publish of a modal", "views.publish", slackToken, url.Values{"user_id": {"U1"}, "view": {`{"type":"modal"}`}}, "invalid_arguments"},
		{"views.update unknown", "views.update", slackToken, url.Values{"view_id": {"V9"}, "view": {`{"type":"modal"}`}}, "not_found"},
		{"replies without ts", "conversations.replies", slackToken, url.Values{"channel": {"C1"}}, "invalid_arguments"},
		{"history without channel", "conversations.history", slackToken, nil, "channel_not_found"},
		{"reaction without name", "reactions.add", slackToken, url.Values{"channel": {"C1"}, "timestamp": {"1.1"}}, "invalid_name"},
		{"users.info without user", "users.info", slackToken, nil, "user_not_found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out := slackCall(t, srv.URL, c.method, c.bearer, c.form)
			if out["ok"] != false || out["error"] != c.wantErr {
				t.Errorf("got %v, want error %q", out, c.wantErr)
			}
		})
	}
}

func TestSlackWithSlackGo(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t)
	ctx := context.Background()
	api := slack.New(slackToken, slack.OptionAPIURL(SlackAPIURL(srv.URL)))

	auth, err := api.AuthTestContext(ctx)
	if err != nil || auth.UserID != SlackBotUser || auth.TeamID != SlackTeamID {
		t.Fatalf("auth.test: %+v, %v", auth, err)
	}
	ch, ts1, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("first", false))
	if err != nil || ch != "C1" || ts1 == "" {
		t.Fatalf("postMessage: %s %s %v", ch, ts1, err)
	}
	_, ts2, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*second*", false, false), nil, nil)))
	if err != nil || ts2 <= ts1 {
		t.Fatalf("second post: ts %s after %s, %v", ts2, ts1, err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("reply", false), slack.MsgOptionTS(ts1)); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts1, slack.MsgOptionText("first, edited", false)); err != nil {
		t.Fatal(err)
	}
	hist, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1"})
	if err != nil || len(hist.Messages) != 2 || hist.Messages[0].Timestamp != ts2 || hist.Messages[1].Text != "first, edited" {
		t.Fatalf("history: %+v, %v", hist, err)
	}
	replies, _, _, err := api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: ts1})
	if err != nil || len(replies) != 2 || replies[1].Text != "reply" {
		t.Fatalf("replies: %+v, %v", replies, err)
	}
	if err := api.AddReactionContext(ctx, "white_check_mark", slack.NewRefToMessage("C1", ts2)); err != nil {
		t.Fatal(err)
	}
	dm1, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U2"}})
	if err != nil {
		t.Fatal(err)
	}
	dm2, _, _, _ := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U2"}})
	if dm1.ID == "" || dm1.ID != dm2.ID || !strings.HasPrefix(dm1.ID, "D") {
		t.Errorf("DM ids %q %q: want one stable D... id per user", dm1.ID, dm2.ID)
	}
	// Posting to a user id lands in that user's DM, as in Slack.
	if ch, _, err := api.PostMessageContext(ctx, "U2", slack.MsgOptionText("psst", false)); err != nil || ch != dm1.ID {
		t.Errorf("post to user: channel %q, %v", ch, err)
	}
	modal := slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject("plain_text", "Standup", false, false), ExternalID: "standup-1"}
	opened, err := api.OpenViewContext(ctx, "trigger-1", modal)
	if err != nil || opened.ID == "" || opened.ExternalID != "standup-1" {
		t.Fatalf("views.open: %+v, %v", opened, err)
	}
	updated, err := api.UpdateViewContext(ctx, modal, "standup-1", opened.Hash, "")
	if err != nil || updated.ID != opened.ID {
		t.Fatalf("views.update by external id: %+v, %v", updated, err)
	}
	if _, err := api.UpdateViewContext(ctx, modal, "", "stale-hash", opened.ID); err == nil || !strings.Contains(err.Error(), "hash_conflict") {
		t.Errorf("stale hash: %v", err)
	}
	home, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U2", View: slack.HomeTabViewRequest{Type: slack.VTHomeTab}})
	if err != nil || home.ID == "" {
		t.Fatalf("views.publish: %+v, %v", home, err)
	}
	user, err := api.GetUserInfoContext(ctx, "U2")
	if err != nil || user.ID != "U2" || user.TZ != "UTC" {
		t.Fatalf("users.info: %+v, %v", user, err)
	}

	calls := s.Outbox().Calls(Filter{Service: "slack", API: "chat.postMessage"})
	if len(calls) != 4 {
		t.Fatalf("recorded %d chat.postMessage calls, want 4", len(calls))
	}
	first := calls[0]
	req := first.Request.(map[string]any)
	if first.Path != "/chat.postMessage" || !first.Authorized || first.Status != 200 || req["text"] != "first" || req["channel"] != "C1" {
		t.Errorf("recorded call %+v", first)
	}
	if tok, ok := req["token"]; ok && tok != redacted {
		t.Errorf("the token was recorded: %v", tok)
	}
	if resp := first.Response.(map[string]any); resp["ts"] != ts1 {
		t.Errorf("recorded response %v", resp)
	}
}

func TestSlackResponseURL(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t)
	u := ResponseURL(srv.URL, "abc")
	if err := slack.PostWebhook(u, &slack.WebhookMessage{Text: "done", ResponseType: "ephemeral"}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(u, "application/json", strings.NewReader(`{"response_type":"ephemeral"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("a response without text: %d, want 400", resp.StatusCode)
	}
	calls := s.Outbox().Calls(Filter{API: "response_url"})
	if len(calls) != 2 || calls[0].Path != "/response/abc" || calls[0].Request.(map[string]any)["text"] != "done" {
		t.Errorf("recorded %+v", calls)
	}
}
