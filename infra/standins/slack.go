package standins

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
)

// The identity of the local Slack app, as auth.test reports it.
const (
	SlackTeamID  = "T0LOCAL"
	SlackBotUser = "U0LOCALBOT"
	SlackBotID   = "B0LOCALBOT"
	SlackAppID   = "A0LOCALAPP"
)

type slackAPI struct {
	s *Server

	mu       sync.Mutex
	lastTS   int64 // microseconds of the last ts handed out; ts values are unique and increasing
	channels map[string][]map[string]any
	views    map[string]map[string]any // by view id
	external map[string]string         // external_id → view id
	homes    map[string]string         // user id → home view id
	users    map[string]map[string]any // seeded users
	viewSeq  int
	files    map[string]*SlackFile // slack_files.go
	fileSeq  int
}

func newSlackAPI(s *Server) *slackAPI {
	return &slackAPI{s: s, channels: map[string][]map[string]any{}, views: map[string]map[string]any{}, external: map[string]string{}, homes: map[string]string{}, users: map[string]map[string]any{}, files: map[string]*SlackFile{}}
}

// slackParams are a call's arguments: form values (first value of each) or a JSON object.
type slackParams map[string]any

// str returns a parameter as text; structured JSON values are re-encoded.
func (p slackParams) str(k string) string {
	switch v := p[k].(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// obj returns a parameter that holds JSON (blocks, view...), decoded; form values carry it as
// a JSON string. ok is false when it is absent or not valid JSON.
func (p slackParams) obj(k string) (any, bool) {
	switch v := p[k].(type) {
	case nil:
		return nil, false
	case string:
		if v == "" {
			return nil, false
		}
		var out any
		if err := json.Unmarshal([]byte(v), &out); err != nil {
			return nil, false
		}
		return out, true
	default:
		return v, true
	}
}

type slackMethod func(a *slackAPI, p slackParams) map[string]any

var slackMethods = map[string]slackMethod{
	"api.test": func(a *slackAPI, p slackParams) map[string]any {
		return slackOK(map[string]any{"args": map[string]any(p)})
	},
	"auth.test":             (*slackAPI).authTest,
	"chat.postMessage":      (*slackAPI).postMessage,
	"chat.postEphemeral":    (*slackAPI).postEphemeral,
	"chat.update":           (*slackAPI).update,
	"chat.delete":           (*slackAPI).delete,
	"conversations.open":    (*slackAPI).open,
	"conversations.history": (*slackAPI).history,
	"conversations.replies": (*slackAPI).replies,
	"reactions.add":         (*slackAPI).reactionsAdd,
	"users.info":            (*slackAPI).usersInfo,
	"views.open":            func(a *slackAPI, p slackParams) map[string]any { return a.viewsOpen(p, "views.open") },
	"views.push":            func(a *slackAPI, p slackParams) map[string]any { return a.viewsOpen(p, "views.push") },
	"views.update":          (*slackAPI).viewsUpdate,
	"views.publish":         (*slackAPI).viewsPublish,
	"conversations.info":    (*slackAPI).conversationsInfo,    // slack_apps.go
	"conversations.members": (*slackAPI).conversationsMembers, // slack_apps.go
}

func slackOK(fields map[string]any) map[string]any {
	out := map[string]any{"ok": true}
	for k, v := range fields {
		out[k] = v
	}
	return out
}

func slackErr(code string) map[string]any { return map[string]any{"ok": false, "error": code} }

// serveAPI answers POST /_standins/slack/api/<method>. Like Slack it answers 200 with
// {"ok": false, "error": ...} for every refusal: unknown_method, not_authed (no token),
// invalid_auth (wrong token), then the method's own argument errors.
func (a *slackAPI) serveAPI(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("method")
	call := Call{Service: "slack", Method: r.Method, Path: "/" + name, API: name}
	body, err := readBody(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, slackErr("invalid_request"))
		return
	}
	params, token, perr := parseSlackRequest(r, body)
	call.Request = redactSlack(params)
	call.Problems = slackTextProblems(params)
	if a.s.fault(w, r, &call) {
		return
	}
	respond := func(status int, resp map[string]any) {
		call.Status, call.Response = status, jsonValue(resp)
		a.s.outbox.Record(call)
		writeJSON(w, status, resp)
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		respond(http.StatusMethodNotAllowed, slackErr("method_not_allowed"))
		return
	}
	method, known := slackMethods[name]
	switch name {
	case "files.getUploadURLExternal": // slack_files.go: the upload URL points back at this host
		method, known = func(a *slackAPI, p slackParams) map[string]any { return a.getUploadURLExternal(p, requestBase(r)) }, true
	case "files.completeUploadExternal":
		method, known = (*slackAPI).completeUploadExternal, true
	}
	switch {
	case !known:
		respond(http.StatusOK, slackErr("unknown_method"))
		return
	case token == "":
		respond(http.StatusOK, slackErr("not_authed"))
		return
	case !a.s.slackTokenOK(token):
		respond(http.StatusOK, slackErr("invalid_auth"))
		return
	case perr != "":
		call.Authorized = true
		respond(http.StatusOK, slackErr(perr))
		return
	}
	call.Authorized = true
	scopes, _ := a.s.slackTokenScopes(token)
	w.Header().Set("X-OAuth-Scopes", strings.Join(scopes, ",")) // as Slack does; rituals doctor reads it
	if need := slackMethodScope[name]; need != "" && !slices.Contains(scopes, need) {
		respond(http.StatusOK, map[string]any{"ok": false, "error": "missing_scope", "needed": need, "provided": strings.Join(scopes, ",")})
		return
	}
	respond(http.StatusOK, method(a, params))
}

// parseSlackRequest reads form or JSON arguments and the token: the Authorization bearer, or a
// token form field (slack-go sends form posts that way). JSON bodies must use the header.
func parseSlackRequest(r *http.Request, body []byte) (p slackParams, token, errCode string) {
	p = slackParams{}
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		token = strings.TrimPrefix(h, "Bearer ")
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mt == "application/json":
		if len(body) > 0 {
			var m map[string]any
			dec := json.NewDecoder(strings.NewReader(string(body)))
			dec.UseNumber()
			if err := dec.Decode(&m); err != nil {
				return p, token, "invalid_json"
			}
			p = m
		}
	default:
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return p, token, "invalid_form_data"
		}
		for k, v := range r.URL.Query() {
			if _, ok := vals[k]; !ok {
				vals[k] = v
			}
		}
		for k, v := range vals {
			if len(v) > 0 {
				p[k] = v[0]
			}
		}
		if token == "" {
			token = p.str("token")
		}
	}
	return p, token, ""
}

