// Command github-reconcile is GitHubReconcileFunction: on a schedule it asks GitHub to redeliver
// the webhook deliveries that failed (see redelivery.Reconciler). Wiring only.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/redelivery"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
)

func main() {
	ctx := context.Background()
	env, log, err := runtimeenv.Boot(ctx, "GitHubReconcileFunction")
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	h, err := redelivery.NewFromEnv(ctx, env, log)
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	lambda.Start(h.Handle)
}
