package support

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// Interactions answers the announcement's buttons and the acknowledgement modal. It reads and
// writes the state table, opens the modal (views.open, inside the trigger's 3 seconds) and
// answers refusals ephemerally; everything else is left to the processor through a
// support.changed event.
type Interactions struct {
	Config ConfigSource
	Store  Store
	Events slackapp.EventPutter
	Slack  SlackUI
	Log    *slog.Logger
}

var _ slackapp.Interaction = Interactions{}

// Prefix implements slackapp.Interaction: action ids and callback ids "support:...".
func (Interactions) Prefix() string { return "support" }

// Messages users see.
const (
	StaleText = "This support request no longer exists (closed or relabelled)."
)

func onlyTeam(team *config.Team, verb string) string {
	return fmt.Sprintf("Only %s can %s this support request.", team.Name, verb)
}

var verbs = map[string]string{
	ActionAck: "acknowledge", ActionETA: "set the ETA of", ActionLoop: "loop the EM and PM in on", ActionOwn: "take ownership of",
}

// errStale says the request is gone or closed.
var errStale = errors.New("stale support request")

// Handle implements slackapp.Interaction.
func (h Interactions) Handle(ctx context.Context, cb slack.InteractionCallback, now time.Time) (any, error) {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		if len(cb.ActionCallback.BlockActions) == 0 {
			return nil, nil
		}
		return nil, h.button(ctx, cb, cb.ActionCallback.BlockActions[0], now)
	case slack.InteractionTypeViewSubmission:
		if cb.View.CallbackID == ModalAck {
			return h.submit(ctx, cb, now)
		}
	}
	return nil, nil
}

// lookup resolves a request id and the user acting on it. A stale request gives errStale; a
// user outside the team gives a nil person.
func (h Interactions) lookup(ctx context.Context, raw, user string, now time.Time) (*config.Config, *config.Team, *Request, *config.Person, error) {
	cfg, err := h.Config.Current(ctx, now)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	id, err := ParseID(raw)
	if err != nil {
		return cfg, nil, nil, nil, errStale
	}
	team := cfg.Team(id.Team)
	if team == nil || team.Support == nil {
		return cfg, nil, nil, nil, errStale
	}
	r, err := h.Store.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !r.IsOpen()) {
		return cfg, team, r, nil, errStale
	}
	if err != nil {
		return cfg, team, nil, nil, err
	}
	p := cfg.PersonBySlack(user)
	if p != nil && !team.HasMember(p.ID) {
		p = nil
	}
	return cfg, team, r, p, nil
}

func (h Interactions) button(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction, now time.Time) error {
	log := logs.For(ctx, h.logger()).With(logs.User, cb.User.ID, logs.Key, a.Value)
	verb, ok := verbs[a.ActionID]
	if !ok {
		return nil
	}
	cfg, team, r, person, err := h.lookup(ctx, a.Value, cb.User.ID, now)
	switch {
	case errors.Is(err, errStale):
		log.Info("support: action on a stale request")
		return h.ephemeral(ctx, cb, StaleText)
	case err != nil:
		return err
	case person == nil:
		log.Info("support: action by someone outside the team")
		return h.ephemeral(ctx, cb, onlyTeam(team, verb))
	}
	switch a.ActionID {
	case ActionAck, ActionETA:
		if _, err := h.Slack.OpenViewContext(ctx, cb.TriggerID, AckModal(r, a.ActionID == ActionETA, person.TimeZone)); err != nil {
			log.Error("support: views.open failed", logs.Err, err.Error())
			return h.ephemeral(ctx, cb, "Sorry, the form did not open (Slack allows 3 seconds). Please click again.")
		}
		return nil
	case ActionLoop:
		return h.change(ctx, cb, r.ID, now, func(r *Request) (string, bool) {
			if !r.Looped.IsZero() {
				return fmt.Sprintf("%s already looped in the EM and PM %s.", mention(cfg, r.LoopedBy), slackDate(r.Looped)), false
			}
			r.Looped, r.LoopedBy = now, person.ID
			r.add(Entry{Kind: KindLoop, At: now, By: person.ID})
			return "", true
		})
	case ActionOwn:
		return h.change(ctx, cb, r.ID, now, func(r *Request) (string, bool) {
			if r.Owner == person.ID {
				return "You already own this support request.", false
			}
			r.add(Entry{Kind: KindOwner, At: now, By: person.ID, Owner: person.ID, PrevOwner: r.Owner})
			r.Owner = person.ID
			return "", true
		})
	}
	return nil
}