func redactSlack(p slackParams) map[string]any {
	out := make(map[string]any, len(p))
	for k, v := range p {
		if k == "token" {
			v = redacted
		}
		out[k] = v
	}
	return out
}

// nextTS returns a unique, increasing Slack timestamp ("1700000000.000123") near now.
func (a *slackAPI) nextTS() string {
	micros := a.s.now().UnixMicro()
	if micros <= a.lastTS {
		micros = a.lastTS + 1
	}
	a.lastTS = micros
	return fmt.Sprintf("%d.%06d", micros/1e6, micros%1e6)
}

func (a *slackAPI) authTest(slackParams) map[string]any {
	return slackOK(map[string]any{"url": "https://rituals-local.slack.com/", "team": "Rituals Local", "user": "rituals", "team_id": SlackTeamID, "user_id": SlackBotUser, "bot_id": SlackBotID, "is_enterprise_install": false})
}

func hasContent(p slackParams) bool {
	if p.str("text") != "" {
		return true
	}
	for _, k := range []string{"blocks", "attachments"} {
		if v, ok := p.obj(k); ok {
			if l, isList := v.([]any); !isList || len(l) > 0 {
				return true
			}
		}
	}
	return false
}

// dmChannel is the stable DM (or group DM) id for a set of users.
func dmChannel(users []string) string {
	sort.Strings(users)
	sum := sha1.Sum([]byte(strings.Join(users, ",")))
	prefix := "D"
	if len(users) > 1 {
		prefix = "G"
	}
	return prefix + strings.ToUpper(hex.EncodeToString(sum[:]))[:10]
}

