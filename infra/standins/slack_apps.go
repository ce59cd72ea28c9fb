package standins

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Slack apps: the App Manifest API (apps.manifest.create|update|validate|export|delete, with an
// app configuration token), installing an app (the OAuth authorize page and oauth.v2.access,
// which mints a bot token the Web API stand-in then accepts), and the channel facts a bot is
// checked against (conversations.info and conversations.members).

// SlackConfigToken is the app configuration token (xoxe.xoxp-…) the manifest API accepts.
const SlackConfigToken = "xoxe.xoxp-1-localconfigtoken"

// SlackWebPath is where the slack.com stand-in serves the pages a person uses in a browser
// (the OAuth authorize page).
const SlackWebPath = "/_standins/slack-web/"

// slackDefaultScopes are the scopes of the local bot token (the manifest's bot scopes).
var slackDefaultScopes = []string{"commands", "chat:write", "im:write", "users:read", "channels:history", "groups:history", "channels:read", "files:write"}

// SlackChannel is a channel as conversations.info reports it. A channel never set is a public
// channel the bot is a member of.
type SlackChannel struct {
	ID       string
	Name     string
	Private  bool
	Archived bool
	// Members are user ids; the bot is SlackBotUser.
	Members []string
}

type slackApp struct {
	id                          string
	manifest                    map[string]any
	clientID, clientSecret      string
	signingSecret, verification string
	scopes, redirects           []string
	installedToken              string
}

type slackCode struct {
	app      string
	redirect string
}

type slackApps struct {
	s        *Server
	mu       sync.Mutex
	apps     map[string]*slackApp
	codes    map[string]slackCode
	tokens   map[string][]string // minted bot token → its scopes
	channels map[string]SlackChannel
}

func newSlackApps(s *Server) *slackApps {
	return &slackApps{s: s, apps: map[string]*slackApp{}, codes: map[string]slackCode{}, tokens: map[string][]string{}, channels: map[string]SlackChannel{}}
}

func (a *slackApps) register(mux *http.ServeMux) {
	for name, h := range map[string]func(*http.Request, slackParams) map[string]any{
		"apps.manifest.create":   a.create,
		"apps.manifest.update":   a.update,
		"apps.manifest.validate": a.validate,
		"apps.manifest.export":   a.export,
		"apps.manifest.delete":   a.delete,
	} {
		mux.HandleFunc("POST "+SlackAPIPath+name, a.serve(name, a.withConfigToken(h)))
	}
	mux.HandleFunc("POST "+SlackAPIPath+"oauth.v2.access", a.serve("oauth.v2.access", a.oauthAccess))
	mux.HandleFunc("GET "+SlackWebPath+"oauth/v2/authorize", a.serveAuthorize)
}

// serve parses a Web API call (form or JSON), runs h and records it; like Slack it answers 200
// with ok false for every refusal.
func (a *slackApps) serve(name string, h func(*http.Request, slackParams) map[string]any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := readBody(r)
		params, _, perr := parseSlackRequest(r, body)
		call := Call{Service: "slack", Method: r.Method, Path: "/" + name, API: name, Request: redactSlackApp(params)}
		var resp map[string]any
		if perr != "" {
			resp = slackErr(perr)
		} else {
			resp = h(r, params)
		}
		call.Authorized = resp["error"] != "not_authed" && resp["error"] != "invalid_auth"
		call.Status, call.Response = http.StatusOK, redactSlackApp(jsonValue(resp))
		a.s.outbox.Record(call)
		writeJSON(w, http.StatusOK, resp)
	}
}

func redactSlackApp(v any) map[string]any {
	m, _ := v.(map[string]any)
	if m == nil {
		m, _ = v.(slackParams)
	}
	out := map[string]any{}
	for k, x := range m {
		switch k {
		case "token", "client_secret", "access_token":
			x = redacted
		case "credentials":
			x = map[string]any{"redacted": true}
		}
		out[k] = x
	}
	return out
}

