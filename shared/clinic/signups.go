package clinic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/retry"
	"github.com/rituals-dev/rituals/shared/rotation"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// Interaction routes of the approval buttons.
const (
	ActionAccept  = "clinic:accept"
	ActionDefer   = "clinic:defer"
	ActionDecline = "clinic:decline"
)

// signupEvent runs the effects of a sign-up's change: the approval request to the approvers,
// and after a decision or a withdrawal the approvers' messages updated, the requester told and,
// for a visit accepted (or an accepted one withdrawn), the team told.
func (p *Processor) signupEvent(ctx context.Context, e store.Event) error {
	var ev SignupEvent
	if err := json.Unmarshal(e.Payload, &ev); err != nil || ev.Team == "" || ev.N < 1 {
		p.log(ctx).Error("clinic: undecodable sign-up event ignored", logs.Key, e.Key)
		return nil
	}
	cfg, err := p.Config.Current(ctx, e.ReceivedAt)
	if err != nil {
		return fmt.Errorf("clinic: config: %w", err)
	}
	team := cfg.Team(ev.Team)
	if team == nil || team.Clinic == nil {
		p.log(ctx).Warn("clinic: sign-up event for a team without Clinic Duty", logs.Team, ev.Team)
		return nil
	}
	s, err := p.Store.Signup(ctx, ev.Team, ev.N)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	// The sign-up as the event announced it: its later changes have their own events.
	switch e.Type {
	case EventSignup:
		return p.askApprovers(ctx, cfg, team, s, 0)
	case EventDecided:
		return p.decided(ctx, cfg, team, s, ev, e.ReceivedAt)
	case EventWithdrawn:
		return p.withdrawn(ctx, cfg, team, s, ev)
	}
	return nil
}

func signupKey(s *Signup, what string) string {
	return "clinic#signup#" + s.Team + "#" + itoa(s.N) + "#" + what
}

func askKey(s *Signup, round int, approver string) string {
	return signupKey(s, fmt.Sprintf("ask#%d#%s", round, approver))
}

// askApprovers DMs each approver the request with Accept, Defer and Decline (round r: 0 when it
// was made, the number of deferrals when asked again), once each. The DM's channel and ts are
// the effect's result, so that the decision can update every copy.
func (p *Processor) askApprovers(ctx context.Context, cfg *config.Config, team *config.Team, s *Signup, round int) error {
	if s.State != Pending {
		return nil
	}
	approvers := team.ClinicApprovers()
	var errs []error
	asked := 0
	for _, id := range approvers {
		a := cfg.PersonByID(id)
		if a == nil || a.Slack == "" {
			continue
		}
		asked++
		_, _, err := p.Effects.Once(ctx, askKey(s, round, id), func(ctx context.Context) (string, error) {
			return p.dmRef(ctx, a.Slack, approvalMessage(cfg, team, s, round))
		})
		errs = append(errs, err)
	}
	if asked == 0 {
		// Nobody to DM: the team's channel gets the request (anyone there who may decide can).
		_, _, err := p.Effects.Once(ctx, askKey(s, round, "channel"), func(ctx context.Context) (string, error) {
			ts, err := slackapp.Post(ctx, p.Slack, team.ClinicChannel(), approvalMessage(cfg, team, s, round))
			return team.ClinicChannel() + " " + ts, err
		})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// dmRef DMs user and returns "<channel> <ts>", the message's address for later updates.
func (p *Processor) dmRef(ctx context.Context, user string, m slackapp.Message) (string, error) {
	var ch *slack.Channel
	err := retry.Do(ctx, func() error {
		var err error
		ch, _, _, err = p.Slack.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}, ReturnIM: true})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("conversations.open with %s: %w", user, err)
	}
	ts, err := slackapp.Post(ctx, p.Slack, ch.ID, m)
	if err != nil {
		return "", err
	}
	return ch.ID + " " + ts, nil
}

// requestSummary is the request in one line: who, from where, how long, with what.
func requestSummary(cfg *config.Config, s *Signup) string {
	who := slackapp.Mention(s.Requester)
	if len(s.From) > 0 {
		var names []string
		for _, id := range s.From {
			if t := cfg.Team(id); t != nil {
				names = append(names, slackapp.Escape(t.Name))
			}
		}
		if len(names) > 0 {
			who += " (" + strings.Join(names, ", ") + ")"
		}
	}
	return fmt.Sprintf("%s for %d week(s)", who, s.Weeks)
}

func goalsText(s *Signup) string {
	if strings.TrimSpace(s.Goals) == "" {
		return "_no tasks given_"
	}
	return clip.Runes(slackapp.Escape(s.Goals), 1500)
}

// approvalMessage asks an approver to decide on a sign-up.
func approvalMessage(cfg *config.Config, team *config.Team, s *Signup, round int) slackapp.Message {
	again := ""
	if round > 0 {
		again = fmt.Sprintf(" (deferred %d time(s); asked again)", round)
	}
	text := fmt.Sprintf(":wave: Clinic Duty sign-up #%d for %s%s: %s would like to join, bringing: %s", s.N, slackapp.Escape(team.Name), again, requestSummary(cfg, s), goalsText(s))
	button := func(id, label string, style slack.Style) *slack.ButtonBlockElement {
		b := slack.NewButtonBlockElement(id, s.Ref(), slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
		b.Style = style
		return b
	}
	return slackapp.Message{Text: text, Blocks: []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil),
		slack.NewActionBlock("clinic_decide", button(ActionAccept, "Accept", slack.StylePrimary), button(ActionDefer, "Defer", ""), button(ActionDecline, "Decline", slack.StyleDanger)),
	}}
}

