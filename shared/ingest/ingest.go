// Package ingest turns verified webhook deliveries into events-table records: verify, then a
// conditional put keyed by the delivery's idempotency key, then answer. Nothing else happens
// before the answer; the stream-triggered processors do the work.
package ingest

import (
	"context"
	"errors"
	"log/slog"

	"github.com/rituals-dev/rituals/shared/httpapi"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/store"
)

// EventPutter stores an event once; it returns store.ErrDuplicate for a redelivery.
type EventPutter interface {
	PutEvent(ctx context.Context, e store.Event) error
}

var _ EventPutter = store.Events{}

// Ack is the JSON body of every webhook answer.
type Ack struct {
	Status   string `json:"status"` // accepted, duplicate, pong
	Delivery string `json:"delivery,omitempty"`
	Test     bool   `json:"test,omitempty"`
}

// respond maps a handler's outcome to its answer, once, at the edge: request errors are logged
// at info with their reason, anything else at error (the sender sees no internals).
func respond(log *slog.Logger, resp *httpapi.Response, err error) httpapi.Response {
	if err == nil {
		return *resp
	}
	var he *httpapi.Error
	if errors.As(err, &he) {
		log.Info("rejected delivery", logs.Status, he.Status, logs.Err, he.Reason)
	} else {
		log.Error("delivery not stored", logs.Err, err.Error())
	}
	return *httpapi.FromError(err)
}
