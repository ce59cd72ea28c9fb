package conduit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rituals-dev/rituals/shared/retry"
)

// DefaultTimeout bounds one HTTP attempt; a Lambda's own deadline bounds the whole call.
const DefaultTimeout = 15 * time.Second

// maxResponse bounds what is read of one answer (a page of 100 tasks with attachments is well
// under 1 MB; maniphest.gettasktransactions of a long-lived task can be a few MB).
const maxResponse = 32 << 20

// Options configures a Client.
type Options struct {
	// BaseURL is the server's root, e.g. "https://phabricator.example.org"; methods are called
	// at BaseURL + "/api/<method>".
	BaseURL string
	// Token is a Conduit API token ("api-..."), the bot user's.
	Token string
	// HTTP is the client used (a fresh one when nil); Timeout bounds each attempt (default
	// DefaultTimeout).
	HTTP    *http.Client
	Timeout time.Duration
	// Retry bounds the retries of transient failures within one call (retry.Policy defaults).
	Retry retry.Policy
	// CacheTTL is how long priorities, statuses and the bot's identity are kept (default 10
	// minutes): they change only when an administrator edits the server's config.
	CacheTTL time.Duration
	// Now is the wall clock the caches are timed on (time.Now when nil).
	Now func() time.Time
}

// Client calls Conduit. It is safe for concurrent use; one Client per container keeps the
// priority, status and identity caches warm across invocations.
type Client struct {
	base    string
	token   string
	http    *http.Client
	timeout time.Duration
	policy  retry.Policy
	ttl     time.Duration
	now     func() time.Time

	calls atomic.Int64

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	at    time.Time
	value any
}

