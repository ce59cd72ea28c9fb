// Package clients builds what a feature function's environment names: the DynamoDB client and
// the state and events tables, and the Slack and GitHub clients, pointed at DynamoDB Local and
// the local stand-ins when the local overrides (DYNAMODB_ENDPOINT, SLACK_API_URL,
// GITHUB_API_URL) are set. The feature packages' NewFromEnv constructors start from it, so
// that each function's main stays wiring only.
package clients

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/go-github/v60/github"
	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/ghapp"
	"github.com/rituals-dev/rituals/shared/ghub"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// Set is one function's clients and tables.
type Set struct {
	DynamoDB *dynamodb.Client
	// StateTable and EventsTable are the tables' names ("" when the function is not given one).
	StateTable  string
	EventsTable string
	// Slack uses SLACK_BOT_TOKEN.
	Slack *slack.Client
	// GitHub acts as the GitHub App's installations (GITHUB_APP_ID and
	// GITHUB_APP_PRIVATE_KEY) or, without an app, with GITHUB_TOKEN.
	GitHub *github.Client
}

// FromEnv builds the Set for env, which must declare the SLACK_BOT_TOKEN secret and the
// runtimeenv.GitHubCredentials choice.
func FromEnv(ctx context.Context, env runtimeenv.Env) (Set, error) {
	ddb, err := store.NewClient(ctx, env.Var("DYNAMODB_ENDPOINT"))
	if err != nil {
		return Set{}, fmt.Errorf("dynamodb client: %w", err)
	}
	gh, err := GitHubFromEnv(env)
	if err != nil {
		return Set{}, fmt.Errorf("github client: %w", err)
	}
	return Set{
		DynamoDB:    ddb,
		StateTable:  env.Var("STATE_TABLE"),
		EventsTable: env.Var("EVENTS_TABLE"),
		Slack:       slackapp.NewClient(env.Secret("SLACK_BOT_TOKEN"), env.Var("SLACK_API_URL")),
		GitHub:      gh,
	}, nil
}

// Config is the team config from the state table, cached for config.DefaultTTL.
func (s Set) Config() *config.Source {
	return config.NewSource(s.DynamoDB, s.StateTable, config.DefaultTTL)
}

// Effects records once-only effects in the state table.
func (s Set) Effects() store.Effects { return store.Effects{API: s.DynamoDB, Table: s.StateTable} }

// Events is the events table (internal events, and payloads split across items).
func (s Set) Events() store.Events { return store.Events{API: s.DynamoDB, Table: s.EventsTable} }

// GitHubFromEnv returns the GitHub client env's credentials give: the app's installations
// when GITHUB_APP_ID is set (one installation token cache per container: the client lives as
// long as the function's clients), else the personal token.
func GitHubFromEnv(env runtimeenv.Env) (*github.Client, error) {
	if id := env.Secret("GITHUB_APP_ID"); id != "" {
		appID, err := ghapp.ParseAppID(id)
		if err != nil {
			return nil, err
		}
		return ghapp.NewAppClient(appID, []byte(env.Secret("GITHUB_APP_PRIVATE_KEY")), env.Var("GITHUB_API_URL"))
	}
	return ghub.NewClient(env.Secret("GITHUB_TOKEN"), env.Var("GITHUB_API_URL"))
}
