package sprints

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// Onceer runs a side effect once per key; store.Effects is one.
type Onceer interface {
	Once(ctx context.Context, key string, fn func(ctx context.Context) (string, error)) (string, bool, error)
}

var _ Onceer = store.Effects{}

// Kinds of cause an Observation can name, one per kind of change.
const (
	CauseMembership = "membership"
	CausePoints     = "points"
	CauseDone       = "done"
)

// Cause is when something happened and what recorded it (a transaction PHID, a delivery).
type Cause struct {
	At time.Time
	ID string
}

// Observation is a task of a team's milestone as a delivery (or a reconcile) shows it now.
type Observation struct {
	Task Task
	// Default is the cause of every change the observation reveals; When overrides it per
	// kind (CauseMembership, CausePoints, CauseDone) when the delivery says exactly when.
	Default Cause
	When    map[string]Cause
	// Quiet records the changes without telling anyone about the estimate: a points label
	// removed is usually the first half of swapping it for another.
	Quiet bool
}

func (o Observation) cause(kind string) Cause {
	if c, ok := o.When[kind]; ok && !c.At.IsZero() {
		return c
	}
	return o.Default
}

// Recorder records what happens to the tasks of a team's milestones — whether or not the
// milestone is a sprint yet, so that a sprint started later knows its tasks — and tells the
// team about walk-on work and estimates as it happens. Both the PhabricatorProcessorFunction
// (Herald deliveries) and the SprintsFunction (GitHub deliveries, the start's reconcile) use it.
type Recorder struct {
	Store   Store
	Effects Onceer
	Slack   slackapp.DMer
	Log     *slog.Logger
	// Clock is the wall clock of writes' TTLs (time.Now when nil).
	Clock func() time.Time
}

func (r *Recorder) now() time.Time {
	if r.Clock != nil {
		return r.Clock()
	}
	return time.Now()
}

// Observe applies one observation: the changes it reveals against the task as last seen are
// recorded once each (an older observation than the one recorded is ignored), then a walk-on
// is announced and an estimate problem told, once each, and the task's state is written last,
// so that a failure part-way is retried from the same difference.
func (r *Recorder) Observe(ctx context.Context, cfg *config.Config, team *config.Team, ms Milestone, obs Observation) ([]Change, error) {
	old, err := r.Store.Task(ctx, team.ID, ms.Key, obs.Task.Key)
	if err != nil {
		return nil, err
	}
	if old != nil && old.Version > obs.Task.Version {
		return nil, nil
	}
	if old == nil && !obs.Task.In {
		return nil, nil // never in this milestone: nothing to keep
	}
	changes := diff(old, obs)
	for _, c := range changes {
		if _, err := r.Store.AddChange(ctx, team.ID, ms.Key, c); err != nil {
			return nil, err
		}
	}
	if len(changes) > 0 {
		if err := r.tell(ctx, cfg, team, ms, obs, changes); err != nil {
			return nil, err
		}
	}
	if old != nil && sameTask(*old, obs.Task) {
		return changes, nil
	}
	if _, err := r.Store.PutTask(ctx, team.ID, ms.Key, obs.Task, r.now()); err != nil {
		return nil, err
	}
	return changes, nil
}

// sameTask reports whether two states of a task are equal (points by value).
func sameTask(a, b Task) bool {
	pa, pb := a.Points, b.Points
	a.Points, b.Points = nil, nil
	return a == b && samePoints(pa, pb)
}

// diff lists the changes between the task as last seen and as observed.
func diff(old *Task, obs Observation) []Change {
	t := obs.Task
	was, wasDone := old != nil && old.In, old != nil && old.Done
	var out []Change
	add := func(kind, cause string, points *float64) {
		c := obs.cause(cause)
		out = append(out, Change{At: c.At, Task: t.Key, Kind: kind, Points: points, ID: c.ID + "#" + kind})
	}
	switch {
	case t.In && !was:
		add(ChangeAdd, CauseMembership, t.Points)
	case !t.In && was:
		add(ChangeRemove, CauseMembership, nil)
	case t.In && !samePoints(old.Points, t.Points):
		add(ChangePoints, CausePoints, t.Points)
	}
	if (t.In || was) && t.Done != wasDone {
		if t.Done {
			add(ChangeDone, CauseDone, nil)
		} else {
			add(ChangeUndone, CauseDone, nil)
		}
	}
	return out
}

