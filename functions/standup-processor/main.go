// Command standup-processor is StandupProcessorFunction: it handles the standup's internal
// events and Slack's app_home_opened from the events table's stream (see standup.Processor).
// Wiring only; see standup.NewFromEnv.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/standup"
)

func main() {
	ctx := context.Background()
	env, log, err := runtimeenv.Boot(ctx, "StandupProcessorFunction")
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	p, err := standup.NewFromEnv(ctx, env, log)
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	lambda.Start(p.Handle)
}
