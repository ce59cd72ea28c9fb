package support

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// HandoverWindow is how long after a handover its message may still be posted: a tick missed
// for a while still posts it, but deploying mid-week does not announce a shift days old.
const HandoverWindow = 24 * time.Hour

// DigestAt is when, in the team's time zone, the daily list of unanswered questions is sent
// (on business days).
var DigestAt = config.Clock{Hour: 9, Minute: 0}

// NagAt is the earliest time of day (team's zone) a non-urgent request is nagged on the
// business days after the one its acknowledgement target fell on.
var NagAt = config.Clock{Hour: 9, Minute: 0}

// Tick is the scheduled run at now: per team, the rotation handover, nags and escalations of
// unacknowledged requests, the daily unanswered-questions digest, and a re-sync of requests
// whose effects are behind. Every effect is keyed, so running Tick again at the same or a
// later time repeats nothing. A team's failure does not stop the others; the errors are
// joined.
func (p *Processor) Tick(ctx context.Context, now time.Time) error {
	cfg, err := p.Config.Current(ctx, now)
	if err != nil {
		return fmt.Errorf("support tick: config: %w", err)
	}
	var errs []error
	for _, team := range cfg.Teams {
		if team.Support == nil {
			continue
		}
		if err := p.tickTeam(ctx, cfg, team, now); err != nil {
			p.log(ctx).Error("support tick failed for a team", logs.Team, team.ID, logs.Err, err.Error())
			errs = append(errs, fmt.Errorf("team %s: %w", team.ID, err))
		}
	}
	return errors.Join(errs...)
}

func (p *Processor) tickTeam(ctx context.Context, cfg *config.Config, team *config.Team, now time.Time) error {
	duty, err := p.Store.OnDuty(ctx, team, now)
	if err != nil {
		return err
	}
	open, err := p.Store.ListOpen(ctx, team.ID)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range open {
		if !r.behind() {
			continue
		}
		// gsi1 may lag: sync from the consistent record, never from the index's copy.
		cur, err := p.Store.Get(ctx, r.ID)
		if err == nil && cur.behind() {
			err = p.Sync(ctx, cfg, team, cur, now)
		}
		errs = append(errs, err)
	}
	errs = append(errs, p.handover(ctx, cfg, team, duty, open, now))
	for _, r := range open {
		errs = append(errs, p.nag(ctx, cfg, team, duty, r, now))
	}
	errs = append(errs, p.digest(ctx, cfg, team, duty, now))
	return errors.Join(errs...)
}

// handover posts, once per shift, who is on support now and the open requests.
func (p *Processor) handover(ctx context.Context, cfg *config.Config, team *config.Team, duty Duty, open []*Request, now time.Time) error {
	if now.Sub(duty.Shift.Start) >= HandoverWindow {
		return nil
	}
	_, _, err := p.Effects.Once(ctx, fmt.Sprintf("support#handover#%s#%d", team.ID, duty.Shift.Period), func(ctx context.Context) (string, error) {
		return slackapp.Post(ctx, p.Slack, team.Slack.SupportChannel, slackapp.Message{Text: HandoverText(cfg, team, duty, open, now)})
	})
	return err
}

// HandoverText names the engineer now on support and lists the open requests.
func HandoverText(cfg *config.Config, team *config.Team, duty Duty, open []*Request, now time.Time) string {
	loc := team.Location()
	end := duty.Shift.End.In(loc).Format("Mon 2 Jan 15:04 MST")
	title := fmt.Sprintf(":arrows_counterclockwise: *Support handover for %s:* %s is on support until %s.", slackapp.Escape(team.Name), mention(cfg, duty.Member), end)
	if o := duty.Override; o != nil && o.Kind == Cover {
		title = fmt.Sprintf(":arrows_counterclockwise: *Support handover for %s:* %s is on support (covering until %s); the shift ends %s.", slackapp.Escape(team.Name), mention(cfg, duty.Member), o.To, end)
	}
	if len(open) == 0 {
		return title + "\nNo open support requests."
	}
	lines := make([]string, 0, len(open))
	for _, r := range open {
		lines = append(lines, RequestLine(cfg, r, now))
	}
	return listText(fmt.Sprintf("%s\nOpen support requests (%d):", title, len(open)), lines)
}

