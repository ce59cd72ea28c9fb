package support

import (
	"context"

	"github.com/rituals-dev/rituals/shared/ghub"
)

// GitHub is what the processor does on GitHub: comment on and assign issues, and GraphQL for
// Projects (v2) boards. GitHubClient implements it with go-github.
type GitHub interface {
	CreateComment(ctx context.Context, repo string, number int, body string) (url string, err error)
	AddAssignees(ctx context.Context, repo string, number int, logins []string) error
	RemoveAssignees(ctx context.Context, repo string, number int, logins []string) error
	ghub.GraphQLer
}

// GitHubClient is GitHub through a go-github client (see ghub.NewClient).
type GitHubClient = ghub.Issues

var _ GitHub = GitHubClient{}
