package sprints

import (
	"context"
	"log/slog"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/clients"
	"github.com/rituals-dev/rituals/shared/phab"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
)

// NewFromEnv wires the SprintsFunction from its environment: the tables, the Slack bot token,
// the Conduit API token (CONDUIT_API_TOKEN; locally CONDUIT_API_URL in place of the config's
// phabricator.url), and render, which draws the burnup chart (burnup.Render).
func NewFromEnv(ctx context.Context, env runtimeenv.Env, log *slog.Logger, render Renderer) (*Processor, error) {
	c, err := clients.FromEnv(ctx, env)
	if err != nil {
		return nil, err
	}
	st := Store{API: c.DynamoDB, Table: c.StateTable}
	effects := c.Effects()
	return &Processor{
		Config:   c.Config(),
		Store:    st,
		Recorder: &Recorder{Store: st, Effects: effects, Slack: c.Slack, Log: log},
		Effects:  effects,
		Slack:    c.Slack,
		Calendar: calendar.NewCalendar(log),
		Render:   render,
		Phab: ConduitSource{
			Clients:  &phab.Clients{Token: env.Secret("CONDUIT_API_TOKEN"), URL: env.Var("CONDUIT_API_URL")},
			Resolver: &phab.Resolver{},
		},
		Parts: c.Events(),
		Log:   log,
	}, nil
}
