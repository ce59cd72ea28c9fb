package redelivery

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

const hookURL = "https://abc123.execute-api.eu-west-1.amazonaws.com/webhooks/github"

// fakeGitHub keeps hooks and their deliveries like GitHub does, pages them newest first two at
// a time, and records what was redelivered; a redelivery becomes a new delivery of the same
// guid with the status the guid's script says next (202 when the script is spent).
type fakeGitHub struct {
	now        time.Time
	nextID     int64
	hooks      map[string][]Hook
	deliveries map[int64][]Delivery // by hook, oldest first
	script     map[string][]int
	redeliver  []string
	failNext   error
	missing    map[string]bool // scopes that 404
}

func newFake(now time.Time) *fakeGitHub {
	return &fakeGitHub{now: now, nextID: 100, hooks: map[string][]Hook{}, deliveries: map[int64][]Delivery{}, script: map[string][]int{}, missing: map[string]bool{}}
}

func (f *fakeGitHub) deliver(hook int64, guid string, status int, age time.Duration) {
	f.nextID++
	f.deliveries[hook] = append(f.deliveries[hook], Delivery{ID: f.nextID, GUID: guid, StatusCode: status, Event: "issues", DeliveredAt: f.now.Add(-age)})
}

func (f *fakeGitHub) Hooks(_ context.Context, s Scope) ([]Hook, error) {
	if f.missing[s.String()] {
		return nil, ErrNotFound
	}
	return f.hooks[s.String()], nil
}

func (f *fakeGitHub) Deliveries(_ context.Context, _ Scope, hookID int64, cursor string) ([]Delivery, string, error) {
	all := f.deliveries[hookID]
	start := len(all) - 1
	if cursor != "" {
		n, _ := strconv.Atoi(cursor)
		start = n
	}
	var out []Delivery
	for i := start; i >= 0 && len(out) < 2; i-- {
		out = append(out, all[i])
		start = i - 1
	}
	next := ""
	if start >= 0 {
		next = strconv.Itoa(start)
	}
	return out, next, nil
}

func (f *fakeGitHub) Redeliver(_ context.Context, _ Scope, hookID, deliveryID int64) error {
	if err := f.failNext; err != nil {
		f.failNext = nil
		return err
	}
	for _, d := range f.deliveries[hookID] {
		if d.ID == deliveryID {
			f.redeliver = append(f.redeliver, d.GUID)
			status := 202
			if s := f.script[d.GUID]; len(s) > 0 {
				status, f.script[d.GUID] = s[0], s[1:]
			}
			f.deliver(hookID, d.GUID, status, 0)
			f.deliveries[hookID][len(f.deliveries[hookID])-1].Redelivery = true
			return nil
		}
	}
	return ErrNotFound
}

func reconciler(t *testing.T, gh *fakeGitHub) Reconciler {
	t.Helper()
	db, tables := dynamotest.New(t)
	return Reconciler{Hooks: gh, State: DynamoState{API: db, Table: tables.State}, WebhookURL: hookURL, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

var acme = []Scope{{Org: "acme"}}

func TestRedeliversEachFailedDeliveryOnce(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	gh := newFake(now)
	gh.hooks["orgs/acme"] = []Hook{{ID: 7, URL: "https://other.example/hook"}, {ID: 8, URL: hookURL + "/"}}
	gh.deliver(7, "other-hook", 500, time.Hour) // someone else's hook: not ours to recover
	gh.deliver(8, "ok-1", 202, 50*time.Minute)
	gh.deliver(8, "failed-500", 500, 40*time.Minute)
	gh.deliver(8, "never-reached", 0, 30*time.Minute)
	gh.deliver(8, "recovered", 502, 20*time.Minute)
	gh.deliver(8, "recovered", 202, 10*time.Minute) // redelivered by hand since
	gh.deliver(8, "dup-answer", 200, 5*time.Minute)
	r := reconciler(t, gh)
	ctx := context.Background()

	res, err := r.Run(ctx, now, acme)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"failed-500", "never-reached"}; !reflect.DeepEqual(gh.redeliver, want) || !reflect.DeepEqual(res.Redelivered, want) {
		t.Fatalf("redelivered %v (result %+v), want %v", gh.redeliver, res, want)
	}
	if res.Hooks != 1 || res.Examined != 6 || res.Failed != 3 {
		t.Fatalf("result %+v", res)
	}
	// The redeliveries succeeded: the next runs ask for nothing.
	for i := 0; i < 2; i++ {
		if res, err := r.Run(ctx, now.Add(10*time.Minute), acme); err != nil || len(res.Redelivered) != 0 {
			t.Fatalf("run %d after recovery: %+v %v", i+2, res, err)
		}
	}
	if len(gh.redeliver) != 2 {
		t.Fatalf("redelivered again: %v", gh.redeliver)
	}
}

// TestBoundedPerRunAndPerDelivery: a run asks for at most MaxRedeliveries, and the cursor stays
// before what it did not get to; a delivery our endpoint keeps refusing is asked for
// MaxAttempts times, then skipped.
func TestBoundedPerRunAndPerDelivery(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	gh := newFake(now)
	gh.hooks["orgs/acme"] = []Hook{{ID: 8, URL: hookURL}}
	for i := 0; i < 5; i++ {
		gh.deliver(8, "g"+strconv.Itoa(i), 503, time.Duration(50-i)*time.Minute)
	}
	gh.script["g0"] = []int{401, 401, 401, 401}
	r := reconciler(t, gh)
	r.MaxRedeliveries, r.MaxAttempts = 2, 2
	ctx := context.Background()
	var runs [][]string
	for i := 0; i < 6; i++ {
		res, err := r.Run(ctx, now.Add(time.Duration(i)*10*time.Minute), acme)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, res.Redelivered)
	}
	want := [][]string{{"g0", "g1"}, {"g2", "g3"}, {"g4", "g0"}, {}, {}, {}}
	if !reflect.DeepEqual(runs, want) {
		t.Fatalf("runs redelivered %v, want %v", runs, want)
	}
	count := map[string]int{}
	for _, g := range gh.redeliver {
		count[g]++
	}
	if count["g0"] != 2 || len(count) != 5 {
		t.Fatalf("redeliveries per guid %v", count)
	}
}

