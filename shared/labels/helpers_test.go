package labels

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/ghub"
	"github.com/rituals-dev/rituals/shared/rotation"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// The tests run the processor against DynamoDB Local (its own tables per test) and the local
// Slack and GitHub stand-ins in process, which check what they receive and record it, with
// real GitHub payloads from events/github.

const (
	testSlackToken  = "xoxb-test"
	testGitHubToken = "ghp_test"
)

// staticConfig is a ConfigSource that always gives one config.
type staticConfig struct{ cfg *config.Config }

func (s staticConfig) Current(context.Context, time.Time) (*config.Config, error) { return s.cfg, nil }

// failures makes the stand-ins answer chosen requests with an error status, for a number of
// times (-1: always).
type failures struct {
	mu    sync.Mutex
	rules []failure
}

type failure struct {
	method, path string // path substring
	status       int
	times        int
}

func (f *failures) add(method, path string, status, times int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = append(f.rules, failure{method, path, status, times})
}

func (f *failures) match(r *http.Request) (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.rules {
		x := &f.rules[i]
		if x.times != 0 && r.Method == x.method && strings.Contains(r.URL.Path, x.path) {
			if x.times > 0 {
				x.times--
			}
			return x.status, true
		}
	}
	return 0, false
}

// rig is one processor with its tables and stand-ins.
type rig struct {
	t    testing.TB
	p    *Processor
	cfg  *config.Config
	srv  *standins.Server
	fail *failures
	// db and table are the DynamoDB client and state table the processor uses.
	db    *dynamodb.Client
	table string
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newRig(t *testing.T) *rig {
	t.Helper()
	return newRigWith(t, loadConfig(t, "testdata/rituals.yaml"))
}

func loadConfig(t testing.TB, file string) *config.Config {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func newRigWith(t testing.TB, cfg *config.Config) *rig {
	t.Helper()
	db, tables := dynamotest.New(t)
	r := &rig{t: t, cfg: cfg, fail: &failures{}, db: db, table: tables.State}
	r.srv = standins.New(standins.Options{SlackBotToken: testSlackToken, GitHubToken: testGitHubToken})
	r.srv.ExpectCleanSlackText(t)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if status, ok := r.fail.match(req); ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"message":"Resource not accessible by integration (stand-in refusal %d)","documentation_url":"https://docs.github.com/rest"}`, status)
			return
		}
		r.srv.ServeHTTP(w, req)
	}))
	t.Cleanup(ts.Close)
	gh, err := ghub.NewClient(testGitHubToken, standins.GitHubAPIURL(ts.URL))
	if err != nil {
		t.Fatal(err)
	}
	r.p = &Processor{
		Config:    staticConfig{cfg},
		Mirror:    Mirror{API: db, Table: tables.State},
		Timers:    Timers{API: db, Table: tables.State},
		Effects:   store.Effects{API: db, Table: tables.State},
		Calendar:  calendar.NewCalendar(nil),
		Slack:     slackapp.NewClient(testSlackToken, standins.SlackAPIURL(ts.URL)),
		GitHub:    ghub.Issues{Client: gh},
		Projects:  ghub.ProjectCache{API: db, Table: tables.State},
		Rotations: rotation.Engine{Store: rotation.Store{API: db, Table: tables.State}},
		Log:       quietLog(),
	}
	return r
}

// payload reads events/github/<file> and applies edits to its decoded JSON.
func payload(t *testing.T, file string, edits ...func(m map[string]any)) []byte {
	t.Helper()
	b, err := os.ReadFile("../../events/github/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		e(m)
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// issueOf is the payload's issue (or pull request).
func issueOf(m map[string]any) map[string]any {
	if pr, ok := m["pull_request"].(map[string]any); ok {
		return pr
	}
	return m["issue"].(map[string]any)
}

// at sets the payload's issue updated_at (and a comment's created_at) to t: the change's time.
func at(t time.Time) func(map[string]any) {
	return func(m map[string]any) {
		issueOf(m)["updated_at"] = t.UTC().Format(time.RFC3339)
		if c, ok := m["comment"].(map[string]any); ok {
			c["created_at"] = t.UTC().Format(time.RFC3339)
		}
	}
}

// number makes the payload about issue n.
func number(n int) func(map[string]any) {
	return func(m map[string]any) {
		is := issueOf(m)
		is["number"] = n
		is["html_url"] = fmt.Sprintf("https://github.com/Codertocat/Hello-World/issues/%d", n)
		is["node_id"] = fmt.Sprintf("I_test%d", n)
	}
}

// label makes a labeled/unlabeled payload about name, with the issue's labels after the
// change being others (plus name when it was added).
func label(name string, others ...string) func(map[string]any) {
	return func(m map[string]any) {
		l := m["label"].(map[string]any)
		l["name"] = name
		labels := others
		if m["action"] == "labeled" {
			labels = append(append([]string{}, others...), name)
		}
		var ls []any
		for _, n := range labels {
			ls = append(ls, map[string]any{"name": n, "color": "ededed", "default": false})
		}
		issueOf(m)["labels"] = ls
	}
}

// action sets the payload's action (and the issue's state for closed).
func action(a string) func(map[string]any) {
	return func(m map[string]any) {
		m["action"] = a
		if a == "closed" {
			issueOf(m)["state"] = "closed"
		}
	}
}

var deliveries atomic.Int64

// deliver processes the payload as the stream would, received at received.
func (r *rig) deliver(event string, body []byte, received time.Time) error {
	r.t.Helper()
	return r.p.Event(context.Background(), store.Event{
		Key: fmt.Sprintf("github#test-%d", deliveries.Add(1)), Source: "github", Type: event,
		ReceivedAt: received, Payload: body,
	})
}

// mustDeliver is deliver failing the test on an error.
func (r *rig) mustDeliver(event string, body []byte, received time.Time) {
	r.t.Helper()
	if err := r.deliver(event, body, received); err != nil {
		r.t.Fatalf("deliver %s: %v", event, err)
	}
}

// sweep runs a sweep at now and fails the test on an error.
func (r *rig) sweep(now time.Time) SweepStats {
	r.t.Helper()
	st, err := r.p.Sweep(context.Background(), now)
	if err != nil {
		r.t.Fatalf("sweep at %s: %v", now.Format(time.RFC3339), err)
	}
	return st
}

// calls returns the stand-in calls to api (all when empty) after since.
func (r *rig) calls(api string, since int64) []standins.Call {
	return r.srv.Outbox().Calls(standins.Filter{API: api, Since: since})
}

// apis lists the calls' APIs, for failure messages and order checks.
func apis(cs []standins.Call) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.API)
	}
	return out
}
