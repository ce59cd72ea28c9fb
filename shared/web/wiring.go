package web

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/rituals-dev/rituals/shared/activity"
	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/standup"
	"github.com/rituals-dev/rituals/shared/store"
)

// NewFromEnv wires WebFunction's App from its environment: the state and events tables, the
// Slack app's OpenID client id and secret, the session key, and OIDC_ISSUER_URL (set locally
// to the stand-in; Slack otherwise).
func NewFromEnv(ctx context.Context, env runtimeenv.Env, log *slog.Logger) (*App, error) {
	ddb, err := store.NewClient(ctx, env.Var("DYNAMODB_ENDPOINT"))
	if err != nil {
		return nil, fmt.Errorf("dynamodb client: %w", err)
	}
	sessions, err := NewSessions(env.Secret("WEB_SESSION_KEY"))
	if err != nil {
		return nil, err
	}
	issuer := env.Var("OIDC_ISSUER_URL")
	if issuer == "" {
		issuer = SlackIssuer
	}
	state := env.Var("STATE_TABLE")
	return &App{
		Standups: standup.Deps{
			Store:    standup.Store{API: ddb, Table: state, Events: env.Var("EVENTS_TABLE")},
			Config:   config.NewSource(ddb, state, config.DefaultTTL),
			Calendar: calendar.NewCalendar(log),
			Activity: activity.Reader{API: ddb, Table: state},
			Log:      log,
		},
		OIDC:     &OIDC{Issuer: issuer, ClientID: env.Secret("SLACK_CLIENT_ID"), ClientSecret: env.Secret("SLACK_CLIENT_SECRET")},
		Sessions: sessions,
		Log:      log,
		Clock:    time.Now,
	}, nil
}
