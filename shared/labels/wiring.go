package labels

import (
	"context"
	"log/slog"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/clients"
	"github.com/rituals-dev/rituals/shared/ghub"
	"github.com/rituals-dev/rituals/shared/rotation"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/standup"
)

// NewFromEnv wires the label-rules processor for LabelRulesFunction's main from the function's
// environment (see package clients).
func NewFromEnv(ctx context.Context, env runtimeenv.Env, log *slog.Logger) (*Processor, error) {
	c, err := clients.FromEnv(ctx, env)
	if err != nil {
		return nil, err
	}
	return &Processor{
		Config:   c.Config(),
		Mirror:   Mirror{API: c.DynamoDB, Table: c.StateTable},
		Timers:   Timers{API: c.DynamoDB, Table: c.StateTable},
		Effects:  c.Effects(),
		Calendar: calendar.NewCalendar(log),
		Slack:    c.Slack,
		GitHub:   ghub.Issues{Client: c.GitHub},
		Projects: ghub.ProjectCache{API: c.DynamoDB, Table: c.StateTable},
		Rotations: rotation.Engine{
			Store:    rotation.Store{API: c.DynamoDB, Table: c.StateTable},
			Calendar: calendar.NewCalendar(log),
			Away:     standup.Store{API: c.DynamoDB, Table: c.StateTable},
		},
		Parts: c.Events(),
		Log:   log,
	}, nil
}