func (a *slackApps) withConfigToken(h func(*http.Request, slackParams) map[string]any) func(*http.Request, slackParams) map[string]any {
	return func(r *http.Request, p slackParams) map[string]any {
		token := p.str("token")
		if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
			token = strings.TrimPrefix(h, "Bearer ")
		}
		switch {
		case token == "":
			return slackErr("not_authed")
		case strings.HasPrefix(token, "xoxb-"):
			return slackErr("not_allowed_token_type")
		case token != SlackConfigToken:
			return slackErr("invalid_auth")
		}
		return h(r, p)
	}
}

var (
	slackScope   = regexp.MustCompile(`^[a-z_]+(:[a-z_.]+)*$`)
	slackCommand = regexp.MustCompile(`^/[a-z0-9_-]{1,31}$`)
	// eventScope is the scope each bot event needs.
	eventScope = map[string]string{
		"message.channels": "channels:history", "message.groups": "groups:history", "message.im": "im:history",
		"message.mpim": "mpim:history", "app_mention": "app_mentions:read", "reaction_added": "reactions:read",
		"member_joined_channel": "channels:read", "app_home_opened": "", "app_uninstalled": "", "tokens_revoked": "",
	}
)

type manifestProblem struct {
	Message string `json:"message"`
	Pointer string `json:"pointer"`
}

// requestURL accepts what Slack does (https), and http on the loopback interface so that the
// local stack's own URLs can be used.
func requestURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return false
	}
	if p.Scheme == "https" {
		return true
	}
	host := p.Hostname()
	ip := net.ParseIP(host)
	return p.Scheme == "http" && (host == "localhost" || (ip != nil && ip.IsLoopback()))
}

