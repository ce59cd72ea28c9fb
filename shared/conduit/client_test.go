package conduit_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/retry"
)

const token = "api-clienttesttoken"

// fastRetry keeps retry waits short in tests.
var fastRetry = retry.Policy{Attempts: 3, Backoff: time.Millisecond, MaxWait: 50 * time.Millisecond}

func standIn(t *testing.T, flavor string) (*standins.Server, *conduit.Client) {
	t.Helper()
	s := standins.New(standins.Options{ConduitToken: token, ConduitFlavor: flavor})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, err := conduit.New(conduit.Options{BaseURL: standins.ConduitAPIURL(srv.URL), Token: token, Retry: fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	for _, o := range []conduit.Options{
		{BaseURL: "", Token: "x"},
		{BaseURL: "phabricator.example.org", Token: "x"},
		{BaseURL: "ftp://phabricator.example.org", Token: "x"},
		{BaseURL: "https://phabricator.example.org", Token: ""},
	} {
		if _, err := conduit.New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
}

// TestCallSendsFormEncodedParams: the request is what arcanist sends: a form with params
// (JSON, token inside), output=json and __conduit__=1; never a JSON body.
func TestCallSendsFormEncodedParams(t *testing.T) {
	t.Parallel()
	var got url.Values
	var ct string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct = r.Header.Get("Content-Type")
		b, _ := io.ReadAll(r.Body)
		got, _ = url.ParseQuery(string(b))
		if r.URL.Path != "/phab/api/conduit.ping" {
			t.Errorf("path %s", r.URL.Path)
		}
		fmt.Fprint(w, `{"result":"pong","error_code":null,"error_info":null}`)
	}))
	defer srv.Close()
	c, _ := conduit.New(conduit.Options{BaseURL: srv.URL + "/phab/", Token: token})
	var out string
	if err := c.Call(context.Background(), "conduit.ping", map[string]any{"x": 1}, &out); err != nil || out != "pong" {
		t.Fatalf("%q %v", out, err)
	}
	if ct != "application/x-www-form-urlencoded" || got.Get("output") != "json" || got.Get("__conduit__") != "1" ||
		!strings.Contains(got.Get("params"), `"__conduit__":{"token":"`+token+`"}`) || !strings.Contains(got.Get("params"), `"x":1`) {
		t.Fatalf("content type %q, form %v", ct, got)
	}
}

// TestErrors: every failure names the method and the code, and is classified for retry.
func TestErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		status    int
		body      string
		code      string
		transient bool
		forbidden bool
		want      string
	}{
		{"invalid auth", 200, `{"result":null,"error_code":"ERR-INVALID-AUTH","error_info":"API token \"api-x\" is not valid."}`, "ERR-INVALID-AUTH", false, true, "conduit maniphest.search: ERR-INVALID-AUTH: API token"},
		{"policy", 200, `{"result":null,"error_code":"ERR-CONDUIT-CORE","error_info":"You Shall Not Pass: T12 You do not have permission to edit this object."}`, "ERR-CONDUIT-CORE", false, true, "ERR-CONDUIT-CORE: You Shall Not Pass"},
		{"bad input", 200, `{"result":null,"error_code":"ERR-CONDUIT-CALL","error_info":"Got unexpected parameters: fulltext"}`, "ERR-CONDUIT-CALL", false, false, "ERR-CONDUIT-CALL"},
		{"database down", 200, `{"result":null,"error_code":"ERR-CONDUIT-CORE","error_info":"Attempt to connect to phabricator@db failed with error #2002: Connection refused."}`, "ERR-CONDUIT-CORE", true, false, "#2002"},
		{"rate limited", 200, `{"result":null,"error_code":"ERR-CONDUIT-CORE","error_info":"You are performing too many actions too quickly."}`, "ERR-CONDUIT-CORE", true, false, "too many"},
		{"bad gateway", 502, `<html>Bad Gateway</html>`, "", true, false, "conduit maniphest.search: HTTP 502"},
		{"wrong url", 404, `not found`, "", false, false, "HTTP 404"},
		{"not conduit", 200, `<!DOCTYPE html><html>Login</html>`, "", false, false, "not a Conduit result"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			c, _ := conduit.New(conduit.Options{BaseURL: srv.URL, Token: token, Retry: fastRetry})
			err := c.Call(context.Background(), conduit.MethodTaskSearch, nil, nil)
			var ce *conduit.Error
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) || ce.Code != tc.code || conduit.CodeOf(err) != tc.code {
				t.Fatalf("err = %v", err)
			}
			if retry.Transient(err) != tc.transient || retry.Permanent(err) == tc.transient || ce.Forbidden() != tc.forbidden {
				t.Errorf("transient %v permanent %v forbidden %v", retry.Transient(err), retry.Permanent(err), ce.Forbidden())
			}
			wantCalls := int32(1)
			if tc.transient {
				wantCalls = 3
			}
			if calls.Load() != wantCalls || c.Calls() != int64(wantCalls) {
				t.Errorf("%d attempts (counted %d), want %d", calls.Load(), c.Calls(), wantCalls)
			}
		})
	}
}

