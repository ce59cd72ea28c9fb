package streams

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rituals-dev/rituals/shared/store"
)

// Processor handles one stored event, ignoring (nil) the events that are not its business.
type Processor interface {
	Event(ctx context.Context, e store.Event) error
}

// Fanout is one function's stream handler for several features: each record is decoded once
// and given to every processor in order. A record fails when any processor failed on it, and
// is then retried for all of them, which is safe because every processor's effects run once
// (store.Effects) however often it sees a record.
type Fanout struct {
	Processors []Processor
	Parts      PartsLoader
	Log        *slog.Logger
}

// Handle is the Lambda handler for the events table's stream (see HandleLogged).
func (f Fanout) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	log := f.Log
	if log == nil {
		log = slog.Default()
	}
	return HandleLogged(ctx, log, ev, func(ctx context.Context, rec events.DynamoDBEventRecord) error {
		e, err := Event(ctx, rec, f.Parts)
		if err != nil {
			return err
		}
		var errs []error
		for _, p := range f.Processors {
			errs = append(errs, p.Event(ctx, e))
		}
		return errors.Join(errs...)
	}), nil
}
