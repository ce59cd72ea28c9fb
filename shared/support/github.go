package support

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v60/github"
)

// GitHub is what the processor does on GitHub: comment on and assign issues, and GraphQL for
// Projects (v2) boards. GitHubClient implements it with go-github.
type GitHub interface {
	CreateComment(ctx context.Context, repo string, number int, body string) (url string, err error)
	AddAssignees(ctx context.Context, repo string, number int, logins []string) error
	RemoveAssignees(ctx context.Context, repo string, number int, logins []string) error
	// GraphQL runs query with variables and decodes the response's data into out. GraphQL
	// errors (a well-formed answer listing errors) are returned as *GraphQLError.
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

// GraphQLError is a GraphQL answer that lists errors (a bad id, a missing permission).
type GraphQLError struct{ Messages []string }

func (e *GraphQLError) Error() string { return "GraphQL: " + strings.Join(e.Messages, "; ") }

// GraphQL implements GitHub: POST {base}graphql, as api.github.com/graphql.
func (g GitHubClient) GraphQL(ctx context.Context, query string, variables map[string]any, out any) error {
	req, err := g.Client.NewRequest(http.MethodPost, "graphql", map[string]any{"query": query, "variables": variables})
	if err != nil {
		return fmt.Errorf("GraphQL request: %w", err)
	}
	var resp struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if _, err := g.Client.Do(ctx, req, &resp); err != nil {
		return fmt.Errorf("GraphQL: %w", err)
	}
	if len(resp.Errors) > 0 {
		ge := &GraphQLError{}
		for _, e := range resp.Errors {
			ge.Messages = append(ge.Messages, e.Message)
		}
		return ge
	}
	if out != nil && len(resp.Data) > 0 {
		if err := json.Unmarshal(resp.Data, out); err != nil {
			return fmt.Errorf("GraphQL: decode data: %w", err)
		}
	}
	return nil
}

// isPermanent reports whether a GitHub error will not go away by retrying: a 404 or 422 for a
// resource (a deleted issue, a login that cannot be assigned) or a GraphQL error. Transient
// errors (5xx, rate limits, network) are retried through the stream record.
func isPermanent(err error) bool {
	var ge *GraphQLError
	if errors.As(err, &ge) {
		return true
	}
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		switch er.Response.StatusCode {
		case http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusGone:
			return true
		}
	}
	return false
}