func get(m map[string]any, path ...string) any {
	var v any = m
	for _, k := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

func strs(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// checkManifest validates a manifest as Slack's App Manifest API does (the parts Rituals uses),
// returning every problem with its JSON pointer.
func checkManifest(raw string) (map[string]any, []manifestProblem) {
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, []manifestProblem{{"manifest must be a JSON object: " + err.Error(), "/"}}
	}
	var ps []manifestProblem
	add := func(ptr, format string, args ...any) {
		ps = append(ps, manifestProblem{fmt.Sprintf(format, args...), ptr})
	}
	name, _ := get(m, "display_information", "name").(string)
	switch {
	case name == "":
		add("/display_information/name", "Field is required")
	case len(name) > 35:
		add("/display_information/name", "Must be at most 35 characters")
	}
	scopes := strs(get(m, "oauth_config", "scopes", "bot"))
	have := map[string]bool{}
	for i, s := range scopes {
		if !slackScope.MatchString(s) {
			add(fmt.Sprintf("/oauth_config/scopes/bot/%d", i), "Invalid scope: %q", s)
		}
		have[s] = true
	}
	if bot, _ := get(m, "features", "bot_user", "display_name").(string); len(scopes) > 0 && bot == "" {
		add("/features/bot_user/display_name", "Bot scopes require a bot user with a display name")
	}
	cmds, _ := get(m, "features", "slash_commands").([]any)
	for i, c := range cmds {
		cm, _ := c.(map[string]any)
		cmd, _ := cm["command"].(string)
		if !slackCommand.MatchString(cmd) {
			add(fmt.Sprintf("/features/slash_commands/%d/command", i), "Command must start with / and be at most 32 lowercase characters")
		}
		if u, _ := cm["url"].(string); !requestURL(u) {
			add(fmt.Sprintf("/features/slash_commands/%d/url", i), "Must be a valid https URL, not %q", u)
		}
		if d, _ := cm["description"].(string); d == "" {
			add(fmt.Sprintf("/features/slash_commands/%d/description", i), "Field is required")
		}
	}
	if len(cmds) > 0 && !have["commands"] {
		add("/oauth_config/scopes/bot", "Slash commands require the commands scope")
	}
	events := strs(get(m, "settings", "event_subscriptions", "bot_events"))
	if len(events) > 0 {
		if u, _ := get(m, "settings", "event_subscriptions", "request_url").(string); !requestURL(u) {
			add("/settings/event_subscriptions", "Event Subscription requires either Request URL or Socket Mode Enabled")
		}
	}
	for i, e := range events {
		need, known := eventScope[e]
		switch {
		case !known:
			add(fmt.Sprintf("/settings/event_subscriptions/bot_events/%d", i), "Unknown event %q", e)
		case need != "" && !have[need]:
			add(fmt.Sprintf("/settings/event_subscriptions/bot_events/%d", i), "Event %s requires the %s scope", e, need)
		}
	}
	if on, _ := get(m, "settings", "interactivity", "is_enabled").(bool); on {
		if u, _ := get(m, "settings", "interactivity", "request_url").(string); !requestURL(u) {
			add("/settings/interactivity", "Interactivity requires a Request URL")
		}
	}
	for i, u := range strs(get(m, "oauth_config", "redirect_urls")) {
		if !requestURL(u) {
			add(fmt.Sprintf("/oauth_config/redirect_urls/%d", i), "Redirect URLs must use https: %q", u)
		}
	}
	return m, ps
}

func invalidManifest(ps []manifestProblem) map[string]any {
	return map[string]any{"ok": false, "error": "invalid_manifest", "errors": ps}
}

func (a *slackApps) validate(_ *http.Request, p slackParams) map[string]any {
	if p.str("manifest") == "" {
		return slackErr("invalid_arguments")
	}
	if _, ps := checkManifest(p.str("manifest")); len(ps) > 0 {
		return invalidManifest(ps)
	}
	return slackOK(nil)
}

func (a *slackApps) create(r *http.Request, p slackParams) map[string]any {
	if p.str("manifest") == "" {
		return slackErr("invalid_arguments")
	}
	m, ps := checkManifest(p.str("manifest"))
	if len(ps) > 0 {
		return invalidManifest(ps)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	app := &slackApp{
		id: "A0" + strings.ToUpper(randomHex(5)), manifest: m,
		clientID: "1000000000." + fmt.Sprint(labelID(randomHex(4))), clientSecret: randomHex(16),
		signingSecret: randomHex(16), verification: randomHex(12),
	}
	app.apply(m)
	a.apps[app.id] = app
	authorize := "http://" + r.Host + SlackWebPath + "oauth/v2/authorize?" + url.Values{"client_id": {app.clientID}, "scope": {strings.Join(app.scopes, ",")}}.Encode()
	return slackOK(map[string]any{
		"app_id": app.id, "team_id": SlackTeamID, "team_domain": "rituals-local", "oauth_authorize_url": authorize,
		"credentials": map[string]any{"client_id": app.clientID, "client_secret": app.clientSecret, "verification_token": app.verification, "signing_secret": app.signingSecret},
	})
}

func (app *slackApp) apply(m map[string]any) {
	app.manifest = m
	app.scopes = strs(get(m, "oauth_config", "scopes", "bot"))
	app.redirects = strs(get(m, "oauth_config", "redirect_urls"))
}

func (a *slackApps) update(_ *http.Request, p slackParams) map[string]any {
	if p.str("manifest") == "" || p.str("app_id") == "" {
		return slackErr("invalid_arguments")
	}
	m, ps := checkManifest(p.str("manifest"))
	if len(ps) > 0 {
		return invalidManifest(ps)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	app := a.apps[p.str("app_id")]
	if app == nil {
		return slackErr("invalid_app_id")
	}
	before := strings.Join(app.scopes, ",")
	app.apply(m)
	return slackOK(map[string]any{"app_id": app.id, "permissions_updated": before != strings.Join(app.scopes, ",")})
}

func (a *slackApps) export(_ *http.Request, p slackParams) map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	app := a.apps[p.str("app_id")]
	if app == nil {
		return slackErr("invalid_app_id")
	}
	return slackOK(map[string]any{"manifest": app.manifest})
}

func (a *slackApps) delete(_ *http.Request, p slackParams) map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	app := a.apps[p.str("app_id")]
	if app == nil {
		return slackErr("invalid_app_id")
	}
	delete(a.apps, app.id)
	delete(a.tokens, app.installedToken)
	return slackOK(nil)
}

// serveAuthorize is a person pressing "Allow" on the app's OAuth page: with a redirect URL the
// browser goes there with a one-time code (and the state), as Slack does; an app without
// redirect URLs is installed directly and its bot token shown, as on the app's "OAuth &
// Permissions" page after "Install to Workspace".
func (a *slackApps) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	call := Call{Service: "slack-web", Method: r.Method, Path: "/oauth/v2/authorize", API: "oauth.authorize", Authorized: true, Request: formMap(q)}
	a.mu.Lock()
	var app *slackApp
	for _, x := range a.apps {
		if x.clientID == q.Get("client_id") {
			app = x
		}
	}
	fail := func(status int, msg string) {
		a.mu.Unlock()
		call.Status, call.Response = status, map[string]any{"error": msg}
		a.s.outbox.Record(call)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<!doctype html><h1>Something went wrong</h1><p>%s</p>", htmlEscape(msg))
	}
	if app == nil {
		fail(http.StatusBadRequest, "invalid_client_id")
		return
	}
	for _, s := range strings.Split(q.Get("scope"), ",") {
		if s != "" && !slices.Contains(app.scopes, s) {
			fail(http.StatusBadRequest, "invalid_scope: "+s+" is not among the app's bot scopes")
			return
		}
	}
	redirect := q.Get("redirect_uri")
	if redirect != "" && !redirectAllowed(app.redirects, redirect) {
		fail(http.StatusBadRequest, "bad_redirect_uri: "+redirect+" does not match the app's redirect URLs")
		return
	}
	if redirect == "" && len(app.redirects) > 0 {
		redirect = app.redirects[0]
	}
	if redirect == "" {
		token := a.mint(app)
		a.mu.Unlock()
		call.Status, call.Response = http.StatusOK, map[string]any{"installed": app.id}
		a.s.outbox.Record(call)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><h1>Installed</h1><p>Bot User OAuth Token: <code id=\"bot-token\">%s</code></p>", htmlEscape(token))
		return
	}
	code := randomHex(12)
	a.codes[code] = slackCode{app: app.id, redirect: q.Get("redirect_uri")}
	a.mu.Unlock()
	loc, _ := url.Parse(redirect)
	v := loc.Query()
	v.Set("code", code)
	if st := q.Get("state"); st != "" {
		v.Set("state", st)
	}
	loc.RawQuery = v.Encode()
	call.Status, call.Response = http.StatusFound, map[string]any{"location": redirect}
	a.s.outbox.Record(call)
	http.Redirect(w, r, loc.String(), http.StatusFound)
}

