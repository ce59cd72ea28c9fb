package slackinstall_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/httpapi"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/slackinstall"
)

// install creates a Slack app in the stand-in with the route as its redirect URL, stores its
// credentials in the SSM stand-in, and returns the handler and a function that presses
// "Allow" on the authorize page (returning the code Slack sends to the route).
func install(t *testing.T) (slackinstall.Handler, *standins.Server, string, func() string) {
	t.Helper()
	st := standins.New(standins.Options{})
	srv := httptest.NewServer(st)
	t.Cleanup(srv.Close)
	api := slack.New("", slack.OptionAPIURL(standins.SlackAPIURL(srv.URL)))
	resp, err := api.CreateManifestRawContext(context.Background(), []byte(`{"display_information":{"name":"Rituals"},"features":{"bot_user":{"display_name":"rituals"}},
		"oauth_config":{"redirect_urls":["https://abc.execute-api.eu-west-1.amazonaws.com/slack/oauth"],"scopes":{"bot":["chat:write"]}}}`), standins.SlackConfigToken)
	if err != nil {
		t.Fatal(err)
	}
	st.SetParameter("/rituals/slack-client-id", resp.Credentials.ClientId)
	st.SetParameter("/rituals/slack-client-secret", resp.Credentials.ClientSecret)
	params := runtimeenv.SSM{Endpoint: standins.SSMURL(srv.URL), Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider(standins.AWSAccessKeyID, standins.AWSSecretAccessKey, "")}
	h := slackinstall.Handler{
		Params: params, OAuth: slackinstall.SlackOAuth{APIURL: standins.SlackAPIURL(srv.URL)},
		ClientIDParam: "/rituals/slack-client-id", ClientSecretParam: "/rituals/slack-client-secret", BotTokenParam: "/rituals/slack-bot-token",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	allow := func() string {
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		r, err := noFollow.Get(resp.OAuthAuthorizeUrl)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		loc, _ := url.Parse(r.Header.Get("Location"))
		return loc.Query().Get("code")
	}
	return h, st, resp.Credentials.ClientSecret, allow
}

func request(at time.Time, q map[string]string) httpapi.Request {
	r := httpapi.Request{QueryStringParameters: q}
	r.RequestContext.HTTP.Method = http.MethodGet
	r.RequestContext.TimeEpoch = at.UnixMilli()
	return r
}

func TestInstallRoute(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		query  func(secret string, code string) map[string]string
		status int
		page   string
		stored bool
	}{
		{"allowed", func(s, c string) map[string]string {
			return map[string]string{"code": c, "state": slackinstall.SignState(s, now.Add(time.Hour))}
		}, 200, "Rituals is installed in Rituals Local", true},
		{"the link expired", func(s, c string) map[string]string {
			return map[string]string{"code": c, "state": slackinstall.SignState(s, now.Add(-time.Second))}
		}, 400, "install link not valid: it expired at 2026-11-23T08:59:59Z", false},
		{"a link made with another secret", func(_, c string) map[string]string {
			return map[string]string{"code": c, "state": slackinstall.SignState("other", now.Add(time.Hour))}
		}, 400, "it was not made for this app", false},
		{"no state", func(_, c string) map[string]string { return map[string]string{"code": c} }, 400, "it has no valid state", false},
		{"Cancel pressed", func(string, string) map[string]string { return map[string]string{"error": "access_denied"} }, 400, "access_denied", false},
		{"opened by hand", func(string, string) map[string]string { return nil }, 400, "without Slack's code", false},
		{"a code used before", func(s, _ string) map[string]string {
			return map[string]string{"code": "0123456789ab", "state": slackinstall.SignState(s, now.Add(time.Hour))}
		}, 502, "Slack refused the code", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, st, secret, allow := install(t)
			resp, err := h.Handle(context.Background(), request(now, tc.query(secret, allow())))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || !strings.Contains(resp.Body, tc.page) {
				t.Errorf("%d %s", resp.StatusCode, resp.Body)
			}
			tok, ok := st.Parameter("/rituals/slack-bot-token")
			if ok != tc.stored || (ok && !strings.HasPrefix(tok, "xoxb-")) {
				t.Errorf("stored %v %q", ok, tok)
			}
		})
	}
	h, st, secret, allow := install(t)
	st.DeleteParameter("/rituals/slack-client-secret")
	resp, _ := h.Handle(context.Background(), request(now, map[string]string{"code": allow(), "state": slackinstall.SignState(secret, now.Add(time.Hour))}))
	if resp.StatusCode != 500 || !strings.Contains(resp.Body, "read the Slack app&#39;s client secret from /rituals/slack-client-secret") {
		t.Errorf("no client secret: %d %s", resp.StatusCode, resp.Body)
	}
	post := request(now, nil)
	post.RequestContext.HTTP.Method = http.MethodPost
	if resp, _ := h.Handle(context.Background(), post); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}
}
