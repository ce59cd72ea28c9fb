// Package redelivery recovers GitHub webhook deliveries that never got through. GitHub does not
// retry a failed delivery by itself: when our endpoint was down, throttled or mid-deploy, the
// event is simply gone. On a schedule, the Reconciler finds Rituals' webhook — the GitHub App's,
// or with a token the one on every organisation and repository the team config names (by its
// URL) — lists the hook's deliveries
// since its last run and asks GitHub to redeliver each one that did not get a 2xx and whose guid
// has no successful delivery. A redelivery carries the same X-GitHub-Delivery, so the
// ingestion's dedupe makes a delivery that did get through after all (or one redelivered twice)
// harmless.
//
// Guarantees:
//   - Every failed delivery newer than the cursor is examined once a run, oldest first; the
//     cursor (in the state table, per hook) only moves past deliveries that were handled.
//   - At most MaxRedeliveries redeliveries per run and MaxAttempts per guid (a payload our
//     endpoint refuses for good, such as a bad signature, is not redelivered forever).
//   - A failure to list or redeliver on one hook fails the run (the schedule retries it) after
//     every other hook has been handled.
package redelivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"
)

// Scope is whose webhooks the reconcile looks at: the GitHub App's own webhook (App), an
// organisation's (Org) or one repository's (Repo, "owner/name").
type Scope struct {
	App  bool
	Org  string
	Repo string
}

func (s Scope) String() string {
	switch {
	case s.App:
		return "app"
	case s.Org != "":
		return "orgs/" + s.Org
	}
	return "repos/" + s.Repo
}

// Hook is a webhook as GitHub lists it.
type Hook struct {
	ID  int64
	URL string
}

// Delivery is one webhook delivery as GitHub lists it.
type Delivery struct {
	ID          int64
	GUID        string
	StatusCode  int
	Event       string
	Redelivery  bool
	DeliveredAt time.Time
}

// OK reports whether the delivery got a 2xx answer.
func (d Delivery) OK() bool { return d.StatusCode >= 200 && d.StatusCode < 300 }

// Hooks is the part of GitHub's API the reconcile needs (see GitHubHooks).
type Hooks interface {
	// Hooks lists the scope's webhooks (every page).
	Hooks(ctx context.Context, s Scope) ([]Hook, error)
	// Deliveries lists one page of a hook's deliveries, newest first, from cursor ("" for the
	// newest), and returns the cursor of the next page ("" when there is none).
	Deliveries(ctx context.Context, s Scope, hookID int64, cursor string) ([]Delivery, string, error)
	// Redeliver asks GitHub to deliver a delivery again.
	Redeliver(ctx context.Context, s Scope, hookID, deliveryID int64) error
}

// ErrNotFound is what Hooks implementations wrap for a scope, hook or delivery GitHub does not
// know (or does not show this token): an owner that is a user rather than an organisation, a
// delivery older than GitHub keeps.
var ErrNotFound = errors.New("not found on GitHub")

// Reconciler redelivers failed deliveries of Rituals' webhook.
type Reconciler struct {
	Hooks Hooks
	State State
	// WebhookURL is the URL Rituals' webhook posts to (the stack's GitHubWebhookUrl); the hook
	// is recognised by it.
	WebhookURL string
	Log        *slog.Logger
	// MaxRedeliveries bounds the redeliveries asked for in one run (default 50).
	MaxRedeliveries int
	// MaxAttempts bounds the redeliveries of one guid (default 3).
	MaxAttempts int
	// MaxPages bounds the pages of 100 deliveries read per hook and run (default 10).
	MaxPages int
	// Lookback is how far back a hook without a cursor is examined (default 72 hours, as long
	// as GitHub keeps deliveries).
	Lookback time.Duration
}

// Result says what one run did, for the function's answer and log.
type Result struct {
	Hooks       int      `json:"hooks"`
	Examined    int      `json:"examined"`
	Failed      int      `json:"failed"`
	Redelivered []string `json:"redelivered"`
	// Skipped are guids that had used up their attempts, or whose delivery GitHub no longer has.
	Skipped []string `json:"skipped,omitempty"`
	// NoHook names scopes without Rituals' webhook.
	NoHook []string `json:"no_hook,omitempty"`
}

func (r Reconciler) maxRedeliveries() int { return or(r.MaxRedeliveries, 50) }
func (r Reconciler) maxAttempts() int     { return or(r.MaxAttempts, 3) }
func (r Reconciler) maxPages() int        { return or(r.MaxPages, 10) }
func (r Reconciler) lookback() time.Duration {
	if r.Lookback > 0 {
		return r.Lookback
	}
	return 72 * time.Hour
}

