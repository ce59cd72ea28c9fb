package slackinstall

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/runtimeenv"
)

// runtimeenv.SSM is Params over SSM Parameter Store (SecureStrings).
var _ Params = runtimeenv.SSM{}

// SlackOAuth is OAuth through slack-go against APIURL (https://slack.com/api/ when empty),
// with HTTP (a 5-second client when nil).
type SlackOAuth struct {
	APIURL string
	HTTP   *http.Client
}

var _ OAuth = SlackOAuth{}

// Exchange implements OAuth with oauth.v2.access. No redirect_uri is sent: the install link
// has none either, so Slack used the app's first redirect URL (this route).
func (o SlackOAuth) Exchange(ctx context.Context, clientID, clientSecret, code string) (Install, error) {
	var opts []slack.OAuthOption
	if o.APIURL != "" {
		u := o.APIURL
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		opts = append(opts, slack.OAuthOptionAPIURL(u))
	}
	client := o.HTTP
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second}
	}
	resp, err := slack.GetOAuthV2ResponseContext(ctx, client, clientID, clientSecret, code, "", opts...)
	if err != nil {
		return Install{}, fmt.Errorf("oauth.v2.access: %w", err)
	}
	return Install{BotToken: resp.AccessToken, Scope: resp.Scope, AppID: resp.AppID, TeamID: resp.Team.ID, Team: resp.Team.Name, BotUser: resp.BotUserID}, nil
}

// NewFromEnv wires the handler for SlackOAuthFunction's main. The parameters are read at each
// request, not at start: `rituals setup slack` stores the client secret just before a person
// opens the install link, and a re-run may replace it.
func NewFromEnv(ctx context.Context, env runtimeenv.Env, log *slog.Logger) (Handler, error) {
	params, err := runtimeenv.NewSSM(ctx)
	if err != nil {
		return Handler{}, fmt.Errorf("SSM client: %w", err)
	}
	return Handler{
		Params:            params,
		OAuth:             SlackOAuth{APIURL: env.Var("SLACK_API_URL"), HTTP: &http.Client{Timeout: 5 * time.Second}},
		ClientIDParam:     env.Var("SLACK_CLIENT_ID_PARAM"),
		ClientSecretParam: env.Var("SLACK_CLIENT_SECRET_PARAM"),
		BotTokenParam:     env.Var("SLACK_BOT_TOKEN_PARAM"),
		Log:               log,
	}, nil
}
