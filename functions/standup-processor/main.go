// Command standup-processor is StandupProcessorFunction: it handles the standup's internal
// events and Slack's app_home_opened from the events table's stream (see standup.Processor).
// Wiring only.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/ghub"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/standup"
	"github.com/rituals-dev/rituals/shared/store"
)

func main() {
	ctx := context.Background()
	env, log, err := runtimeenv.Boot(ctx, "StandupProcessorFunction")
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	ddb, err := store.NewClient(ctx, env.Var("DYNAMODB_ENDPOINT"))
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	gh, err := ghub.NewClient(env.Secret("GITHUB_TOKEN"), env.Var("GITHUB_API_URL"))
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	table := env.Var("STATE_TABLE")
	p := standup.Processor{
		Store:     standup.Store{API: ddb, Table: table},
		Effects:   store.Effects{API: ddb, Table: table},
		Config:    config.NewSource(ddb, table, 0),
		Calendar:  standup.NewCalendar(log),
		Slack:     slackapp.NewClient(env.Secret("SLACK_BOT_TOKEN"), env.Var("SLACK_API_URL")),
		Issues:    gh.Issues,
		Responder: standup.HTTPResponder{},
		Parts:     store.Events{API: ddb, Table: env.Var("EVENTS_TABLE")},
		Log:       log,
	}
	lambda.Start(p.Handle)
}
