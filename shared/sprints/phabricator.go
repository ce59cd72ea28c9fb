package sprints

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/phab"
	"github.com/rituals-dev/rituals/shared/store"
)

// PhabReactor records, for each team that runs sprints, what a Herald delivery says about the
// tasks of its project's milestones: it is a phab.Reactor of the PhabricatorProcessorFunction,
// which has just read the task and its transactions, so sprints cost no Conduit call of their
// own. Walk-ons and estimate problems are told as they are recorded (see Recorder).
type PhabReactor struct {
	Recorder *Recorder

	mu    sync.Mutex
	saved map[string]string // team + milestone → name saved by this container
	users map[string]string // user PHID → username, for owners outside the config
}

var _ phab.Reactor = (*PhabReactor)(nil)

// React implements phab.Reactor.
func (r *PhabReactor) React(ctx context.Context, d *phab.Delivery) error {
	var errs []error
	for _, team := range d.Teams {
		b := d.Dir.Boards[team.ID]
		if team.Sprints == nil || b == nil {
			continue
		}
		errs = append(errs, r.saveMilestones(ctx, d.Config, team, b, d.Event.ReceivedAt))
		for _, m := range b.Milestones {
			if !touches(d, m.PHID) {
				continue
			}
			obs := r.observation(ctx, d, team, b, m)
			if _, err := r.Recorder.Observe(ctx, d.Config, team, milestoneOf(d.Config, m), obs); err != nil {
				errs = append(errs, fmt.Errorf("sprints: team %s, T%d in %s: %w", team.ID, d.Task.ID, m.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// milestoneOf is a Phabricator milestone as sprints know it.
func milestoneOf(cfg *config.Config, p conduit.Project) Milestone {
	m := Milestone{Key: p.PHID, Source: SourcePhabricator, Name: p.Name, Closed: p.Status == "archived"}
	if cfg.Phabricator != nil && p.ID != 0 {
		m.URL = fmt.Sprintf("%s/project/view/%d/", cfg.Phabricator.URL, p.ID)
	}
	return m
}

// saveMilestones records the team's milestones (for /sprint start), once per container and
// name.
func (r *PhabReactor) saveMilestones(ctx context.Context, cfg *config.Config, team *config.Team, b *phab.Board, now time.Time) error {
	return SaveBoardMilestones(ctx, r.Recorder.Store, &r.mu, &r.saved, cfg, team, b, now)
}

// SaveBoardMilestones saves the board's milestones not yet saved by this container (saved
// remembers them, under mu).
func SaveBoardMilestones(ctx context.Context, s Store, mu *sync.Mutex, saved *map[string]string, cfg *config.Config, team *config.Team, b *phab.Board, now time.Time) error {
	var errs []error
	for _, p := range b.Milestones {
		m := milestoneOf(cfg, p)
		key := team.ID + "#" + m.Key
		mu.Lock()
		done := (*saved)[key] == m.Name+fmt.Sprint(m.Closed)
		mu.Unlock()
		if done {
			continue
		}
		if err := s.SaveMilestone(ctx, team.ID, m, now); err != nil {
			errs = append(errs, err)
			continue
		}
		mu.Lock()
		if *saved == nil {
			*saved = map[string]string{}
		}
		(*saved)[key] = m.Name + fmt.Sprint(m.Closed)
		mu.Unlock()
	}
	return errors.Join(errs...)
}

// touches reports whether the delivery concerns milestone ms: the task is in it, was in it,
// or one of the transactions tags or untags it.
func touches(d *phab.Delivery, ms string) bool {
	if slices.Contains(d.Task.Projects, ms) || (d.Before != nil && slices.Contains(d.Before.Projects, ms)) {
		return true
	}
	for _, x := range d.Xacts {
		if slices.Contains(x.Added, ms) || slices.Contains(x.Removed, ms) {
			return true
		}
	}
	return false
}

// observation is the task as the delivery shows it, for one milestone, with the transactions
// that say when each change happened.
func (r *PhabReactor) observation(ctx context.Context, d *phab.Delivery, team *config.Team, b *phab.Board, m conduit.Project) Observation {
	t := d.Task
	in := slices.Contains(t.Projects, m.PHID)
	task := PhabTask(d.Config, d.Dir, team, t, m.PHID)
	if task.Owner == "" && t.OwnerPHID != "" {
		task.OwnerName = r.username(ctx, d.Client, t.OwnerPHID)
	}
	obs := Observation{Task: task, Default: Cause{At: d.Event.ReceivedAt, ID: d.Event.Key}, When: map[string]Cause{}}
	for _, x := range d.Xacts {
		obs.Default = Cause{At: x.Created, ID: x.PHID}
		switch {
		case x.Type == conduit.KindProjects && ((in && slices.Contains(x.Added, m.PHID)) || (!in && slices.Contains(x.Removed, m.PHID))):
			obs.When[CauseMembership] = Cause{At: x.Created, ID: x.PHID}
		case x.Type == conduit.KindPoints:
			obs.When[CausePoints] = Cause{At: x.Created, ID: x.PHID}
		case x.Type == conduit.KindStatus:
			obs.When[CauseDone] = Cause{At: x.Created, ID: x.PHID}
		case x.Type == conduit.KindColumns && movesOn(x, m.PHID, b.Project.PHID):
			obs.When[CauseDone] = Cause{At: x.Created, ID: x.PHID}
		}
	}
	return obs
}

func movesOn(x conduit.Xact, boards ...string) bool {
	for _, mv := range x.Moves {
		if slices.Contains(boards, mv.BoardPHID) {
			return true
		}
	}
	return false
}

// PhabTask is a Phabricator task as the milestone ms of team sees it: done by the team's
// definition (done_statuses, else the server's closed statuses; or in done_column on the
// milestone's board or the team's).
func PhabTask(cfg *config.Config, dir *phab.Directory, team *config.Team, t conduit.Task, ms string) Task {
	task := Task{
		Key: fmt.Sprintf("T%d", t.ID), Title: t.Title, Points: t.Points.Value,
		In: slices.Contains(t.Projects, ms), Done: phabDone(dir, team, t, ms), Version: store.TS(t.Modified),
	}
	if cfg.Phabricator != nil {
		task.URL = fmt.Sprintf("%s/T%d", cfg.Phabricator.URL, t.ID)
	}
	if p := dir.Person(t.OwnerPHID); p != nil {
		task.Owner = p.ID
	}
	return task
}

func phabDone(dir *phab.Directory, team *config.Team, t conduit.Task, ms string) bool {
	s := settings(team)
	if len(s.DoneStatuses) > 0 {
		if slices.ContainsFunc(s.DoneStatuses, func(st string) bool { return strings.EqualFold(st, t.Status) }) {
			return true
		}
	} else if dir.Server.Closed(t.Status) {
		return true
	}
	if s.DoneColumn == "" {
		return false
	}
	boards := []string{ms}
	if b := dir.Boards[team.ID]; b != nil {
		boards = append(boards, b.Project.PHID)
	}
	for _, board := range boards {
		for _, c := range t.Columns[board] {
			if strings.EqualFold(c.Name, s.DoneColumn) || c.PHID == s.DoneColumn {
				return true
			}
		}
	}
	return false
}

// username is how an owner outside the config is shown: their Phabricator username (one
// user.search, remembered for the container's life), else nothing.
func (r *PhabReactor) username(ctx context.Context, c *conduit.Client, phid string) string {
	r.mu.Lock()
	n, ok := r.users[phid]
	r.mu.Unlock()
	if ok {
		return n
	}
	users, err := c.SearchUsers(ctx, conduit.UserQuery{PHIDs: []string{phid}})
	if err != nil || len(users) == 0 {
		return ""
	}
	r.mu.Lock()
	if r.users == nil {
		r.users = map[string]string{}
	}
	r.users[phid] = users[0].Username
	r.mu.Unlock()
	return users[0].Username
}
