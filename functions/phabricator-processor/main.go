// Command phabricator-processor is PhabricatorProcessorFunction: Herald deliveries turned into
// task transactions through Conduit, the task mirror and the workboard rules (events table
// stream), and Unbreak Now! nags, escalations and the morning triage list (schedule); Clinic
// Duty's ledger and outside Differential revisions. Wiring only; see workboard.NewFromEnv and
// clinic.AddToPhabricator.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/clinic"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/workboard"
)

func main() {
	ctx := context.Background()
	env, log, err := runtimeenv.Boot(ctx, "PhabricatorProcessorFunction")
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	p, err := workboard.NewFromEnv(ctx, env, log)
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	if err := clinic.AddToPhabricator(ctx, env, log, p.Phab); err != nil {
		runtimeenv.Exit(log, err)
	}
	lambda.Start(p.Invoke)
}
