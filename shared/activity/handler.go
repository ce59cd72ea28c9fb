package activity

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/streams"
)

// Handler is ActivityRecorderFunction's Lambda handler: it records each stream record's
// delivery in order, and reports a failed record and every later one for retry (see package
// streams for what happens to a record that keeps failing).
type Handler struct {
	Recorder Recorder
	// Parts loads payloads that were split across items; store.Events is one.
	Parts streams.PartsLoader
	// Log receives one line per failed record (ERROR) and per recorded delivery (DEBUG);
	// slog.Default() when nil.
	Log *slog.Logger
}

// Handle processes a batch of events-table stream records. Its error is always nil: failures
// are reported per record in the response.
func (h Handler) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	log := h.Log
	if log == nil {
		log = slog.Default()
	}
	return streams.HandleLogged(ctx, log, ev, func(ctx context.Context, rec events.DynamoDBEventRecord) error {
		e, err := streams.Event(ctx, rec, h.Parts)
		if err != nil {
			return err
		}
		res, err := h.Recorder.Record(ctx, e)
		if err != nil {
			return err
		}
		logs.For(ctx, log).LogAttrs(ctx, slog.LevelDebug, "recorded",
			slog.String(logs.Key, e.Key), slog.String(logs.Event, e.Type), slog.String(logs.Action, e.Action),
			slog.String(logs.Repo, e.Repo), slog.Bool("ignored", res.Ignored), slog.Int("items", res.Items),
			slog.Int("states", res.States), slog.Int("stale", res.Stale))
		return nil
	}), nil
}
