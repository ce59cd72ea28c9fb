package workboard

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/phab"
	"github.com/rituals-dev/rituals/shared/rotation"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// env is the processor against DynamoDB Local, the Slack and Conduit stand-ins (seeded from
// testdata/conduit-seed.json) and a config, with an adjustable clock: what the stand-in stamps
// transactions with and what deliveries are received at.
type env struct {
	t      *testing.T
	ctx    context.Context
	srv    *standins.Server
	url    string
	cfg    *config.Config
	proc   *Processor
	events store.Events
	mu     sync.Mutex
	now    time.Time
	seq    int
}

const botToken = "api-botforunittests0000000000000"

var tokens = map[string]string{
	"alice": "api-alice00000000000000000000000", "bob": "api-bob0000000000000000000000000", "erin": "api-erin000000000000000000000000",
	"gina": "api-gina000000000000000000000000", "mallory": "api-mallory000000000000000000000",
}

// t0 is Monday 2026-11-23 10:00 UTC (10:00 in London): alice is on the support rotation.
var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// quiet drops the processor's logs (the tests assert on what it does).
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type staticConfig struct{ cfg *config.Config }

func (s staticConfig) Current(context.Context, time.Time) (*config.Config, error) { return s.cfg, nil }

// newEnv starts an env; replace edits the test config (old, new pairs).
func newEnv(t *testing.T, flavor string, replace ...string) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), now: t0}
	raw, err := os.ReadFile("testdata/rituals.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(doc, replace[i]) {
			t.Fatalf("%q is not in the test config", replace[i])
		}
		doc = strings.Replace(doc, replace[i], replace[i+1], 1)
	}
	if e.cfg, err = config.Parse([]byte(doc)); err != nil {
		t.Fatal(err)
	}
	e.srv = standins.New(standins.Options{SlackBotToken: "xoxb-test", ConduitToken: botToken, Now: e.clock})
	e.srv.ExpectCleanSlackText(t)
	hs := httptest.NewServer(e.srv)
	t.Cleanup(hs.Close)
	e.url = hs.URL
	b, err := os.ReadFile("testdata/conduit-seed.json")
	if err != nil {
		t.Fatal(err)
	}
	var seed standins.ConduitSeed
	if err := json.Unmarshal(b, &seed); err != nil {
		t.Fatal(err)
	}
	if flavor != "" {
		seed.Flavor = flavor
	}
	if _, err := e.srv.SeedConduit(seed); err != nil {
		t.Fatal(err)
	}
	ddb, tables := dynamotest.New(t)
	e.events = store.Events{API: ddb, Table: tables.Events}
	mirror := phab.Mirror{API: ddb, Table: tables.State}
	board := &Workboard{
		Store: Store{API: ddb, Table: tables.State}, Mirror: mirror, Effects: store.Effects{API: ddb, Table: tables.State},
		Calendar: calendar.NewCalendar(nil), Slack: slackapp.NewClient("xoxb-test", standins.SlackAPIURL(hs.URL)),
		Duty: Rotations{Engine: rotation.Engine{Store: rotation.Store{API: ddb, Table: tables.State}}}, Log: quiet,
	}
	e.proc = &Processor{
		Phab: &phab.Processor{
			Config: staticConfig{e.cfg}, Clients: &phab.Clients{Token: botToken, URL: standins.ConduitAPIURL(hs.URL)},
			Resolver: &phab.Resolver{}, Mirror: mirror, Reactors: []phab.Reactor{board}, Log: quiet,
		},
		Board: board, Parts: e.events, Log: quiet,
	}
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) set(t time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = t
}

// edit makes an edit as user (a new task when task is "") and returns the task and the
// transactions applied.
func (e *env) edit(user, task string, edits ...conduit.Edit) (string, []string) {
	e.t.Helper()
	phid, xacts, err := standins.EditTask(e.ctx, e.url, tokens[user], task, edits...)
	if err != nil {
		e.t.Fatalf("%s edits %s: %v", user, task, err)
	}
	return phid, xacts
}

// deliver processes a Herald delivery of the transactions as the stream would hand it over,
// received now.
func (e *env) deliver(task string, xacts ...string) {
	e.t.Helper()
	if err := e.proc.Event(e.ctx, e.delivery(task, xacts...)); err != nil {
		e.t.Fatalf("delivery: %v", err)
	}
}

func (e *env) delivery(task string, xacts ...string) store.Event {
	var list []map[string]string
	for _, x := range xacts {
		list = append(list, map[string]string{"phid": x})
	}
	body, _ := json.MarshalIndent(map[string]any{
		"object": map[string]string{"type": "TASK", "phid": task}, "triggers": []map[string]string{{"phid": "PHID-HRUL-test"}},
		"action": map[string]any{"test": false, "silent": false, "secure": false, "epoch": e.clock().Unix()}, "transactions": list,
	}, "", "  ")
	e.seq++
	return store.Event{Key: fmt.Sprintf("phabricator#unit%d", e.seq), Source: "phabricator", Type: "TASK", ReceivedAt: e.clock(), Payload: body}
}

func (e *env) tick(at time.Time) {
	e.t.Helper()
	e.set(at)
	if err := e.proc.Tick(e.ctx, at); err != nil {
		e.t.Fatalf("tick at %v: %v", at, err)
	}
}

func (e *env) last() int64 { return e.srv.Outbox().Last() }

func (e *env) calls(service, api string, since int64) []standins.Call {
	return e.srv.Outbox().Calls(standins.Filter{Service: service, API: api, Since: since})
}

// posts are the texts posted to channel ("" for any) since.
func (e *env) posts(channel string, since int64) []string {
	return e.srv.Outbox().Posts(channel, since)
}

// dms are the users DMs were opened with since.
func (e *env) dms(since int64) []string { return e.srv.Outbox().DMsOpened(since) }

func (e *env) incidents() []*Incident {
	e.t.Helper()
	is, err := e.proc.Board.Store.Since(e.ctx, "rocket", time.Time{})
	if err != nil {
		e.t.Fatal(err)
	}
	return is
}

// newTask creates a task tagged with the team's project as erin (and delivers it).
func (e *env) newTask(title string, edits ...conduit.Edit) string {
	e.t.Helper()
	task, xacts := e.edit("erin", "", append([]conduit.Edit{{Type: "title", Value: title}, {Type: "projects.add", Value: []string{"PHID-PROJ-rocket"}}}, edits...)...)
	e.deliver(task, xacts...)
	return task
}
