package standins

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/infra/faults"
	"github.com/rituals-dev/rituals/infra/signing"
)

// The GitHub stand-in's webhooks: hooks on organisations, repositories and the GitHub App, the
// deliveries it "sent" through them, and GitHub's REST API over both — list and create hooks,
// list a hook's deliveries (newest first, cursor pagination with a Link header), get one, and
// ask for a redelivery (POST .../attempts: 202, then a new delivery with the same guid and
// redelivery true, sent in the background). A delivery records the status code the stack
// answered, or that it never reached it (a connection failure, a timeout, an injected hookshot
// fault), as GitHub does. GitHub does not retry a failed delivery by itself, and neither does
// the stand-in: that is what the reconcile is for.

// GitHubDeliverPath is the admin route that makes the stand-in deliver a webhook to the stack:
// POST {"event": "issues", "payload": {...}, "guid": "...", "org"|"repo"|"app": ...}.
const GitHubDeliverPath = "/_local/github/deliveries"

// HookshotUserAgent is the User-Agent of the stand-in's webhook deliveries.
const HookshotUserAgent = "GitHub-Hookshot/local"

// hookTimeout is how long GitHub waits for a webhook's answer before recording it as failed.
const hookTimeout = 10 * time.Second

type ghHook struct {
	id int64
	// scope is "orgs/<org>", "repos/<owner>/<repo>" or "app".
	scope       string
	url         string
	contentType string
	secret      string
	events      []string
	active      bool
	created     string
	deliveries  []*ghDelivery // oldest first
}

type ghDelivery struct {
	id           int64
	guid         string
	deliveredAt  time.Time
	redelivery   bool
	duration     float64
	status       string
	statusCode   int
	event        string
	action       string
	repositoryID any
	payload      json.RawMessage
	reqHeaders   map[string]string
	respHeaders  map[string]string
	respBody     string
	hook         *ghHook
}

// ghHooks is the webhook state; githubAPI.mu guards it.
type ghHooks struct {
	byID     map[int64]*ghHook
	nextHook int64
	nextID   int64
	// inflight counts redeliveries requested and not yet recorded.
	inflight int
	client   *http.Client
}

func (g *githubAPI) hooksState() *ghHooks {
	if g.hooks == nil {
		g.hooks = &ghHooks{byID: map[int64]*ghHook{}, nextHook: 1000, nextID: 90000000000, client: &http.Client{Timeout: hookTimeout}}
	}
	return g.hooks
}

func (g *githubAPI) hookRoutes(route func(pattern, api string, h ghHandler)) {
	for _, sc := range []struct{ prefix, api string }{{"/orgs/{org}", "orgs"}, {"/repos/{owner}/{repo}", "repos"}} {
		route("GET "+sc.prefix+"/hooks", sc.api+"/list-webhooks", g.listHooks)
		route("POST "+sc.prefix+"/hooks", sc.api+"/create-webhook", g.createHook)
		route("GET "+sc.prefix+"/hooks/{hook_id}", sc.api+"/get-webhook", g.byHook(g.getHook))
		route("GET "+sc.prefix+"/hooks/{hook_id}/deliveries", sc.api+"/list-webhook-deliveries", g.byHook(g.listDeliveries))
		route("GET "+sc.prefix+"/hooks/{hook_id}/deliveries/{delivery_id}", sc.api+"/get-webhook-delivery", g.byHook(g.getDelivery))
		route("POST "+sc.prefix+"/hooks/{hook_id}/deliveries/{delivery_id}/attempts", sc.api+"/redeliver-webhook-delivery", g.byHook(g.redeliver))
	}
}

