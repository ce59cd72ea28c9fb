package support

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/ghub"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// call is one request a fake API received.
type call struct {
	API  string // Slack method ("chat.postMessage") or GitHub operation ("create-comment", "graphql")
	Path string
	Form url.Values     // Slack form posts
	JSON map[string]any // JSON bodies
}

// text returns the call's message text (Slack) or body (GitHub comment).
func (c call) text() string {
	if c.Form != nil {
		return c.Form.Get("text")
	}
	if s, ok := c.JSON["body"].(string); ok {
		return s
	}
	if s, ok := c.JSON["query"].(string); ok {
		return s
	}
	return ""
}

// fakes are recording httptest servers standing in for the Slack Web API and GitHub's REST
// and GraphQL APIs, answering with the shapes the clients decode.
type fakes struct {
	mu    sync.Mutex
	calls []call
	ts    int
	// failGitHub makes the next n GitHub calls answer 502.
	failGitHub int
	// failSlack makes the next n Slack calls answer ok:false.
	failSlack int
	slack, gh *httptest.Server
}

func newFakes(t testing.TB) *fakes {
	t.Helper()
	f := &fakes{}
	f.slack = httptest.NewServer(http.HandlerFunc(f.serveSlack))
	f.gh = httptest.NewServer(http.HandlerFunc(f.serveGitHub))
	t.Cleanup(f.slack.Close)
	t.Cleanup(f.gh.Close)
	return f
}

func (f *fakes) record(c call) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
}

// Calls returns the calls to api (all when empty), in order.
func (f *fakes) Calls(api string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if api == "" || c.API == api {
			out = append(out, c)
		}
	}
	return out
}