// tell announces a walk-on in the team's channel and tells the owner about an estimate
// problem, each once, while the milestone is a started sprint that has not ended.
func (r *Recorder) tell(ctx context.Context, cfg *config.Config, team *config.Team, ms Milestone, obs Observation, changes []Change) error {
	t := obs.Task
	sp, err := r.Store.Sprint(ctx, team.ID, ms.Key)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	plan, err := r.Store.Plan(ctx, team.ID, ms.Key)
	if err != nil || plan == nil {
		return err
	}
	end := sp.End(team)
	var errs []error
	estimated := false
	for _, c := range changes {
		if !c.At.After(plan.Captured) || !c.At.Before(end) {
			continue
		}
		switch c.Kind {
		case ChangeAdd:
			estimated = true
			if !plan.Has(t.Key) {
				errs = append(errs, r.announceWalkOn(ctx, cfg, team, sp, t, c))
			}
		case ChangePoints:
			estimated = true
		}
	}
	if estimated && t.In && !t.Done && !obs.Quiet {
		errs = append(errs, r.noteEstimate(ctx, cfg, team, sp, plan, t))
	}
	return errors.Join(errs...)
}

func effectPrefix(sp *Sprint) string { return "sprint#" + sp.Team + "#" + sp.Milestone.Key }

func (r *Recorder) announceWalkOn(ctx context.Context, cfg *config.Config, team *config.Team, sp *Sprint, t Task, c Change) error {
	_, ran, err := r.Effects.Once(ctx, effectPrefix(sp)+"#walkon#"+t.Key, func(ctx context.Context) (string, error) {
		return slackapp.Post(ctx, r.Slack, team.Slack.Channel, slackapp.Message{Text: walkOnText(cfg, team, sp, t, c)})
	})
	if ran {
		logs.For(ctx, r.Log).Info("sprints: walk-on announced", logs.Team, team.ID, "sprint", sp.Milestone.Name, "task", t.Key)
	}
	if err != nil {
		return fmt.Errorf("announce walk-on %s: %w", t.Key, err)
	}
	return nil
}

// noteEstimate tells the owner (or the channel) once that a task needs an estimate, and once
// that it should be split, unless the start's list already told them about that task.
func (r *Recorder) noteEstimate(ctx context.Context, cfg *config.Config, team *config.Team, sp *Sprint, plan *Plan, t Task) error {
	s := settings(team)
	problem, split := estimateProblem(s, t.Points, t.PointsNote)
	if pt, planned := plan.Get(t.Key); planned {
		was, wasSplit := estimateProblem(s, pt.Points, "")
		if was != "" {
			problem = ""
		}
		if wasSplit {
			split = false
		}
	}
	var errs []error
	if problem != "" {
		errs = append(errs, r.tellOwner(ctx, cfg, team, effectPrefix(sp)+"#estimate#"+t.Key, t.Owner, estimateText(team, sp, []Task{t}, nil)))
	}
	if split {
		errs = append(errs, r.tellOwner(ctx, cfg, team, effectPrefix(sp)+"#split#"+t.Key, t.Owner, estimateText(team, sp, nil, []Task{t})))
	}
	return errors.Join(errs...)
}

// tellOwner DMs the owner when the config knows their Slack account, and posts in the team's
// channel otherwise, once per key.
func (r *Recorder) tellOwner(ctx context.Context, cfg *config.Config, team *config.Team, key, owner, text string) error {
	_, _, err := r.Effects.Once(ctx, key, func(ctx context.Context) (string, error) {
		if p := cfg.PersonByID(owner); p != nil && p.Slack != "" {
			return slackapp.DM(ctx, r.Slack, p.Slack, slackapp.Message{Text: text})
		}
		return slackapp.Post(ctx, r.Slack, team.Slack.Channel, slackapp.Message{Text: text})
	})
	if err != nil {
		return fmt.Errorf("estimate note %s: %w", key, err)
	}
	return nil
}

// estimateProblem says what is wrong with an estimate ("" when nothing), and whether it is
// large enough to split.
func estimateProblem(s *config.Sprints, points *float64, note string) (problem string, split bool) {
	switch {
	case points == nil && note != "":
		return note, false
	case points == nil:
		return "no estimate", false
	case !s.OnScale(*points):
		problem = fmt.Sprintf("%s points is not on the team's scale", FormatPoints(*points))
	}
	return problem, *points > splitAbove(s)
}

func splitAbove(s *config.Sprints) float64 {
	if s.SplitAbove > 0 {
		return s.SplitAbove
	}
	return config.DefaultSplitAbove
}
