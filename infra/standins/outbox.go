package standins

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Call is one request a stand-in received, as recorded in the outbox.
type Call struct {
	Seq     int64     `json:"seq"`
	Time    time.Time `json:"time"`
	Service string    `json:"service"` // slack, github or conduit
	Method  string    `json:"method"`
	// Path is below the service's base URL: "/chat.postMessage", "/repos/o/r/issues/1/comments".
	Path string `json:"path"`
	// API names the operation: a Slack or Conduit method ("chat.postMessage",
	// "maniphest.edit", "response_url"), or GitHub's REST operation id ("issues/create-comment",
	// "graphql").
	API        string `json:"api"`
	Authorized bool   `json:"authorized"`
	Status     int    `json:"status"`
	// Request is the parsed JSON or form body (tokens redacted); Response is what was answered.
	Request  any `json:"request"`
	Response any `json:"response"`
	// Fault is set on a call that an injected fault refused ("429", "503", "drop", ...): the
	// stand-in did not act on it. Status is the status answered (0 when dropped).
	Fault string `json:"fault,omitempty"`
	// Delayed is the injected delay of a slow call that was then served (and acted on).
	Delayed string `json:"delayed,omitempty"`
	// Problems are what the real API would accept but show or treat wrongly (a literal "<" in
	// Slack text); the call is served as the API would serve it.
	Problems []string `json:"problems,omitempty"`
}

// Arg is the request's top-level field k as text: a string as it is, "" when absent, anything
// else as its JSON.
func (c Call) Arg(k string) string {
	m, _ := c.Request.(map[string]any)
	switch v := m[k].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// Posts are the texts of the chat.postMessage calls to channel ("" for any) since seq.
func (o *Outbox) Posts(channel string, since int64) []string {
	var out []string
	for _, c := range o.Calls(Filter{Service: "slack", API: "chat.postMessage", Since: since}) {
		if channel == "" || c.Arg("channel") == channel {
			out = append(out, c.Arg("text"))
		}
	}
	return out
}

// DMsOpened are the users conversations.open was called for since seq, in order.
func (o *Outbox) DMsOpened(since int64) []string {
	var out []string
	for _, c := range o.Calls(Filter{Service: "slack", API: "conversations.open", Since: since}) {
		out = append(out, c.Arg("users"))
	}
	return out
}

// Filter selects calls; zero fields match everything.
type Filter struct {
	Service string
	API     string
	// Since keeps calls with Seq > Since.
	Since int64
	// NoFaults leaves out calls an injected fault refused, which had no effect.
	NoFaults bool
}

func (f Filter) match(c Call) bool {
	return (f.Service == "" || c.Service == f.Service) && (f.API == "" || c.API == f.API) && c.Seq > f.Since &&
		!(f.NoFaults && c.Fault != "")
}

// Outbox records every call the stand-ins receive, in order. It is safe for concurrent use.
type Outbox struct {
	mu    sync.Mutex
	calls []Call
	seq   int64
	now   func() time.Time
	// changed is closed and replaced whenever a call is recorded, for Wait.
	changed chan struct{}
}

// NewOutbox returns an empty outbox stamping calls with now (time.Now when nil).
func NewOutbox(now func() time.Time) *Outbox {
	if now == nil {
		now = time.Now
	}
	return &Outbox{now: now, changed: make(chan struct{})}
}

// Record appends c with the next sequence number and the current time, and returns it.
func (o *Outbox) Record(c Call) Call {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seq++
	c.Seq = o.seq
	c.Time = o.now().UTC()
	o.calls = append(o.calls, c)
	close(o.changed)
	o.changed = make(chan struct{})
	return c
}

// Calls returns the recorded calls matching f, oldest first.
func (o *Outbox) Calls(f Filter) []Call {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []Call
	for _, c := range o.calls {
		if f.match(c) {
			out = append(out, c)
		}
	}
	return out
}

// Last returns the sequence number of the latest call (0 when empty), to use as Filter.Since.
func (o *Outbox) Last() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.seq
}

// Wait blocks until at least n calls match f, or done is closed (then it returns what it has).
// Tests use it instead of sleeping.
func (o *Outbox) Wait(done <-chan struct{}, f Filter, n int) []Call {
	for {
		o.mu.Lock()
		ch := o.changed
		o.mu.Unlock()
		if got := o.Calls(f); len(got) >= n {
			return got
		}
		select {
		case <-ch:
		case <-done:
			return o.Calls(f)
		}
	}
}

// Clear forgets every call. Sequence numbers keep increasing.
func (o *Outbox) Clear() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = nil
}

// ServeHTTP answers GET (with ?service=&api=&since= filters, and faults=exclude to leave out
// calls refused by injected faults) with {"calls": [...]} and DELETE by clearing the outbox.
func (o *Outbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		f := Filter{Service: q.Get("service"), API: q.Get("api"), NoFaults: q.Get("faults") == "exclude"}
		if s := q.Get("since"); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"message": "since must be a sequence number"})
				return
			}
			f.Since = n
		}
		calls := o.Calls(f)
		if calls == nil {
			calls = []Call{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"calls": calls})
	case http.MethodDelete:
		o.Clear()
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, DELETE")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "use GET or DELETE"})
	}
}
