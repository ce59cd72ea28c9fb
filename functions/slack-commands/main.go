// Command slack-commands is the SlackCommandsFunction: POST /slack/commands.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

func main() {
	ctx := context.Background()
	env, log, err := runtimeenv.Boot(ctx, "SlackCommandsFunction")
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	var others []slackapp.Command
	h := slackapp.Commands{
		Secret:   env.Secret("SLACK_SIGNING_SECRET"),
		Commands: append([]slackapp.Command{slackapp.Rituals{Others: others}}, others...),
		Log:      log,
		Now:      time.Now,
	}
	lambda.Start(h.Handle)
}
