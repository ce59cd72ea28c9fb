package retro

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// Interactions answers the board's buttons, the add-item and vote modals and the action
// items' owner pickers. Like Command it reads and writes the state table and talks to Slack
// only to open or update a modal or answer ephemerally.
type Interactions struct {
	Config ConfigSource
	Store  Store
	Events EventPutter
	Slack  Views
	Log    *slog.Logger
}

var _ slackapp.Interaction = Interactions{}

// Prefix implements slackapp.Interaction.
func (Interactions) Prefix() string { return "retro" }

func (h Interactions) logger(ctx context.Context) *slog.Logger {
	l := h.Log
	if l == nil {
		l = slog.Default()
	}
	return logs.For(ctx, l)
}

// Handle implements slackapp.Interaction.
func (h Interactions) Handle(ctx context.Context, cb slack.InteractionCallback, now time.Time) (any, error) {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		if len(cb.ActionCallback.BlockActions) == 0 {
			return nil, nil
		}
		return nil, h.action(ctx, cb, cb.ActionCallback.BlockActions[0], now)
	case slack.InteractionTypeViewSubmission:
		if cb.View.CallbackID == ModalAdd {
			return h.submitAdd(ctx, cb, now)
		}
	}
	return nil, nil
}

// ephemeral answers the person who clicked, in the channel of the message they clicked.
func (h Interactions) ephemeral(ctx context.Context, cb slack.InteractionCallback, text string) error {
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	if channel == "" {
		h.logger(ctx).Warn("retro: no channel to answer in", logs.User, cb.User.ID)
		return nil
	}
	if _, err := h.Slack.PostEphemeralContext(ctx, channel, cb.User.ID, slack.MsgOptionText(text, false)); err != nil {
		return fmt.Errorf("chat.postEphemeral: %w", err)
	}
	return nil
}

func (h Interactions) action(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction, now time.Time) error {
	switch a.ActionID {
	case ActionAdd, ActionVote, ActionVoting, ActionClose:
		return h.boardButton(ctx, cb, a, now)
	case ActionDot, ActionUndot:
		return h.dot(ctx, cb, a)
	case ActionOwner, ActionDone:
		return h.actionItem(ctx, cb, a, now)
	}
	return nil
}

func (h Interactions) boardButton(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction, now time.Time) error {
	id, err := ParseID(a.Value)
	if err != nil {
		return h.ephemeral(ctx, cb, "This retro no longer exists.")
	}
	r, err := h.Store.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return h.ephemeral(ctx, cb, "This retro no longer exists.")
	}
	if err != nil {
		return err
	}
	switch a.ActionID {
	case ActionAdd:
		if r.Phase != Collecting {
			return h.ephemeral(ctx, cb, fmt.Sprintf("*%s* is %s: items can only be added while it collects them.", slackapp.Escape(r.Title), r.Phase))
		}
		_, err := h.Slack.OpenViewContext(ctx, cb.TriggerID, AddModal(r, 0))
		return h.viewOpened(ctx, cb, err)
	case ActionVote:
		if r.Phase != Voting {
			return h.ephemeral(ctx, cb, notVoting(r))
		}
		b, err := h.Store.Load(ctx, id)
		if err != nil {
			return err
		}
		_, err = h.Slack.OpenViewContext(ctx, cb.TriggerID, VoteModal(b, b.BallotOf(cb.User.ID), ""))
		return h.viewOpened(ctx, cb, err)
	}
	cfg, err := h.Config.Current(ctx, now)
	if err != nil {
		return err
	}
	team := cfg.Team(id.Team)
	if team == nil {
		return h.ephemeral(ctx, cb, "This retro's team is no longer in the config.")
	}
	verb := map[string]string{ActionVoting: "open voting in", ActionClose: "close"}[a.ActionID]
	if !mayFacilitate(cfg, team, r, cb.User.ID) {
		return h.ephemeral(ctx, cb, onlyFacilitator(r, verb))
	}
	switch {
	case a.ActionID == ActionVoting && r.Phase == Collecting:
		after, err := h.Store.StartVoting(ctx, id)
		if errors.Is(err, ErrPhase) {
			return h.ephemeral(ctx, cb, fmt.Sprintf("*%s* needs at least one item before voting.", slackapp.Escape(r.Title)))
		}
		if err != nil {
			return err
		}
		return announce(ctx, h.Events, EventChanged, Event{Retro: id.String(), Rev: after.Rev, By: cb.User.ID}, now)
	case a.ActionID == ActionClose && r.Phase == Voting:
		_, err := endRetro(ctx, h.Store, r, Closed, cb.User.ID, now)
		var ue *slackapp.UsageError
		if errors.As(err, &ue) {
			return h.ephemeral(ctx, cb, ue.Problem)
		}
		return err
	case a.ActionID == ActionClose && r.Phase == Closed:
		// A repeated click: the close was done; make sure its event was put.
		return announce(ctx, h.Events, EventClosed, Event{Retro: id.String(), By: cb.User.ID}, now)
	case a.ActionID == ActionVoting && r.Phase == Voting:
		// A repeated click: make sure the board heard of the change.
		if err := announce(ctx, h.Events, EventChanged, Event{Retro: id.String(), Rev: r.Rev}, now); err != nil {
			return err
		}
	}
	return h.ephemeral(ctx, cb, fmt.Sprintf("*%s* is %s already.", slackapp.Escape(r.Title), r.Phase))
}

