package clinic

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/rotation"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// HandoverWindow is how long after a handover its message may still be posted: a tick missed
// for a while still posts it, but deploying mid-sprint does not announce a sprint days old.
const HandoverWindow = 24 * time.Hour

// maxListed bounds each list of the handover message.
const maxListed = 5

// Tick is the scheduled run at now: per team with Clinic Duty, the handover (once per duty
// period: who is on duty, what is open, the last period's report; deferred sign-ups asked
// again), and the nags and escalations of outside patches past their targets. Every effect is
// keyed, so running it again repeats nothing; one team's failure does not stop the others.
func (p *Processor) Tick(ctx context.Context, now time.Time) error {
	cfg, err := p.Config.Current(ctx, now)
	if err != nil {
		return fmt.Errorf("clinic tick: config: %w", err)
	}
	var errs []error
	for _, team := range cfg.Teams {
		if team.Clinic == nil || clinicRotation(team) == nil {
			continue
		}
		if err := p.tickTeam(ctx, cfg, team, now); err != nil {
			p.log(ctx).Error("clinic tick failed for a team", logs.Team, team.ID, logs.Err, err.Error())
			errs = append(errs, fmt.Errorf("team %s: %w", team.ID, err))
		}
	}
	return errors.Join(errs...)
}

func (p *Processor) tickTeam(ctx context.Context, cfg *config.Config, team *config.Team, now time.Time) error {
	var errs []error
	patches, err := p.Store.WaitingPatches(ctx, team.ID)
	if err != nil {
		return err
	}
	for _, w := range patches {
		if now.Before(w.Due) {
			continue
		}
		// The index may lag: decide on the consistent record.
		cur, err := p.Store.Patch(ctx, team.ID, w.ID)
		if err == nil {
			err = p.nagPatch(ctx, cfg, team, cur, now)
		}
		errs = append(errs, err)
	}
	errs = append(errs, p.handover(ctx, cfg, team, now))
	return errors.Join(errs...)
}

// handover posts, once per duty period, who is on Clinic Duty, what is open and the report of
// the period that ended; and asks the approvers again about sign-ups deferred before it.
func (p *Processor) handover(ctx context.Context, cfg *config.Config, team *config.Team, now time.Time) error {
	r := clinicRotation(team)
	n := r.Period(now)
	if now.Sub(r.Shift(n).Start) >= HandoverWindow {
		return nil
	}
	key := "clinic#handover#" + team.ID + "#" + itoa(n)
	var errs []error
	_, done, err := p.Effects.Done(ctx, key)
	if err != nil {
		return err
	}
	if !done {
		duty, err := p.Rotations.OnDuty(ctx, r, now)
		if err != nil {
			return err
		}
		text, err := p.HandoverText(ctx, cfg, team, duty, now)
		if err != nil {
			return err
		}
		_, _, err = p.Effects.Once(ctx, key, func(ctx context.Context) (string, error) {
			return slackapp.Post(ctx, p.Slack, team.ClinicChannel(), slackapp.Message{Text: text})
		})
		errs = append(errs, err)
	}
	// Asked again whether or not this tick posted the handover: each ask is its own effect, so
	// one that failed is retried by the next tick in the window.
	queue, err := p.Store.Queue(ctx, team.ID)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, s := range queue {
		if s.Deferrals > 0 && s.DeferredAt.Before(r.Shift(n).Start) {
			errs = append(errs, p.askApprovers(ctx, cfg, team, s, s.Deferrals))
		}
	}
	return errors.Join(errs...)
}

