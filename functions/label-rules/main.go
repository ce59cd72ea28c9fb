// Command label-rules is LabelRulesFunction: label rules on GitHub issues and pull requests —
// the issue mirror, triggers and cancellations (events table stream) and the timer sweep
// (schedule). Wiring only; see labels.NewFromEnv.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/labels"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
)

func main() {
	ctx := context.Background()
	env, log, err := runtimeenv.Boot(ctx, "LabelRulesFunction")
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	p, err := labels.NewFromEnv(ctx, env, log)
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	lambda.Start(p.Invoke)
}
