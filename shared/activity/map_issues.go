package activity

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/rituals-dev/rituals/shared/clip"
)

// errIncomplete marks a payload that lacks what its event always carries; it is returned, so
// the record is retried and then dead-lettered rather than dropped.
var errIncomplete = errors.New("incomplete payload")

// mapIssues records issues opened/closed/reopened and keeps assignments: every issues event
// carries the issue as it is after the change (state and assignees), so each one refreshes
// the assignments of the people it names.
func mapIssues(e *github.IssuesEvent, received time.Time, payload []byte) (change, error) {
	repo := e.GetRepo().GetFullName()
	iss := e.GetIssue()
	if repo == "" || iss == nil {
		return change{}, fmt.Errorf("issues event: %w: no repository or issue", errIncomplete)
	}
	var c change
	base := Item{Repo: repo, Number: iss.GetNumber(), Title: clip.Prefix(iss.GetTitle(), MaxTitleBytes),
		URL: iss.GetHTMLURL(), Actor: e.GetSender().GetLogin()}
	id := itoa(iss.GetNumber())
	switch e.GetAction() {
	case "opened":
		base.Kind, base.At = KindIssueOpened, at(iss.CreatedAt, received)
		c.add(base, id)
	case "closed":
		base.Kind, base.At = KindIssueClosed, at(iss.ClosedAt, received)
		c.add(base, id)
	case "reopened":
		base.Kind, base.At = KindIssueReopened, at(iss.UpdatedAt, received)
		c.add(base, id)
	}

	switch e.GetAction() {
	case "transferred":
		// The issue left repo: whoever held it there no longer does. go-github's EditChange
		// has no new_issue/new_repository, so they are read from the payload directly.
		var t struct {
			Changes struct {
				NewIssue      *github.Issue      `json:"new_issue"`
				NewRepository *github.Repository `json:"new_repository"`
			} `json:"changes"`
		}
		if err := json.Unmarshal(payload, &t); err != nil {
			return change{}, fmt.Errorf("issues transferred: changes: %w", err)
		}
		newIss, newRepo := t.Changes.NewIssue, t.Changes.NewRepository.GetFullName()
		ver := version(at(iss.UpdatedAt, received), received)
		held := slices.Clone(iss.Assignees)
		if newIss != nil {
			held = append(held, newIss.Assignees...)
		}
		for _, login := range logins(held) {
			c.states = append(c.states, assignmentState(login, repo, iss, ver, false))
		}
		if newIss != nil && newRepo != "" {
			c.states = append(c.states, issueSnapshot(newRepo, newIss, "", nil, received)...)
		}
	case "deleted":
		ver := version(at(iss.UpdatedAt, received), received)
		for _, login := range logins(iss.Assignees) {
			c.states = append(c.states, assignmentState(login, repo, iss, ver, false))
		}
	default:
		c.states = issueSnapshot(repo, iss, e.GetAction(), e.Assignee, received)
	}
	return c, nil
}

// issueSnapshot is the assignment state an issue payload shows: every assignee holds the
// issue while it is open and not once it is closed. For assigned/unassigned the person the
// action names is set explicitly, whatever the list says. An issue payload without a state
// (pinned, unpinned) says nothing about assignments.
func issueSnapshot(repo string, iss *github.Issue, action string, assignee *github.User, received time.Time) []state {
	open := iss.GetState() == "open"
	known := open || iss.GetState() == "closed"
	ver := version(at(iss.UpdatedAt, received), received)
	var out []state
	seen := map[string]bool{}
	if assignee.GetLogin() != "" && (action == "unassigned" || (action == "assigned" && known)) {
		out = append(out, assignmentState(assignee.GetLogin(), repo, iss, ver, action == "assigned" && open))
		seen[strings.ToLower(assignee.GetLogin())] = true
	}
	if !known {
		return out
	}
	for _, login := range logins(iss.Assignees) {
		if !seen[strings.ToLower(login)] {
			out = append(out, assignmentState(login, repo, iss, ver, open))
		}
	}
	return out
}

// logins lists users' logins once each (case-insensitively), in order.
func logins(users []*github.User) []string {
	var out []string
	seen := map[string]bool{}
	for _, u := range users {
		l := u.GetLogin()
		if l != "" && !seen[strings.ToLower(l)] {
			seen[strings.ToLower(l)] = true
			out = append(out, l)
		}
	}
	return out
}

func assignmentState(login, repo string, iss *github.Issue, ver string, live bool) state {
	a := Assignment{Login: login, Repo: repo, Number: iss.GetNumber(), Title: clip.Prefix(iss.GetTitle(), MaxTitleBytes),
		URL: iss.GetHTMLURL(), UpdatedAt: iss.GetUpdatedAt().UTC()}
	return state{
		what:  fmt.Sprintf("assignment of %s to %s#%d", login, repo, a.Number),
		pk:    assignmentPK(login),
		sk:    assignmentSK(repo, a.Number),
		ver:   ver,
		live:  live,
		attrs: assignmentAttributes(a),
	}
}

// mapIssueComment records a new comment (on an issue or a pull request) and refreshes the
// commented issue's assignments from the issue it carries.
func mapIssueComment(e *github.IssueCommentEvent, received time.Time) (change, error) {
	repo := e.GetRepo().GetFullName()
	iss, cm := e.GetIssue(), e.GetComment()
	if repo == "" || iss == nil || cm == nil {
		return change{}, fmt.Errorf("issue_comment event: %w: no repository, issue or comment", errIncomplete)
	}
	var c change
	if e.GetAction() == "created" {
		c.add(Item{Kind: KindIssueComment, Repo: repo, Number: iss.GetNumber(), Title: clip.Prefix(iss.GetTitle(), MaxTitleBytes),
			URL: cm.GetHTMLURL(), At: at(cm.CreatedAt, received), Actor: e.GetSender().GetLogin()}, itoa64(cm.GetID()))
	}
	if !iss.IsPullRequest() {
		c.states = issueSnapshot(repo, iss, "", nil, received)
	}
	return c, nil
}