// NagsDue says which nag of an urgent request is due at now: the number of whole NagEvery
// intervals since created (0: none yet), and whether the escalation to the EM is due. Spans in
// business days count the days businessDay accepts (the team's calendar).
func NagsDue(s *config.Support, created, now time.Time, businessDay func(config.Date) bool) (n int, escalate bool) {
	if every := s.NagEvery; every.Duration > 0 {
		n = int(now.Sub(created) / every.Duration)
	} else if !every.IsZero() {
		for t := every.After(created, businessDay); !t.After(now) && n < 1000; t = every.After(t, businessDay) {
			n++
		}
	}
	return n, !s.EscalateAfter.IsZero() && !now.Before(s.EscalateAfter.After(created, businessDay))
}

// DailyNagDue says whether a non-urgent request acknowledged within ackWithin of created is
// due a nag at now, and the day it is for: on each business day (team's zone, loc) from the
// day its target passes, at the target on that day and from NagAt on the later ones. Business
// days are those businessDay accepts (the team's calendar).
func DailyNagDue(ackWithin config.Span, created, now time.Time, loc *time.Location, businessDay func(config.Date) bool) (config.Date, bool) {
	due := ackWithin.After(created.In(loc), businessDay)
	local := now.In(loc)
	today := config.DateOf(local)
	if now.Before(due) || !businessDay(today) {
		return today, false
	}
	if today == config.DateOf(due.In(loc)) {
		return today, true
	}
	return today, !local.Before(NagAt.On(today, loc))
}

// nag reminds the engineer on rotation of an unacknowledged request and escalates urgent ones.
func (p *Processor) nag(ctx context.Context, cfg *config.Config, team *config.Team, duty Duty, r *Request, now time.Time) error {
	if !r.Acked.IsZero() || !r.IsOpen() {
		return nil
	}
	prio, ok := team.Support.Priority(r.Priority)
	if !ok {
		return nil
	}
	eng := cfg.PersonByID(duty.Member)
	if prio.Urgent {
		n, escalate := NagsDue(team.Support, r.Created, now, p.Calendar.TeamBusinessDay(cfg, team))
		if n >= 1 && eng != nil && eng.Slack != "" {
			if _, _, err := p.Effects.Once(ctx, nagKey(r.ID, fmt.Sprint(n)), func(ctx context.Context) (string, error) {
				return slackapp.DM(ctx, p.Slack, eng.Slack, slackapp.Message{Text: NagText(cfg, team, r, r.Channel, r.TS, now, n)})
			}); err != nil {
				return err
			}
		}
		if em := cfg.PersonByID(team.Roles.EM); escalate && em != nil && em.Slack != "" {
			_, _, err := p.Effects.Once(ctx, nagKey(r.ID, "escalate"), func(ctx context.Context) (string, error) {
				return slackapp.DM(ctx, p.Slack, em.Slack, slackapp.Message{Text: EscalationText(cfg, team, r, duty.Member, r.Channel, r.TS, now)})
			})
			return err
		}
		return nil
	}
	day, due := DailyNagDue(prio.AckWithin, r.Created, now, team.Location(), p.Calendar.TeamBusinessDay(cfg, team))
	if !due || eng == nil || eng.Slack == "" {
		return nil
	}
	_, _, err := p.Effects.Once(ctx, nagKey(r.ID, day.String()), func(ctx context.Context) (string, error) {
		return slackapp.DM(ctx, p.Slack, eng.Slack, slackapp.Message{Text: NagText(cfg, team, r, r.Channel, r.TS, now, 1)})
	})
	return err
}

// digest DMs the engineer on rotation, once per business day from DigestAt, the questions in
// the support channel that no team member answered within a business day.
func (p *Processor) digest(ctx context.Context, cfg *config.Config, team *config.Team, duty Duty, now time.Time) error {
	loc := team.Location()
	local := now.In(loc)
	today := config.DateOf(local)
	eng := cfg.PersonByID(duty.Member)
	businessDay := p.Calendar.TeamBusinessDay(cfg, team)
	if !businessDay(today) || local.Before(DigestAt.On(today, loc)) || eng == nil || eng.Slack == "" {
		return nil
	}
	qs, err := p.Store.Unanswered(ctx, team.ID, now)
	if err != nil {
		return err
	}
	oneDay := config.Span{BusinessDays: 1}
	var late []Question
	for _, q := range qs {
		if !oneDay.After(q.Asked.In(loc), businessDay).After(now) && now.Sub(q.Asked) < QuestionRetention {
			late = append(late, q)
		}
	}
	if len(late) == 0 {
		return nil
	}
	_, _, err = p.Effects.Once(ctx, "support#questions#"+team.ID+"#"+today.String(), func(ctx context.Context) (string, error) {
		return slackapp.DM(ctx, p.Slack, eng.Slack, slackapp.Message{Text: QuestionsDigest(cfg, team, late, now)})
	})
	return err
}
