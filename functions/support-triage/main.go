// Command support-triage is SupportTriageFunction: support requests from GitHub issues, their
// Slack announcement and GitHub effects (events table stream), and the support rotation's
// handovers, nags and digests (schedule). Wiring only; see package support.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/ghub"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/support"
)

func main() {
	ctx := context.Background()
	env, log, err := runtimeenv.Boot(ctx, "SupportTriageFunction")
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
	state := env.Var("STATE_TABLE")
	p := &support.Processor{
		Config:  config.NewSource(ddb, state, config.DefaultTTL),
		Store:   support.Store{API: ddb, Table: state},
		Effects: store.Effects{API: ddb, Table: state},
		Slack:   slackapp.NewClient(env.Secret("SLACK_BOT_TOKEN"), env.Var("SLACK_API_URL")),
		GitHub:  support.GitHubClient{Client: gh},
		Parts:   store.Events{API: ddb, Table: env.Var("EVENTS_TABLE")},
		Log:     log,
	}
	lambda.Start(p.Invoke)
}
