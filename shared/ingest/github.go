package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/rituals-dev/rituals/shared/ghub"
	"github.com/rituals-dev/rituals/shared/httpapi"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/store"
)

// GitHub handles POST /webhooks/github.
type GitHub struct {
	Secret []byte
	Events EventPutter
	Log    *slog.Logger
	// Now is used only when API Gateway gives no request time.
	Now func() time.Time
}

// Handle answers 202 for a new delivery (stored), 200 "duplicate" for a redelivery (nothing
// stored), 200 "pong" for ping (not stored), and 401/400/405/413 with a one-line reason for
// requests that are not verified GitHub deliveries. A storage failure answers 500 so that the
// delivery shows as failed in GitHub and can be redelivered.
func (h GitHub) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	log := logs.For(ctx, h.Log)
	resp, err := h.handle(ctx, req, log)
	return respond(log, resp, err), nil
}

func (h GitHub) handle(ctx context.Context, req httpapi.Request, log *slog.Logger) (*httpapi.Response, error) {
	body, answer := httpapi.PostBody(req)
	if answer != nil {
		return answer, nil
	}
	d, err := ghub.Verify(httpapi.Headers(req), body, h.Secret)
	if err != nil {
		return nil, err
	}
	log = log.With(logs.Delivery, d.ID, logs.Event, d.Event)
	if d.Event == "ping" {
		log.Info("ping")
		return httpapi.JSON(http.StatusOK, Ack{Status: "pong", Delivery: d.ID}), nil
	}
	var head struct {
		Action     string `json:"action"`
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
	}
	if err := json.Unmarshal(d.Payload, &head); err != nil {
		return nil, httpapi.BadRequest("payload is not a JSON object")
	}
	err = h.Events.PutEvent(ctx, store.Event{
		Key:        "github#" + d.ID,
		Source:     "github",
		Type:       d.Event,
		Action:     head.Action,
		Repo:       head.Repository.FullName,
		ReceivedAt: httpapi.ReceivedAt(req, h.Now),
		Payload:    d.Payload,
	})
	if errors.Is(err, store.ErrDuplicate) {
		log.Info("duplicate delivery")
		return httpapi.JSON(http.StatusOK, Ack{Status: "duplicate", Delivery: d.ID}), nil
	}
	if err != nil {
		return nil, err
	}
	log.Info("stored delivery", logs.Action, head.Action, logs.Repo, head.Repository.FullName)
	return httpapi.JSON(http.StatusAccepted, Ack{Status: "accepted", Delivery: d.ID}), nil
}
