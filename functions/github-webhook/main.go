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
	events := store.Events{API: ddb, Table: env.Var("EVENTS_TABLE")}
	h := &runtimeenv.Rotating{Env: env, Names: []string{"GITHUB_WEBHOOK_SECRET"}, Log: log, Build: func(env runtimeenv.Env) runtimeenv.HTTPHandler {
		return ingest.GitHub{Secret: []byte(env.Secret("GITHUB_WEBHOOK_SECRET")), Events: events, Log: log, Now: time.Now}.Handle
	}}
	lambda.Start(h.Handle)
}
