package workboard

import (
	"context"
	"log/slog"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/clients"
	"github.com/rituals-dev/rituals/shared/phab"
	"github.com/rituals-dev/rituals/shared/rotation"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/sprints"
	"github.com/rituals-dev/rituals/shared/standup"
)

// NewFromEnv wires PhabricatorProcessorFunction from its environment: the tables, the Slack
// bot token, the Conduit API token (CONDUIT_API_TOKEN) and, locally, CONDUIT_API_URL in place
// of the config's phabricator.url.
func NewFromEnv(ctx context.Context, env runtimeenv.Env, log *slog.Logger) (*Processor, error) {
	c, err := clients.FromEnv(ctx, env)
	if err != nil {
		return nil, err
	}
	mirror := phab.Mirror{API: c.DynamoDB, Table: c.StateTable}
	board := &Workboard{
		Store:    Store{API: c.DynamoDB, Table: c.StateTable},
		Mirror:   mirror,
		Effects:  c.Effects(),
		Calendar: calendar.NewCalendar(log),
		Slack:    c.Slack,
		Duty: Rotations{Engine: rotation.Engine{
			Store:    rotation.Store{API: c.DynamoDB, Table: c.StateTable},
			Calendar: calendar.NewCalendar(log),
			Away:     standup.Store{API: c.DynamoDB, Table: c.StateTable},
		}},
		Log: log,
	}
	// Sprints record what deliveries say about the teams' milestones (see package sprints).
	sprintsReactor := &sprints.PhabReactor{Recorder: &sprints.Recorder{
		Store: sprints.Store{API: c.DynamoDB, Table: c.StateTable}, Effects: c.Effects(), Slack: c.Slack, Log: log,
	}}
	return &Processor{
		Phab: &phab.Processor{
			Config:   c.Config(),
			Clients:  &phab.Clients{Token: env.Secret("CONDUIT_API_TOKEN"), URL: env.Var("CONDUIT_API_URL")},
			Resolver: &phab.Resolver{},
			Mirror:   mirror,
			Reactors: []phab.Reactor{board, sprintsReactor},
			Log:      log,
		},
		Board: board,
		Parts: c.Events(),
		Log:   log,
	}, nil
}
