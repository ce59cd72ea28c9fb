package decision

import (
	"encoding/json"
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

// changedEvent is decision.changed for d's revision, received at.
func changedEvent(d *Decision, at time.Time) (store.Event, error) {
	payload, err := json.Marshal(Event{Decision: d.ID.String(), Rev: d.Rev})
	if err != nil {
		return store.Event{}, err
	}
	return store.Event{
		Key:    "rituals#" + EventChanged + "#" + d.ID.String() + "#" + strconv.Itoa(d.Rev),
		Source: EventSource, Type: EventChanged, Action: string(d.State), ReceivedAt: at, Payload: payload,
	}, nil
}
