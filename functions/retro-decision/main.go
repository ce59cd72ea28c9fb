// Command retro-decision is RetroDecisionFunction: retros (boards, results, action items opened
// in the team's tracker, their state mirrored from issues webhooks) and DACI decisions (the
// record, the consulted, the approvers, the informed), from the events table's stream. Wiring
// only; see retro.Processor and decision.Processor.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/clients"
	"github.com/rituals-dev/rituals/shared/decision"
	"github.com/rituals-dev/rituals/shared/retro"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/streams"
)

func main() {
	ctx := context.Background()
	env, log, err := runtimeenv.Boot(ctx, "RetroDecisionFunction")
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	c, err := clients.FromEnv(ctx, env)
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	cfg := c.Config() // one cache for both features
	h := streams.Fanout{
		Processors: []streams.Processor{retro.NewProcessor(c, cfg, log), decision.NewProcessor(c, cfg, log)},
		Parts:      c.Events(),
		Log:        log,
	}
	lambda.Start(h.Handle)
}
