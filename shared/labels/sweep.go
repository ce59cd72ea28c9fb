package labels

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/killpoint"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/streams"
)

// MaxAttempts is how many times a timer's firing is tried before it is given up
// (dead-lettered): kept with its error, off the due index, and told to the team's channel.
// Attempts are spaced by RetryBackoff, tripled each time (5m, 15m, 45m, 2h15m): a GitHub or
// Slack outage of a few hours does not lose a timer.
const MaxAttempts = 5

// RetryBackoff is the wait before a failed firing's first retry.
const RetryBackoff = 5 * time.Minute

// rescheduled is a firing's failure that the timer will retry by itself (it was moved to a
// later due time), so the sweep cursor need not stay behind for it.
type rescheduled struct{ error }

func (r rescheduled) Unwrap() error { return r.error }

// KillFired is the kill point after a timer's actions ran and before it is moved on.
const KillFired = "label-timer-fired"

// duePageSize is how many due timers one Query returns.
const duePageSize = 100

// SweepStats is what one sweep did. Its DynamoDB reads are: the cursor (one GetItem), Queries
// on the due index returning Read items, and for each of those the timer and the issue's
// mirror (two GetItems): proportional to the timers due, whatever the number pending.
type SweepStats struct {
	Queries, Read                        int
	Fired, Cancelled, Failed, Dead, Busy int
	Days                                 int
	Cursor, NewCursor                    string
	Skipped                              int
	deadlineReached                      bool
}

// Sweep fires every timer due at now (the schedule's time): it reads the due index from the
// sweep cursor's day up to today, bounded by now, re-reads each timer consistently, ends it
// when its rule's cancellations or conditions say so, and otherwise runs its actions (each
// effect once, under keys of the timer's firing) and moves it to its next firing or ends it.
//
// Overlapping sweeps (a retried schedule, a slow run) share the work safely: each timer's
// effects run through Effects, and moving a timer on is conditional on the firing read, so
// nothing is done twice. A failing timer stays due and is retried by the next sweeps, then
// given up after MaxAttempts; the others go on. The returned error joins the timers that did
// not complete (including those another sweep was running), so the schedule retries.
func (p *Processor) Sweep(ctx context.Context, now time.Time) (SweepStats, error) {
	var st SweepStats
	cfg, err := p.Config.Current(ctx, now)
	if err != nil {
		return st, fmt.Errorf("labels sweep: config: %w", err)
	}
	stored, err := p.Timers.Cursor(ctx)
	if err != nil {
		return st, fmt.Errorf("labels sweep: %w", err)
	}
	today := dueDay(now)
	st.Cursor = stored
	if stored == "" || stored > today {
		return st, nil // no timer is due before the cursor's day
	}
	work := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		work, cancel = context.WithDeadline(ctx, dl.Add(-streams.Reserve))
		defer cancel()
	}
	left := "" // the earliest day still holding a due timer that did not complete
	keep := func(day string) {
		if left == "" || day < left {
			left = day
		}
	}
	var errs []error
	for day := stored; day <= today; day = nextDay(day) {
		st.Days++
		var start store.Item
		for {
			if work.Err() != nil {
				st.deadlineReached = true
				keep(day)
				break
			}
			page, next, err := p.Timers.DuePage(work, day, now, duePageSize, start)
			st.Queries++
			if err != nil {
				errs = append(errs, err)
				keep(day)
				break
			}
			st.Read += len(page)
			for _, t := range page {
				if work.Err() != nil {
					st.deadlineReached = true
					keep(day)
					break
				}
				if err := p.fire(work, cfg, t, now, &st); err != nil {
					errs = append(errs, err)
					if !errors.As(err, new(rescheduled)) {
						keep(day)
					}
				}
			}
			if len(next) == 0 || st.deadlineReached {
				break
			}
			start = next
		}
		if st.deadlineReached {
			break
		}
	}
	// The cursor never passes yesterday: the due index is eventually consistent, so a timer
	// created a moment ago in a recent day may not be visible to this sweep yet.
	st.NewCursor = min(dueDay(now.Add(-24*time.Hour)), today)
	if left != "" {
		st.NewCursor = min(left, st.NewCursor)
	}
	if st.NewCursor > stored {
		if err := p.Timers.MoveCursor(ctx, stored, st.NewCursor); err != nil {
			errs = append(errs, err)
		}
	}
	p.log(ctx).Info("labels sweep", "cursor", stored, "new_cursor", st.NewCursor, "days", st.Days, "queries", st.Queries, "read", st.Read,
		"fired", st.Fired, "cancelled", st.Cancelled, "failed", st.Failed, "dead", st.Dead, "busy", st.Busy)
	if st.deadlineReached {
		errs = append(errs, errors.New("labels sweep: stopped at the deadline; the next sweep goes on"))
	}
	return st, errors.Join(errs...)
}

func nextDay(day string) string {
	t, _ := time.Parse(time.DateOnly, day)
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}

