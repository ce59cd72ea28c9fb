package redelivery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v60/github"
)

// GitHubHooks is Hooks over go-github: the organisation and repository webhook endpoints
// (GET .../hooks, GET .../hooks/{id}/deliveries with cursor pagination, POST
// .../deliveries/{id}/attempts) with Client, and the GitHub App's own (GET /app/hook/config,
// /app/hook/deliveries...) with App, a client authenticated as the app (its JWT).
type GitHubHooks struct {
	Client *github.Client
	App    *github.Client
}

var _ Hooks = GitHubHooks{}

func split(repo string) (owner, name string, err error) {
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" {
		return "", "", fmt.Errorf("repository %q is not owner/name", repo)
	}
	return owner, name, nil
}

// notFound wraps a GitHub 404 in ErrNotFound.
func notFound(err error) error {
	var ge *github.ErrorResponse
	if errors.As(err, &ge) && ge.Response != nil && ge.Response.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// Hooks implements Hooks. The App has one webhook (reported with id 0).
func (g GitHubHooks) Hooks(ctx context.Context, s Scope) ([]Hook, error) {
	if s.App {
		cfg, _, err := g.App.Apps.GetHookConfig(ctx)
		if err != nil {
			return nil, notFound(err)
		}
		return []Hook{{URL: cfg.GetURL()}}, nil
	}
	var out []Hook
	opts := &github.ListOptions{PerPage: 100}
	for {
		var list []*github.Hook
		var resp *github.Response
		var err error
		if s.Org != "" {
			list, resp, err = g.Client.Organizations.ListHooks(ctx, s.Org, opts)
		} else {
			owner, name, serr := split(s.Repo)
			if serr != nil {
				return nil, serr
			}
			list, resp, err = g.Client.Repositories.ListHooks(ctx, owner, name, opts)
		}
		if err != nil {
			return nil, notFound(err)
		}
		for _, h := range list {
			out = append(out, Hook{ID: h.GetID(), URL: h.GetConfig().GetURL()})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// Deliveries implements Hooks.
func (g GitHubHooks) Deliveries(ctx context.Context, s Scope, hookID int64, cursor string) ([]Delivery, string, error) {
	opts := &github.ListCursorOptions{PerPage: 100, Cursor: cursor}
	var list []*github.HookDelivery
	var resp *github.Response
	var err error
	switch {
	case s.App:
		list, resp, err = g.App.Apps.ListHookDeliveries(ctx, opts)
	case s.Org != "":
		list, resp, err = g.Client.Organizations.ListHookDeliveries(ctx, s.Org, hookID, opts)
	default:
		owner, name, serr := split(s.Repo)
		if serr != nil {
			return nil, "", serr
		}
		list, resp, err = g.Client.Repositories.ListHookDeliveries(ctx, owner, name, hookID, opts)
	}
	if err != nil {
		return nil, "", notFound(err)
	}
	out := make([]Delivery, 0, len(list))
	for _, d := range list {
		out = append(out, Delivery{
			ID: d.GetID(), GUID: d.GetGUID(), StatusCode: d.GetStatusCode(), Event: d.GetEvent(),
			Redelivery: d.GetRedelivery(), DeliveredAt: d.GetDeliveredAt().Time,
		})
	}
	return out, resp.Cursor, nil
}

// Redeliver implements Hooks. GitHub answers 202 Accepted, which go-github reports as an
// AcceptedError: that is success.
func (g GitHubHooks) Redeliver(ctx context.Context, s Scope, hookID, deliveryID int64) error {
	var err error
	switch {
	case s.App:
		_, _, err = g.App.Apps.RedeliverHookDelivery(ctx, deliveryID)
	case s.Org != "":
		_, _, err = g.Client.Organizations.RedeliverHookDelivery(ctx, s.Org, hookID, deliveryID)
	default:
		owner, name, serr := split(s.Repo)
		if serr != nil {
			return serr
		}
		_, _, err = g.Client.Repositories.RedeliverHookDelivery(ctx, owner, name, hookID, deliveryID)
	}
	var accepted *github.AcceptedError
	if err == nil || errors.As(err, &accepted) {
		return nil
	}
	return notFound(err)
}
