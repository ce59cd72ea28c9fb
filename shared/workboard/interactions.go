package workboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/phab"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// Interactions answers the incident post's Acknowledge and Take it. It writes the incident
// (the response is recorded at the click's time) and puts a phab.ubn event; the processor
// assigns the task and updates the post. Only team members may press them.
type Interactions struct {
	Config phab.ConfigSource
	Store  Store
	Events slackapp.EventPutter
	Slack  slackapp.EphemeralPoster
	Log    *slog.Logger
}

var _ slackapp.Interaction = Interactions{}

// Prefix implements slackapp.Interaction: action ids "phab:...".
func (Interactions) Prefix() string { return "phab" }

// Texts people see.
const (
	overText = "This Unbreak Now! is over."
)

// Handle implements slackapp.Interaction.
func (h Interactions) Handle(ctx context.Context, cb slack.InteractionCallback, now time.Time) (any, error) {
	if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) == 0 {
		return nil, nil
	}
	a := cb.ActionCallback.BlockActions[0]
	if a.ActionID != ActionAck && a.ActionID != ActionTake {
		return nil, nil
	}
	log := logs.For(ctx, h.Log).With(logs.User, cb.User.ID, logs.Key, a.Value)
	cfg, err := h.Config.Current(ctx, now)
	if err != nil {
		return nil, err
	}
	teamID, id, ok := ParseKey(a.Value)
	team := cfg.Team(teamID)
	if !ok || team == nil || team.Phabricator == nil {
		return nil, h.ephemeral(ctx, cb, overText)
	}
	person := cfg.PersonBySlack(cb.User.ID)
	if person == nil || !team.HasMember(person.ID) {
		log.Info("workboard: button pressed by someone outside the team")
		return nil, h.ephemeral(ctx, cb, fmt.Sprintf("Only %s's members can acknowledge or take this Unbreak Now!.", slackapp.Escape(team.Name)))
	}
	var say string
	inc, changed, err := h.Store.Update(ctx, teamID, id, func(i *Incident) bool {
		if !i.Open() {
			say = overText + " " + slackapp.Escape(i.ResolvedHow) + "."
			return false
		}
		changed := false
		if i.RespondedAt.IsZero() {
			how := "acknowledged in Slack"
			if a.ActionID == ActionTake {
				how = "took it from Slack"
			}
			i.RespondedAt, i.RespondedBy, i.RespondedHow = now, person.ID, how
			changed = true
		}
		if a.ActionID == ActionTake && i.TakenBy != person.ID {
			i.TakenBy = person.ID
			changed = true
			say = fmt.Sprintf("Assigning T%d to you in Phabricator.", i.TaskID)
		}
		if !changed {
			say = fmt.Sprintf("Already acknowledged by %s.", mention(cfg, i.RespondedBy))
		}
		return changed
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, h.ephemeral(ctx, cb, overText)
	}
	if err != nil {
		return nil, err
	}
	if changed {
		action := "ack"
		if a.ActionID == ActionTake {
			action = "take"
		}
		payload, _ := json.Marshal(UBNEvent{Team: teamID, ID: id, Action: action, Person: person.ID})
		err := h.Events.PutEvent(ctx, store.Event{
			Key:    "rituals#phab#" + teamID + "#" + id + "#" + strconv.Itoa(inc.Rev),
			Source: EventSource, Type: EventUBN, Action: action, ReceivedAt: now, Payload: payload,
		})
		if err != nil && !errors.Is(err, store.ErrDuplicate) {
			return nil, fmt.Errorf("announce %s of %s: %w", action, id, err)
		}
		log.Info("workboard: Unbreak Now! "+action, "task", fmt.Sprintf("T%d", inc.TaskID))
	}
	if say != "" {
		return nil, h.ephemeral(ctx, cb, say)
	}
	return nil, nil
}

func (h Interactions) ephemeral(ctx context.Context, cb slack.InteractionCallback, text string) error {
	_, err := slackapp.ReplyEphemeral(ctx, h.Slack, cb, text)
	return err
}
