// Command activity-recorder is ActivityRecorderFunction: it mirrors GitHub deliveries from the
// events table's stream into the state table (see package activity). Wiring only.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/activity"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/store"
)

func main() {
	log := logs.New(os.Stderr, os.Getenv("AWS_LAMBDA_LOG_LEVEL"))
	slog.SetDefault(log)
	ctx := context.Background()

	// The function has no secrets, so no SSM client is needed.
	env, err := runtimeenv.Load(ctx, runtimeenv.Specs["ActivityRecorderFunction"], os.Getenv, nil)
	if err != nil {
		log.Error("configuration", logs.Err, err.Error())
		os.Exit(1)
	}
	db, err := store.NewClient(ctx, env.Var("DYNAMODB_ENDPOINT"))
	if err != nil {
		log.Error("dynamodb client", logs.Err, err.Error())
		os.Exit(1)
	}
	h := activity.Handler{
		Recorder: activity.Recorder{API: db, Table: env.Var("STATE_TABLE")},
		Parts:    store.Events{API: db, Table: env.Var("EVENTS_TABLE")},
		Log:      log,
	}
	lambda.Start(h.Handle)
}