// registerAppHooks serves the GitHub App's own webhook endpoints, which take the app's JWT
// (verified by the GitHub Apps stand-in, github_apps.go) and act on the app's hook.
func (s *Server) registerAppHooks(mux *http.ServeMux) {
	api := strings.TrimSuffix(GitHubAPIPath, "/")
	withBody := func(pattern, op string, h func(hook *ghHook, r *http.Request, body map[string]any) ghReply) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.HandleFunc(method+" "+api+path, func(w http.ResponseWriter, r *http.Request) {
			s.ghApps.serveAPI(w, r, op, s.ghApps.asApp(func(app *GitHubApp, r *http.Request, body map[string]any) ghReply {
				g := s.github
				g.mu.Lock()
				hook := g.appHook(app, "")
				g.mu.Unlock()
				reply := h(hook, r, body)
				if page, ok := reply.body.(ghPage); ok {
					if page.link != "" {
						w.Header().Set("Link", page.link)
					}
					reply.body = page.items
				}
				return reply
			}))
		})
	}
	route := func(pattern, op string, h func(hook *ghHook, r *http.Request) ghReply) {
		withBody(pattern, op, func(hook *ghHook, r *http.Request, _ map[string]any) ghReply { return h(hook, r) })
	}
	route("GET /app/hook/config", "apps/get-webhook-config-for-app", s.github.appHookConfig)
	withBody("PATCH /app/hook/config", "apps/update-webhook-config-for-app", s.github.updateAppHookConfig)
	route("GET /app/hook/deliveries", "apps/list-webhook-deliveries", s.github.listDeliveries)
	route("GET /app/hook/deliveries/{delivery_id}", "apps/get-webhook-delivery", s.github.getDelivery)
	route("POST /app/hook/deliveries/{delivery_id}/attempts", "apps/redeliver-webhook-delivery", s.github.redeliver)
}

// appHookConfig answers the app's webhook configuration as GitHub does: the secret masked.
func (g *githubAPI) appHookConfig(h *ghHook, _ *http.Request) ghReply {
	g.mu.Lock()
	defer g.mu.Unlock()
	return ghReply{http.StatusOK, h.configView()}
}

// configView is the hook's configuration as GitHub shows it (g.mu held).
func (h *ghHook) configView() map[string]any {
	return map[string]any{"url": h.url, "content_type": h.contentType, "insecure_ssl": "0", "secret": "********"}
}

// updateAppHookConfig changes the app's webhook URL, content type or secret (PATCH
// /app/hook/config): what someone changing the app's settings on GitHub does. Deliveries from
// then on are signed with the new secret.
func (g *githubAPI) updateAppHookConfig(h *ghHook, _ *http.Request, body map[string]any) ghReply {
	g.mu.Lock()
	defer g.mu.Unlock()
	for k, v := range body {
		str, ok := v.(string)
		switch {
		case !ok:
			return ghValidation("Hook", k, "invalid")
		case k == "url":
			if u, err := url.Parse(str); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
				return ghValidation("Hook", "url", "invalid")
			}
			h.url = str
		case k == "content_type":
			if str != "json" && str != "form" {
				return ghValidation("Hook", "content_type", "invalid")
			}
			h.contentType = str
		case k == "secret":
			h.secret = str
		case k == "insecure_ssl":
		default:
			return ghValidation("Hook", k, "invalid")
		}
	}
	return ghReply{http.StatusOK, h.configView()}
}

// appHook is app's webhook (scope "app/<id>"), made from what its manifest said the first time
// it is needed; fallback is the URL when the app has none. g.mu must be held.
func (g *githubAPI) appHook(app *GitHubApp, fallback string) *ghHook {
	scope := "app/" + strconv.FormatInt(app.ID, 10)
	for _, h := range g.sortedHooks() {
		if h.scope == scope {
			return h
		}
	}
	u := app.WebhookURL
	if u == "" {
		u = fallback
	}
	return g.addHook(scope, u, "json", app.WebhookSecret, app.Events, u != "")
}

// hookScope is the scope of an org or repository hook route.
func hookScope(r *http.Request) string {
	if r.PathValue("org") != "" {
		return "orgs/" + r.PathValue("org")
	}
	return "repos/" + r.PathValue("owner") + "/" + r.PathValue("repo")
}