// channelFor maps a user id (U..., W...) to the DM Slack posts to; other ids are kept.
func channelFor(ch string) string {
	if strings.HasPrefix(ch, "U") || strings.HasPrefix(ch, "W") {
		return dmChannel([]string{ch})
	}
	return ch
}

func (a *slackAPI) message(p slackParams, ts string) map[string]any {
	m := map[string]any{"type": "message", "ts": ts, "user": SlackBotUser, "bot_id": SlackBotID, "app_id": SlackAppID, "team": SlackTeamID, "text": p.str("text")}
	for _, k := range []string{"blocks", "attachments", "metadata"} {
		if v, ok := p.obj(k); ok {
			m[k] = v
		}
	}
	if t := p.str("thread_ts"); t != "" {
		m["thread_ts"] = t
	}
	return m
}

func (a *slackAPI) postMessage(p slackParams) map[string]any {
	ch := p.str("channel")
	if ch == "" {
		return slackErr("channel_not_found")
	}
	if !hasContent(p) {
		return slackErr("no_text")
	}
	if refusal := messageRefusal(p); refusal != nil {
		return refusal
	}
	ch = channelFor(ch)
	a.mu.Lock()
	defer a.mu.Unlock()
	m := a.message(p, a.nextTS())
	if parent := p.str("thread_ts"); parent != "" {
		if pm := a.find(ch, parent); pm != nil {
			n, _ := pm["reply_count"].(int)
			pm["reply_count"] = n + 1
			pm["thread_ts"] = parent
		}
	}
	a.channels[ch] = append(a.channels[ch], m)
	return slackOK(map[string]any{"channel": ch, "ts": m["ts"], "message": m})
}

func (a *slackAPI) find(ch, ts string) map[string]any {
	for _, m := range a.channels[ch] {
		if m["ts"] == ts {
			return m
		}
	}
	return nil
}

