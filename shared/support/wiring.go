package support

import (
	"context"
	"log/slog"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/clients"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/standup"
)

// NewFromEnv wires the support processor for SupportTriageFunction's main from the function's
// environment (see package clients).
func NewFromEnv(ctx context.Context, env runtimeenv.Env, log *slog.Logger) (*Processor, error) {
	c, err := clients.FromEnv(ctx, env)
	if err != nil {
		return nil, err
	}
	cal := calendar.NewCalendar(log)
	return &Processor{
		Config:   c.Config(),
		Store:    Store{API: c.DynamoDB, Table: c.StateTable, Calendar: cal, Away: standup.Store{API: c.DynamoDB, Table: c.StateTable}},
		Effects:  c.Effects(),
		Calendar: cal,
		Slack:    c.Slack,
		GitHub:   GitHubClient{Client: c.GitHub},
		Parts:    c.Events(),
		Log:      log,
	}, nil
}