// byHook finds the route's hook ({hook_id} in its org or repository) for h.
func (g *githubAPI) byHook(h func(hook *ghHook, r *http.Request) ghReply) ghHandler {
	return func(r *http.Request, _ any) ghReply {
		g.mu.Lock()
		id, err := strconv.ParseInt(r.PathValue("hook_id"), 10, 64)
		hook := g.hooksState().byID[id]
		g.mu.Unlock()
		if err != nil || hook == nil || hook.scope != hookScope(r) {
			return ghError(http.StatusNotFound, "Not Found")
		}
		return h(hook, r)
	}
}

func (h *ghHook) view() map[string]any {
	typ := "Organization"
	switch {
	case strings.HasPrefix(h.scope, "repos/"):
		typ = "Repository"
	case strings.HasPrefix(h.scope, "app/"):
		typ = "App"
	}
	api := "https://api.github.com/" + h.scope + "/hooks/" + strconv.FormatInt(h.id, 10)
	return map[string]any{
		"type": typ, "id": h.id, "name": "web", "active": h.active, "events": h.events,
		"config":     map[string]any{"url": h.url, "content_type": h.contentType, "insecure_ssl": "0", "secret": "********"},
		"created_at": h.created, "updated_at": h.created, "url": api,
		"ping_url": api + "/pings", "deliveries_url": api + "/deliveries",
	}
}

func (d *ghDelivery) summary() map[string]any {
	return map[string]any{
		"id": d.id, "guid": d.guid, "delivered_at": d.deliveredAt.UTC().Format(time.RFC3339),
		"redelivery": d.redelivery, "duration": d.duration, "status": d.status, "status_code": d.statusCode,
		"event": d.event, "action": nilIfEmpty(d.action), "installation_id": nil, "repository_id": d.repositoryID,
		"throttled_at": nil,
	}
}

func (d *ghDelivery) view() map[string]any {
	out := d.summary()
	out["url"] = d.hook.url
	out["request"] = map[string]any{"headers": d.reqHeaders, "payload": d.payload}
	out["response"] = map[string]any{"headers": d.respHeaders, "payload": d.respBody}
	return out
}

func (g *githubAPI) listHooks(r *http.Request, _ any) ghReply {
	g.mu.Lock()
	defer g.mu.Unlock()
	scope := hookScope(r)
	out := []any{}
	for _, h := range g.sortedHooks() {
		if h.scope == scope {
			out = append(out, h.view())
		}
	}
	return ghReply{http.StatusOK, out}
}

func (g *githubAPI) sortedHooks() []*ghHook {
	var hooks []*ghHook
	for _, h := range g.hooksState().byID {
		hooks = append(hooks, h)
	}
	sort.Slice(hooks, func(i, j int) bool { return hooks[i].id < hooks[j].id })
	return hooks
}

func (g *githubAPI) createHook(r *http.Request, body any) ghReply {
	in := obj(body)
	cfg := obj(in["config"])
	u, _ := cfg["url"].(string)
	if parsed, err := url.Parse(u); u == "" || err != nil || parsed.Host == "" {
		return ghValidation("Hook", "url", "custom")
	}
	if name, ok := in["name"].(string); ok && name != "web" {
		return ghValidation("Hook", "name", "invalid")
	}
	events, ok := strList(in["events"])
	if !ok || len(events) == 0 {
		events = []string{"push"}
	}
	active := true
	if a, ok := in["active"].(bool); ok {
		active = a
	}
	ct, _ := cfg["content_type"].(string)
	if ct == "" {
		ct = "form"
	}
	secret, _ := cfg["secret"].(string)
	g.mu.Lock()
	defer g.mu.Unlock()
	h := g.addHook(hookScope(r), u, ct, secret, events, active)
	return ghReply{http.StatusCreated, h.view()}
}

