package runtimeenv

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rituals-dev/rituals/shared/httpapi"
	"github.com/rituals-dev/rituals/shared/logs"
)

// Reread reads the named secrets that came from SSM again (a secret given as a plain value
// stays as it is) and returns an Env with the values now stored, and whether any changed.
// An empty or unreadable parameter is an error and leaves e as it was.
func (e Env) Reread(ctx context.Context, names ...string) (Env, bool, error) {
	next := e
	next.secrets = maps.Clone(e.secrets)
	changed := false
	for _, name := range names {
		param, ok := e.fromSSM[name]
		if !ok || e.params == nil {
			continue
		}
		v, err := e.params.Parameter(ctx, param)
		if err != nil {
			return e, false, fmt.Errorf("re-read secret %s from SSM parameter %s: %w", name, param, err)
		}
		if strings.TrimSpace(v) == "" {
			return e, false, fmt.Errorf("re-read secret %s: SSM parameter %s is empty", name, param)
		}
		if v != e.secrets[name] {
			next.secrets[name], changed = v, true
		}
	}
	return next, changed, nil
}

// HTTPHandler is the handler of a function behind the HTTP API.
type HTTPHandler func(context.Context, httpapi.Request) (httpapi.Response, error)

// Rotating serves an HTTP function with a handler built from the secrets it verifies requests
// with, and lets those secrets be replaced in SSM while instances run. A secret is read once,
// when an instance starts, so without this a webhook secret replaced by `rituals setup github
// --replace` (or a Slack signing secret regenerated in the app's settings) would be refused
// until every warm instance had ended, possibly hours later.
//
// When the handler answers 401 — a signature that does not verify — Rotating re-reads Names
// from SSM, at most once per Every on an instance, so that bad requests cannot drive SSM calls;
// if any changed it builds the handler again and serves the same request with it. The first
// handler did nothing but refuse, so serving the request twice stores nothing twice. Secrets
// given as plain values (the local stack) are never re-read.
type Rotating struct {
	Env   Env
	Names []string
	Build func(Env) HTTPHandler
	// Every is the least time between re-reads (a minute when zero); Now the clock (time.Now).
	Every time.Duration
	Now   func() time.Time
	Log   *slog.Logger

	mu      sync.Mutex
	handler HTTPHandler
	checked time.Time
}

// Handle implements HTTPHandler.
func (r *Rotating) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	r.mu.Lock()
	if r.handler == nil {
		r.handler = r.Build(r.Env)
	}
	h := r.handler
	r.mu.Unlock()
	resp, err := h(ctx, req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	if h, ok := r.reread(ctx); ok {
		return h(ctx, req)
	}
	return resp, err
}

// reread re-reads the secrets when the last re-read is older than Every, and returns the new
// handler when any changed.
func (r *Rotating) reread(ctx context.Context) (HTTPHandler, bool) {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	every := r.Every
	if every <= 0 {
		every = time.Minute
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.checked.IsZero() && now().Sub(r.checked) < every {
		return nil, false
	}
	r.checked = now()
	env, changed, err := r.Env.Reread(ctx, r.Names...)
	if err != nil {
		if r.Log != nil {
			r.Log.Warn("secrets not re-read after a refused request", logs.Err, err.Error())
		}
		return nil, false
	}
	if !changed {
		return nil, false
	}
	if r.Log != nil {
		r.Log.Info("a secret was replaced in SSM; requests now verify with the new value", "secrets", strings.Join(r.Names, ","))
	}
	r.Env, r.handler = env, r.Build(env)
	return r.handler, true
}