// redirectAllowed applies Slack's rule: the redirect_uri must start with one of the app's
// redirect URLs (same scheme and host).
func redirectAllowed(allowed []string, redirect string) bool {
	for _, u := range allowed {
		if strings.HasPrefix(redirect, u) {
			return true
		}
	}
	return false
}

// mint installs app in the workspace and returns its new bot token (an earlier one is revoked).
func (a *slackApps) mint(app *slackApp) string {
	delete(a.tokens, app.installedToken)
	token := "xoxb-" + fmt.Sprint(labelID(app.id)) + "-" + randomHex(12)
	a.tokens[token] = app.scopes
	app.installedToken = token
	return token
}

// oauthAccess exchanges an authorize code for the bot token: client credentials in the form or
// HTTP Basic, the code once, and the same redirect_uri as the authorize step.
func (a *slackApps) oauthAccess(r *http.Request, p slackParams) map[string]any {
	id, secret := p.str("client_id"), p.str("client_secret")
	if u, pw, ok := r.BasicAuth(); ok {
		id, secret = u, pw
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var app *slackApp
	for _, x := range a.apps {
		if x.clientID == id {
			app = x
		}
	}
	code, known := a.codes[p.str("code")]
	switch {
	case id == "":
		return slackErr("invalid_client_id")
	case app == nil:
		return slackErr("invalid_client_id")
	case secret != app.clientSecret:
		return slackErr("bad_client_secret")
	case !known || code.app != app.id:
		return slackErr("invalid_code")
	case code.redirect != p.str("redirect_uri"):
		return slackErr("bad_redirect_uri")
	}
	delete(a.codes, p.str("code"))
	token := a.mint(app)
	return slackOK(map[string]any{
		"access_token": token, "token_type": "bot", "scope": strings.Join(app.scopes, ","),
		"bot_user_id": SlackBotUser, "app_id": app.id, "team": map[string]any{"id": SlackTeamID, "name": "Rituals Local"},
		"enterprise": nil, "is_enterprise_install": false, "authed_user": map[string]any{"id": "U0LOCALADMIN"},
	})
}

// slackTokenScopes returns the scopes of a bot token the stand-in accepts, and whether it does.
func (s *Server) slackTokenScopes(token string) ([]string, bool) {
	if token != "" && token == s.opts.SlackBotToken {
		return slackDefaultScopes, true
	}
	s.slackApps.mu.Lock()
	defer s.slackApps.mu.Unlock()
	scopes, ok := s.slackApps.tokens[token]
	return scopes, ok
}

// slackTokenOK reports whether token is a bot token the stand-in accepts.
func (s *Server) slackTokenOK(token string) bool {
	_, ok := s.slackTokenScopes(token)
	return ok
}

// SetSlackChannel sets what conversations.info and conversations.members say of a channel.
func (s *Server) SetSlackChannel(c SlackChannel) {
	s.slackApps.mu.Lock()
	defer s.slackApps.mu.Unlock()
	s.slackApps.channels[c.ID] = c
}

// SlackAppIDs lists the apps created through the manifest API, sorted.
func (s *Server) SlackAppIDs() []string {
	s.slackApps.mu.Lock()
	defer s.slackApps.mu.Unlock()
	var out []string
	for id := range s.slackApps.apps {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// SlackAppSigningSecret returns the signing secret Slack gave app.
func (s *Server) SlackAppSigningSecret(app string) string {
	s.slackApps.mu.Lock()
	defer s.slackApps.mu.Unlock()
	if a := s.slackApps.apps[app]; a != nil {
		return a.signingSecret
	}
	return ""
}

// SlackAppManifest returns the manifest app was last created or updated with.
func (s *Server) SlackAppManifest(app string) map[string]any {
	s.slackApps.mu.Lock()
	defer s.slackApps.mu.Unlock()
	if a := s.slackApps.apps[app]; a != nil {
		return a.manifest
	}
	return nil
}

// RevokeSlackTokens revokes every bot token minted by installs, as uninstalling the app would.
func (s *Server) RevokeSlackTokens() {
	s.slackApps.mu.Lock()
	defer s.slackApps.mu.Unlock()
	s.slackApps.tokens = map[string][]string{}
}

func (s *Server) channel(id string) SlackChannel {
	s.slackApps.mu.Lock()
	defer s.slackApps.mu.Unlock()
	if c, ok := s.slackApps.channels[id]; ok {
		return c
	}
	return SlackChannel{ID: id, Name: strings.ToLower(id), Private: strings.HasPrefix(id, "G"), Members: []string{SlackBotUser}}
}

func (c SlackChannel) member(user string) bool { return slices.Contains(c.Members, user) }

// conversationsInfo answers conversations.info: a private channel the bot is not in does not
// exist for it.
func (a *slackAPI) conversationsInfo(p slackParams) map[string]any {
	id := p.str("channel")
	if id == "" {
		return slackErr("channel_not_found")
	}
	c := a.s.channel(id)
	isMember := c.member(SlackBotUser)
	if c.Private && !isMember {
		return slackErr("channel_not_found")
	}
	return slackOK(map[string]any{"channel": map[string]any{
		"id": c.ID, "name": c.Name, "is_channel": !c.Private, "is_group": c.Private, "is_private": c.Private,
		"is_archived": c.Archived, "is_member": isMember, "is_general": false, "num_members": len(c.Members),
	}})
}

func (a *slackAPI) conversationsMembers(p slackParams) map[string]any {
	id := p.str("channel")
	if id == "" {
		return slackErr("channel_not_found")
	}
	c := a.s.channel(id)
	if c.Private && !c.member(SlackBotUser) {
		return slackErr("channel_not_found")
	}
	members := []any{}
	for _, m := range c.Members {
		members = append(members, m)
	}
	return slackOK(map[string]any{"members": members, "response_metadata": map[string]any{"next_cursor": ""}})
}
