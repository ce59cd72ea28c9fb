package ghub

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v60/github"
)

// Issues is what Rituals' features do to issues and pull requests on GitHub, through a
// go-github client (see NewClient). Every error names the issue and wraps go-github's, so
// that retry can classify it.
type Issues struct{ Client *github.Client }

func splitRepo(repo string) (string, string) {
	owner, name, _ := strings.Cut(repo, "/")
	return owner, name
}

// CreateComment comments on an issue or pull request and returns the comment's URL.
func (g Issues) CreateComment(ctx context.Context, repo string, number int, body string) (string, error) {
	owner, name := splitRepo(repo)
	c, _, err := g.Client.Issues.CreateComment(ctx, owner, name, number, &github.IssueComment{Body: github.String(body)})
	if err != nil {
		return "", fmt.Errorf("comment on %s#%d: %w", repo, number, err)
	}
	return c.GetHTMLURL(), nil
}

// AddAssignees assigns logins (GitHub ignores those already assigned).
func (g Issues) AddAssignees(ctx context.Context, repo string, number int, logins []string) error {
	owner, name := splitRepo(repo)
	if _, _, err := g.Client.Issues.AddAssignees(ctx, owner, name, number, logins); err != nil {
		return fmt.Errorf("assign %s#%d to %v: %w", repo, number, logins, err)
	}
	return nil
}

// RemoveAssignees unassigns logins.
func (g Issues) RemoveAssignees(ctx context.Context, repo string, number int, logins []string) error {
	owner, name := splitRepo(repo)
	if _, _, err := g.Client.Issues.RemoveAssignees(ctx, owner, name, number, logins); err != nil {
		return fmt.Errorf("unassign %v from %s#%d: %w", logins, repo, number, err)
	}
	return nil
}

// AddLabels adds labels (GitHub keeps those already there).
func (g Issues) AddLabels(ctx context.Context, repo string, number int, labels []string) error {
	owner, name := splitRepo(repo)
	if _, _, err := g.Client.Issues.AddLabelsToIssue(ctx, owner, name, number, labels); err != nil {
		return fmt.Errorf("label %s#%d with %v: %w", repo, number, labels, err)
	}
	return nil
}

// RemoveLabel takes label off; a label that is not there is not an error (the outcome is
// the one wanted).
func (g Issues) RemoveLabel(ctx context.Context, repo string, number int, label string) error {
	owner, name := splitRepo(repo)
	resp, err := g.Client.Issues.RemoveLabelForIssue(ctx, owner, name, number, label)
	if err != nil && resp != nil && resp.StatusCode == 404 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove label %q from %s#%d: %w", label, repo, number, err)
	}
	return nil
}

// Close closes an issue with a state reason (completed, not_planned), or a pull request
// (which has none).
func (g Issues) Close(ctx context.Context, repo string, number int, reason string, pullRequest bool) error {
	owner, name := splitRepo(repo)
	req := &github.IssueRequest{State: github.String("closed")}
	if reason != "" && !pullRequest {
		req.StateReason = github.String(reason)
	}
	if _, _, err := g.Client.Issues.Edit(ctx, owner, name, number, req); err != nil {
		return fmt.Errorf("close %s#%d: %w", repo, number, err)
	}
	return nil
}

// Lock locks the conversation with a lock reason (off-topic, too heated, resolved, spam).
func (g Issues) Lock(ctx context.Context, repo string, number int, reason string) error {
	owner, name := splitRepo(repo)
	var opts *github.LockIssueOptions
	if reason != "" {
		opts = &github.LockIssueOptions{LockReason: reason}
	}
	if _, err := g.Client.Issues.Lock(ctx, owner, name, number, opts); err != nil {
		return fmt.Errorf("lock %s#%d: %w", repo, number, err)
	}
	return nil
}

// GraphQL implements GraphQLer (see GraphQL).
func (g Issues) GraphQL(ctx context.Context, query string, variables map[string]any, out any) error {
	return GraphQL(ctx, g.Client, query, variables, out)
}
