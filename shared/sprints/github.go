package sprints

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/store"
)

// githubIssue records an issues delivery for every team whose sprint repositories hold the
// issue: the milestone it is in now, the one it left (the delivery's milestone when it was
// demilestoned, or the one it was last seen in), with its title, assignee, points label and
// state. Nothing is read from GitHub: every issues delivery carries the whole issue.
func (p *Processor) githubIssue(ctx context.Context, cfg *config.Config, e store.Event) error {
	ev, err := github.ParseWebHook("issues", e.Payload)
	if err != nil {
		p.log(ctx).Error("sprints: undecodable issues delivery ignored", logs.Key, e.Key, logs.Err, err.Error())
		return nil
	}
	ie, ok := ev.(*github.IssuesEvent)
	if !ok || ie.Issue == nil || ie.Repo == nil || ie.Issue.IsPullRequest() {
		return nil
	}
	repo := ie.Repo.GetFullName()
	var teams []*config.Team
	for _, t := range cfg.Teams {
		if t.Sprints != nil && t.Sprints.WatchesRepo(repo) {
			teams = append(teams, t)
		}
	}
	if len(teams) == 0 {
		return nil
	}
	is := ie.Issue
	version := is.GetUpdatedAt().UTC().Format(time.RFC3339) + "|" + store.TS(e.ReceivedAt)
	gone := ie.GetAction() == "deleted" || ie.GetAction() == "transferred"
	now := ""
	if m := is.Milestone; m != nil && !gone {
		now = GitHubKey(repo, m.GetNumber())
	}
	prev, prevVersion, err := p.Store.IssueMilestone(ctx, repo, is.GetNumber())
	if err != nil {
		return err
	}
	keys := []string{now}
	if ie.Milestone != nil {
		keys = append(keys, GitHubKey(repo, ie.Milestone.GetNumber()))
	}
	keys = append(keys, prev)
	milestones := map[string]*github.Milestone{}
	if is.Milestone != nil {
		milestones[GitHubKey(repo, is.Milestone.GetNumber())] = is.Milestone
	}
	if ie.Milestone != nil {
		milestones[GitHubKey(repo, ie.Milestone.GetNumber())] = ie.Milestone
	}
	var errs []error
	for _, team := range teams {
		for _, m := range milestones {
			errs = append(errs, p.saveGitHubMilestone(ctx, team, repo, m, e.ReceivedAt))
		}
		seen := map[string]bool{}
		for _, key := range keys {
			if key == "" || seen[key] {
				continue
			}
			seen[key] = true
			ms := Milestone{Key: key, Source: SourceGitHub}
			if m := milestones[key]; m != nil {
				ms = githubMilestone(repo, m)
			}
			obs := githubObservation(cfg, team, repo, ie, key == now, version, e)
			if _, err := p.Recorder.Observe(ctx, cfg, team, ms, obs); err != nil {
				errs = append(errs, fmt.Errorf("sprints: team %s, %s#%d in %s: %w", team.ID, repo, is.GetNumber(), key, err))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if prev != now || prevVersion < version {
		return p.Store.SetIssueMilestone(ctx, repo, is.GetNumber(), now, version, e.ReceivedAt)
	}
	return nil
}

// githubObservation is the issue as the delivery shows it, for one milestone.
func githubObservation(cfg *config.Config, team *config.Team, repo string, ie *github.IssuesEvent, in bool, version string, e store.Event) Observation {
	is := ie.Issue
	t := Task{
		Key: fmt.Sprintf("%s#%d", strings.ToLower(repo), is.GetNumber()), Title: is.GetTitle(), URL: is.GetHTMLURL(),
		In: in, Done: is.GetState() == "closed" && is.GetStateReason() != "not_planned", Version: version,
	}
	if len(is.Assignees) > 0 {
		login := is.Assignees[0].GetLogin()
		if p := cfg.PersonByGitHub(login); p != nil {
			t.Owner = p.ID
		} else {
			t.OwnerName = login
		}
	} else if a := is.GetAssignee(); a != nil {
		if p := cfg.PersonByGitHub(a.GetLogin()); p != nil {
			t.Owner = p.ID
		} else {
			t.OwnerName = a.GetLogin()
		}
	}
	var labels []string
	for _, l := range is.Labels {
		labels = append(labels, l.GetName())
	}
	quiet := false
	if ie.GetAction() == "unlabeled" && ie.Label != nil {
		// The delivery may still list the label it removed (octokit's example does).
		labels = slices.DeleteFunc(labels, func(l string) bool { return strings.EqualFold(l, ie.Label.GetName()) })
		_, quiet, _ = settings(team).PointsFromLabel(ie.Label.GetName())
	}
	t.Points, t.PointsNote = PointsFromLabels(settings(team), labels)
	at := is.GetUpdatedAt().Time
	if at.IsZero() {
		at = e.ReceivedAt
	}
	obs := Observation{Task: t, Default: Cause{At: at, ID: e.Key}, When: map[string]Cause{}, Quiet: quiet}
	if ie.GetAction() == "closed" && !is.GetClosedAt().IsZero() {
		obs.When[CauseDone] = Cause{At: is.GetClosedAt().Time, ID: e.Key}
	}
	return obs
}

// PointsFromLabels reads an issue's estimate from its labels: nil with a note when it has
// none usable (two different points labels, or one that is not a number).
func PointsFromLabels(s *config.Sprints, labels []string) (*float64, string) {
	var found []float64
	var names []string
	for _, l := range labels {
		v, ok, err := s.PointsFromLabel(l)
		switch {
		case !ok:
			continue
		case err != nil:
			return nil, err.Error()
		}
		if !slices.Contains(found, v) {
			found = append(found, v)
			names = append(names, l)
		}
	}
	switch len(found) {
	case 0:
		return nil, ""
	case 1:
		return &found[0], ""
	}
	return nil, fmt.Sprintf("%d points labels (%s): keep one", len(found), strings.Join(names, ", "))
}

func githubMilestone(repo string, m *github.Milestone) Milestone {
	out := Milestone{Key: GitHubKey(repo, m.GetNumber()), Source: SourceGitHub, Name: m.GetTitle(), URL: m.GetHTMLURL(), Closed: m.GetState() == "closed"}
	if due := m.GetDueOn(); !due.IsZero() {
		// GitHub keeps a due date as an instant early that day in UTC; the date is the day.
		out.Due = config.DateOf(due.UTC())
	}
	return out
}

// saveGitHubMilestone records a milestone of the team's repositories, once per container and
// state of it.
func (p *Processor) saveGitHubMilestone(ctx context.Context, team *config.Team, repo string, m *github.Milestone, now time.Time) error {
	ms := githubMilestone(repo, m)
	key := team.ID + "#" + ms.Key
	sig := fmt.Sprintf("%s|%s|%v|%s", ms.Name, ms.Due, ms.Closed, ms.URL)
	p.mu.Lock()
	done := p.savedMS[key] == sig
	p.mu.Unlock()
	if done {
		return nil
	}
	if err := p.Store.SaveMilestone(ctx, team.ID, ms, now); err != nil {
		return err
	}
	p.mu.Lock()
	if p.savedMS == nil {
		p.savedMS = map[string]string{}
	}
	p.savedMS[key] = sig
	p.mu.Unlock()
	return nil
}

// githubMilestoneEvent records a milestone created, edited, opened, closed or deleted in a
// team's sprint repositories: its title and due date (due_dates sprints come from it).
func (p *Processor) githubMilestoneEvent(ctx context.Context, cfg *config.Config, e store.Event) error {
	ev, err := github.ParseWebHook("milestone", e.Payload)
	if err != nil {
		p.log(ctx).Error("sprints: undecodable milestone delivery ignored", logs.Key, e.Key, logs.Err, err.Error())
		return nil
	}
	me, ok := ev.(*github.MilestoneEvent)
	if !ok || me.Milestone == nil || me.Repo == nil {
		return nil
	}
	repo := me.Repo.GetFullName()
	m := *me.Milestone
	if me.GetAction() == "deleted" {
		m.State = github.String("closed")
	}
	var errs []error
	for _, t := range cfg.Teams {
		if t.Sprints != nil && t.Sprints.WatchesRepo(repo) {
			errs = append(errs, p.saveGitHubMilestone(ctx, t, repo, &m, e.ReceivedAt))
		}
	}
	return errors.Join(errs...)
}