// TestEditsAreNotRepeated: a transient failure of maniphest.edit that may have reached the
// server is not retried (a second edit would post the comment twice); one the server refused
// before acting (503) is.
func TestEditsAreNotRepeated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		calls  int32
	}{{502, 1}, {503, 3}} {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.WriteHeader(tc.status)
		}))
		c, _ := conduit.New(conduit.Options{BaseURL: srv.URL, Token: token, Retry: fastRetry})
		_, err := c.EditTask(context.Background(), "T1", conduit.Edit{Type: "comment", Value: "hi"})
		srv.Close()
		if !retry.Transient(err) || calls.Load() != tc.calls {
			t.Errorf("HTTP %d: %d calls, err %v (transient %v)", tc.status, calls.Load(), err, retry.Transient(err))
		}
	}
}

// TestTimeoutPerAttempt: a server that never answers costs one timeout per attempt, and the
// error is transient.
func TestTimeoutPerAttempt(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	c, _ := conduit.New(conduit.Options{BaseURL: srv.URL, Token: token, Timeout: 20 * time.Millisecond, Retry: retry.Policy{Attempts: 2, Backoff: time.Millisecond}})
	err := c.Call(context.Background(), conduit.MethodWhoAmI, nil, nil)
	if !retry.Transient(err) || c.Calls() != 2 || !strings.Contains(err.Error(), "conduit user.whoami") {
		t.Fatalf("err %v after %d calls", err, c.Calls())
	}
}

// TestPaging: a search reads every page of 100 with the cursor.
func TestPaging(t *testing.T) {
	t.Parallel()
	s, c := standIn(t, standins.FlavorPhabricator)
	seed := standins.ConduitSeed{Projects: []standins.ConduitProject{{PHID: "PHID-PROJ-big", Name: "Big", Slug: "big"}}}
	for i := 0; i < 250; i++ {
		seed.Tasks = append(seed.Tasks, standins.ConduitTask{Name: fmt.Sprintf("task %d", i), Projects: []string{"PHID-PROJ-big"}})
	}
	if _, err := s.SeedConduit(seed); err != nil {
		t.Fatal(err)
	}
	before := c.Calls()
	tasks, err := c.SearchTasks(context.Background(), conduit.TaskQuery{Projects: []string{"big"}, WithProjects: true})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, task := range tasks {
		seen[task.ID] = true
	}
	if len(tasks) != 250 || len(seen) != 250 || c.Calls()-before != 3 {
		t.Fatalf("%d tasks (%d distinct) in %d calls", len(tasks), len(seen), c.Calls()-before)
	}
	for _, call := range s.Outbox().Calls(standins.Filter{Service: "conduit", API: conduit.MethodTaskSearch}) {
		if fmt.Sprint(call.Request.(map[string]any)["limit"]) != "100" {
			t.Errorf("page size %v", call.Request.(map[string]any)["limit"])
		}
	}
}

// TestStandInRefusesJSONBodies: the stand-in answers a JSON body as Phabricator does, which is
// why the client never sends one.
func TestStandInRefusesJSONBodies(t *testing.T) {
	t.Parallel()
	s := standins.New(standins.Options{ConduitToken: token})
	srv := httptest.NewServer(s)
	defer srv.Close()
	resp, err := http.Post(standins.ConduitAPIURL(srv.URL)+"api/user.whoami", "application/json", strings.NewReader(`{"__conduit__":{"token":"`+token+`"}}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	_, err = conduit.DecodeEnvelope("user.whoami", b)
	if resp.StatusCode != 200 || conduit.CodeOf(err) != "ERR-CONDUIT-CORE" || !strings.Contains(err.Error(), "Use form-encoded data") {
		t.Fatalf("%d %s: %v", resp.StatusCode, b, err)
	}
}

// TestPrioritiesAndStatusesAreCached: names come from the server, once per TTL.
func TestPrioritiesAndStatusesAreCached(t *testing.T) {
	t.Parallel()
	_, c := standIn(t, standins.FlavorPhorge)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		ps, err := c.Priorities(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ps[0].Value != 100 || ps[0].Name != "Unbreak Now!" || ps[0].Keyword() != "unbreak" || ps[len(ps)-1].Value != 0 {
			t.Fatalf("priorities %+v", ps)
		}
		ss, err := c.Statuses(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ss[0].Value != "open" || ss[0].Closed || !ss[1].Closed {
			t.Fatalf("statuses %+v", ss)
		}
		me, err := c.WhoAmI(ctx)
		if err != nil || me.PHID != standins.ConduitBotPHID || me.Username != standins.ConduitBotName {
			t.Fatalf("whoami %+v %v", me, err)
		}
	}
	if c.Calls() != 3 {
		t.Fatalf("%d calls for three rounds, want 3 (cached)", c.Calls())
	}
}
