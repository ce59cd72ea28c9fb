package ghub

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/google/go-github/v60/github"

	"github.com/rituals-dev/rituals/shared/retry"
)

// GraphQL runs query with variables against c's GraphQL endpoint (POST {BaseURL}graphql, as
// api.github.com/graphql) and decodes the answer's data into out. A well-formed answer that
// lists errors is returned as *retry.GraphQLError with GitHub's error types, so that a rate
// limit (RATE_LIMITED) is retried and a missing object or permission is not.
func GraphQL(ctx context.Context, c *github.Client, query string, variables map[string]any, out any) error {
	req, err := c.NewRequest(http.MethodPost, "graphql", map[string]any{"query": query, "variables": variables})
	if err != nil {
		return fmt.Errorf("GraphQL request: %w", err)
	}
	var resp struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if _, err := c.Do(ctx, req, &resp); err != nil {
		return fmt.Errorf("GraphQL: %w", err)
	}
	if len(resp.Errors) > 0 {
		ge := &retry.GraphQLError{}
		for _, e := range resp.Errors {
			ge.Types = append(ge.Types, e.Type)
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
