package streams

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rituals-dev/rituals/shared/store"
)

// PartsLoader fetches the parts of a payload that store.Events.PutEvent had to split;
// store.Events is one.
type PartsLoader interface {
	LoadParts(ctx context.Context, key string, parts int) ([]byte, error)
}

var _ PartsLoader = store.Events{}

// ErrNoImage is returned for a record without a NewImage: the stream must be NEW_IMAGE and the
// mapping's filter must select INSERTs (template.yaml does both).
var ErrNoImage = errors.New("stream record has no NewImage")

// Event decodes the events-table head item a record carries, loading the payload's parts
// through parts when it was split. Errors name the event key; they are returned (and so
// retried, then dead-lettered) rather than skipped.
func Event(ctx context.Context, rec events.DynamoDBEventRecord, parts PartsLoader) (store.Event, error) {
	if len(rec.Change.NewImage) == 0 {
		return store.Event{}, fmt.Errorf("record %s: %w", rec.EventID, ErrNoImage)
	}
	item, err := Image(rec.Change.NewImage)
	if err != nil {
		return store.Event{}, fmt.Errorf("record %s: %w", rec.EventID, err)
	}
	ev, n, err := store.EventFromItem(item)
	if err != nil {
		return store.Event{}, fmt.Errorf("decode event %s: %w", ev.Key, err)
	}
	if n > 0 {
		if ev.Payload, err = parts.LoadParts(ctx, ev.Key, n); err != nil {
			return store.Event{}, fmt.Errorf("decode event %s: %w", ev.Key, err)
		}
	}
	return ev, nil
}
