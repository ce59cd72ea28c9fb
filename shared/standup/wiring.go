package standup

import (
	"context"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/activity"
	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/clients"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/store"
)

// NewDeps wires the interactive paths' dependencies for the Slack functions' mains: the state
// table (standups, activity mirror), cfg (shared with the function's other features, so the
// config is cached once per container), the events table (internal events; "" for the commands
// function, which puts none) and the Slack client that opens modals.
func NewDeps(db *dynamodb.Client, cfg ConfigSource, stateTable, eventsTable string, sl *slack.Client, log *slog.Logger) Deps {
	d := Deps{
		Store:    Store{API: db, Table: stateTable, Events: eventsTable},
		Config:   cfg,
		Calendar: calendar.NewCalendar(log),
		Activity: activity.Reader{API: db, Table: stateTable},
		Views:    sl,
		Log:      log,
	}
	if eventsTable != "" {
		d.Events = store.Events{API: db, Table: eventsTable}
	}
	return d
}

// NewFromEnv wires the standup's stream processor for StandupProcessorFunction's main from the
// function's environment (see package clients).
func NewFromEnv(ctx context.Context, env runtimeenv.Env, log *slog.Logger) (Processor, error) {
	c, err := clients.FromEnv(ctx, env)
	if err != nil {
		return Processor{}, err
	}
	return Processor{
		Store:     Store{API: c.DynamoDB, Table: c.StateTable, Events: c.EventsTable},
		Effects:   c.Effects(),
		Config:    c.Config(),
		Calendar:  calendar.NewCalendar(log),
		Slack:     c.Slack,
		Issues:    c.GitHub.Issues,
		Responder: HTTPResponder{},
		Parts:     c.Events(),
		Log:       log,
		Links:     LinksFromEnv(env.Var("WEB_URL")),
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
		Links:    p.Links,
	}, nil
}