func or(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// Run reconciles every scope once; now is the schedule's time (it bounds how far back a hook
// without a cursor is examined).
func (r Reconciler) Run(ctx context.Context, now time.Time, scopes []Scope) (Result, error) {
	res := Result{Redelivered: []string{}}
	budget := r.maxRedeliveries()
	var errs []error
	for _, s := range scopes {
		if err := r.scope(ctx, now, s, &res, &budget); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s, err))
		}
	}
	return res, errors.Join(errs...)
}

func (r Reconciler) scope(ctx context.Context, now time.Time, s Scope, res *Result, budget *int) error {
	hooks, err := r.Hooks.Hooks(ctx, s)
	if errors.Is(err, ErrNotFound) {
		r.Log.Warn("no such organisation or repository on GitHub (a user account has no organisation hooks: list its repositories under repos)", "scope", s.String())
		res.NoHook = append(res.NoHook, s.String())
		return nil
	}
	if err != nil {
		return fmt.Errorf("list hooks: %w", err)
	}
	found := false
	for _, h := range hooks {
		if sameURL(h.URL, r.WebhookURL) {
			found = true
			res.Hooks++
			if err := r.hook(ctx, now, s, h, res, budget); err != nil {
				return fmt.Errorf("hook %d: %w", h.ID, err)
			}
		}
	}
	if !found {
		r.Log.Warn("Rituals' webhook is not installed here", "scope", s.String(), "url", r.WebhookURL)
		res.NoHook = append(res.NoHook, s.String())
	}
	return nil
}

func sameURL(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "/"), strings.TrimSuffix(b, "/"))
}

// hook examines one hook's deliveries newer than its cursor.
func (r Reconciler) hook(ctx context.Context, now time.Time, s Scope, h Hook, res *Result, budget *int) error {
	cursorKey := fmt.Sprintf("%s#%d", s, h.ID)
	last, err := r.State.Cursor(ctx, cursorKey)
	if err != nil {
		return err
	}
	since := now.Add(-r.lookback())
	var window []Delivery
	page, pages := "", 0
	reached := false
	for !reached {
		if pages == r.maxPages() {
			r.Log.Warn("more deliveries than one run reads; the oldest are not examined", "scope", s.String(), "hook", h.ID, "pages", pages)
			break
		}
		list, next, err := r.Hooks.Deliveries(ctx, s, h.ID, page)
		if err != nil {
			return fmt.Errorf("list deliveries: %w", err)
		}
		pages++
		for _, d := range list {
			if d.ID <= last || (last == 0 && d.DeliveredAt.Before(since)) {
				reached = true
				break
			}
			window = append(window, d)
		}
		if next == "" {
			break
		}
		page = next
	}
	sort.Slice(window, func(i, j int) bool { return window[i].ID < window[j].ID })
	res.Examined += len(window)

	ok := map[string]bool{}
	latestFailure := map[string]Delivery{}
	for _, d := range window {
		if d.OK() {
			ok[d.GUID] = true
		} else {
			latestFailure[d.GUID] = d
		}
	}
	var todo []Delivery
	for guid, d := range latestFailure {
		res.Failed++
		if !ok[guid] {
			todo = append(todo, d)
		}
	}
	sort.Slice(todo, func(i, j int) bool { return todo[i].ID < todo[j].ID })

	advance := int64(0)
	if len(window) > 0 {
		advance = window[len(window)-1].ID
	}
	for _, d := range todo {
		if *budget == 0 {
			// Leave the cursor just before the first delivery not handled: the next run
			// starts there.
			advance = d.ID - 1
			break
		}
		attempts, err := r.State.Attempts(ctx, d.GUID, now)
		if err != nil {
			return err
		}
		if attempts >= r.maxAttempts() {
			r.Log.Warn("delivery failed after every redelivery; not asking again", "scope", s.String(), "delivery", d.GUID, "event", d.Event, "status", d.StatusCode, "attempts", attempts)
			res.Skipped = append(res.Skipped, d.GUID)
			continue
		}
		err = r.Hooks.Redeliver(ctx, s, h.ID, d.ID)
		if errors.Is(err, ErrNotFound) {
			r.Log.Warn("GitHub no longer has the delivery", "scope", s.String(), "delivery", d.GUID)
			res.Skipped = append(res.Skipped, d.GUID)
			continue
		}
		if err != nil {
			if d.ID-1 > last {
				_ = r.State.SetCursor(ctx, cursorKey, d.ID-1, now)
			}
			return fmt.Errorf("redeliver %s: %w", d.GUID, err)
		}
		*budget--
		res.Redelivered = append(res.Redelivered, d.GUID)
		r.Log.Info("asked GitHub to redeliver", "scope", s.String(), "delivery", d.GUID, "event", d.Event, "status", d.StatusCode)
		if err := r.State.AddAttempt(ctx, d.GUID, now); err != nil {
			return err
		}
	}
	if advance > last {
		return r.State.SetCursor(ctx, cursorKey, advance, now)
	}
	return nil
}
