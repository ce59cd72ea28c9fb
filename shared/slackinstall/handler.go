package slackinstall

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/httpapi"
	"github.com/rituals-dev/rituals/shared/logs"
)

// Params is the part of SSM Parameter Store the route uses.
type Params interface {
	Parameter(ctx context.Context, name string) (string, error)
	Put(ctx context.Context, name, value string) error
}

// OAuth trades an authorize code for the installation's bot token (oauth.v2.access).
type OAuth interface {
	Exchange(ctx context.Context, clientID, clientSecret, code string) (Install, error)
}

// Install is what oauth.v2.access answers.
type Install struct {
	BotToken, Scope, AppID, TeamID, Team, BotUser string
}

// Handler answers GET /slack/oauth.
type Handler struct {
	Params Params
	OAuth  OAuth
	// The SSM parameter names: the app's client id and secret (read) and the bot token
	// (written).
	ClientIDParam, ClientSecretParam, BotTokenParam string
	Log                                             *slog.Logger
}

// Handle exchanges the code for the bot token and stores it, answering a page that says what
// happened and, when it failed, what to do. The request's time is the clock for the link's
// expiry. Nothing is stored unless the state, the code and the token all check out.
func (h Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	if m := httpapi.Method(req); m != http.MethodGet {
		return *httpapi.MethodNotAllowed(http.MethodGet), nil
	}
	now := time.UnixMilli(req.RequestContext.TimeEpoch)
	q := req.QueryStringParameters
	rerun := "Run <code>rituals setup slack</code> again for a new install link."
	if e := q["error"]; e != "" {
		return page(http.StatusBadRequest, "Rituals was not installed", "Slack answered <code>"+html.EscapeString(e)+"</code> (access_denied means Cancel was pressed). "+rerun), nil
	}
	if q["code"] == "" {
		return page(http.StatusBadRequest, "Rituals was not installed", "This page is where Slack sends you after you allow Rituals; it was opened without Slack's code. "+rerun), nil
	}
	clientID, err := h.Params.Parameter(ctx, h.ClientIDParam)
	if err != nil {
		return h.fail(err, "read the Slack app's client id from "+h.ClientIDParam)
	}
	secret, err := h.Params.Parameter(ctx, h.ClientSecretParam)
	if err != nil {
		return h.fail(err, "read the Slack app's client secret from "+h.ClientSecretParam)
	}
	if err := CheckState(secret, q["state"], now); err != nil {
		return page(http.StatusBadRequest, "Rituals was not installed", html.EscapeString(err.Error())+". "+rerun), nil
	}
	in, err := h.OAuth.Exchange(ctx, clientID, secret, q["code"])
	if err != nil {
		h.Log.Warn("slack install: oauth.v2.access failed", logs.Err, err.Error())
		return page(http.StatusBadGateway, "Rituals was not installed", "Slack refused the code: "+html.EscapeString(err.Error())+". "+rerun), nil
	}
	if !strings.HasPrefix(in.BotToken, "xoxb-") {
		return page(http.StatusBadGateway, "Rituals was not installed", "Slack gave no bot token: the app's manifest must have a bot user with bot scopes (infra/slack/manifest.yaml). "+rerun), nil
	}
	if err := h.Params.Put(ctx, h.BotTokenParam, in.BotToken); err != nil {
		return h.fail(err, "store the bot token in "+h.BotTokenParam)
	}
	h.Log.Info("slack install: bot token stored", logs.Team, in.TeamID, "app", in.AppID, "param", h.BotTokenParam)
	return page(http.StatusOK, "Rituals is installed in "+html.EscapeString(in.Team),
		"The bot token is stored in SSM ("+html.EscapeString(h.BotTokenParam)+"). You can close this tab: <code>rituals setup slack</code> goes on from here."), nil
}

func (h Handler) fail(err error, what string) (httpapi.Response, error) {
	h.Log.Error("slack install: "+what, logs.Err, err.Error())
	msg := "Could not " + what + "."
	if errors.Is(err, context.DeadlineExceeded) {
		msg += " It timed out; reload this page."
	} else {
		msg += " Check that <code>rituals setup slack</code> finished storing the app's credentials (<code>rituals doctor</code> says what is missing)."
	}
	return page(http.StatusInternalServerError, "Rituals was not installed", html.EscapeString(msg)), nil
}

// page is a small HTML answer; title and body are HTML already escaped by the caller.
func page(status int, title, body string) httpapi.Response {
	return httpapi.Response{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
		Body:       fmt.Sprintf("<!doctype html><meta charset=utf-8><title>%s</title><h1>%s</h1><p>%s</p>\n", title, title, body),
	}
}
