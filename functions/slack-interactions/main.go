// Command slack-interactions is the SlackInteractionsFunction: POST /slack/interactions (buttons,
// modals) and POST /slack/events (the Events API).
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/clinic"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/decision"
	"github.com/rituals-dev/rituals/shared/httpapi"
	"github.com/rituals-dev/rituals/shared/retro"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/standup"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/support"
	"github.com/rituals-dev/rituals/shared/workboard"
)

func main() {
	ctx := context.Background()
	env, log, err := runtimeenv.Boot(ctx, "SlackInteractionsFunction")
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	ddb, err := store.NewClient(ctx, env.Var("DYNAMODB_ENDPOINT"))
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	state := env.Var("STATE_TABLE")
	events := store.Events{API: ddb, Table: env.Var("EVENTS_TABLE")}
	slackClient := slackapp.NewClient(env.Secret("SLACK_BOT_TOKEN"), env.Var("SLACK_API_URL"))
	cfg := config.NewSource(ddb, state, config.DefaultTTL) // one cache for every feature
	interactions := slackapp.Interactions{
		Handlers: []slackapp.Interaction{
			standup.Interactions{Deps: standup.NewDeps(ddb, cfg, state, events.Table, slackClient, log)},
			support.Interactions{Config: cfg, Store: support.Store{API: ddb, Table: state}, Events: events, Slack: slackClient, Log: log},
			retro.Interactions{Config: cfg, Store: retro.Store{API: ddb, Table: state, Events: events.Table}, Events: events, Slack: slackClient, Log: log},
			decision.Interactions{Config: cfg, Store: decision.Store{API: ddb, Table: state, Events: events.Table}, Slack: slackClient, Log: log},
			workboard.Interactions{Config: cfg, Store: workboard.Store{API: ddb, Table: state}, Events: events, Slack: slackClient, Log: log},
			clinic.Interactions{Config: cfg, Store: clinic.Store{API: ddb, Table: state, Events: events.Table}, Slack: slackClient, Log: log},
		},
		Replays: &slackapp.ReplayGuard{API: ddb, Table: state},
		Log:     log,
		Now:     time.Now,
	}
	h := &runtimeenv.Rotating{Env: env, Names: []string{"SLACK_SIGNING_SECRET"}, Log: log, Build: func(env runtimeenv.Env) runtimeenv.HTTPHandler {
		secret := env.Secret("SLACK_SIGNING_SECRET")
		i := interactions
		i.Secret = secret
		eventsAPI := slackapp.EventsAPI{Secret: secret, Events: events, Log: log, Now: time.Now}
		return func(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
			if req.RawPath == "/slack/events" {
				return eventsAPI.Handle(ctx, req)
			}
			return i.Handle(ctx, req)
		}
	}}
	lambda.Start(h.Handle)
}
