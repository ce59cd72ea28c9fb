package decision

import (
	"log/slog"

	"github.com/rituals-dev/rituals/shared/clients"
)

// NewProcessor wires the decision processor from a function's clients (see package clients) and
// its config source.
func NewProcessor(c clients.Set, cfg ConfigSource, log *slog.Logger) *Processor {
	return &Processor{
		Config:  cfg,
		Store:   Store{API: c.DynamoDB, Table: c.StateTable, Events: c.EventsTable},
		Effects: c.Effects(),
		Slack:   c.Slack,
		Log:     log,
	}
}
