package standup

import (
	"context"
	"log/slog"

	"github.com/rituals-dev/rituals/shared/clients"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
)

// NewFromEnv wires the standup's stream processor for StandupProcessorFunction's main from the
// function's environment (see package clients).
func NewFromEnv(ctx context.Context, env runtimeenv.Env, log *slog.Logger) (Processor, error) {
	c, err := clients.FromEnv(ctx, env)
	if err != nil {
		return Processor{}, err
	}
	return Processor{
		Store:     Store{API: c.DynamoDB, Table: c.StateTable},
		Effects:   c.Effects(),
		Config:    c.Config(),
		Calendar:  NewCalendar(log),
		Slack:     c.Slack,
		Issues:    c.GitHub.Issues,
		Responder: HTTPResponder{},
		Parts:     c.Events(),
		Log:       log,
	}, nil
}

// NewSchedulerFromEnv wires the standup's scheduler for StandupSchedulerFunction's main, with
// the same store, config, calendar and clients as NewFromEnv's processor.
func NewSchedulerFromEnv(ctx context.Context, env runtimeenv.Env, log *slog.Logger) (Scheduler, error) {
	p, err := NewFromEnv(ctx, env, log)
	if err != nil {
		return Scheduler{}, err
	}
	return Scheduler{
		Store:    p.Store,
		Effects:  p.Effects,
		Config:   p.Config,
		Calendar: p.Calendar,
		Slack:    p.Slack,
		Issues:   p.Issues,
		Log:      p.Log,
	}, nil
}
