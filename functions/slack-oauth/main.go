// Command slack-oauth is the SlackOAuthFunction: GET /slack/oauth, where Slack sends a person
// who allowed the Rituals app to be installed.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/slackinstall"
)

func main() {
	ctx := context.Background()
	env, log, err := runtimeenv.Boot(ctx, "SlackOAuthFunction")
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	h, err := slackinstall.NewFromEnv(ctx, env, log)
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	lambda.Start(h.Handle)
}
