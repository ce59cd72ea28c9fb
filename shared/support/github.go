package support

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/rituals-dev/rituals/shared/ghub"
)

// GitHub is what the processor does on GitHub: comment on and assign issues, and GraphQL for
// Projects (v2) boards. GitHubClient implements it with go-github.
type GitHub interface {
	CreateComment(ctx context.Context, repo string, number int, body string) (url string, err error)
	AddAssignees(ctx context.Context, repo string, number int, logins []string) error
	RemoveAssignees(ctx context.Context, repo string, number int, logins []string) error
	// GraphQL runs query with variables and decodes the response's data into out. GraphQL
	// errors (a well-formed answer listing errors) are returned as *retry.GraphQLError.
	GraphQL(ctx context.Context, query string, variables map[string]any, out any) error
}

// GitHubClient is GitHub through a go-github client (see ghub.NewClient).
type GitHubClient struct{ Client *github.Client }

var _ GitHub = GitHubClient{}

func splitRepo(repo string) (string, string) {
	owner, name, _ := strings.Cut(repo, "/")
	return owner, name
}

// CreateComment implements GitHub.
func (g GitHubClient) CreateComment(ctx context.Context, repo string, number int, body string) (string, error) {
	owner, name := splitRepo(repo)
	c, _, err := g.Client.Issues.CreateComment(ctx, owner, name, number, &github.IssueComment{Body: github.String(body)})
	if err != nil {
		return "", fmt.Errorf("comment on %s#%d: %w", repo, number, err)
	}
	return c.GetHTMLURL(), nil
}

// AddAssignees implements GitHub.
func (g GitHubClient) AddAssignees(ctx context.Context, repo string, number int, logins []string) error {
	owner, name := splitRepo(repo)
	if _, _, err := g.Client.Issues.AddAssignees(ctx, owner, name, number, logins); err != nil {
		return fmt.Errorf("assign %s#%d to %v: %w", repo, number, logins, err)
	}
	return nil
}

// RemoveAssignees implements GitHub.
func (g GitHubClient) RemoveAssignees(ctx context.Context, repo string, number int, logins []string) error {
	owner, name := splitRepo(repo)
	if _, _, err := g.Client.Issues.RemoveAssignees(ctx, owner, name, number, logins); err != nil {
		return fmt.Errorf("unassign %v from %s#%d: %w", logins, repo, number, err)
	}
	return nil
}

// GraphQL implements GitHub (see ghub.GraphQL).
func (g GitHubClient) GraphQL(ctx context.Context, query string, variables map[string]any, out any) error {
	return ghub.GraphQL(ctx, g.Client, query, variables, out)
}
