package clinic

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// Interactions answers the approval request's Accept, Defer and Decline. Only the team's
// approvers may press them. The decision (with the visit's seats, for Accept) and its
// clinic.decided event are stored together; the processor updates the approvers' messages and
// tells the requester and the team.
type Interactions struct {
	Config ConfigSource
	Store  Store
	Slack  slackapp.EphemeralPoster
	Log    *slog.Logger
}

var _ slackapp.Interaction = Interactions{}

// Prefix implements slackapp.Interaction: action ids "clinic:...".
func (Interactions) Prefix() string { return "clinic" }

var decisions = map[string]Decision{ActionAccept: Accept, ActionDefer: Defer, ActionDecline: Decline}

// Handle implements slackapp.Interaction.
func (h Interactions) Handle(ctx context.Context, cb slack.InteractionCallback, now time.Time) (any, error) {
	if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) == 0 {
		return nil, nil
	}
	a := cb.ActionCallback.BlockActions[0]
	d, ok := decisions[a.ActionID]
	if !ok {
		return nil, nil
	}
	log := logs.For(ctx, h.Log).With(logs.User, cb.User.ID, logs.Key, a.Value)
	cfg, err := h.Config.Current(ctx, now)
	if err != nil {
		return nil, err
	}
	teamID, n, err := ParseRef(a.Value)
	team := cfg.Team(teamID)
	if err != nil || team == nil || team.Clinic == nil || clinicRotation(team) == nil {
		return nil, h.say(ctx, cb, "This sign-up is no longer open (the team no longer runs Clinic Duty).")
	}
	person := cfg.PersonBySlack(cb.User.ID)
	approvers := team.ClinicApprovers()
	if person == nil || !slices.Contains(approvers, person.ID) {
		log.Info("clinic: decision refused to someone who is not an approver")
		names := make([]string, 0, len(approvers))
		for _, id := range approvers {
			names = append(names, mention(cfg, id))
		}
		return nil, h.say(ctx, cb, fmt.Sprintf("Only %s's Clinic Duty approvers (%s) can decide on sign-ups.", slackapp.Escape(team.Name), joinOr(names)))
	}
	r := clinicRotation(team)
	s, err := h.Store.Decide(ctx, teamID, n, d, person.ID, now, r.Period(now)+1, team.Clinic.VisitorsPerSprint, func(x *Signup) store.Event {
		return signupEvent(EventDecided, x, d, person.ID, now)
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, h.say(ctx, cb, "This sign-up no longer exists.")
	case errors.Is(err, ErrNotPending):
		return nil, h.say(ctx, cb, fmt.Sprintf("Sign-up #%d was already %s.", s.N, s.State))
	case errors.Is(err, ErrNoRoom):
		return nil, h.say(ctx, cb, fmt.Sprintf("No sprint in the next %d has room for sign-up #%d (%d visitor(s) per sprint): defer or decline it, or raise clinic.visitors_per_sprint.", PlanningHorizon, n, team.Clinic.VisitorsPerSprint))
	case err != nil:
		return nil, err
	}
	log.Info("clinic: sign-up decided", logs.Team, teamID, "decision", string(d))
	switch d {
	case Accept:
		return nil, h.say(ctx, cb, fmt.Sprintf("Accepted: sign-up #%d joins the sprint %s.", s.N, sprintDates(r, s)))
	case Defer:
		return nil, h.say(ctx, cb, fmt.Sprintf("Deferred: sign-up #%d goes to the back of the queue; you will be asked again after the next handover.", s.N))
	}
	return nil, h.say(ctx, cb, fmt.Sprintf("Declined: sign-up #%d. The requester is told.", s.N))
}

func (h Interactions) say(ctx context.Context, cb slack.InteractionCallback, text string) error {
	_, err := slackapp.ReplyEphemeral(ctx, h.Slack, cb, text)
	return err
}

func joinOr(xs []string) string {
	switch len(xs) {
	case 0:
		return "nobody: set clinic.approvers"
	case 1:
		return xs[0]
	}
	out := ""
	for i, x := range xs {
		switch {
		case i == 0:
		case i == len(xs)-1:
			out += " or "
		default:
			out += ", "
		}
		out += x
	}
	return out
}
