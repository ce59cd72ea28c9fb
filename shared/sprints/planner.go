package sprints

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// ResolveMilestone finds the milestone a config entry or /sprint start names among those the
// team has: by key (a PHID, owner/name#<number>), else by name or title (any case). The error
// says what is wrong in words a person can act on.
func ResolveMilestone(ref string, milestones []Milestone) (Milestone, error) {
	ref = strings.TrimSpace(ref)
	if repo, n, ok := config.GitHubMilestone(ref); ok {
		ref = GitHubKey(repo, n)
	}
	for _, m := range milestones {
		if strings.EqualFold(m.Key, ref) {
			return m, nil
		}
	}
	var found []Milestone
	for _, m := range milestones {
		if strings.EqualFold(strings.TrimSpace(m.Name), ref) {
			found = append(found, m)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return Milestone{}, fmt.Errorf("unknown milestone %q", ref)
	}
	var keys []string
	for _, m := range found {
		keys = append(keys, m.Key)
	}
	return Milestone{}, fmt.Errorf("%d milestones are called %q (%s): name one by its key", len(found), ref, strings.Join(keys, ", "))
}

// Overlapping returns the team's sprint on another milestone that shares a day with from..to.
func Overlapping(sprints []*Sprint, ms string, from, to config.Date) *Sprint {
	for _, sp := range sprints {
		if sp.Milestone.Key != ms && sp.Overlaps(from, to) {
			return sp
		}
	}
	return nil
}

// ensure creates the sprints the config and the GitHub due dates say are running today or
// start tomorrow, when their milestone is known; a config entry whose milestone is not, or
// that overlaps a sprint set in Slack, is told to the team's channel once.
func (p *Processor) ensure(ctx context.Context, cfg *config.Config, team *config.Team, sprints []*Sprint, milestones []Milestone, now time.Time) ([]*Sprint, error) {
	s := team.Sprints
	today := config.DateOf(now.In(team.Location()))
	soon := func(from, to config.Date) bool { return from.Compare(today.AddDays(1)) <= 0 && to.Compare(today) >= 0 }
	var wanted []SprintWant
	for _, sd := range s.List {
		if soon(sd.From, sd.To) {
			wanted = append(wanted, SprintWant{Ref: sd.Milestone, From: sd.From, To: sd.To, How: FromConfig})
		}
	}
	if c := s.Cadence; c != nil {
		for _, d := range []config.Date{today, today.AddDays(1)} {
			if sd, ok := c.At(d); ok && soon(sd.From, sd.To) {
				wanted = append(wanted, SprintWant{Ref: sd.Milestone, From: sd.From, To: sd.To, How: FromConfig})
			}
		}
	}
	if s.DueDates {
		for _, m := range milestones {
			if m.Source != SourceGitHub || m.Due.IsZero() {
				continue
			}
			from := DueDateStart(sprints, m, s.Length)
			if soon(from, m.Due) {
				wanted = append(wanted, SprintWant{Ref: m.Key, From: from, To: m.Due, How: FromDueDate})
			}
		}
	}
	var created []*Sprint
	var errs []error
	for _, w := range wanted {
		if slices.ContainsFunc(append(sprints, created...), func(sp *Sprint) bool {
			return strings.EqualFold(sp.Milestone.Key, w.Ref) || strings.EqualFold(sp.Milestone.Name, w.Ref)
		}) {
			continue
		}
		m, err := ResolveMilestone(w.Ref, milestones)
		if err != nil {
			if repo, n, ok := config.GitHubMilestone(w.Ref); ok && s.WatchesRepo(repo) {
				// A GitHub milestone Rituals has not heard of yet: its issues are recorded as
				// they come, so the sprint can run from its number alone.
				m, err = Milestone{Key: GitHubKey(repo, n), Source: SourceGitHub, Name: w.Ref, URL: fmt.Sprintf("https://github.com/%s/milestone/%d", repo, n)}, nil
			}
		}
		if err != nil {
			if w.From.Compare(today) <= 0 {
				errs = append(errs, p.tellTeamOnce(ctx, team, fmt.Sprintf("sprint#%s#unknown#%s#%s", team.ID, w.Ref, w.From),
					fmt.Sprintf(":warning: The sprint config of %s names %s for %s, and Rituals does not know it (%s). Check the name against the milestones of %s.",
						slackapp.Escape(team.Name), slackapp.Escape(w.Ref), dateRange(w.From, w.To), slackapp.Escape(err.Error()), milestoneWhere(team))))
			}
			continue
		}
		if slices.ContainsFunc(append(sprints, created...), func(sp *Sprint) bool { return sp.Milestone.Key == m.Key }) {
			continue
		}
		if o := Overlapping(append(sprints, created...), m.Key, w.From, w.To); o != nil {
			errs = append(errs, p.tellTeamOnce(ctx, team, fmt.Sprintf("sprint#%s#overlap#%s#%s", team.ID, m.Key, w.From),
				fmt.Sprintf(":warning: %s (%s, from the %s) overlaps %s (%s), so it was not started: a team runs one sprint at a time. Change the dates of one of them.",
					slackapp.Escape(m.Name), dateRange(w.From, w.To), w.How, slackapp.Escape(o.Milestone.Name), o.Dates())))
			continue
		}
		sp := &Sprint{Team: team.ID, Milestone: m, From: w.From, To: w.To, How: w.How, Created: now}
		err = p.Store.CreateSprint(ctx, sp)
		if errors.Is(err, ErrSprintExists) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.log(ctx).Info("sprints: sprint set up", logs.Team, team.ID, "sprint", m.Name, "from", w.From.String(), "to", w.To.String(), "how", w.How)
		created = append(created, sp)
	}
	return created, errors.Join(errs...)
}

// SprintWant is a sprint the config or a due date says should run.
type SprintWant struct {
	Ref      string
	From, To config.Date
	How      string
}

// DueDateStart is when a sprint ending on milestone m's due date starts: the day after the
// team's previous sprint, when that ended within length days before; else length days before
// the due date.
func DueDateStart(sprints []*Sprint, m Milestone, length int) config.Date {
	if length <= 0 {
		length = config.DefaultSprintLength
	}
	from := m.Due.AddDays(1 - length)
	var prev *Sprint
	for _, sp := range sprints {
		if sp.Milestone.Key != m.Key && sp.To.Compare(m.Due) < 0 && (prev == nil || sp.To.Compare(prev.To) > 0) {
			prev = sp
		}
	}
	if prev != nil && prev.To.Compare(from.AddDays(-1)) >= 0 {
		from = prev.To.AddDays(1)
	}
	return from
}

func milestoneWhere(team *config.Team) string {
	var where []string
	if team.Phabricator != nil {
		where = append(where, "the Phabricator project "+slackapp.Escape(team.Phabricator.Project))
	}
	for _, r := range settings(team).Repos {
		where = append(where, slackapp.Escape(r))
	}
	return strings.Join(where, ", ")
}

func (p *Processor) tellTeamOnce(ctx context.Context, team *config.Team, key, text string) error {
	_, _, err := p.Effects.Once(ctx, key, func(ctx context.Context) (string, error) {
		return slackapp.Post(ctx, p.Slack, team.Slack.Channel, slackapp.Message{Text: text})
	})
	return err
}

// capture starts a sprint at now: for a Phabricator milestone, it first reads the milestone's
// tasks from Conduit and records those the mirror missed (and drops those no longer there), so
// the plan is the milestone as the server has it; then the tasks in the milestone become the
// planned scope, stored once. The start is announced in the team's channel and each owner gets
// one list of their tasks that need an estimate or splitting.
func (p *Processor) capture(ctx context.Context, cfg *config.Config, team *config.Team, sp *Sprint, now time.Time) (*Sprint, error) {
	at := now
	if start := sp.Start(team); at.Before(start) {
		return sp, nil
	}
	if sp.Milestone.Source == SourcePhabricator {
		if err := p.reconcile(ctx, cfg, team, sp.Milestone, at); err != nil {
			return sp, err
		}
	}
	data, err := p.Store.Load(ctx, team.ID, sp.Milestone.Key)
	if err != nil {
		return sp, err
	}
	plan := data.Plan
	if plan == nil {
		fresh := Plan{Captured: at}
		for _, key := range sortedKeys(data.Tasks) {
			if t := data.Tasks[key]; t.In {
				fresh.Tasks = append(fresh.Tasks, PlannedTask{Key: t.Key, Title: t.Title, Points: t.Points, Owner: t.Owner})
			}
		}
		if plan, err = p.Store.PutPlan(ctx, team.ID, sp.Milestone.Key, fresh); err != nil {
			return sp, err
		}
	}
	sp, err = p.Store.UpdateSprint(ctx, team.ID, sp.Milestone.Key, func(x *Sprint) bool {
		if !x.Captured.IsZero() {
			return false
		}
		x.Captured = plan.Captured
		return true
	})
	if err != nil {
		return nil, err
	}
	p.log(ctx).Info("sprints: planned scope captured", logs.Team, team.ID, "sprint", sp.Milestone.Name, "tasks", len(plan.Tasks))
	if err := p.tellTeamOnce(ctx, team, effectPrefix(sp)+"#start", startText(team, sp, plan)); err != nil {
		return sp, err
	}
	return sp, p.estimatesAtStart(ctx, cfg, team, sp, plan, data)
}

// estimatesAtStart sends each owner (or the channel, for tasks without one) one list of their
// planned tasks without a usable estimate and of those to split.
func (p *Processor) estimatesAtStart(ctx context.Context, cfg *config.Config, team *config.Team, sp *Sprint, plan *Plan, data *Data) error {
	s := settings(team)
	type lists struct{ unestimated, big []Task }
	by := map[string]*lists{}
	var owners []string
	for _, pt := range plan.Tasks {
		t := data.Tasks[pt.Key]
		if t.Key == "" {
			t = Task{Key: pt.Key, Title: pt.Title, Points: pt.Points, Owner: pt.Owner}
		}
		problem, split := estimateProblem(s, pt.Points, t.PointsNote)
		if problem == "" && !split {
			continue
		}
		l := by[pt.Owner]
		if l == nil {
			l = &lists{}
			by[pt.Owner] = l
			owners = append(owners, pt.Owner)
		}
		if problem != "" {
			l.unestimated = append(l.unestimated, t)
		}
		if split {
			l.big = append(l.big, t)
		}
	}
	var errs []error
	for _, owner := range owners {
		l := by[owner]
		who := owner
		if who == "" {
			who = "~channel"
		}
		errs = append(errs, p.Recorder.tellOwner(ctx, cfg, team, effectPrefix(sp)+"#estimates-at-start#"+who, owner, estimateText(team, sp, l.unestimated, l.big)))
	}
	return errors.Join(errs...)
}

// reconcile records the Phabricator milestone's tasks as the server has them at the start.
func (p *Processor) reconcile(ctx context.Context, cfg *config.Config, team *config.Team, m Milestone, at time.Time) error {
	if p.Phab == nil {
		return errors.New("no Conduit token: a Phabricator sprint cannot start without reading its milestone")
	}
	dir, client, err := p.Phab.Directory(ctx, cfg)
	if err != nil {
		return err
	}
	tasks, err := client.SearchTasks(ctx, conduit.TaskQuery{Projects: []string{m.Key}, WithColumns: true, WithProjects: true})
	if err != nil {
		return err
	}
	names, err := outsiders(ctx, client, tasks)
	if err != nil {
		return err
	}
	cause := Cause{At: at, ID: "start#" + store.TS(at)}
	seen := map[string]bool{}
	var errs []error
	for _, t := range tasks {
		task := PhabTask(cfg, dir, team, t, m.Key)
		if task.Owner == "" {
			task.OwnerName = names[t.OwnerPHID]
		}
		seen[task.Key] = true
		if _, err := p.Recorder.Observe(ctx, cfg, team, m, Observation{Task: task, Default: cause}); err != nil {
			errs = append(errs, err)
		}
	}
	data, err := p.Store.Load(ctx, team.ID, m.Key)
	if err != nil {
		return err
	}
	for _, t := range data.Tasks {
		if t.In && !seen[t.Key] {
			t.In = false
			if _, err := p.Recorder.Observe(ctx, cfg, team, m, Observation{Task: t, Default: cause}); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// outsiders looks up the usernames of owners outside the config, in one user.search.
func outsiders(ctx context.Context, c *conduit.Client, tasks []conduit.Task) (map[string]string, error) {
	var phids []string
	for _, t := range tasks {
		if t.OwnerPHID != "" && !slices.Contains(phids, t.OwnerPHID) {
			phids = append(phids, t.OwnerPHID)
		}
	}
	out := map[string]string{}
	if len(phids) == 0 {
		return out, nil
	}
	users, err := c.SearchUsers(ctx, conduit.UserQuery{PHIDs: phids})
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		out[u.PHID] = u.Username
	}
	return out, nil
}
