// Command sprints is the SprintsFunction: sprints' GitHub issues and milestone deliveries and
// /sprint's requests (events table stream), and the tick that starts sprints, takes the daily
// snapshots and posts the reports with their burnup chart (schedule). Wiring only; see
// sprints.NewFromEnv.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/sprints"
	"github.com/rituals-dev/rituals/shared/sprints/burnup"
)

func main() {
	ctx := context.Background()
	env, log, err := runtimeenv.Boot(ctx, "SprintsFunction")
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	p, err := sprints.NewFromEnv(ctx, env, log, burnup.Render)
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	lambda.Start(p.Invoke)
}
