package doctor

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/rituals-dev/rituals/infra/deployment"
	"github.com/rituals-dev/rituals/shared/ghapp"
	"github.com/rituals-dev/rituals/shared/ghub"
)

// Delivery is one webhook delivery as GitHub reports it.
type Delivery struct {
	GUID        string
	Event       string
	Action      string
	StatusCode  int
	Status      string
	DeliveredAt time.Time
}

// Hook is a webhook of an organisation or repository.
type Hook struct {
	ID  int64
	URL string
}

// HookAPI is the part of GitHub's webhook API the delivery check reads: the app's own webhook
// (GET /app/hook/deliveries, with the app's JWT), and the webhooks of organisations and
// repositories (a token's setup). Lists are newest first, as GitHub returns them.
type HookAPI interface {
	AppDeliveries(ctx context.Context) ([]Delivery, error)
	// Hooks lists owner's webhooks, or repo's when repo is not empty.
	Hooks(ctx context.Context, owner, repo string) ([]Hook, error)
	HookDeliveries(ctx context.Context, owner, repo string, hook int64) ([]Delivery, error)
}

// GitHubHooks is HookAPI over go-github: App authenticates as the app (its JWT), Client with
// the token (either may be nil when unused).
type GitHubHooks struct {
	App    *github.Client
	Client *github.Client
}

var _ HookAPI = GitHubHooks{}

func deliveries(list []*github.HookDelivery) []Delivery {
	out := make([]Delivery, 0, len(list))
	for _, d := range list {
		out = append(out, Delivery{GUID: d.GetGUID(), Event: d.GetEvent(), Action: d.GetAction(), StatusCode: d.GetStatusCode(), Status: d.GetStatus(), DeliveredAt: d.GetDeliveredAt().Time})
	}
	return out
}

// AppDeliveries implements HookAPI.
func (g GitHubHooks) AppDeliveries(ctx context.Context) ([]Delivery, error) {
	list, _, err := g.App.Apps.ListHookDeliveries(ctx, &github.ListCursorOptions{PerPage: 10})
	return deliveries(list), err
}

// Hooks implements HookAPI.
func (g GitHubHooks) Hooks(ctx context.Context, owner, repo string) ([]Hook, error) {
	var list []*github.Hook
	var err error
	if repo == "" {
		list, _, err = g.Client.Organizations.ListHooks(ctx, owner, &github.ListOptions{PerPage: 100})
	} else {
		list, _, err = g.Client.Repositories.ListHooks(ctx, owner, repo, &github.ListOptions{PerPage: 100})
	}
	out := make([]Hook, 0, len(list))
	for _, h := range list {
		var u string
		if h.Config != nil && h.Config.URL != nil {
			u = *h.Config.URL
		}
		out = append(out, Hook{ID: h.GetID(), URL: u})
	}
	return out, err
}

// HookDeliveries implements HookAPI.
func (g GitHubHooks) HookDeliveries(ctx context.Context, owner, repo string, hook int64) ([]Delivery, error) {
	var list []*github.HookDelivery
	var err error
	if repo == "" {
		list, _, err = g.Client.Organizations.ListHookDeliveries(ctx, owner, hook, &github.ListCursorOptions{PerPage: 10})
	} else {
		list, _, err = g.Client.Repositories.ListHookDeliveries(ctx, owner, repo, hook, &github.ListCursorOptions{PerPage: 10})
	}
	return deliveries(list), err
}

// hookAPI builds the HookAPI for the stored credentials, at the target's GitHub API.
func (d *Doctor) hookAPI(c *githubCreds) (HookAPI, error) {
	base := d.Target.GitHubAPI
	if c.token != "" {
		client, err := ghub.NewClient(c.token, base)
		return GitHubHooks{Client: client}, err
	}
	id, err := ghapp.ParseAppID(c.appID)
	if err != nil {
		return nil, err
	}
	app, err := ghapp.NewApp(id, []byte(c.key), base)
	if err != nil {
		return nil, err
	}
	ac, err := app.AppClient()
	return GitHubHooks{App: ac}, err
}

