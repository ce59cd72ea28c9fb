package streams

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rituals-dev/rituals/shared/store"
)

// HandleEvents is HandleLogged for functions that work on the stored events the records carry:
// each record is decoded with Event (payload parts loaded through parts) and given to fn. A
// nil log is slog.Default().
func HandleEvents(ctx context.Context, log *slog.Logger, ev events.DynamoDBEvent, parts PartsLoader, fn func(ctx context.Context, e store.Event) error) events.DynamoDBEventResponse {
	if log == nil {
		log = slog.Default()
	}
	return HandleLogged(ctx, log, ev, func(ctx context.Context, rec events.DynamoDBEventRecord) error {
		e, err := Event(ctx, rec, parts)
		if err != nil {
			return err
		}
		return fn(ctx, e)
	})
}
