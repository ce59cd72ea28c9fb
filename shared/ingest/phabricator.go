package ingest

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/rituals-dev/rituals/shared/herald"
	"github.com/rituals-dev/rituals/shared/httpapi"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/store"
)

// Phabricator handles POST /webhooks/phabricator (Herald webhooks).
type Phabricator struct {
	Key    []byte
	Events EventPutter
	Log    *slog.Logger
	// Now is used only when API Gateway gives no request time.
	Now func() time.Time
}

// Handle answers 202 for a new delivery, 200 "duplicate" for a retry of one already stored
// (Herald retries until it gets a 2xx), and 401/400/405/413 with a one-line reason otherwise.
// Deliveries Herald marks as tests are stored marked as such, which the processors skip.
func (h Phabricator) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	log := logs.For(ctx, h.Log)
	resp, err := h.handle(ctx, req, log)
	return respond(log, resp, err), nil
}

func (h Phabricator) handle(ctx context.Context, req httpapi.Request, log *slog.Logger) (*httpapi.Response, error) {
	body, answer := httpapi.PostBody(req)
	if answer != nil {
		return answer, nil
	}
	w, err := herald.Verify(httpapi.Headers(req), body, h.Key)
	if err != nil {
		return nil, err
	}
	now := httpapi.ReceivedAt(req, h.Now)
	if err := w.CheckEpoch(now); err != nil {
		return nil, err
	}
	id := w.DedupeKey()
	log = log.With(logs.Delivery, id, logs.Event, w.Object.Type, logs.Key, w.Object.PHID)
	err = h.Events.PutEvent(ctx, store.Event{
		Key:        "phabricator#" + id,
		Source:     "phabricator",
		Type:       w.Object.Type,
		Test:       w.Action.Test,
		ReceivedAt: now,
		Payload:    body,
	})
	if errors.Is(err, store.ErrDuplicate) {
		log.Info("duplicate delivery")
		return httpapi.JSON(http.StatusOK, Ack{Status: "duplicate", Delivery: id, Test: w.Action.Test}), nil
	}
	if err != nil {
		return nil, err
	}
	log.Info("stored delivery", "test", w.Action.Test)
	return httpapi.JSON(http.StatusAccepted, Ack{Status: "accepted", Delivery: id, Test: w.Action.Test}), nil
}
