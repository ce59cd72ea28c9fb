package standup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store"
)

// EventPutter stores internal events; store.Events is one.
type EventPutter interface {
	PutEvent(ctx context.Context, e store.Event) error
}

var _ EventPutter = store.Events{}

// Deps are what the interactive paths (command, interactions) need: DynamoDB only, plus
// views.open.
type Deps struct {
	Store    Store
	Events   EventPutter
	Config   ConfigSource
	Calendar *calendar.Calendar
	Activity Activity
	Views    ViewOpener
	Log      *slog.Logger
	// Links address the web pages from Slack messages (overridden by the links of the request
	// being served, see WithLinks).
	Links Links
}

// Internal event types (source "rituals"), delivered to StandupProcessorFunction.
const (
	EventSubmitted = "standup.submitted"
	EventReviewed  = "standup.reviewed"
	EventHistory   = "standup.history"
)

// EventPayload is the payload of the internal standup events.
type EventPayload struct {
	ID       string `json:"id,omitempty"`
	Revision int    `json:"revision,omitempty"`
	// History page requests.
	ResponseURL string `json:"response_url,omitempty"`
	Client      string `json:"client,omitempty"`
	Person      string `json:"person,omitempty"`
	Anchor      string `json:"anchor,omitempty"`
	Newer       bool   `json:"newer,omitempty"`
}

func (d Deps) put(ctx context.Context, typ, key string, p EventPayload, now time.Time) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	err = d.Events.PutEvent(ctx, store.Event{Key: "rituals#" + typ + "#" + key, Source: "rituals", Type: typ, ReceivedAt: now, Payload: data})
	if errors.Is(err, store.ErrDuplicate) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("record %s %s: %w", typ, key, err)
	}
	return nil
}

func (d Deps) logger() *slog.Logger {
	if d.Log == nil {
		return slog.Default()
	}
	return d.Log
}

// modalInput gathers what the standup modal shows: the stored snapshot once submitted, the
// live footprint before.
func (d Deps) modalInput(ctx context.Context, sd Standup, p *config.Person, c *config.Client, now time.Time) (ModalInput, error) {
	in := ModalInput{Standup: sd, Person: p, Client: c}
	away, err := d.Store.AwayRanges(ctx, []string{p.ID})
	if err != nil {
		return in, err
	}
	in.NextDay = NextBusinessDay(d.Calendar, p, away[p.ID], sd.Slot.ID.Date)
	if p.GitHub != "" {
		if in.Assignments, err = d.Activity.OpenAssignments(ctx, p.GitHub, ClientRepos(c)); err != nil {
			return in, err
		}
	}
	last, err := d.Store.Last(ctx, c.ID, p.ID)
	if err != nil {
		return in, err
	}
	if sd.Submitted() {
		in.Footprint, in.PlanCheck = sd.Entry.Footprint, sd.Entry.PlanCheck
		// The pointer now names this standup (or a later one): "last time" is not it.
		in.Last = nil
		if last != nil && last.Date < sd.Slot.ID.Date.String() {
			in.Last = last
		}
		return in, nil
	}
	in.Last = last
	in.Footprint, err = ReadFootprint(ctx, d.Activity, p, c, FootprintStart(d.Calendar, p, last, sd.Slot.ID.Date), now)
	if err != nil {
		return in, err
	}
	in.PlanCheck = CheckPlan(last, in.Footprint)
	return in, nil
}

// slotFor returns the standup for id, creating its slot when the day is one the person owes
// one (so /standup works before the scheduler's tick, or after a missed one).
func (d Deps) slotFor(ctx context.Context, cfg *config.Config, id ID) (Standup, error) {
	sd, err := d.Store.Standup(ctx, id)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return sd, err
	}
	duty, ok := DutyFor(cfg, id.Person, id.Client)
	if !ok {
		return Standup{}, fmt.Errorf("%s does not write standups for %s: %w", id.Person, id.Client, store.ErrNotFound)
	}
	away, err := d.Store.AwayRanges(ctx, []string{id.Person})
	if err != nil {
		return Standup{}, err
	}
	sl, off, ok := SlotOn(d.Calendar, duty, away[id.Person], id.Date)
	if !ok {
		return Standup{}, fmt.Errorf("no standup on %s (%s): %w", id.Date, off, store.ErrNotFound)
	}
	if err := d.Store.EnsureSlot(ctx, sl); err != nil {
		return Standup{}, err
	}
	return Standup{Slot: sl}, nil
}