func (g *githubAPI) addHook(scope, u, contentType, secret string, events []string, active bool) *ghHook {
	st := g.hooksState()
	st.nextHook++
	h := &ghHook{id: st.nextHook, scope: scope, url: u, contentType: contentType, secret: secret, events: events, active: active,
		created: g.s.now().UTC().Format(time.RFC3339)}
	st.byID[h.id] = h
	return h
}

func (g *githubAPI) getHook(h *ghHook, _ *http.Request) ghReply {
	g.mu.Lock()
	defer g.mu.Unlock()
	return ghReply{http.StatusOK, h.view()}
}

// listDeliveries answers a hook's deliveries newest first, per_page at a time (30 by default,
// at most 100), with GitHub's cursor pagination: the Link header's rel="next" carries
// cursor=v1_<id>, and the next page holds the deliveries older than that one.
func (g *githubAPI) listDeliveries(h *ghHook, r *http.Request) ghReply {
	q := r.URL.Query()
	perPage := 30
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return ghValidation("Hook", "per_page", "invalid")
		}
		perPage = min(n, 100)
	}
	before := int64(-1)
	if c := q.Get("cursor"); c != "" {
		id, err := strconv.ParseInt(strings.TrimPrefix(c, "v1_"), 10, 64)
		if err != nil || !strings.HasPrefix(c, "v1_") {
			return ghError(http.StatusBadRequest, "Invalid cursor")
		}
		before = id
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	out := []any{}
	var last int64
	more := false
	for i := len(h.deliveries) - 1; i >= 0; i-- {
		d := h.deliveries[i]
		if before >= 0 && d.id >= before {
			continue
		}
		if len(out) == perPage {
			more = true
			break
		}
		out = append(out, d.summary())
		last = d.id
	}
	page := ghPage{items: out}
	if more {
		next := url.URL{Scheme: "https", Host: "api.github.com", Path: "/" + strings.TrimPrefix(r.URL.Path, "/")}
		if r.Host != "" {
			next.Scheme, next.Host = "http", r.Host
			next.Path = strings.TrimSuffix(GitHubAPIPath, "/") + next.Path
		}
		v := url.Values{"per_page": {strconv.Itoa(perPage)}, "cursor": {"v1_" + strconv.FormatInt(last, 10)}}
		next.RawQuery = v.Encode()
		page.link = "<" + next.String() + `>; rel="next"`
	}
	return ghReply{http.StatusOK, page}
}

func (g *githubAPI) getDelivery(h *ghHook, r *http.Request) ghReply {
	g.mu.Lock()
	defer g.mu.Unlock()
	d, e := findDelivery(h, r)
	if e != nil {
		return *e
	}
	return ghReply{http.StatusOK, d.view()}
}

func findDelivery(h *ghHook, r *http.Request) (*ghDelivery, *ghReply) {
	id, err := strconv.ParseInt(r.PathValue("delivery_id"), 10, 64)
	if err == nil {
		for _, d := range h.deliveries {
			if d.id == id {
				return d, nil
			}
		}
	}
	nf := ghError(http.StatusNotFound, "Not Found")
	return nil, &nf
}

// redeliver answers 202 and sends the delivery again in the background, with the same guid,
// event and payload, marked as a redelivery; WaitHookDeliveries waits for it.
func (g *githubAPI) redeliver(h *ghHook, r *http.Request) ghReply {
	g.mu.Lock()
	d, e := findDelivery(h, r)
	if e != nil {
		g.mu.Unlock()
		return *e
	}
	g.hooksState().inflight++
	g.mu.Unlock()
	go func() {
		g.send(d.hook, d.event, d.guid, d.payload, true)
		g.mu.Lock()
		g.hooksState().inflight--
		g.mu.Unlock()
	}()
	return ghReply{http.StatusAccepted, map[string]any{}}
}