// TestFirstRunLooksBackThreeDays: a hook without a cursor is examined as far back as GitHub
// keeps deliveries, not further.
func TestFirstRunLooksBackThreeDays(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	gh := newFake(now)
	gh.hooks["repos/partner/lib"] = []Hook{{ID: 9, URL: hookURL}}
	gh.deliver(9, "ancient", 500, 80*time.Hour)
	gh.deliver(9, "recent", 500, 70*time.Hour)
	r := reconciler(t, gh)
	res, err := r.Run(context.Background(), now, []Scope{{Repo: "partner/lib"}})
	if err != nil || !reflect.DeepEqual(res.Redelivered, []string{"recent"}) {
		t.Fatalf("%+v %v", res, err)
	}
}

// TestFailuresAreReported: a scope without Rituals' hook or unknown to GitHub is named, not an
// error; a failed redelivery fails the run after the other scopes, and the next run retries it.
func TestFailuresAreReported(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	gh := newFake(now)
	gh.missing["orgs/Codertocat"] = true
	gh.hooks["orgs/nohook"] = []Hook{{ID: 1, URL: "https://elsewhere.example"}}
	gh.hooks["orgs/acme"] = []Hook{{ID: 8, URL: hookURL}}
	gh.deliver(8, "a", 500, time.Minute)
	gh.failNext = errors.New("GitHub 502")
	r := reconciler(t, gh)
	scopes := []Scope{{Org: "acme"}, {Org: "Codertocat"}, {Org: "nohook"}}
	res, err := r.Run(context.Background(), now, scopes)
	if err == nil || !reflect.DeepEqual(res.NoHook, []string{"orgs/Codertocat", "orgs/nohook"}) {
		t.Fatalf("%+v %v", res, err)
	}
	res, err = r.Run(context.Background(), now, scopes)
	if err != nil || !reflect.DeepEqual(res.Redelivered, []string{"a"}) {
		t.Fatalf("retry: %+v %v", res, err)
	}
}

func TestScopesFromConfig(t *testing.T) {
	t.Parallel()
	cfg, err := config.ParseFile("c.yaml", []byte(`version: 1
people:
  - {id: ann, github: ann, slack: U0ANN00001, timezone: Europe/London, country: GB}
clients:
  - id: acme
    github: {orgs: [acme, Beta], repos: [partner/lib, acme/inside]}
    hr: {reviewer: ann, repo: acme/hr}
teams:
  - id: t
    clients: [acme]
    timezone: Europe/London
    members: [ann]
    roles: {em: ann}
    slack: {channel: C0TEAM0001, support_channel: C0SUPPORT1}
    support:
      labels: [bug]
      repos: [beta/app, partner/lib]
      rotation: {members: [ann], handover: {day: mon, time: "09:00"}, start: 2026-01-05}
`))
	if err != nil {
		t.Fatal(err)
	}
	got := Scopes(cfg)
	var names []string
	for _, s := range got {
		names = append(names, s.String())
	}
	sort.Strings(names)
	if want := []string{"orgs/Beta", "orgs/acme", "repos/partner/lib"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("scopes %v, want %v", names, want)
	}
}