// change applies fn to the open request and announces it; fn returns an ephemeral text for
// the user and whether it changed the request.
func (h Interactions) change(ctx context.Context, cb slack.InteractionCallback, id ID, now time.Time, fn func(r *Request) (string, bool)) error {
	var say string
	r, changed, err := h.Store.Update(ctx, id, func(r *Request, found bool) (bool, error) {
		if !found || !r.IsOpen() {
			return false, errStale
		}
		var ok bool
		say, ok = fn(r)
		return ok, nil
	})
	if errors.Is(err, errStale) {
		return h.ephemeral(ctx, cb, StaleText)
	}
	if err != nil {
		return err
	}
	if changed {
		if err := h.announce(ctx, r, now); err != nil {
			return err
		}
	}
	if say != "" {
		return h.ephemeral(ctx, cb, say)
	}
	return nil
}

// announce puts the support.changed event the processor syncs the request on.
func (h Interactions) announce(ctx context.Context, r *Request, now time.Time) error {
	payload, _ := json.Marshal(ChangedEvent{ID: r.ID.String()})
	err := h.Events.PutEvent(ctx, store.Event{
		Key:    "rituals#support#" + r.ID.String() + "#" + strconv.Itoa(r.Rev),
		Source: EventSource, Type: EventChanged, Action: string(r.Last().Kind),
		Repo: r.ID.Repo, ReceivedAt: now, Payload: payload,
	})
	if err != nil && !errors.Is(err, store.ErrDuplicate) {
		// The change is stored; the next tick syncs it even without the event.
		return fmt.Errorf("announce change of %s: %w", r.ID, err)
	}
	return nil
}

func (h Interactions) ephemeral(ctx context.Context, cb slack.InteractionCallback, text string) error {
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	if channel == "" {
		h.logger().Warn("support: no channel to answer in", logs.User, cb.User.ID)
		return nil
	}
	if _, err := h.Slack.PostEphemeralContext(ctx, channel, cb.User.ID, slack.MsgOptionText(text, false)); err != nil {
		return fmt.Errorf("chat.postEphemeral: %w", err)
	}
	return nil
}

func (h Interactions) logger() *slog.Logger {
	if h.Log == nil {
		return slog.Default()
	}
	return h.Log
}

// ViewErrors is the answer to a view_submission that keeps the modal open with a message
// under each named block.
type ViewErrors struct {
	ResponseAction string            `json:"response_action"`
	Errors         map[string]string `json:"errors"`
}

func viewError(block, msg string) *ViewErrors {
	return &ViewErrors{ResponseAction: "errors", Errors: map[string]string{block: msg}}
}

// ETAInput is what the modal's ETA fields hold.
type ETAInput struct {
	Text, Date, Time string
}