// send delivers payload through hook h as GitHub's hookshot does and records the delivery:
// signed with the hook's secret, X-GitHub-Event, X-GitHub-Delivery = guid, answered within
// hookTimeout. A hookshot fault (see infra/faults) keeps it from reaching the stack: a drop is
// recorded as a connection failure, a status as that answer.
func (g *githubAPI) send(h *ghHook, event, guid string, payload []byte, redelivery bool) *ghDelivery {
	var head struct {
		Action     string `json:"action"`
		Repository *struct {
			ID any `json:"id"`
		} `json:"repository"`
	}
	_ = json.Unmarshal(payload, &head)
	d := &ghDelivery{guid: guid, event: event, action: head.Action, payload: json.RawMessage(payload), redelivery: redelivery, hook: h}
	if head.Repository != nil {
		d.repositoryID = head.Repository.ID
	}
	targetType := "repository"
	switch {
	case strings.HasPrefix(h.scope, "app/"):
		targetType = "integration"
	case strings.HasPrefix(h.scope, "orgs/"):
		targetType = "organization"
	}
	d.reqHeaders = map[string]string{
		"Accept": "*/*", "Content-Type": "application/json", "User-Agent": HookshotUserAgent,
		"X-GitHub-Event": event, "X-GitHub-Delivery": guid, "X-GitHub-Hook-ID": strconv.FormatInt(h.id, 10),
		"X-GitHub-Hook-Installation-Target-Type": targetType, "X-GitHub-Hook-Installation-Target-ID": strconv.FormatInt(h.id, 10),
	}
	if h.secret != "" {
		mac := hmac.New(sha1.New, []byte(h.secret))
		mac.Write(payload)
		d.reqHeaders["X-Hub-Signature"] = "sha1=" + hex.EncodeToString(mac.Sum(nil))
		d.reqHeaders["X-Hub-Signature-256"] = signing.GitHub([]byte(h.secret), payload)
	}
	start := time.Now()
	d.statusCode, d.status, d.respHeaders, d.respBody = g.post(h.url, d.reqHeaders, payload, event)
	d.duration = float64(time.Since(start).Milliseconds()) / 1000
	g.mu.Lock()
	defer g.mu.Unlock()
	st := g.hooksState()
	st.nextID++
	d.id = st.nextID
	d.deliveredAt = g.s.now()
	h.deliveries = append(h.deliveries, d)
	return d
}

// post sends one delivery and returns what GitHub would record of its answer.
func (g *githubAPI) post(target string, headers map[string]string, payload []byte, event string) (code int, status string, respHeaders map[string]string, respBody string) {
	respHeaders = map[string]string{}
	if f := g.s.opts.Faults.APIFor(faults.ServiceHookshot, event); f != nil {
		switch f.Fault {
		case faults.Drop:
			return 0, "failed to connect to host", respHeaders, ""
		case faults.Slow:
			if time.Duration(f.Delay) >= hookTimeout {
				return 0, "timed out", respHeaders, ""
			}
			time.Sleep(time.Duration(f.Delay))
		default:
			n, _ := strconv.Atoi(f.Fault)
			return n, "Invalid HTTP Response: " + f.Fault, respHeaders, ""
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), hookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(payload))
	if err != nil {
		return 0, "invalid URL", respHeaders, ""
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := g.hooksState().client.Do(req)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return 0, "timed out", respHeaders, ""
		}
		return 0, "failed to connect to host", respHeaders, ""
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(io.LimitReader(resp.Body, 64<<10))
	for k := range resp.Header {
		respHeaders[strings.ToLower(k)] = resp.Header.Get(k)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, "OK", respHeaders, buf.String()
	}
	return resp.StatusCode, "Invalid HTTP Response: " + strconv.Itoa(resp.StatusCode), respHeaders, buf.String()
}

