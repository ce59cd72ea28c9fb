package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/httpapi"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/store"
)

// EventPutter stores an event once; it returns store.ErrDuplicate for a redelivery.
type EventPutter interface {
	PutEvent(ctx context.Context, e store.Event) error
}

// EventsAPI serves POST /slack/events (the Events API).
type EventsAPI struct {
	Secret string
	Events EventPutter
	Log    *slog.Logger
	// Now is used only when API Gateway gives no request time.
	Now func() time.Time
}

type eventEnvelope struct {
	Type      string `json:"type"`
	Challenge string `json:"challenge"`
	EventID   string `json:"event_id"`
	TeamID    string `json:"team_id"`
	Event     struct {
		Type    string `json:"type"`
		Subtype string `json:"subtype"`
		Channel string `json:"channel"`
		User    string `json:"user"`
	} `json:"event"`
}

// Handle verifies the request, answers the url_verification challenge, and stores each
// event_callback once, keyed by event_id, so that Slack's retries (X-Slack-Retry-Num) of an
// event already stored are acknowledged without being stored again. Stored events are
// processed from the events table's stream.
func (h EventsAPI) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	log := logs.For(ctx, h.Log)
	body, now, answer := verified(req, h.Secret, h.Now)
	if answer != nil {
		log.Info("rejected event", logs.Status, answer.StatusCode, logs.Err, strings.TrimSpace(answer.Body))
		return *answer, nil
	}
	var env eventEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return *httpapi.Text(http.StatusBadRequest, "body is not a Slack Events API JSON object"), nil
	}
	switch env.Type {
	case "url_verification":
		return *httpapi.JSON(http.StatusOK, map[string]string{"challenge": env.Challenge}), nil
	case "event_callback":
	default:
		log.Info("ignored envelope", logs.Event, env.Type)
		return httpapi.Response{StatusCode: http.StatusOK}, nil
	}
	if env.EventID == "" {
		return *httpapi.Text(http.StatusBadRequest, "event_callback without event_id"), nil
	}
	log = log.With(logs.Delivery, env.EventID, logs.Event, env.Event.Type, logs.User, env.Event.User)
	err := h.Events.PutEvent(ctx, store.Event{
		Key: "slack#" + env.EventID, Source: "slack", Type: env.Event.Type, Action: env.Event.Subtype,
		ReceivedAt: now, Payload: body,
	})
	switch {
	case errors.Is(err, store.ErrDuplicate):
		log.Info("duplicate event", "retry", httpapi.Header(req, "X-Slack-Retry-Num"))
		return *httpapi.JSON(http.StatusOK, map[string]string{"status": "duplicate"}), nil
	case err != nil:
		// A 5xx makes Slack retry, which is what we want when the event was not stored.
		log.Error("event not stored", logs.Err, err.Error())
		return *httpapi.FromError(err), nil
	}
	log.Info("stored event")
	return *httpapi.JSON(http.StatusOK, map[string]string{"status": "accepted"}), nil
}
