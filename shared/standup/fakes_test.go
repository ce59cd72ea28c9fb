package standup

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/config"
)

// staticConfig is a ConfigSource that always gives the same config.
type staticConfig struct{ cfg *config.Config }

func (s staticConfig) Current(context.Context, time.Time) (*config.Config, error) { return s.cfg, nil }

// call is one request a fake API received.
type call struct {
	Method string // Slack method, or "POST /repos/..." for GitHub
	Form   url.Values
	JSON   map[string]any
	Raw    string
}

// fakeAPI records Slack Web API, GitHub REST and response_url calls, answering like the real
// APIs do for the calls the standup makes.
type fakeAPI struct {
	mu     sync.Mutex
	calls  []call
	srv    *httptest.Server
	issues int
	fail   map[string]bool
	// refuse answers a Slack method with that error code (ok:false), as Slack does.
	refuse map[string]string
	// ghStatus answers "METHOD /path" on GitHub with that status and GitHub's error body.
	ghStatus map[string]int
	// hold, when set, makes chat.postMessage wait until it is closed (an effect in flight);
	// held counts the requests waiting.
	hold chan struct{}
	held atomic.Int32
}

func newFakeAPI(t *testing.T) *fakeAPI {
	f := &fakeAPI{fail: map[string]bool{}, refuse: map[string]string{}, ghStatus: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c := call{Raw: string(body)}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(body, &c.JSON)
	} else {
		c.Form, _ = url.ParseQuery(string(body))
	}
	f.mu.Lock()
	hold := f.hold
	f.mu.Unlock()
	if hold != nil && r.URL.Path == "/slack/chat.postMessage" {
		f.held.Add(1)
		<-hold
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case strings.HasPrefix(r.URL.Path, "/slack/"):
		c.Method = strings.TrimPrefix(r.URL.Path, "/slack/")
		if f.fail[c.Method] {
			_, _ = io.WriteString(w, `{"ok":false,"error":"internal_error"}`)
			return
		}
		if code := f.refuse[c.Method]; code != "" {
			fmt.Fprintf(w, `{"ok":false,"error":%q}`, code)
			return
		}
		f.calls = append(f.calls, c)
		fmt.Fprintf(w, `{"ok":true,"channel":"D0FAKE","ts":"1558000000.%06d","view":{"id":"V0FAKE"}}`, len(f.calls))
	case strings.HasPrefix(r.URL.Path, "/github/"):
		c.Method = r.Method + " " + strings.TrimPrefix(r.URL.Path, "/github")
		if code := f.ghStatus[c.Method]; code != 0 {
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"message":%q,"documentation_url":"https://docs.github.com/rest"}`, http.StatusText(code))
			return
		}
		f.calls = append(f.calls, c)
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/issues") {
			f.issues++
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"number":%d}`, f.issues)
			return
		}
		_, _ = io.WriteString(w, `{}`)
	case r.URL.Path == "/respond":
		c.Method = "response_url"
		f.calls = append(f.calls, c)
		_, _ = io.WriteString(w, `ok`)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeAPI) slack() *slack.Client {
	return slack.New("xoxb-test", slack.OptionAPIURL(f.srv.URL+"/slack/"))
}

func (f *fakeAPI) github(t *testing.T) *github.Client {
	gh := github.NewClient(nil).WithAuthToken("ghp-test")
	u, _ := url.Parse(f.srv.URL + "/github/")
	gh.BaseURL = u
	return gh
}

// take returns the calls recorded since the last take.
func (f *fakeAPI) take() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.calls
	f.calls = nil
	return out
}

func methods(calls []call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Method)
	}
	return out
}

// text is everything a call carried (form and JSON), for "contains" checks.
func (c call) text() string {
	if c.Form == nil {
		return c.Raw
	}
	var parts []string
	for k, vs := range c.Form {
		parts = append(parts, k+"="+strings.Join(vs, ","))
	}
	return strings.Join(parts, "\n")
}
