// Command web is WebFunction: the standup pages under /app (GET and POST), signed in with
// Slack. Wiring only; see web.NewFromEnv.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/web"
)

func main() {
	ctx := context.Background()
	env, log, err := runtimeenv.Boot(ctx, "WebFunction")
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	app, err := web.NewFromEnv(ctx, env, log)
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	lambda.Start(web.Lambda(app.Handler(), time.Now))
}
