package labels

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Snapshot is what one issues, pull_request or issue_comment delivery says about an issue or
// pull request.
type Snapshot struct {
	// Event is the X-GitHub-Event: issues, pull_request or issue_comment.
	Event  string
	Action string
	// Repo is "owner/name" as GitHub spells it.
	Repo   string
	Number int
	// PR is true for a pull request (also for comments on one).
	PR     bool
	NodeID string
	Title  string
	URL    string
	// Author is the issue's author's login; AuthorAssoc their author_association.
	Author      string
	AuthorAssoc string
	// Labels are the labels on the issue after this event.
	Labels    []string
	Open      bool
	Assignees []string
	// Updated is the issue's updated_at: GitHub's own clock, which orders snapshots.
	Updated time.Time
	// Received is when Rituals received the delivery.
	Received time.Time
	// Label is the label a labeled or unlabeled event is about.
	Label string
	// Comment is set for a created comment.
	Comment *Comment
}

// Comment is a comment a delivery reports.
type Comment struct {
	Author  string
	Created time.Time
}

type payloadUser struct {
	Login string `json:"login"`
}

type payloadIssue struct {
	Number      int         `json:"number"`
	NodeID      string      `json:"node_id"`
	Title       string      `json:"title"`
	HTMLURL     string      `json:"html_url"`
	State       string      `json:"state"`
	User        payloadUser `json:"user"`
	AuthorAssoc string      `json:"author_association"`
	Labels      []struct{ Name string }
	Assignees   []payloadUser   `json:"assignees"`
	UpdatedAt   time.Time       `json:"updated_at"`
	PullRequest json.RawMessage `json:"pull_request"`
}

// ErrNotAnIssueEvent is returned for a payload without the issue or pull request its event
// should carry.
var ErrNotAnIssueEvent = errors.New("payload has no issue or pull request")

// DecodeSnapshot reads a delivery of event (issues, pull_request or issue_comment) received
// at received.
func DecodeSnapshot(event string, payload []byte, received time.Time) (Snapshot, error) {
	var p struct {
		Action      string        `json:"action"`
		Issue       *payloadIssue `json:"issue"`
		PullRequest *payloadIssue `json:"pull_request"`
		Label       *struct {
			Name string `json:"name"`
		} `json:"label"`
		Comment *struct {
			User      payloadUser `json:"user"`
			CreatedAt time.Time   `json:"created_at"`
		} `json:"comment"`
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		return Snapshot{}, fmt.Errorf("decode %s payload: %w", event, err)
	}
	is, pr := p.Issue, false
	if event == "pull_request" {
		is, pr = p.PullRequest, true
	}
	if is == nil || is.Number <= 0 || p.Repository.FullName == "" {
		return Snapshot{}, fmt.Errorf("%s %s: %w", event, p.Action, ErrNotAnIssueEvent)
	}
	if len(is.PullRequest) > 0 && string(is.PullRequest) != "null" {
		pr = true // a comment on a pull request arrives as issue_comment with issue.pull_request
	}
	s := Snapshot{
		Event: event, Action: p.Action, Repo: p.Repository.FullName, Number: is.Number, PR: pr,
		NodeID: is.NodeID, Title: is.Title, URL: is.HTMLURL, Author: is.User.Login, AuthorAssoc: is.AuthorAssoc,
		Open: is.State == "open", Updated: is.UpdatedAt.UTC(), Received: received.UTC(),
	}
	for _, a := range is.Assignees {
		s.Assignees = append(s.Assignees, a.Login)
	}
	for _, l := range is.Labels {
		s.Labels = append(s.Labels, l.Name)
	}
	if p.Label != nil {
		s.Label = p.Label.Name
		// The issue's labels are those after the change; make sure of it for the label the
		// event is about (some recorded payloads still list a removed label).
		switch p.Action {
		case "labeled":
			if !hasLabel(s.Labels, s.Label) {
				s.Labels = append(s.Labels, s.Label)
			}
		case "unlabeled":
			s.Labels = withoutLabel(s.Labels, s.Label)
		}
	}
	if p.Comment != nil && event == "issue_comment" && p.Action == "created" {
		s.Comment = &Comment{Author: p.Comment.User.Login, Created: p.Comment.CreatedAt.UTC()}
	}
	return s, nil
}

func hasLabel(labels []string, l string) bool {
	for _, x := range labels {
		if strings.EqualFold(x, l) {
			return true
		}
	}
	return false
}

func withoutLabel(labels []string, l string) []string {
	out := make([]string, 0, len(labels))
	for _, x := range labels {
		if !strings.EqualFold(x, l) {
			out = append(out, x)
		}
	}
	return out
}