// Reset forgets the calls so far.
func (f *fakes) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakes) serveSlack(w http.ResponseWriter, r *http.Request) {
	api := strings.TrimPrefix(r.URL.Path, "/")
	c := call{API: api, Path: r.URL.Path}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &c.JSON)
	} else {
		_ = r.ParseForm()
		c.Form = r.PostForm
	}
	// slack-go sends the token as a form field with form posts, as a bearer header with JSON.
	if r.Header.Get("Authorization") != "Bearer xoxb-test" && c.Form.Get("token") != "xoxb-test" {
		writeJSON(w, 200, map[string]any{"ok": false, "error": "not_authed"})
		return
	}
	f.mu.Lock()
	fail := f.failSlack > 0
	if fail {
		f.failSlack--
	}
	f.ts++
	ts := fmt.Sprintf("1774000000.%06d", f.ts)
	f.mu.Unlock()
	if fail {
		writeJSON(w, 200, map[string]any{"ok": false, "error": "internal_error"})
		return
	}
	f.record(c)
	switch api {
	case "chat.postMessage":
		writeJSON(w, 200, map[string]any{"ok": true, "channel": c.Form.Get("channel"), "ts": ts})
	case "chat.update":
		writeJSON(w, 200, map[string]any{"ok": true, "channel": c.Form.Get("channel"), "ts": c.Form.Get("ts"), "text": c.Form.Get("text")})
	case "conversations.open":
		writeJSON(w, 200, map[string]any{"ok": true, "channel": map[string]any{"id": "D" + strings.TrimPrefix(c.Form.Get("users"), "U")}})
	case "chat.postEphemeral":
		writeJSON(w, 200, map[string]any{"ok": true, "message_ts": ts})
	case "views.open":
		writeJSON(w, 200, map[string]any{"ok": true, "view": map[string]any{"id": "V0001"}})
	default:
		writeJSON(w, 200, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

var issuePath = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues/(\d+)/(comments|assignees)$`)

func (f *fakes) serveGitHub(w http.ResponseWriter, r *http.Request) {
	c := call{Path: r.URL.Path}
	b, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(b, &c.JSON)
	if r.Header.Get("Authorization") != "Bearer ghp_test" {
		writeJSON(w, 401, map[string]any{"message": "Bad credentials"})
		return
	}
	f.mu.Lock()
	fail := f.failGitHub > 0
	if fail {
		f.failGitHub--
	}
	f.mu.Unlock()
	if fail {
		writeJSON(w, 502, map[string]any{"message": "Server Error"})
		return
	}
	m := issuePath.FindStringSubmatch(r.URL.Path)
	switch {
	case r.URL.Path == "/graphql" && r.Method == http.MethodPost:
		c.API = "graphql"
		f.record(c)
		q, _ := c.JSON["query"].(string)
		switch {
		case strings.Contains(q, "organization(login"):
			writeJSON(w, 200, map[string]any{"data": map[string]any{"organization": map[string]any{"projectV2": map[string]any{
				"id": "PVT_kwDOproject1",
				"fields": map[string]any{"nodes": []any{
					map[string]any{},
					map[string]any{"id": "PVTSSF_status", "name": "Status", "options": []any{
						map[string]any{"id": "opt_todo", "name": "Todo"},
						map[string]any{"id": "opt_support", "name": "Support Issues"},
					}},
				}},
			}}}})
		case strings.Contains(q, "addProjectV2ItemById"):
			writeJSON(w, 200, map[string]any{"data": map[string]any{"addProjectV2ItemById": map[string]any{"item": map[string]any{"id": "PVTI_item1"}}}})
		case strings.Contains(q, "updateProjectV2ItemFieldValue"):
			writeJSON(w, 200, map[string]any{"data": map[string]any{"updateProjectV2ItemFieldValue": map[string]any{"projectV2Item": map[string]any{"id": "PVTI_item1"}}}})
		default:
			writeJSON(w, 200, map[string]any{"errors": []any{map[string]any{"message": "unsupported query"}}})
		}
	case m != nil && m[4] == "comments" && r.Method == http.MethodPost:
		c.API = "create-comment"
		f.record(c)
		writeJSON(w, 201, map[string]any{"id": 1, "html_url": "https://github.com/" + m[1] + "/" + m[2] + "/issues/" + m[3] + "#issuecomment-1", "body": c.JSON["body"]})
	case m != nil && m[4] == "assignees" && r.Method == http.MethodPost:
		c.API = "add-assignees"
		f.record(c)
		writeJSON(w, 201, map[string]any{"number": 1})
	case m != nil && m[4] == "assignees" && r.Method == http.MethodDelete:
		c.API = "remove-assignees"
		f.record(c)
		writeJSON(w, 200, map[string]any{"number": 1})
	default:
		writeJSON(w, 404, map[string]any{"message": "Not Found"})
	}
}

// capturedEvents stores events like store.Events and keeps them for the test to feed to the
// processor, standing in for the stream.
type capturedEvents struct {
	inner store.Events
	mu    sync.Mutex
	got   []store.Event
}

func (c *capturedEvents) PutEvent(ctx context.Context, e store.Event) error {
	if err := c.inner.PutEvent(ctx, e); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, e)
	return nil
}

// take returns the events captured since the last take.
func (c *capturedEvents) take() []store.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.got
	c.got = nil
	return out
}

// harness wires a Processor, Interactions and Command to DynamoDB Local and the fakes.
type harness struct {
	cfg    *config.Config
	fakes  *fakes
	st     Store
	fx     store.Effects
	events *capturedEvents
	p      *Processor
	ix     Interactions
	cmd    Command
	seq    int
}

func newHarness(t testing.TB, cfg *config.Config) *harness {
	t.Helper()
	client, tables := dynamotest.New(t)
	f := newFakes(t)
	gh, err := ghub.NewClient("ghp_test", f.gh.URL)
	if err != nil {
		t.Fatal(err)
	}
	sl := slackapp.NewClient("xoxb-test", f.slack.URL)
	st := Store{API: client, Table: tables.State}
	fx := store.Effects{API: client, Table: tables.State}
	evs := store.Events{API: client, Table: tables.Events}
	h := &harness{cfg: cfg, fakes: f, st: st, fx: fx, events: &capturedEvents{inner: evs}}
	src := staticConfig{cfg}
	h.p = &Processor{Config: src, Store: st, Effects: fx, Calendar: calendar.NewCalendar(nil), Slack: sl, GitHub: GitHubClient{Client: gh}, Parts: evs, Log: quietLog()}
	h.ix = Interactions{Config: src, Store: st, Events: h.events, Slack: sl, Log: quietLog()}
	h.cmd = Command{Config: src, Store: st}
	return h
}

// issue delivers a GitHub issues payload to the processor as received at at.
func (h *harness) issue(t testing.TB, body []byte, at time.Time) error {
	t.Helper()
	h.seq++
	var probe struct {
		Action string `json:"action"`
	}
	_ = json.Unmarshal(body, &probe)
	return h.p.Event(context.Background(), store.Event{
		Key: fmt.Sprintf("github#delivery-%d", h.seq), Source: "github", Type: "issues", Action: probe.Action,
		Repo: "Codertocat/Hello-World", ReceivedAt: at, Payload: body,
	})
}

// flush feeds the events the interactive paths put to the processor, as the stream would.
func (h *harness) flush(t testing.TB) {
	t.Helper()
	for _, e := range h.events.take() {
		if err := h.p.Event(context.Background(), e); err != nil {
			t.Fatalf("processing %s: %v", e.Key, err)
		}
	}
}

func (h *harness) request(t testing.TB, id ID) *Request {
	t.Helper()
	r, err := h.st.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