func (a *slackAPI) postEphemeral(p slackParams) map[string]any {
	switch {
	case p.str("channel") == "":
		return slackErr("channel_not_found")
	case p.str("user") == "":
		return slackErr("user_not_in_channel")
	case !hasContent(p):
		return slackErr("no_text")
	}
	if refusal := messageRefusal(p); refusal != nil {
		return refusal
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return slackOK(map[string]any{"message_ts": a.nextTS()})
}

func (a *slackAPI) update(p slackParams) map[string]any {
	ch, ts := channelFor(p.str("channel")), p.str("ts")
	switch {
	case ch == "":
		return slackErr("channel_not_found")
	case ts == "":
		return slackErr("message_not_found")
	case !hasContent(p):
		return slackErr("no_text")
	}
	if refusal := messageRefusal(p); refusal != nil {
		return refusal
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	m := a.find(ch, ts)
	if m == nil {
		return slackErr("message_not_found")
	}
	m["text"] = p.str("text")
	for _, k := range []string{"blocks", "attachments"} {
		if v, ok := p.obj(k); ok {
			m[k] = v
		}
	}
	m["edited"] = map[string]any{"user": SlackBotUser, "ts": a.nextTS()}
	return slackOK(map[string]any{"channel": ch, "ts": ts, "text": m["text"], "message": m})
}

func (a *slackAPI) delete(p slackParams) map[string]any {
	ch, ts := channelFor(p.str("channel")), p.str("ts")
	if ch == "" {
		return slackErr("channel_not_found")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	msgs := a.channels[ch]
	for i, m := range msgs {
		if m["ts"] == ts {
			a.channels[ch] = append(msgs[:i:i], msgs[i+1:]...)
			return slackOK(map[string]any{"channel": ch, "ts": ts})
		}
	}
	return slackErr("message_not_found")
}

func (a *slackAPI) open(p slackParams) map[string]any {
	if ch := p.str("channel"); ch != "" {
		return slackOK(map[string]any{"no_op": true, "already_open": true, "channel": map[string]any{"id": ch}})
	}
	var users []string
	for _, u := range strings.Split(p.str("users"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			users = append(users, u)
		}
	}
	if len(users) == 0 {
		return slackErr("users_list_not_supplied")
	}
	if len(users) > 8 {
		return slackErr("too_many_users")
	}
	return slackOK(map[string]any{"no_op": false, "already_open": false, "channel": map[string]any{"id": dmChannel(users)}})
}

func (a *slackAPI) history(p slackParams) map[string]any {
	ch := channelFor(p.str("channel"))
	if ch == "" {
		return slackErr("channel_not_found")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	msgs := []any{}
	all := a.channels[ch]
	for i := len(all) - 1; i >= 0; i-- {
		m := all[i]
		if t, ok := m["thread_ts"]; ok && t != m["ts"] {
			continue // replies live in conversations.replies
		}
		msgs = append(msgs, m)
	}
	return slackOK(map[string]any{"messages": msgs, "has_more": false, "pin_count": 0, "response_metadata": map[string]any{"next_cursor": ""}})
}

func (a *slackAPI) replies(p slackParams) map[string]any {
	ch, ts := channelFor(p.str("channel")), p.str("ts")
	switch {
	case ch == "":
		return slackErr("channel_not_found")
	case ts == "":
		return slackErr("invalid_arguments")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var msgs []any
	for _, m := range a.channels[ch] {
		if m["ts"] == ts || m["thread_ts"] == ts {
			msgs = append(msgs, m)
		}
	}
	if len(msgs) == 0 {
		return slackErr("thread_not_found")
	}
	return slackOK(map[string]any{"messages": msgs, "has_more": false, "response_metadata": map[string]any{"next_cursor": ""}})
}

func (a *slackAPI) reactionsAdd(p slackParams) map[string]any {
	ch, ts, name := channelFor(p.str("channel")), p.str("timestamp"), p.str("name")
	switch {
	case ch == "" || ts == "":
		return slackErr("no_item_specified")
	case name == "":
		return slackErr("invalid_name")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	m := a.find(ch, ts)
	if m == nil {
		return slackErr("message_not_found")
	}
	reactions, _ := m["reactions"].([]any)
	for _, r := range reactions {
		if r.(map[string]any)["name"] == name {
			return slackErr("already_reacted")
		}
	}
	m["reactions"] = append(reactions, map[string]any{"name": name, "users": []any{SlackBotUser}, "count": 1})
	return slackOK(nil)
}

func (a *slackAPI) usersInfo(p slackParams) map[string]any {
	id := p.str("user")
	if id == "" {
		return slackErr("user_not_found")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if u, ok := a.users[id]; ok {
		return slackOK(map[string]any{"user": u})
	}
	return slackOK(map[string]any{"user": defaultSlackUser(id)})
}

func defaultSlackUser(id string) map[string]any {
	name := strings.ToLower(id)
	return map[string]any{
		"id": id, "team_id": SlackTeamID, "name": name, "real_name": "Local " + id, "deleted": false,
		"tz": "UTC", "tz_label": "Coordinated Universal Time", "tz_offset": 0,
		"is_bot": false, "is_admin": false, "is_owner": false,
		"profile": map[string]any{"real_name": "Local " + id, "display_name": name, "email": name + "@example.com", "team": SlackTeamID},
	}
}

func (a *slackAPI) newView(v map[string]any, id string) map[string]any {
	out := map[string]any{}
	for k, x := range v {
		out[k] = x
	}
	if id == "" {
		a.viewSeq++
		id = fmt.Sprintf("V%010d", a.viewSeq)
	}
	out["id"] = id
	out["team_id"] = SlackTeamID
	out["app_id"] = SlackAppID
	out["bot_id"] = SlackBotID
	out["root_view_id"] = id
	out["previous_view_id"] = nil
	out["state"] = map[string]any{"values": map[string]any{}}
	out["hash"] = fmt.Sprintf("%d.%s", a.s.now().Unix(), id)
	if _, ok := out["external_id"]; !ok {
		out["external_id"] = ""
	}
	for _, k := range []string{"private_metadata", "callback_id"} {
		if _, ok := out[k]; !ok {
			out[k] = ""
		}
	}
	if ext, _ := out["external_id"].(string); ext != "" {
		a.external[ext] = id
	}
	a.views[id] = out
	return out
}

func viewArg(p slackParams) (map[string]any, bool) {
	v, ok := p.obj("view")
	if !ok {
		return nil, false
	}
	m, ok := v.(map[string]any)
	if !ok || m["type"] == nil {
		return nil, false
	}
	return m, true
}

func (a *slackAPI) viewsOpen(p slackParams, _ string) map[string]any {
	if p.str("trigger_id") == "" && p.str("interactivity_pointer") == "" {
		return slackErr("invalid_arguments")
	}
	v, ok := viewArg(p)
	if !ok {
		return slackErr("invalid_arguments")
	}
	if refusal := viewRefusal(v); refusal != nil {
		return refusal
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return slackOK(map[string]any{"view": a.newView(v, "")})
}

func (a *slackAPI) viewsUpdate(p slackParams) map[string]any {
	id, ext := p.str("view_id"), p.str("external_id")
	if id == "" && ext == "" {
		return slackErr("invalid_arguments")
	}
	v, ok := viewArg(p)
	if !ok {
		return slackErr("invalid_arguments")
	}
	if refusal := viewRefusal(v); refusal != nil {
		return refusal
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if id == "" {
		id = a.external[ext]
	}
	old, found := a.views[id]
	if !found {
		return slackErr("not_found")
	}
	if h := p.str("hash"); h != "" && h != old["hash"] {
		return slackErr("hash_conflict")
	}
	return slackOK(map[string]any{"view": a.newView(v, id)})
}

func (a *slackAPI) viewsPublish(p slackParams) map[string]any {
	user := p.str("user_id")
	if user == "" {
		return slackErr("invalid_arguments")
	}
	v, ok := viewArg(p)
	if !ok || v["type"] != "home" {
		return slackErr("invalid_arguments")
	}
	if refusal := viewRefusal(v); refusal != nil {
		return refusal
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return slackOK(map[string]any{"view": a.newView(v, a.homeID(user))})
}

func (a *slackAPI) homeID(user string) string {
	if id, ok := a.homes[user]; ok {
		return id
	}
	a.viewSeq++
	id := fmt.Sprintf("V%010d", a.viewSeq)
	a.homes[user] = id
	return id
}

// serveResponseURL records a post to a response_url handed out with a slash command or an
// interaction. Slack answers these without authentication.
func (a *slackAPI) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	body, _ := readBody(r)
	call := Call{Service: "slack", Method: r.Method, Path: "/response/" + r.PathValue("id"), API: "response_url", Authorized: true}
	var req map[string]any
	var resp map[string]any
	status := http.StatusOK
	switch {
	case r.Method != http.MethodPost:
		status, resp = http.StatusMethodNotAllowed, slackErr("method_not_allowed")
	case json.Unmarshal(body, &req) != nil:
		status, resp = http.StatusBadRequest, slackErr("invalid_payload")
	case req["delete_original"] != true && !hasContent(slackParams(req)):
		status, resp = http.StatusBadRequest, slackErr("no_text")
	case messageRefusal(slackParams(req)) != nil:
		status, resp = http.StatusBadRequest, messageRefusal(slackParams(req))
	default:
		resp = map[string]any{"ok": true}
	}
	if req != nil {
		call.Request = req
		call.Problems = slackTextProblems(req)
	} else {
		call.Request = string(body)
	}
	if a.s.fault(w, r, &call) {
		return
	}
	call.Status, call.Response = status, resp
	a.s.outbox.Record(call)
	writeJSON(w, status, resp)
}

// serveSeed adds users that users.info returns instead of synthesised ones:
// {"users": [{"id": "U1", "tz": "Europe/Paris", ...}]}.
func (a *slackAPI) serveSeed(w http.ResponseWriter, r *http.Request) {
	var seed struct {
		Users []map[string]any `json:"users"`
	}
	body, _ := readBody(r)
	if err := json.Unmarshal(body, &seed); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "want {\"users\": [...]}: " + err.Error()})
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, u := range seed.Users {
		id, _ := u["id"].(string)
		if id == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "every user needs an id"})
			return
		}
		full := defaultSlackUser(id)
		for k, v := range u {
			full[k] = v
		}
		a.users[id] = full
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "users": len(seed.Users)})
}