func notVoting(r *Retro) string {
	switch r.Phase {
	case Collecting:
		return fmt.Sprintf("*%s* is still collecting items; the facilitator opens voting.", slackapp.Escape(r.Title))
	case Closed:
		return fmt.Sprintf("Voting in *%s* has ended: it is closed, and its results are in the board's thread.", slackapp.Escape(r.Title))
	}
	return fmt.Sprintf("*%s* was cancelled.", slackapp.Escape(r.Title))
}

// viewOpened turns a failed views.open (the trigger lives 3 seconds) into a message.
func (h Interactions) viewOpened(ctx context.Context, cb slack.InteractionCallback, err error) error {
	if err == nil {
		return nil
	}
	h.logger(ctx).Error("retro: views.open failed", logs.Err, err.Error())
	return h.ephemeral(ctx, cb, "Sorry, the form did not open (Slack allows 3 seconds). Please click again.")
}

// dot places or takes back a dot from inside the vote modal, and shows the ballot afterwards
// (with why nothing changed, when it did not).
func (h Interactions) dot(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	id, err := ParseID(cb.View.PrivateMetadata)
	if err != nil {
		return nil
	}
	raw, delta := a.Value, 1
	if a.ActionID == ActionUndot {
		raw, delta = a.SelectedOption.Value, -1
	}
	item, err := strconv.Atoi(raw)
	if err != nil {
		return nil
	}
	r, err := h.Store.Get(ctx, id)
	if err != nil {
		return err
	}
	_, err = h.Store.Vote(ctx, r, cb.User.ID, item, delta)
	notice := voteRefusal(r, item, err)
	if err != nil && notice == "" {
		return err
	}
	b, err := h.Store.Load(ctx, id)
	if err != nil {
		return err
	}
	if _, err := h.Slack.UpdateViewContext(ctx, VoteModal(b, b.BallotOf(cb.User.ID), notice), "", "", cb.View.ID); err != nil {
		return fmt.Errorf("views.update of the ballot: %w", err)
	}
	return nil
}

// inTeam reports whether the Slack user is a member of the team or holds one of its roles.
func inTeam(cfg *config.Config, team *config.Team, user string) bool {
	p := cfg.PersonBySlack(user)
	if p == nil {
		return false
	}
	for _, role := range team.RoleNames() {
		if team.HasRole(p.ID, role) {
			return true
		}
	}
	return false
}

// actionItem records an owner picked for an action item, or marks an untracked one done.
func (h Interactions) actionItem(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction, now time.Time) error {
	ref := a.BlockID
	if a.ActionID == ActionDone {
		ref = a.Value
	}
	id, item, err := parseActionRef(ref)
	if err != nil {
		return nil
	}
	cfg, err := h.Config.Current(ctx, now)
	if err != nil {
		return err
	}
	r, err := h.Store.Get(ctx, id)
	if err != nil {
		return err
	}
	team := cfg.Team(id.Team)
	if team == nil || (!inTeam(cfg, team, cb.User.ID) && r.Facilitator != cb.User.ID) {
		name := id.Team
		if team != nil {
			name = team.Name
		}
		return h.ephemeral(ctx, cb, fmt.Sprintf("Only people of %s and the retro's facilitator can change its action items.", slackapp.Escape(name)))
	}
	if a.ActionID == ActionDone {
		act, changed, err := h.Store.MarkDone(ctx, id, item, now)
		if err != nil {
			return err
		}
		if !changed {
			return nil
		}
		return announce(ctx, h.Events, EventOwner, Event{Retro: id.String(), Item: item, OwnerRev: act.OwnerRev, By: cb.User.ID}, now)
	}
	owner := a.SelectedUser
	if owner == "" {
		return nil
	}
	act, _, err := h.Store.SetOwner(ctx, id, item, owner)
	if err != nil {
		return err
	}
	// Announced even when unchanged: a repeated pick puts the same event again, which is how
	// one lost to a crash after the write reaches the processor.
	return announce(ctx, h.Events, EventOwner, Event{Retro: id.String(), Item: item, OwnerRev: act.OwnerRev, By: cb.User.ID}, now)
}

// submitAdd adds the item typed in the modal. A refusal keeps the modal open, with what was
// typed and why.
func (h Interactions) submitAdd(ctx context.Context, cb slack.InteractionCallback, now time.Time) (any, error) {
	id, err := ParseID(cb.View.PrivateMetadata)
	if err != nil {
		return viewError("text", "This retro no longer exists."), nil
	}
	r, err := h.Store.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return viewError("text", "This retro no longer exists."), nil
	}
	if err != nil {
		return nil, err
	}
	var field int
	var text string
	if cb.View.State != nil {
		field, _ = strconv.Atoi(cb.View.State.Values["field"]["field"].SelectedOption.Value)
		text = cb.View.State.Values["text"]["text"].Value
	}
	if field < 0 || field >= len(r.Fields) {
		return viewError("field", "Pick one of the fields."), nil
	}
	_, _, err = addItem(ctx, h.Store, h.Events, r, field, text, cb.User.ID, now)
	var ue *slackapp.UsageError
	if errors.As(err, &ue) {
		return viewError("text", ue.Problem), nil
	}
	if err != nil {
		return nil, err
	}
	return nil, nil
}

// ViewErrors keeps a modal open with a message under a block.
type ViewErrors struct {
	ResponseAction string            `json:"response_action"`
	Errors         map[string]string `json:"errors"`
}

func viewError(block, msg string) *ViewErrors {
	return &ViewErrors{ResponseAction: "errors", Errors: map[string]string{block: msg}}
}
