package ghub_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/ghub"
	"github.com/rituals-dev/rituals/shared/retry"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// newGitHub returns GraphQL through a go-github client against the GitHub stand-in.
func newGitHub(t *testing.T) (ghub.GraphQLer, *standins.Server) {
	t.Helper()
	srv := standins.New(standins.Options{GitHubToken: "ghp_test"})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c, err := ghub.NewClient("ghp_test", standins.GitHubAPIURL(ts.URL))
	if err != nil {
		t.Fatal(err)
	}
	return graphQLFunc(func(ctx context.Context, q string, v map[string]any, out any) error {
		return ghub.GraphQL(ctx, c, q, v, out)
	}), srv
}

type graphQLFunc func(ctx context.Context, q string, v map[string]any, out any) error

func (f graphQLFunc) GraphQL(ctx context.Context, q string, v map[string]any, out any) error {
	return f(ctx, q, v, out)
}

func TestProjects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name    string
		project ghub.Project
		wantErr string
	}{
		{name: "status option any case", project: ghub.Project{Owner: "acme", Number: 7, StatusField: "status", Status: "in progress"}},
		{name: "no such option", project: ghub.Project{Owner: "acme", Number: 7, StatusField: "Status", Status: "Release blockers"},
			wantErr: `project acme/7 has no single-select field "Status" with an option "Release blockers"`},
		{name: "no such field", project: ghub.Project{Owner: "acme", Number: 7, StatusField: "Stage", Status: "Todo"},
			wantErr: `has no single-select field "Stage"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g, srv := newGitHub(t)
			db, tables := dynamotest.New(t)
			cache := ghub.ProjectCache{API: db, Table: tables.State}
			ids, err := cache.IDs(ctx, g, tc.project)
			if tc.wantErr != "" {
				var ge *retry.GraphQLError
				if !errors.As(err, &ge) || !retry.Permanent(err) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want a permanent GraphQL error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || ids.Project == "" || ids.Field == "" || ids.Option == "" {
				t.Fatalf("IDs = %+v, %v", ids, err)
			}
			// Cached: a second lookup asks GitHub nothing.
			since := srv.Outbox().Last()
			if again, err := cache.IDs(ctx, g, tc.project); err != nil || again != ids {
				t.Fatalf("cached IDs = %+v, %v; want %+v", again, err, ids)
			}
			if calls := srv.Outbox().Calls(standins.Filter{Since: since}); len(calls) != 0 {
				t.Fatalf("a cached lookup called GitHub %d times", len(calls))
			}
			item, err := ghub.AddProjectItem(ctx, g, ids.Project, "I_kwDOissue1")
			if err != nil || item == "" {
				t.Fatalf("AddProjectItem = %q, %v", item, err)
			}
			if err := ghub.SetProjectStatus(ctx, g, ids, item); err != nil {
				t.Fatal(err)
			}
			set := srv.Outbox().Calls(standins.Filter{API: "graphql"})
			if last := set[len(set)-1].Request.(map[string]any); !strings.Contains(last["query"].(string), "updateProjectV2ItemFieldValue") ||
				last["variables"].(map[string]any)["optionId"] != ids.Option {
				t.Fatalf("status call = %+v", last)
			}
		})
	}
}