// sprintDates renders the dates of an accepted visit.
func sprintDates(r *rotation.Rotation, s *Signup) string {
	loc := r.Location()
	return fmt.Sprintf("%s – %s", when(r.Shift(s.Sprint).Start, loc), when(r.Shift(s.Sprint+s.Sprints-1).End, loc))
}

// updateAsked replaces every approval request sent for s with outcome (no more buttons).
func (p *Processor) updateAsked(ctx context.Context, cfg *config.Config, team *config.Team, s *Signup, rev int, outcome string) error {
	var errs []error
	for round := 0; round <= s.Deferrals; round++ {
		for _, id := range append(team.ClinicApprovers(), "channel") {
			ref, done, err := p.Effects.Done(ctx, askKey(s, round, id))
			if err != nil || !done {
				errs = append(errs, err)
				continue
			}
			channel, ts, ok := strings.Cut(ref, " ")
			if !ok {
				continue
			}
			_, _, err = p.Effects.Once(ctx, signupKey(s, fmt.Sprintf("update#%d#%d#%s", rev, round, id)), func(ctx context.Context) (string, error) {
				text := fmt.Sprintf("Clinic Duty sign-up #%d for %s: %s — %s", s.N, slackapp.Escape(team.Name), requestSummary(cfg, s), outcome)
				return "updated", slackapp.Update(ctx, p.Slack, channel, ts, slackapp.Message{Text: text, Blocks: []slack.Block{
					slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil),
				}})
			})
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// decided tells everyone of a decision on a sign-up.
func (p *Processor) decided(ctx context.Context, cfg *config.Config, team *config.Team, s *Signup, ev SignupEvent, now time.Time) error {
	r := clinicRotation(team)
	if r == nil {
		return nil
	}
	by := mention(cfg, ev.By)
	var outcome, toRequester string
	switch ev.Decision {
	case Accept:
		if s.State != Accepted {
			return nil
		}
		outcome = fmt.Sprintf("*accepted* by %s: sprint %s.", by, sprintDates(r, s))
		toRequester = fmt.Sprintf(":tada: Your Clinic Duty sign-up #%d with %s was accepted by %s. You join their sprint %s (%d week(s)); half your time on the tasks you bring, with the team's code review, half helping. They will be in touch in %s.",
			s.N, slackapp.Escape(team.Name), by, sprintDates(r, s), s.Weeks, channelLink(team.ClinicChannel()))
	case Defer:
		outcome = fmt.Sprintf("*deferred* by %s; it goes to the back of the queue and is asked again at the next handover.", by)
		toRequester = fmt.Sprintf(":hourglass_flowing_sand: Your Clinic Duty sign-up #%d with %s was deferred by %s: it stays in the queue (at the back) and is decided after the next handover, %s. `/clinic %s queue` shows where it stands.",
			s.N, slackapp.Escape(team.Name), by, when(r.Shift(r.Period(now)+1).Start, r.Location()), team.ID)
	case Decline:
		if s.State != Declined {
			return nil
		}
		outcome = fmt.Sprintf("*declined* by %s.", by)
		toRequester = fmt.Sprintf("Your Clinic Duty sign-up #%d with %s was declined by %s. Ask them in %s if you would like to know why or when to try again.",
			s.N, slackapp.Escape(team.Name), by, channelLink(team.ClinicChannel()))
	default:
		return nil
	}
	errs := []error{p.updateAsked(ctx, cfg, team, s, ev.Rev, outcome)}
	_, _, err := p.Effects.Once(ctx, signupKey(s, fmt.Sprintf("tell#%d", ev.Rev)), func(ctx context.Context) (string, error) {
		return slackapp.DM(ctx, p.Slack, s.Requester, slackapp.Message{Text: toRequester})
	})
	errs = append(errs, err)
	if ev.Decision == Accept {
		_, _, err := p.Effects.Once(ctx, signupKey(s, fmt.Sprintf("team#%d", ev.Rev)), func(ctx context.Context) (string, error) {
			text := fmt.Sprintf(":handshake: %s joins %s's Clinic Duty sprint %s (%d week(s), accepted by %s), bringing: %s",
				requestSummary(cfg, s), slackapp.Escape(team.Name), sprintDates(r, s), s.Weeks, by, goalsText(s))
			return slackapp.Post(ctx, p.Slack, team.ClinicChannel(), slackapp.Message{Text: text})
		})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// withdrawn tells the approvers (and the team, for an accepted visit) of a withdrawal.
func (p *Processor) withdrawn(ctx context.Context, cfg *config.Config, team *config.Team, s *Signup, ev SignupEvent) error {
	if s.State != Withdrawn {
		return nil
	}
	errs := []error{p.updateAsked(ctx, cfg, team, s, ev.Rev, "*withdrawn* by the requester.")}
	if r := clinicRotation(team); s.Placed && r != nil {
		_, _, err := p.Effects.Once(ctx, signupKey(s, fmt.Sprintf("team#%d", ev.Rev)), func(ctx context.Context) (string, error) {
			text := fmt.Sprintf("%s withdrew from %s's Clinic Duty sprint %s; the seat is free again.", requestSummary(cfg, s), slackapp.Escape(team.Name), sprintDates(r, s))
			return slackapp.Post(ctx, p.Slack, team.ClinicChannel(), slackapp.Message{Text: text})
		})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func channelLink(id string) string { return "<#" + id + ">" }
