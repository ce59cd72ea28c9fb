// Command standup-scheduler is StandupSchedulerFunction: on each scheduled event it runs one
// standup tick with the event's time as now (see standup.Scheduler). Wiring only.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
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
	env, log, err := runtimeenv.Boot(ctx, "StandupSchedulerFunction")
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
	s := standup.Scheduler{
		Store:    standup.Store{API: ddb, Table: table},
		Effects:  store.Effects{API: ddb, Table: table},
		Config:   config.NewSource(ddb, table, 0),
		Calendar: standup.NewCalendar(log),
		Slack:    slackapp.NewClient(env.Secret("SLACK_BOT_TOKEN"), env.Var("SLACK_API_URL")),
		Issues:   gh.Issues,
		Log:      log,
	}
	lambda.Start(func(ctx context.Context, ev events.CloudWatchEvent) (standup.TickResult, error) {
		return s.Tick(ctx, ev.Time)
	})
}