// fire handles one timer the due index returned.
func (p *Processor) fire(ctx context.Context, cfg *config.Config, seen Timer, now time.Time, st *SweepStats) error {
	t, ok, err := p.Timers.Get(ctx, seen.Team, seen.sk())
	if err != nil {
		return err
	}
	if !ok || t.State != Pending || t.Due.After(now) {
		st.Skipped++ // the index lagged behind a timer that moved on
		return nil
	}
	log := p.log(ctx).With(logs.Team, t.Team, "rule", t.Rule, logs.Repo, t.Repo, "number", t.Number, "timer", t.Index, "fired", t.Fired)
	end := func(state, why string, fired int) error {
		err := p.Timers.Finish(ctx, t, state, why, now, fired)
		if errors.Is(err, errMoved) {
			return nil
		}
		if err == nil {
			log.Info("label rule timer ended", "state", state, "why", why)
		}
		return err
	}
	team := cfg.Team(t.Team)
	var r *config.LabelRule
	if team != nil {
		r = team.LabelRule(t.Rule)
	}
	if r == nil || t.Index >= len(r.Timers) {
		st.Cancelled++
		return end(Cancelled, "cancelled: the rule or its timer is no longer in the config", t.Fired)
	}
	is, err := p.Mirror.Get(ctx, t.Repo, t.Number)
	if errors.Is(err, store.ErrNotFound) {
		st.Cancelled++
		return end(Cancelled, "cancelled: the issue is no longer mirrored", t.Fired)
	}
	if err != nil {
		return err
	}
	tm := r.Timers[t.Index]
	why := cancelledBy(cfg, team, r, t, is)
	if why == "" {
		if c := unmet(cfg, team, r, tm, t, is); c != "" {
			why = "ended: no longer true that " + describeCondition(c)
		}
	}
	if why != "" {
		st.Cancelled++
		return end(Cancelled, why, t.Fired)
	}
	sub := subject{cfg: cfg, team: team, rule: r, is: is}
	base := fmt.Sprintf("%s#%s#t%d#%d", effectBase(team, r, t.Repo, t.Number), t.Activation, t.Index, t.Fired)
	if err := p.run(ctx, sub, tm.Do, base, now); err != nil {
		if errors.Is(err, store.ErrInProgress) {
			st.Busy++
			return err // another sweep is firing it right now
		}
		return p.failed(ctx, sub, t, err, now, st)
	}
	st.Fired++
	// A crash here leaves the firing's effects done and the timer due: the next sweep finds
	// every effect recorded and only moves the timer on.
	killpoint.Reach(KillFired)
	if t.Fired+1 >= tm.Limit || tm.Every.IsZero() {
		return end(Done, "done", t.Fired+1)
	}
	business := p.Calendar.TeamBusinessDay(cfg, team)
	loc := team.Location()
	next := tm.Every.After(t.Due.In(loc), business).UTC()
	if !next.After(now) {
		next = tm.Every.After(now.In(loc), business).UTC() // the sweeps were down: no burst of catch-ups
	}
	if err := p.Timers.Advance(ctx, t, next); err != nil && !errors.Is(err, errMoved) {
		return err
	}
	log.Info("label rule timer fired", "next", next.Format(time.RFC3339))
	return nil
}

// failed records a failed attempt; after MaxAttempts the timer is given up and the team's
// channel told, once.
func (p *Processor) failed(ctx context.Context, sub subject, t Timer, cause error, now time.Time, st *SweepStats) error {
	attempts := t.Attempts + 1
	reason := clip.Runes(cause.Error(), 500)
	if attempts < MaxAttempts {
		st.Failed++
		wait := RetryBackoff
		for i := 1; i < attempts; i++ {
			wait *= 3
		}
		if err := p.Timers.Failed(ctx, t, attempts, reason, now.Add(wait)); err != nil && !errors.Is(err, errMoved) {
			return errors.Join(cause, err)
		}
		return rescheduled{fmt.Errorf("attempt %d of %d, again at %s: %w", attempts, MaxAttempts, now.Add(wait).UTC().Format(time.RFC3339), cause)}
	}
	st.Dead++
	p.log(ctx).Error("label rule timer given up", logs.Team, t.Team, "rule", t.Rule, logs.Repo, t.Repo, "number", t.Number, "attempts", attempts, logs.Err, reason)
	text := fmt.Sprintf(":x: The label rule *%s* gave up on <%s|%s#%d> after %d attempts: %s. Its timer is stopped; `/labels pending` shows it.",
		slackapp.Escape(sub.rule.Name), slackapp.Escape(sub.is.URL), slackapp.Escape(t.Repo), t.Number, attempts, slackapp.Escape(clip.Runes(cause.Error(), 300)))
	if _, _, err := p.Effects.Once(ctx, fmt.Sprintf("labels#dead#%s#%s#%d", t.Team, t.sk(), t.Fired), func(ctx context.Context) (string, error) {
		return slackapp.Post(ctx, p.Slack, sub.team.Slack.Channel, slackapp.Message{Text: text})
	}); err != nil {
		return fmt.Errorf("tell the team that a timer was given up: %w", err)
	}
	if err := p.Timers.Finish(ctx, t, Dead, "gave up after "+fmt.Sprint(attempts)+" attempts: "+reason, now, t.Fired); err != nil && !errors.Is(err, errMoved) {
		return err
	}
	return nil
}
