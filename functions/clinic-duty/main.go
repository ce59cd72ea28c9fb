// Command clinic-duty is ClinicDutyFunction: Clinic Duty — outside pull requests and their
// first responses, sign-up decisions (events table stream), and handovers with the period's
// report and the patches' nags and escalations (schedule). Wiring only; see clinic.NewFromEnv.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/clinic"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
)

func main() {
	ctx := context.Background()
	env, log, err := runtimeenv.Boot(ctx, "ClinicDutyFunction")
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	p, err := clinic.NewFromEnv(ctx, env, log)
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	lambda.Start(p.Invoke)
}
