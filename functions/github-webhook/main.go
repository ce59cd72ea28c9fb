// Command github-webhook is the GitHubWebhookFunction: POST /webhooks/github.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/ingest"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/store"
)

func main() {
	ctx := context.Background()
	env, log, err := runtimeenv.Boot(ctx, "GitHubWebhookFunction")
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	ddb, err := store.NewClient(ctx, env.Var("DYNAMODB_ENDPOINT"))
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	h := ingest.GitHub{
		Secret: []byte(env.Secret("GITHUB_WEBHOOK_SECRET")),
		Events: store.Events{API: ddb, Table: env.Var("EVENTS_TABLE")},
		Log:    log,
		Now:    time.Now,
	}
	lambda.Start(h.Handle)
}