// ResolveETA turns the modal's fields into an ETA in loc, or the block to flag and why.
func ResolveETA(in ETAInput, now time.Time, loc *time.Location) (time.Time, string, error) {
	text := strings.TrimSpace(in.Text)
	switch {
	case text != "" && in.Date != "":
		return time.Time{}, "eta", errors.New("type an ETA or pick a date, not both")
	case text != "":
		eta, err := ParseETA(text, now, loc)
		return eta, "eta", err
	case in.Date == "" && in.Time != "":
		return time.Time{}, "eta_date", errors.New("pick the day for that time")
	case in.Date == "":
		return time.Time{}, "eta", errors.New(`give an ETA: type e.g. "in 2h" or "tomorrow 15:00", or pick a date below`)
	}
	d, err := config.ParseDate(in.Date)
	if err != nil {
		return time.Time{}, "eta_date", fmt.Errorf("%q is not a date", in.Date)
	}
	clock := EndOfDay
	if in.Time != "" {
		if clock, err = config.ParseClock(in.Time); err != nil {
			return time.Time{}, "eta_time", err
		}
	}
	eta := clock.On(d, loc)
	if !eta.After(now) {
		return time.Time{}, "eta_date", fmt.Errorf("%s is in the past; give a time after now", eta.In(loc).Format("Mon 2 Jan 15:04 MST"))
	}
	if eta.Sub(now) > maxETA {
		return time.Time{}, "eta_date", fmt.Errorf("%s is more than 180 days ahead; check the date", eta.In(loc).Format("2 Jan 2006"))
	}
	return eta, "", nil
}

func stateValue(cb slack.InteractionCallback, block string) slack.BlockAction {
	if cb.View.State == nil {
		return slack.BlockAction{}
	}
	return cb.View.State.Values[block][block]
}

// submit records an acknowledgement (the first time) or a new ETA from the modal. A failure on
// our side keeps the modal open with a message, rather than closing it as if it had worked.
func (h Interactions) submit(ctx context.Context, cb slack.InteractionCallback, now time.Time) (any, error) {
	log := logs.For(ctx, h.logger()).With(logs.User, cb.User.ID, logs.Key, cb.View.PrivateMetadata)
	out, err := h.record(ctx, cb, now, log)
	if err != nil {
		log.Error("support: acknowledgement not saved", logs.Err, err.Error())
		return viewError("eta", "Sorry, that was not saved (a problem on our side). Please submit again."), nil
	}
	if out == nil {
		return nil, nil // closes the modal
	}
	return out, nil
}

func (h Interactions) record(ctx context.Context, cb slack.InteractionCallback, now time.Time, log *slog.Logger) (*ViewErrors, error) {
	_, team, _, person, err := h.lookup(ctx, cb.View.PrivateMetadata, cb.User.ID, now)
	switch {
	case errors.Is(err, errStale):
		return viewError("eta", StaleText), nil
	case err != nil:
		return nil, err
	case person == nil:
		return viewError("eta", onlyTeam(team, "acknowledge")), nil
	}
	in := ETAInput{Text: stateValue(cb, "eta").Value, Date: stateValue(cb, "eta_date").SelectedDate, Time: stateValue(cb, "eta_time").SelectedTime}
	eta, block, err := ResolveETA(in, now, person.Location())
	if err != nil {
		log.Info("support: bad ETA", logs.Err, err.Error())
		return viewError(block, capitalize(err.Error())+"."), nil
	}
	questions := strings.TrimSpace(stateValue(cb, "questions").Value)
	id, _ := ParseID(cb.View.PrivateMetadata)
	r, _, err := h.Store.Update(ctx, id, func(r *Request, found bool) (bool, error) {
		if !found || !r.IsOpen() {
			return false, errStale
		}
		kind := KindETA
		if r.Acked.IsZero() {
			kind = KindAck
			r.Acked, r.AckedBy = now, person.ID
		}
		r.ETA, r.Questions = eta, questions
		r.add(Entry{Kind: kind, At: now, By: person.ID, ETA: eta, Questions: questions})
		return true, nil
	})
	if errors.Is(err, errStale) {
		return viewError("eta", StaleText), nil
	}
	if err != nil {
		return nil, err
	}
	if err := h.announce(ctx, r, now); err != nil {
		return nil, err
	}
	log.Info("support: request acknowledged", "kind", string(r.Last().Kind))
	return nil, nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
