package labels

import (
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
)

// Timer conditions and cancellations, judged on the mirrored issue: labels and state as of the
// latest delivery, comments by login with GitHub's timestamps, compared with the time the rule
// triggered (Timer.Activated).

// authorReplied reports whether the issue's author commented after at.
func authorReplied(is *Issue, at time.Time) bool {
	return is.Author != "" && is.CommentedAfter(is.Author, at)
}

// teamReplied reports whether someone of the team — a member or anyone holding one of its
// roles — other than the issue's author commented after at.
func teamReplied(cfg *config.Config, team *config.Team, is *Issue, at time.Time) bool {
	for _, role := range team.RoleNames() {
		for _, id := range team.RolePeople(role) {
			p := cfg.PersonByID(id)
			if p != nil && p.GitHub != "" && !strings.EqualFold(p.GitHub, is.Author) && is.CommentedAfter(p.GitHub, at) {
				return true
			}
		}
	}
	return false
}

// cancelledBy returns why the issue, as mirrored, cancels timer t of rule r — one of the
// rule's cancel_on has happened since it triggered — or "" when nothing does.
func cancelledBy(cfg *config.Config, team *config.Team, r *config.LabelRule, t Timer, is *Issue) string {
	for _, c := range r.CancelOn {
		var happened bool
		switch c {
		case config.CancelAuthorReply:
			happened = authorReplied(is, t.Activated)
		case config.CancelTeamReply:
			happened = teamReplied(cfg, team, is, t.Activated)
		case config.CancelLabelRemoved:
			happened = !is.HasLabel(r.When.Label)
		case config.CancelLabelAdded:
			happened = is.HasLabel(r.When.Label)
		case config.CancelClosed:
			happened = !is.Open
		}
		if happened {
			return "cancelled: " + describeCancel(c)
		}
	}
	return ""
}

// unmet returns the first of a timer's conditions that no longer holds, or "".
func unmet(cfg *config.Config, team *config.Team, r *config.LabelRule, tm config.LabelTimer, t Timer, is *Issue) string {
	for _, c := range tm.If {
		ok := true
		switch c {
		case config.CondStillLabeled:
			ok = is.HasLabel(r.When.Label)
		case config.CondStillUnlabeled:
			ok = !is.HasLabel(r.When.Label)
		case config.CondNoAuthorReply:
			ok = !authorReplied(is, t.Activated)
		case config.CondNoTeamReply:
			ok = !teamReplied(cfg, team, is, t.Activated)
		case config.CondStillOpen:
			ok = is.Open
		}
		if !ok {
			return c
		}
	}
	return ""
}

// describeCancel says in plain words what a cancel_on value means.
func describeCancel(what string) string {
	switch what {
	case config.CancelAuthorReply:
		return "the author replies"
	case config.CancelTeamReply:
		return "someone of the team replies"
	case config.CancelLabelRemoved:
		return "the label is removed"
	case config.CancelLabelAdded:
		return "the label is added again"
	case config.CancelClosed:
		return "the issue is closed"
	}
	return what
}

// describeCondition says in plain words what a timer condition asks.
func describeCondition(c string) string {
	switch c {
	case config.CondStillLabeled:
		return "the label is still there"
	case config.CondStillUnlabeled:
		return "the label is still off"
	case config.CondNoAuthorReply:
		return "the author has not replied"
	case config.CondNoTeamReply:
		return "nobody of the team has replied"
	case config.CondStillOpen:
		return "the issue is still open"
	}
	return c
}
