package retro

import (
	"log/slog"

	"github.com/rituals-dev/rituals/shared/clients"
)

// NewProcessor wires the retro processor from a function's clients (see package clients) and
// its config source: the state table, Slack, and GitHub as the tracker of teams with a
// retro.repo.
func NewProcessor(c clients.Set, cfg ConfigSource, log *slog.Logger) *Processor {
	return &Processor{
		Config:   cfg,
		Store:    Store{API: c.DynamoDB, Table: c.StateTable, Events: c.EventsTable},
		Effects:  c.Effects(),
		Slack:    c.Slack,
		Trackers: Trackers{GitHub: &GitHubTracker{Issues: c.GitHub.Issues}},
		Log:      log,
	}
}
