package decision

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/rituals-dev/rituals/shared/store"
)

// EventChanged is the internal event put whenever a decision is opened or gets a verdict; its
// key is per revision, so each change is processed once.
const (
	EventSource  = "rituals"
	EventChanged = "decision.changed"
)

// Event is decision.changed's payload.
type Event struct {
	Decision string `json:"decision"`
	Rev      int    `json:"rev"`
}

// EventPutter stores an internal event once; store.Events is one.
type EventPutter interface {
	PutEvent(ctx context.Context, e store.Event) error
}

var _ EventPutter = store.Events{}

// announce puts decision.changed for d's revision; a duplicate was put before.
func announce(ctx context.Context, events EventPutter, d *Decision, now time.Time) error {
	payload, err := json.Marshal(Event{Decision: d.ID.String(), Rev: d.Rev})
	if err != nil {
		return err
	}
	err = events.PutEvent(ctx, store.Event{
		Key:    "rituals#" + EventChanged + "#" + d.ID.String() + "#" + strconv.Itoa(d.Rev),
		Source: EventSource, Type: EventChanged, Action: string(d.State), ReceivedAt: now, Payload: payload,
	})
	if err != nil && !errors.Is(err, store.ErrDuplicate) {
		return fmt.Errorf("put %s for decision %s: %w", EventChanged, d.ID, err)
	}
	return nil
}
