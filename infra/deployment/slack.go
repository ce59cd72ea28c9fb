package deployment

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/slackapp"
)

// SlackIdentity is what auth.test says of a bot token.
type SlackIdentity struct {
	Team, TeamID, User, UserID, BotID string
	// Scopes are the token's scopes (Slack's X-OAuth-Scopes header).
	Scopes []string
}

// SlackAuth runs auth.test with token. Slack's refusal (invalid_auth, token_revoked...) is
// returned as a slack.SlackErrorResponse.
func (t *Target) SlackAuth(ctx context.Context, token string) (SlackIdentity, error) {
	base := t.SlackAPI
	if base == "" {
		base = slack.APIURL
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+"/auth.test", strings.NewReader(url.Values{}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := t.HTTP.Do(req)
	if err != nil {
		return SlackIdentity{}, fmt.Errorf("auth.test: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var out struct {
		OK     bool   `json:"ok"`
		Error  string `json:"error"`
		Team   string `json:"team"`
		TeamID string `json:"team_id"`
		User   string `json:"user"`
		UserID string `json:"user_id"`
		BotID  string `json:"bot_id"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return SlackIdentity{}, fmt.Errorf("auth.test answered %s: %w", resp.Status, err)
	}
	if !out.OK {
		return SlackIdentity{}, slack.SlackErrorResponse{Err: out.Error}
	}
	id := SlackIdentity{Team: out.Team, TeamID: out.TeamID, User: out.User, UserID: out.UserID, BotID: out.BotID}
	for _, s := range strings.Split(resp.Header.Get("X-OAuth-Scopes"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			id.Scopes = append(id.Scopes, s)
		}
	}
	return id, nil
}

// Slack returns a Web API client for token at the target's Slack.
func (t *Target) Slack(token string) *slack.Client {
	if t.SlackAPI == "" {
		return slack.New(token, slack.OptionHTTPClient(t.HTTP))
	}
	return slackapp.NewClient(token, t.SlackAPI)
}