// checkWebhooks: the latest delivery of the app's webhook (or of each organisation's and
// repository's webhook to the stack, with a token) succeeded.
func (d *Doctor) checkWebhooks(ctx context.Context, s *state) []Result {
	const name = "webhooks"
	if s.github == nil || s.github.client == nil {
		return []Result{{name, Skip, "needs working GitHub credentials (above)", ""}}
	}
	api, err := d.hookAPI(s.github)
	if err != nil {
		return []Result{{name, Fail, err.Error(), ""}}
	}
	url := s.stack.Outputs["GitHubWebhookUrl"]
	if s.github.token == "" {
		settings := strings.TrimSuffix(s.github.appInfo.GetHTMLURL(), "/")
		settings = strings.Replace(settings, "/apps/", "/settings/apps/", 1) + "/advanced"
		list, err := api.AppDeliveries(ctx)
		if err != nil {
			return []Result{{name, Fail, fmt.Sprintf("read the app's webhook deliveries: %v", short(err)), ""}}
		}
		return []Result{d.judge(name, "the app's webhook", list, settings, s)}
	}
	if s.cfg == nil {
		return []Result{{name, Skip, "no team config: which organisations' webhooks to check is not known", ""}}
	}
	var out []Result
	for _, o := range deployment.GitHubOwners(s.cfg) {
		targets := [][2]string{}
		if o.All {
			targets = append(targets, [2]string{o.Login, ""})
		} else {
			for _, r := range o.Repos {
				_, repo, _ := strings.Cut(r, "/")
				targets = append(targets, [2]string{o.Login, repo})
			}
		}
		for _, tg := range targets {
			where, page := tg[0], fmt.Sprintf("%s/organizations/%s/settings/hooks", d.Target.GitHubWeb, tg[0])
			if tg[1] != "" {
				where, page = tg[0]+"/"+tg[1], fmt.Sprintf("%s/%s/%s/settings/hooks", d.Target.GitHubWeb, tg[0], tg[1])
			}
			hooks, err := api.Hooks(ctx, tg[0], tg[1])
			if err != nil {
				out = append(out, Result{name, Fail, fmt.Sprintf("list %s's webhooks: %v", where, short(err)), "the token needs admin:org_hook (organisations) or admin:repo_hook read access; or use the app: " + d.rituals("setup github")})
				continue
			}
			var hook *Hook
			for i := range hooks {
				if hooks[i].URL == url {
					hook = &hooks[i]
				}
			}
			if hook == nil {
				out = append(out, Result{name, Fail, fmt.Sprintf("no webhook of %s sends to %s", where, url), "add one at " + page + "/new (content type application/json, the secret in " + s.stack.Parameters["GitHubWebhookSecretParam"] + "), or use the app: " + d.rituals("setup github")})
				continue
			}
			list, err := api.HookDeliveries(ctx, tg[0], tg[1], hook.ID)
			if err != nil {
				out = append(out, Result{name, Fail, fmt.Sprintf("read the deliveries of %s's webhook: %v", where, short(err)), ""})
				continue
			}
			if r := d.judge(name, where+"'s webhook", list, fmt.Sprintf("%s/%d", page, hook.ID), s); r.Status != OK {
				out = append(out, r)
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	return []Result{{name, OK, "the last delivery of every webhook to the stack succeeded", ""}}
}

// judge reads the newest delivery of a webhook.
func (d *Doctor) judge(name, what string, list []Delivery, settings string, s *state) Result {
	if len(list) == 0 {
		return Result{name, OK, what + " has no deliveries yet (GitHub sends one for each event from now on)", ""}
	}
	last := list[0]
	ev := last.Event
	if last.Action != "" {
		ev += "." + last.Action
	}
	when := last.DeliveredAt.UTC().Format("2006-01-02 15:04Z")
	if last.StatusCode >= 200 && last.StatusCode < 300 {
		return Result{name, OK, fmt.Sprintf("the last delivery of %s (%s, %s) got %d", what, ev, when, last.StatusCode), ""}
	}
	fix := fmt.Sprintf("%s; then redeliver it from %s (Recent Deliveries)", d.logs("GitHubWebhookFunction"), settings)
	switch last.StatusCode {
	case 401:
		fix = fmt.Sprintf("the webhook's secret is not the one in %s: re-run %s, or set the webhook's secret to that value at %s", s.stack.Parameters["GitHubWebhookSecretParam"], d.rituals("setup github --replace"), settings)
	case 0:
		fix = "GitHub could not reach " + s.stack.Outputs["GitHubWebhookUrl"] + " (" + last.Status + "): check the URL in " + settings
	}
	return Result{name, Fail, fmt.Sprintf("the last delivery of %s (%s %s, %s) got %d %s", what, ev, last.GUID, when, last.StatusCode, last.Status), fix}
}
