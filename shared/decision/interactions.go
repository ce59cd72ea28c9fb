package decision

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// Ephemeral answers one person in a channel; *slack.Client is one.
type Ephemeral interface {
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
}

var _ Ephemeral = (*slack.Client)(nil)

// Interactions answers Approve and Reject, on the record and in the approvers' DMs. Only an
// approver's click changes anything; everyone else is told who decides, ephemerally.
type Interactions struct {
	Config ConfigSource
	Store  Store
	Slack  Ephemeral
	Log    *slog.Logger
}

var _ slackapp.Interaction = Interactions{}

// Prefix implements slackapp.Interaction.
func (Interactions) Prefix() string { return "decision" }

// Handle implements slackapp.Interaction.
func (h Interactions) Handle(ctx context.Context, cb slack.InteractionCallback, now time.Time) (any, error) {
	if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) == 0 {
		return nil, nil
	}
	a := cb.ActionCallback.BlockActions[0]
	if a.ActionID != ActionApprove && a.ActionID != ActionReject {
		return nil, nil
	}
	return nil, h.verdict(ctx, cb, a, now)
}

func (h Interactions) verdict(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction, now time.Time) error {
	id, err := ParseID(a.Value)
	if err != nil {
		return h.ephemeral(ctx, cb, "This decision no longer exists.")
	}
	cfg, err := h.Config.Current(ctx, now)
	if err != nil {
		return err
	}
	d, err := h.Store.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return h.ephemeral(ctx, cb, "This decision no longer exists.")
	}
	if err != nil {
		return err
	}
	p := cfg.PersonBySlack(cb.User.ID)
	if p == nil || !d.IsApprover(p.ID) {
		return h.ephemeral(ctx, cb, fmt.Sprintf("Only %s can approve or reject *%s*: the team's DACI matrix makes them its approver. Give your input in the record's thread instead.", who(cfg, d.Approvers), Headline(d)))
	}
	approve := a.ActionID == ActionApprove
	var said string
	after, changed, err := h.Store.Update(ctx, id, now, func(d *Decision) bool {
		if d.State != Open {
			said = fmt.Sprintf("*%s* is settled already: %s", Headline(d), StateLine(cfg, d))
			return false
		}
		if v, done := d.VerdictOf(p.ID); done {
			verb := "approved"
			if !v.Approved {
				verb = "rejected"
			}
			said = fmt.Sprintf("You %s *%s* already, %s.", verb, Headline(d), slackDate(v.At))
			return false
		}
		return d.Decide(p.ID, approve, now)
	})
	if err != nil {
		return err
	}
	if !changed {
		return h.ephemeral(ctx, cb, said)
	}
	logs.For(ctx, h.logger()).Info("decision: verdict", logs.Key, id.String(), logs.User, cb.User.ID, "state", string(after.State))
	return nil // its decision.changed event was committed with the verdict
}

func (h Interactions) logger() *slog.Logger {
	if h.Log == nil {
		return slog.Default()
	}
	return h.Log
}

func (h Interactions) ephemeral(ctx context.Context, cb slack.InteractionCallback, text string) error {
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	if channel == "" {
		return nil
	}
	if _, err := h.Slack.PostEphemeralContext(ctx, channel, cb.User.ID, slack.MsgOptionText(text, false)); err != nil {
		return fmt.Errorf("chat.postEphemeral: %w", err)
	}
	return nil
}