// DeliverRequest is the body of POST /_local/github/deliveries.
type DeliverRequest struct {
	Event   string          `json:"event"`
	Payload json.RawMessage `json:"payload"`
	// GUID is X-GitHub-Delivery; a new one when empty.
	GUID string `json:"guid,omitempty"`
	// The hook to deliver through: an organisation's, a repository's ("owner/name") or the
	// App's. Without one, the payload's organization, else its repository. A scope without a
	// hook pointing at the stack gets one (as if the README's "Connect GitHub" step was done).
	Org  string `json:"org,omitempty"`
	Repo string `json:"repo,omitempty"`
	App  bool   `json:"app,omitempty"`
	// AppID picks the app when App is set and the stand-in has several (the first otherwise).
	AppID int64 `json:"app_id,omitempty"`
	// URL is where the hook points when one is created; the stack's webhook URL when empty.
	URL string `json:"url,omitempty"`
}

// Deliver makes the stand-in deliver a webhook to the stack as GitHub would, through the
// scope's hook, and returns the delivery as GET .../deliveries/<id> shows it.
func (s *Server) Deliver(req DeliverRequest) (map[string]any, error) {
	g := s.github
	if req.Event == "" || !json.Valid(req.Payload) {
		return nil, errors.New(`want {"event": "<X-GitHub-Event>", "payload": {...}} and optionally guid, org, repo or app`)
	}
	scope := ""
	switch {
	case req.App:
	case req.Org != "":
		scope = "orgs/" + req.Org
	case req.Repo != "":
		scope = "repos/" + req.Repo
	default:
		var p struct {
			Organization *struct{ Login string } `json:"organization"`
			Repository   *struct {
				FullName string `json:"full_name"`
			} `json:"repository"`
		}
		_ = json.Unmarshal(req.Payload, &p)
		switch {
		case p.Organization != nil && p.Organization.Login != "":
			scope = "orgs/" + p.Organization.Login
		case p.Repository != nil && p.Repository.FullName != "":
			scope = "repos/" + p.Repository.FullName
		default:
			return nil, errors.New("the payload names no organization or repository: say org, repo or app")
		}
	}
	target := req.URL
	if target == "" {
		target = s.opts.WebhookURL
	}
	if target == "" && !req.App {
		return nil, errors.New("no webhook URL: give url")
	}
	guid := req.GUID
	if guid == "" {
		guid = newGUID()
	}
	var app *GitHubApp
	if req.App {
		if app = s.ghApps.app(req.AppID); app == nil {
			return nil, errors.New("no GitHub App is registered with the stand-in (rituals setup github registers one)")
		}
	}
	g.mu.Lock()
	var hook *ghHook
	if app != nil {
		hook = g.appHook(app, target)
	}
	for _, h := range g.sortedHooks() {
		if hook == nil && h.scope == scope && h.url == target {
			hook = h
		}
	}
	if hook == nil {
		hook = g.addHook(scope, target, "json", s.opts.WebhookSecret, []string{"*"}, true)
	}
	g.mu.Unlock()
	d := g.send(hook, req.Event, guid, req.Payload, false)
	g.mu.Lock()
	defer g.mu.Unlock()
	v := d.view()
	v["hook_id"] = hook.id
	return jsonValue(v).(map[string]any), nil
}

// WaitHookDeliveries waits until every redelivery requested so far has been sent and recorded,
// or ctx ends.
func (s *Server) WaitHookDeliveries(ctx context.Context) error {
	for {
		s.github.mu.Lock()
		n := s.github.hooksState().inflight
		s.github.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (s *Server) serveDeliver(w http.ResponseWriter, r *http.Request) {
	var req DeliverRequest
	body, _ := readBody(r)
	if err := json.Unmarshal(body, &req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": `want {"event": "issues", "payload": {...}}: ` + err.Error()})
		return
	}
	d, err := s.Deliver(req)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// app returns the registered app with id, or the first registered one when id is 0.
func (g *githubApps) app(id int64) *GitHubApp {
	g.mu.Lock()
	defer g.mu.Unlock()
	if id != 0 {
		return g.apps[id]
	}
	var first *GitHubApp
	for _, a := range g.apps {
		if first == nil || a.ID < first.ID {
			first = a
		}
	}
	return first
}