// New returns a Client for opts. The base URL must be absolute http(s); the token must be set.
func New(opts Options) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(opts.BaseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("conduit: base URL %q must look like https://phabricator.example.org", opts.BaseURL)
	}
	if strings.TrimSpace(opts.Token) == "" {
		return nil, errors.New("conduit: no API token (set CONDUIT_API_TOKEN, or its SSM parameter)")
	}
	c := &Client{
		base:    strings.TrimSuffix(u.String(), "/") + "/api/",
		token:   opts.Token,
		http:    opts.HTTP,
		timeout: opts.Timeout,
		policy:  opts.Retry,
		ttl:     opts.CacheTTL,
		now:     opts.Now,
		cache:   map[string]cached{},
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.ttl <= 0 {
		c.ttl = 10 * time.Minute
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// Calls returns how many HTTP requests the client has made (every attempt counts), for
// budgets and benchmarks.
func (c *Client) Calls() int64 { return c.calls.Load() }

// Error is a failed Conduit call: an error_code answer, an HTTP status other than 200, an
// answer that is not Conduit's envelope, or a transport failure. Its message names the method
// and the code, which is what a dead-lettered record's log line shows.
type Error struct {
	// Method is the Conduit method called.
	Method string
	// Code is error_code ("ERR-CONDUIT-CORE", "ERR-INVALID-AUTH"...), "" when the server gave
	// none.
	Code string
	// Info is error_info, or what went wrong.
	Info string
	// Status is the HTTP status when it was not 200 (0 otherwise).
	Status int
	// Err is the transport error, if that is what failed.
	Err error
	// wait is the server's Retry-After, when it sent one.
	wait time.Duration
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("conduit " + e.Method + ": ")
	switch {
	case e.Code != "":
		b.WriteString(e.Code + ": " + e.Info)
	case e.Status != 0:
		fmt.Fprintf(&b, "HTTP %d: %s", e.Status, e.Info)
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	default:
		b.WriteString(e.Info)
	}
	return b.String()
}

// Unwrap returns the transport error.
func (e *Error) Unwrap() error { return e.Err }

// transientInfo marks ERR-CONDUIT-CORE answers that describe the server's state rather than the
// request: the database unreachable or overloaded, a lock, read-only mode, the rate limiter.
var transientInfo = []string{
	"connection", "timed out", "timeout", "deadlock", "lock wait", "too many", "read-only",
	"readonly", "temporarily", "try again", "unavailable", "gone away", "rate limit",
}

// Transient implements retry.Classifier.
func (e *Error) Transient() bool {
	switch {
	case e.Err != nil:
		return retry.Transient(e.Err)
	case e.Status != 0:
		return e.Status >= 500 || e.Status == http.StatusTooManyRequests || e.Status == http.StatusRequestTimeout
	case e.Code == "ERR-CONDUIT-CORE":
		info := strings.ToLower(e.Info)
		for _, s := range transientInfo {
			if strings.Contains(info, s) {
				return true
			}
		}
	}
	return false
}

// RetryAfter implements retry.Waiter when the server sent Retry-After.
func (e *Error) RetryAfter() time.Duration { return e.wait }

// Forbidden reports whether the server refused for lack of permission: a bad or revoked token,
// or a policy the bot user does not pass (it cannot see or edit the object).
func (e *Error) Forbidden() bool {
	if strings.HasPrefix(e.Code, "ERR-INVALID-AUTH") || e.Code == "ERR-INVALID-SESSION" || e.Code == "ERR-OAUTH-ACCESS" {
		return true
	}
	info := strings.ToLower(e.Info)
	return e.Code != "" && (strings.Contains(info, "permission") || strings.Contains(info, "policy") || strings.Contains(info, "you shall not pass"))
}

// CodeOf returns the Conduit error code of err ("" when err is not a Conduit answer).
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// envelope is every answer's body.
type envelope struct {
	Result    json.RawMessage `json:"result"`
	ErrorCode *string         `json:"error_code"`
	ErrorInfo *string         `json:"error_info"`
}

// DecodeEnvelope decodes an answer body and returns its result, or an *Error for method when
// error_code is set or the body is not an envelope.
func DecodeEnvelope(method string, body []byte) (json.RawMessage, error) {
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&env); err != nil || (env.Result == nil && env.ErrorCode == nil && env.ErrorInfo == nil) {
		return nil, &Error{Method: method, Info: "the answer is not a Conduit result (is the base URL the server's root?): " + snippet(body)}
	}
	if env.ErrorCode != nil && *env.ErrorCode != "" {
		info := ""
		if env.ErrorInfo != nil {
			info = *env.ErrorInfo
		}
		return nil, &Error{Method: method, Code: *env.ErrorCode, Info: info}
	}
	return env.Result, nil
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// writes are the methods whose repetition would repeat an effect.
func isWrite(method string) bool {
	return strings.HasSuffix(method, ".edit") || strings.HasSuffix(method, ".create") || strings.HasSuffix(method, ".update")
}

// Call calls method with params and decodes its result into out (which may be nil). Transient
// failures of reads are retried (Options.Retry); an edit is retried only when the request
// cannot have reached the server (connection refused, HTTP 429 or 503).
func (c *Client) Call(ctx context.Context, method string, params map[string]any, out any) error {
	p := make(map[string]any, len(params)+1)
	for k, v := range params {
		p[k] = v
	}
	p["__conduit__"] = map[string]any{"token": c.token}
	encoded, err := json.Marshal(p)
	if err != nil {
		return &Error{Method: method, Info: "encode params: " + err.Error()}
	}
	form := url.Values{"params": {string(encoded)}, "output": {"json"}, "__conduit__": {"1"}}.Encode()
	var result json.RawMessage
	attempt := func() error {
		var err error
		result, err = c.once(ctx, method, form)
		if err != nil && isWrite(method) && !notSent(err) {
			return permanentOnce{err}
		}
		return err
	}
	err = c.policy.Do(ctx, attempt)
	var po permanentOnce
	if errors.As(err, &po) {
		err = po.err
	}
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(result, out); err != nil {
		return &Error{Method: method, Info: "decode result: " + err.Error()}
	}
	return nil
}

// permanentOnce stops retry.Do from repeating an edit whose request may have reached the server;
// Call unwraps it again.
type permanentOnce struct{ err error }

func (p permanentOnce) Error() string   { return p.err.Error() }
func (p permanentOnce) Transient() bool { return false }

// notSent reports whether a failed edit certainly did not run: the connection was refused, or
// the server answered 429 or 503 before doing anything.
func notSent(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	if e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable {
		return true
	}
	return e.Err != nil && strings.Contains(e.Err.Error(), "connection refused")
}

// once makes one HTTP attempt.
func (c *Client) once(ctx context.Context, method, form string) (json.RawMessage, error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.base+method, strings.NewReader(form))
	if err != nil {
		return nil, &Error{Method: method, Info: err.Error()}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	c.calls.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &Error{Method: method, Err: redactURL(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, &Error{Method: method, Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		e := &Error{Method: method, Status: resp.StatusCode, Info: snippet(body)}
		if s := resp.Header.Get("Retry-After"); s != "" {
			if d, err := time.ParseDuration(s + "s"); err == nil {
				e.wait = d
			}
		}
		return nil, e
	}
	return DecodeEnvelope(method, body)
}

// redactURL keeps a transport error's message but not the request URL's query (there is none;
// the token travels in the body) — it only shortens *url.Error to "Post <url>: <cause>".
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// cachedValue returns key's cached value while fresh, or loads and caches it.
func cachedValue[T any](ctx context.Context, c *Client, key string, load func(ctx context.Context) (T, error)) (T, error) {
	c.mu.Lock()
	if v, ok := c.cache[key]; ok && c.now().Sub(v.at) < c.ttl {
		c.mu.Unlock()
		return v.value.(T), nil
	}
	c.mu.Unlock()
	v, err := load(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	c.mu.Lock()
	c.cache[key] = cached{at: c.now(), value: v}
	c.mu.Unlock()
	return v, nil
}
