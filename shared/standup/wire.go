package standup

import (
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/activity"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store"
)

// NewDeps wires the interactive paths' dependencies for a function's main: the state table
// (standups, config, activity mirror), the events table (internal events; "" for the
// commands function, which puts none) and the Slack client that opens modals.
func NewDeps(db *dynamodb.Client, stateTable, eventsTable string, sl *slack.Client, log *slog.Logger) Deps {
	d := Deps{
		Store:    Store{API: db, Table: stateTable},
		Config:   config.NewSource(db, stateTable, 0),
		Calendar: NewCalendar(log),
		Activity: activity.Reader{API: db, Table: stateTable},
		Views:    sl,
		Log:      log,
	}
	if eventsTable != "" {
		d.Events = store.Events{API: db, Table: eventsTable}
	}
	return d
}
