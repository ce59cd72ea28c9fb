// Command slack-interactions is the SlackInteractionsFunction: POST /slack/interactions (buttons,
// modals) and POST /slack/events (the Events API).
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/httpapi"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/standup"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/support"
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
	secret := env.Secret("SLACK_SIGNING_SECRET")
	interactions := slackapp.Interactions{Secret: secret, Log: log, Now: time.Now}
	slackClient := slackapp.NewClient(env.Secret("SLACK_BOT_TOKEN"), env.Var("SLACK_API_URL"))
	interactions.Handlers = append(interactions.Handlers, standup.Interactions{Deps: standup.NewDeps(ddb, env.Var("STATE_TABLE"), env.Var("EVENTS_TABLE"), slackClient, log)})
	interactions.Handlers = append(interactions.Handlers, support.Interactions{
		Config: config.NewSource(ddb, env.Var("STATE_TABLE"), config.DefaultTTL),
		Store:  support.Store{API: ddb, Table: env.Var("STATE_TABLE")},
		Events: store.Events{API: ddb, Table: env.Var("EVENTS_TABLE")},
		Slack:  slackClient,
		Log:    log,
	})
	eventsAPI := slackapp.EventsAPI{
		Secret: secret,
		Events: store.Events{API: ddb, Table: env.Var("EVENTS_TABLE")},
		Log:    log,
		Now:    time.Now,
	}
	lambda.Start(func(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
		if req.RawPath == "/slack/events" {
			return eventsAPI.Handle(ctx, req)
		}
		return interactions.Handle(ctx, req)
	})
}
