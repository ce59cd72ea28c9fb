package support

import (
	"context"
	"log/slog"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/clients"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
)

// NewFromEnv wires the support processor for SupportTriageFunction's main from the function's
// environment (see package clients).
func NewFromEnv(ctx context.Context, env runtimeenv.Env, log *slog.Logger) (*Processor, error) {
	c, err := clients.FromEnv(ctx, env)
	if err != nil {
		return nil, err
	}
	return &Processor{
		Config:   c.Config(),
		Store:    Store{API: c.DynamoDB, Table: c.StateTable},
		Effects:  c.Effects(),
		Calendar: calendar.NewCalendar(log),
		Slack:    c.Slack,
		GitHub:   GitHubClient{Client: c.GitHub},
		Parts:    c.Events(),
		Log:      log,
	}, nil
}
