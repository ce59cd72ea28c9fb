package retro

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/rituals-dev/rituals/shared/store"
)

// Internal events the interactive paths put for the processor. Their keys are derived from the
// change (the retro, its revision, the owner choice), so a repeated put of the same change is a
// duplicate and is processed once.
const (
	EventSource = "rituals"
	// EventStarted: a retro started; its board is to be posted.
	EventStarted = "retro.started"
	// EventChanged: the board shows something new (an item, the dots, voting).
	EventChanged = "retro.changed"
	// EventClosed: a retro closed; results, action items.
	EventClosed = "retro.closed"
	// EventCancelled: a retro was cancelled; the board says so.
	EventCancelled = "retro.cancelled"
	// EventOwner: an action item's owner was chosen (or marked done without a tracker).
	EventOwner = "retro.owner"
)

// Event is the payload of every retro.* event.
type Event struct {
	Retro string `json:"retro"`
	Rev   int    `json:"rev,omitempty"`
	Item  int    `json:"item,omitempty"`
	// OwnerRev is the action item's owner revision (retro.owner).
	OwnerRev int `json:"owner_rev,omitempty"`
	// By is the Slack user who made the change.
	By string `json:"by,omitempty"`
}

// EventPutter stores an internal event once; store.Events is one. It returns
// store.ErrDuplicate for an event stored before.
type EventPutter interface {
	PutEvent(ctx context.Context, e store.Event) error
}

var _ EventPutter = store.Events{}

// eventKey is the idempotency key of an event: one per retro for started/closed/cancelled,
// one per revision for changes, one per owner choice.
func eventKey(typ string, e Event) string {
	k := "rituals#" + typ + "#" + e.Retro
	switch typ {
	case EventChanged:
		k += "#" + strconv.Itoa(e.Rev)
	case EventOwner:
		k += "#" + strconv.Itoa(e.Item) + "#" + strconv.Itoa(e.OwnerRev)
	}
	return k
}

// announce puts an internal event. A duplicate means it was put before: the processor has it.
// A retro's start and end commit their event with the change (Store.Start, Store.End); the
// other changes (items, dots, voting, owners) announce after their commit, and callers that
// find such a change already made announce it again, so an event lost between a commit and its
// put (a crash in between) is put by the next attempt — and the next change re-renders the
// board anyway.
func announce(ctx context.Context, events EventPutter, typ string, e Event, now time.Time) error {
	payload, err := json.Marshal(e)
	if err != nil {
		return err
	}
	err = events.PutEvent(ctx, store.Event{Key: eventKey(typ, e), Source: EventSource, Type: typ, ReceivedAt: now, Payload: payload})
	if err != nil && !errors.Is(err, store.ErrDuplicate) {
		return fmt.Errorf("put %s for retro %s: %w", typ, e.Retro, err)
	}
	return nil
}
