// Command standup-scheduler is StandupSchedulerFunction: on each scheduled event it runs one
// standup tick with the event's time as now (see standup.Scheduler). Wiring only; see
// standup.NewSchedulerFromEnv.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/standup"
)

func main() {
	ctx := context.Background()
	env, log, err := runtimeenv.Boot(ctx, "StandupSchedulerFunction")
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	s, err := standup.NewSchedulerFromEnv(ctx, env, log)
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	lambda.Start(func(ctx context.Context, ev events.CloudWatchEvent) (standup.TickResult, error) {
		return s.Tick(ctx, ev.Time)
	})
}
