// Command phabricator-webhook is the PhabricatorWebhookFunction: POST /webhooks/phabricator.
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
	env, log, err := runtimeenv.Boot(ctx, "PhabricatorWebhookFunction")
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	ddb, err := store.NewClient(ctx, env.Var("DYNAMODB_ENDPOINT"))
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	events := store.Events{API: ddb, Table: env.Var("EVENTS_TABLE")}
	h := &runtimeenv.Rotating{Env: env, Names: []string{"PHABRICATOR_WEBHOOK_HMAC_KEY"}, Log: log, Build: func(env runtimeenv.Env) runtimeenv.HTTPHandler {
		return ingest.Phabricator{Key: []byte(env.Secret("PHABRICATOR_WEBHOOK_HMAC_KEY")), Events: events, Log: log, Now: time.Now}.Handle
	}}
	lambda.Start(h.Handle)
}