// HandoverText names the engineer now on Clinic Duty, lists what is open (Unbreak Now! tasks,
// untriaged tasks, outside patches waiting, this sprint's visitors, sign-ups waiting) and
// reports the period that just ended.
func (p *Processor) HandoverText(ctx context.Context, cfg *config.Config, team *config.Team, duty rotation.Duty, now time.Time) (string, error) {
	r := clinicRotation(team)
	loc := r.Location()
	var b strings.Builder
	fmt.Fprintf(&b, ":stethoscope: *Clinic Duty handover for %s:* %s is on Clinic Duty until %s.", slackapp.Escape(team.Name), mention(cfg, duty.Member), when(duty.End, loc))
	if len(duty.Skipped) > 0 {
		var names []string
		for _, s := range duty.Skipped {
			names = append(names, mention(cfg, s))
		}
		fmt.Fprintf(&b, " (%s skipped: away or on holiday throughout.)", strings.Join(names, ", "))
	}
	if duty.Swap != nil {
		fmt.Fprintf(&b, " (Swapped; the rota says %s.)", mention(cfg, duty.Rota))
	}
	if o := duty.Override; o != nil && o.Kind == rotation.Cover {
		fmt.Fprintf(&b, " (Covering until %s.)", o.To)
	}
	b.WriteString("\n*Open now*")
	lines, err := p.openLines(ctx, cfg, team, r, duty.Period, now)
	if err != nil {
		return "", err
	}
	for _, l := range lines {
		b.WriteString("\n• " + l)
	}
	prev, err := p.Report(ctx, team, 1, duty.Start.Add(-time.Second))
	if err != nil {
		return "", err
	}
	for _, m := range prev {
		if m.Kind == WindowPeriod && m.Period == duty.Period-1 {
			m.Partial = false
			fmt.Fprintf(&b, "\n*Last sprint* — %s: %s", WindowTitle(cfg, m.Window, false), MetricsLine(m))
		}
	}
	return clip.Runes(b.String(), 3900), nil
}

// openLines lists what the engineer on duty takes over.
func (p *Processor) openLines(ctx context.Context, cfg *config.Config, team *config.Team, r *rotation.Rotation, n int, now time.Time) ([]string, error) {
	loc := r.Location()
	var out []string
	if p.Incidents != nil && team.Phabricator != nil {
		open, err := p.Incidents.ListOpen(ctx, team.ID)
		if err != nil {
			return nil, err
		}
		line := fmt.Sprintf("Unbreak Now! tasks: %d", len(open))
		for i, inc := range open {
			if i == maxListed {
				line += fmt.Sprintf(" …and %d more", len(open)-i)
				break
			}
			line += fmt.Sprintf("%s <%s|T%d> %s (%s)", map[bool]string{true: " —", false: ","}[i == 0], inc.URL, inc.TaskID, slackapp.Escape(inc.Title), human(now.Sub(inc.RaisedAt)))
		}
		out = append(out, line)
		board, err := p.Incidents.Board(ctx, team.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return nil, err
		case board.Triage != "" && p.Columns != nil:
			tasks, err := p.Columns.InColumn(ctx, board.Triage)
			if err != nil {
				return nil, err
			}
			sort.Slice(tasks, func(i, j int) bool { return tasks[i].Since.Before(tasks[j].Since) })
			line := fmt.Sprintf("Untriaged in %s: %d", slackapp.Escape(board.TriageName), len(tasks))
			for i, t := range tasks {
				if i == maxListed {
					line += fmt.Sprintf(" …and %d more", len(tasks)-i)
					break
				}
				line += fmt.Sprintf("%s <%s/T%d|T%d> %s (%s)", map[bool]string{true: " —", false: ","}[i == 0], board.URL, t.ID, t.ID, slackapp.Escape(t.Title), human(now.Sub(t.Since)))
			}
			out = append(out, line)
		}
	}
	patches, err := p.Store.WaitingPatches(ctx, team.ID)
	if err != nil {
		return nil, err
	}
	line := fmt.Sprintf("Outside patches waiting for a first response: %d", len(patches))
	for i, w := range patches {
		if i == maxListed {
			line += fmt.Sprintf(" …and %d more", len(patches)-i)
			break
		}
		line += fmt.Sprintf("%s %s (due %s, %s)", map[bool]string{true: " —", false: ","}[i == 0], patchLink(w), when(w.Due, loc), mention(cfg, w.Reviewer))
	}
	out = append(out, line)
	seats, err := p.Store.Seats(ctx, team.ID, n, n)
	if err != nil {
		return nil, err
	}
	var visitors []string
	for _, num := range seats[n] {
		s, err := p.Store.Signup(ctx, team.ID, num)
		if err != nil {
			return nil, err
		}
		visitors = append(visitors, requestSummary(cfg, s)+", bringing: "+goalsText(s))
	}
	if len(visitors) > 0 {
		out = append(out, "Visitors this sprint: "+strings.Join(visitors, "; "))
	}
	queue, err := p.Store.Queue(ctx, team.ID)
	if err != nil {
		return nil, err
	}
	if len(queue) > 0 {
		out = append(out, fmt.Sprintf("Sign-ups waiting for a decision: %d (`/clinic %s queue`)", len(queue), team.ID))
	}
	return out, nil
}
