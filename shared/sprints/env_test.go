package sprints

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
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
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// env is the SprintsFunction and the Phabricator processor (with the sprints reactor) against
// DynamoDB Local, the Slack and Conduit stand-ins (Conduit seeded from testdata) and the test
// config, on an adjustable clock: what the stand-ins stamp calls and transactions with, and
// what deliveries are received at.
type env struct {
	t      *testing.T
	ctx    context.Context
	srv    *standins.Server
	url    string
	cfg    *config.Config
	proc   *Processor
	phab   *phab.Processor
	store  Store
	events store.Events

	mu     sync.Mutex
	now    time.Time
	seq    int
	charts []Chart
}

const botToken = "api-botforunittests0000000000000"

var tokens = map[string]string{
	"alice": "api-alice00000000000000000000000", "bob": "api-bob0000000000000000000000000", "erin": "api-erin000000000000000000000000",
	"gina": "api-gina000000000000000000000000", "dave": "api-dave000000000000000000000000", "zed": "api-zed00000000000000000000000000",
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type staticConfig struct{ cfg *config.Config }

func (s staticConfig) Current(context.Context, time.Time) (*config.Config, error) { return s.cfg, nil }

// newEnv starts an env at start; replace edits the test config (old, new pairs).
func newEnv(t *testing.T, start time.Time, replace ...string) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), now: start}
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
	if err := e.srv.SeedConduitFile("testdata/conduit-seed.json"); err != nil {
		t.Fatal(err)
	}
	ddb, tables := dynamotest.New(t)
	e.events = store.Events{API: ddb, Table: tables.Events}
	e.store = Store{API: ddb, Table: tables.State}
	effects := store.Effects{API: ddb, Table: tables.State}
	slackClient := slackapp.NewClient("xoxb-test", standins.SlackAPIURL(hs.URL))
	rec := &Recorder{Store: e.store, Effects: effects, Slack: slackClient, Log: quiet}
	clients := &phab.Clients{Token: botToken, URL: standins.ConduitAPIURL(hs.URL)}
	e.proc = &Processor{
		Config: staticConfig{e.cfg}, Store: e.store, Recorder: rec, Effects: effects, Slack: slackClient,
		Calendar: calendar.NewCalendar(nil), Render: e.render, Phab: ConduitSource{Clients: clients, Resolver: &phab.Resolver{}},
		Parts: e.events, Log: quiet,
	}
	e.phab = &phab.Processor{
		Config: staticConfig{e.cfg}, Clients: clients, Resolver: &phab.Resolver{}, Mirror: phab.Mirror{API: ddb, Table: tables.State},
		Reactors: []phab.Reactor{&PhabReactor{Recorder: rec}}, Log: quiet,
	}
	return e
}

// render records the chart's data and draws a placeholder image (package burnup draws the
// real one; it is tested there and end to end).
func (e *env) render(c Chart) ([]byte, error) {
	e.mu.Lock()
	e.charts = append(e.charts, c)
	e.mu.Unlock()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
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

// edit makes an edit as user at the clock's time (a new task when task is "") and returns the
// task and the transactions applied.
func (e *env) edit(user, task string, edits ...conduit.Edit) (string, []string) {
	e.t.Helper()
	phid, xacts, err := standins.EditTask(e.ctx, e.url, tokens[user], task, edits...)
	if err != nil {
		e.t.Fatalf("%s edits %s: %v", user, task, err)
	}
	return phid, xacts
}

// change makes an edit at at and delivers it as Herald would, at once.
func (e *env) change(at time.Time, user, task string, edits ...conduit.Edit) string {
	e.t.Helper()
	e.set(at)
	phid, xacts := e.edit(user, task, edits...)
	e.deliver(phid, xacts...)
	return phid
}

// deliver processes a Herald delivery of the transactions, received now.
func (e *env) deliver(task string, xacts ...string) {
	e.t.Helper()
	var list []map[string]string
	for _, x := range xacts {
		list = append(list, map[string]string{"phid": x})
	}
	body, _ := json.MarshalIndent(map[string]any{
		"object": map[string]string{"type": "TASK", "phid": task}, "triggers": []map[string]string{{"phid": "PHID-HRUL-test"}},
		"action": map[string]any{"test": false, "silent": false, "secure": false, "epoch": e.clock().Unix()}, "transactions": list,
	}, "", "  ")
	e.seq++
	ev := store.Event{Key: fmt.Sprintf("phabricator#unit%d", e.seq), Source: "phabricator", Type: "TASK", ReceivedAt: e.clock(), Payload: body}
	if err := e.phab.Delivery(e.ctx, ev); err != nil {
		e.t.Fatalf("delivery: %v", err)
	}
}

// tick runs the SprintsFunction's schedule at at.
func (e *env) tick(at time.Time) {
	e.t.Helper()
	e.set(at)
	if err := e.proc.Tick(e.ctx, at); err != nil {
		e.t.Fatalf("tick at %v: %v", at, err)
	}
}

// github processes a GitHub delivery of event (a fixture of events/github, after edits),
// received at at.
func (e *env) github(at time.Time, event, fixture string, edits ...func(m map[string]any)) {
	e.t.Helper()
	e.set(at)
	b, err := os.ReadFile("../../events/github/" + fixture)
	if err != nil {
		e.t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		e.t.Fatal(err)
	}
	for _, f := range edits {
		f(m)
	}
	body, _ := json.Marshal(m)
	e.seq++
	ev := store.Event{Key: fmt.Sprintf("github#unit%d", e.seq), Source: "github", Type: event, Action: fmt.Sprint(m["action"]), Repo: "acme/web", ReceivedAt: at, Payload: body}
	if err := e.proc.Event(e.ctx, ev); err != nil {
		e.t.Fatalf("github %s: %v", fixture, err)
	}
}

func (e *env) last() int64 { return e.srv.Outbox().Last() }

func (e *env) calls(service, api string, since int64) []standins.Call {
	return e.srv.Outbox().Calls(standins.Filter{Service: service, API: api, Since: since})
}

// posts are the texts posted to channel (a channel id, or a user id for DMs) since seq,
// outside threads.
func (e *env) posts(channel string, since int64) []string {
	var out []string
	for _, c := range e.calls("slack", "chat.postMessage", since) {
		ch := c.Arg("channel")
		if c.Arg("thread_ts") != "" {
			continue
		}
		if ch == channel || (strings.HasPrefix(channel, "U") && strings.HasPrefix(ch, "D") && dmOf(e, c) == channel) {
			out = append(out, c.Arg("text"))
		}
	}
	return out
}

// dmOf tells which user a DM channel was opened with (from the conversations.open calls).
func dmOf(e *env, post standins.Call) string {
	for _, c := range e.calls("slack", "conversations.open", 0) {
		resp, _ := c.Response.(map[string]any)
		ch, _ := resp["channel"].(map[string]any)
		if ch != nil && ch["id"] == post.Arg("channel") {
			return c.Arg("users")
		}
	}
	return ""
}

// key is a task's monogram ("T12").
func (e *env) key(phid string) string {
	e.t.Helper()
	c, err := conduit.New(conduit.Options{BaseURL: standins.ConduitAPIURL(e.url), Token: botToken})
	if err != nil {
		e.t.Fatal(err)
	}
	t, ok, err := c.Task(e.ctx, phid)
	if err != nil || !ok {
		e.t.Fatalf("task %s: %v", phid, err)
	}
	return fmt.Sprintf("T%d", t.ID)
}

// in is the moment of day d at hh:mm in loc.
func in(loc *time.Location, y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, loc)
}
