package clinic

import (
	"context"
	"log/slog"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/clients"
	"github.com/rituals-dev/rituals/shared/ghub"
	"github.com/rituals-dev/rituals/shared/phab"
	"github.com/rituals-dev/rituals/shared/rotation"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/standup"
	"github.com/rituals-dev/rituals/shared/workboard"
)

// NewFromEnv wires the ClinicDutyFunction from its environment (see package clients).
func NewFromEnv(ctx context.Context, env runtimeenv.Env, log *slog.Logger) (*Processor, error) {
	c, err := clients.FromEnv(ctx, env)
	if err != nil {
		return nil, err
	}
	p := newProcessor(c, log)
	p.GitHub = ghub.Issues{Client: c.GitHub}
	return p, nil
}

func newProcessor(c clients.Set, log *slog.Logger) *Processor {
	cal := calendar.NewCalendar(log)
	return &Processor{
		Config: c.Config(),
		Store:  Store{API: c.DynamoDB, Table: c.StateTable, Events: c.EventsTable},
		Rotations: rotation.Engine{
			Store:    rotation.Store{API: c.DynamoDB, Table: c.StateTable},
			Calendar: cal,
			Away:     standup.Store{API: c.DynamoDB, Table: c.StateTable},
		},
		Effects:   c.Effects(),
		Calendar:  cal,
		Slack:     c.Slack,
		Incidents: workboard.Store{API: c.DynamoDB, Table: c.StateTable},
		Columns:   phab.Mirror{API: c.DynamoDB, Table: c.StateTable},
		Parts:     c.Events(),
		Log:       log,
	}
}

// AddToPhabricator wires Clinic Duty's reactors into the PhabricatorProcessorFunction's
// processor: the duty ledger on task deliveries, outside patches on revision deliveries.
func AddToPhabricator(ctx context.Context, env runtimeenv.Env, log *slog.Logger, p *phab.Processor) error {
	c, err := clients.FromEnv(ctx, env)
	if err != nil {
		return err
	}
	r := PhabReactor{P: newProcessor(c, log)}
	p.Reactors = append(p.Reactors, r)
	p.Revisions = append(p.Revisions, r)
	return nil
}
