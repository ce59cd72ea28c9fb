// Command support-triage is SupportTriageFunction: support requests from GitHub issues, their
// Slack announcement and GitHub effects (events table stream), and the support rotation's
// handovers, nags and digests (schedule). Wiring only; see support.NewFromEnv.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/support"
)

func main() {
	ctx := context.Background()
	env, log, err := runtimeenv.Boot(ctx, "SupportTriageFunction")
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	p, err := support.NewFromEnv(ctx, env, log)
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	lambda.Start(p.Invoke)
}
