package redelivery

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rituals-dev/rituals/shared/clients"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/ghapp"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
)

// Scopes are the organisations and repositories whose webhooks the reconcile looks at: every
// client's orgs, and the repositories the config names (clients' repos, teams' support repos)
// outside those orgs, whose events reach Rituals through a repository webhook.
func Scopes(cfg *config.Config) []Scope {
	orgs := map[string]string{}
	for _, c := range cfg.Clients {
		for _, o := range c.GitHub.Orgs {
			orgs[strings.ToLower(o)] = o
		}
	}
	repos := map[string]string{}
	add := func(r string) {
		owner, _, _ := strings.Cut(r, "/")
		if _, inOrg := orgs[strings.ToLower(owner)]; !inOrg {
			repos[strings.ToLower(r)] = r
		}
	}
	for _, c := range cfg.Clients {
		for _, r := range c.GitHub.Repos {
			add(r)
		}
	}
	for _, t := range cfg.Teams {
		if t.Support != nil {
			for _, r := range t.Support.Repos {
				add(r)
			}
		}
	}
	var out []Scope
	for _, o := range sortedValues(orgs) {
		out = append(out, Scope{Org: o})
	}
	for _, r := range sortedValues(repos) {
		out = append(out, Scope{Repo: r})
	}
	return out
}

func sortedValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// ConfigSource is where the team config comes from.
type ConfigSource interface {
	Current(ctx context.Context, now time.Time) (*config.Config, error)
}

var _ ConfigSource = (*config.Source)(nil)

// Handler runs one reconcile per scheduled event, with the event's time as now: of the GitHub
// App's webhook when App is set, else of the webhooks on the config's orgs and repositories.
type Handler struct {
	Reconciler Reconciler
	Config     ConfigSource
	App        bool
}

// Handle is the scheduled function's handler.
func (h Handler) Handle(ctx context.Context, ev events.CloudWatchEvent) (Result, error) {
	if h.App {
		return h.Reconciler.Run(ctx, ev.Time, []Scope{{App: true}})
	}
	cfg, err := h.Config.Current(ctx, ev.Time)
	if err != nil {
		return Result{}, fmt.Errorf("team config: %w", err)
	}
	return h.Reconciler.Run(ctx, ev.Time, Scopes(cfg))
}

// NewFromEnv wires the GitHubReconcileFunction: the GitHub App (its own webhook) or else the
// token (the org and repository webhooks), the state table, and GITHUB_WEBHOOK_URL (the
// stack's own webhook URL, which identifies Rituals' hook).
func NewFromEnv(ctx context.Context, env runtimeenv.Env, log *slog.Logger) (Handler, error) {
	c, err := clients.FromEnv(ctx, env)
	if err != nil {
		return Handler{}, err
	}
	hooks := GitHubHooks{Client: c.GitHub}
	if id := env.Secret("GITHUB_APP_ID"); id != "" {
		appID, err := ghapp.ParseAppID(id)
		if err != nil {
			return Handler{}, err
		}
		app, err := ghapp.NewApp(appID, []byte(env.Secret("GITHUB_APP_PRIVATE_KEY")), env.Var("GITHUB_API_URL"))
		if err != nil {
			return Handler{}, err
		}
		if hooks.App, err = app.AppClient(); err != nil {
			return Handler{}, err
		}
	}
	return Handler{
		Reconciler: Reconciler{
			Hooks:      hooks,
			State:      DynamoState{API: c.DynamoDB, Table: c.StateTable},
			WebhookURL: env.Var("GITHUB_WEBHOOK_URL"),
			Log:        log,
		},
		Config: c.Config(),
		App:    hooks.App != nil,
	}, nil
}
