package standins

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// GitHubBotLogin is the user the local GitHub token belongs to.
const GitHubBotLogin = "rituals-bot"

const githubDocs = "https://docs.github.com/rest"

// githubAPI keeps issues per repository so that later calls see earlier ones. An issue that was
// never created through the stand-in is created on the first write that references it (a
// comment, assignees, labels or an update), titled as a placeholder: webhook payloads
// (events/, @octokit/webhooks-examples) name issues that exist on GitHub but not here, and
// the functions must be able to act on them. Reading such an issue before any write is a 404.
type githubAPI struct {
	s     *Server
	mu    sync.Mutex
	repos map[string]*ghRepo
	ids   int64
	hooks *ghHooks // see github_hooks.go
}

type ghRepo struct {
	issues map[int]*ghIssue
	next   int
}

type ghIssue struct {
	data     map[string]any
	labels   []string
	assign   []string
	comments []map[string]any
}

func newGitHubAPI(s *Server) *githubAPI { return &githubAPI{s: s, repos: map[string]*ghRepo{}} }

// ghReply is a handler's answer: status and JSON body (a ghPage for a paginated list).
type ghReply struct {
	status int
	body   any
}

// ghPage is one page of a list and the Link header to the next.
type ghPage struct {
	items []any
	link  string
}

func ghError(status int, msg string) ghReply {
	return ghReply{status, map[string]any{"message": msg, "documentation_url": githubDocs}}
}

func ghValidation(resource, field, code string) ghReply {
	return ghReply{http.StatusUnprocessableEntity, map[string]any{
		"message": "Validation Failed", "documentation_url": githubDocs,
		"errors": []any{map[string]any{"resource": resource, "field": field, "code": code}},
	}}
}

// GitHub refuses an issue or comment body over 65,536 characters and a title over 256.
const (
	maxGitHubBody  = 65536
	maxGitHubTitle = 256
)

// ghTooLong is GitHub's refusal of a field over its limit, or nil when s fits.
func ghTooLong(resource, field, s string, max int) *ghReply {
	if utf8.RuneCountInString(s) <= max {
		return nil
	}
	return &ghReply{http.StatusUnprocessableEntity, map[string]any{
		"message": "Validation Failed", "documentation_url": githubDocs,
		"errors": []any{map[string]any{"resource": resource, "field": field, "code": "custom", "message": fmt.Sprintf("%s is too long (maximum is %d characters)", field, max)}},
	}}
}

type ghHandler func(r *http.Request, body any) ghReply

func (g *githubAPI) handler() http.Handler {
	mux := http.NewServeMux()
	route := func(pattern, api string, h ghHandler) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { g.serve(w, r, api, h) })
	}
	route("GET /user", "users/get-authenticated", func(*http.Request, any) ghReply {
		return ghReply{200, map[string]any{"login": GitHubBotLogin, "id": 1, "node_id": "U_local", "type": "Bot"}}
	})
	route("POST /graphql", "graphql", g.graphql)
	route("GET /repos/{owner}/{repo}/issues", "issues/list-for-repo", g.listIssues)
	route("POST /repos/{owner}/{repo}/issues", "issues/create", g.createIssue)
	route("GET /repos/{owner}/{repo}/issues/{number}", "issues/get", g.getIssue)
	route("PATCH /repos/{owner}/{repo}/issues/{number}", "issues/update", g.updateIssue)
	route("GET /repos/{owner}/{repo}/issues/{number}/comments", "issues/list-comments", g.listComments)
	route("POST /repos/{owner}/{repo}/issues/{number}/comments", "issues/create-comment", g.createComment)
	route("POST /repos/{owner}/{repo}/issues/{number}/assignees", "issues/add-assignees", g.assignees(true))
	route("DELETE /repos/{owner}/{repo}/issues/{number}/assignees", "issues/remove-assignees", g.assignees(false))
	route("GET /repos/{owner}/{repo}/issues/{number}/labels", "issues/list-labels-on-issue", g.listLabels)
	route("POST /repos/{owner}/{repo}/issues/{number}/labels", "issues/add-labels", g.labels(false))
	route("PUT /repos/{owner}/{repo}/issues/{number}/labels", "issues/set-labels", g.labels(true))
	route("DELETE /repos/{owner}/{repo}/issues/{number}/labels/{name}", "issues/remove-label", g.removeLabel)
	g.hookRoutes(route)
	route("PUT /repos/{owner}/{repo}/issues/{number}/lock", "issues/lock", g.lock(true))
	route("DELETE /repos/{owner}/{repo}/issues/{number}/lock", "issues/unlock", g.lock(false))
	route("/", "unknown", func(*http.Request, any) ghReply { return ghError(http.StatusNotFound, "Not Found") })
	return mux
}

// serve authenticates, parses the JSON body, runs h and records the call.
func (g *githubAPI) serve(w http.ResponseWriter, r *http.Request, api string, h ghHandler) {
	call := Call{Service: "github", Method: r.Method, Path: r.URL.Path, API: api}
	raw, _ := readBody(r)
	var body any
	var reply ghReply
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &body); err != nil {
			body = string(raw)
			reply = ghError(http.StatusBadRequest, "Problems parsing JSON")
		}
	}
	call.Request = body
	if g.s.fault(w, r, &call) {
		return
	}
	auth := r.Header.Get("Authorization")
	token := strings.TrimPrefix(strings.TrimPrefix(auth, "Bearer "), "token ")
	switch {
	case reply.status != 0:
	case auth == "":
		reply = ghError(http.StatusUnauthorized, "Requires authentication")
	case token == auth:
		reply = ghError(http.StatusUnauthorized, "Bad credentials")
	case g.s.githubAccess(r.URL.Path, token) != nil: // the personal token, or an installation's (github_apps.go)
		reply = *g.s.githubAccess(r.URL.Path, token)
	default:
		call.Authorized = true
		reply = h(r, body)
	}
	if page, ok := reply.body.(ghPage); ok {
		if page.link != "" {
			w.Header().Set("Link", page.link)
		}
		reply.body = page.items
	}
	call.Status, call.Response = reply.status, jsonValue(reply.body)
	g.s.outbox.Record(call)
	if reply.body == nil {
		w.WriteHeader(reply.status)
		return
	}
	writeJSON(w, reply.status, reply.body)
}

func (g *githubAPI) repo(r *http.Request) (string, *ghRepo) {
	name := r.PathValue("owner") + "/" + r.PathValue("repo")
	rp := g.repos[name]
	if rp == nil {
		rp = &ghRepo{issues: map[int]*ghIssue{}, next: 1}
		g.repos[name] = rp
	}
	return name, rp
}

func (g *githubAPI) newIssue(repo string, rp *ghRepo, number int, title, body string) *ghIssue {
	g.ids++
	now := g.s.now().UTC().Format(time.RFC3339)
	is := &ghIssue{data: map[string]any{
		"id": 1000000 + g.ids, "node_id": fmt.Sprintf("I_local%d", g.ids), "number": number,
		"title": title, "body": body, "state": "open", "state_reason": nil, "locked": false,
		"user":           ghUser(GitHubBotLogin),
		"html_url":       fmt.Sprintf("https://github.com/%s/issues/%d", repo, number),
		"url":            fmt.Sprintf("https://api.github.com/repos/%s/issues/%d", repo, number),
		"repository_url": "https://api.github.com/repos/" + repo,
		"created_at":     now, "updated_at": now, "closed_at": nil, "milestone": nil,
	}}
	rp.issues[number] = is
	if number >= rp.next {
		rp.next = number + 1
	}
	return is
}

func ghUser(login string) map[string]any {
	sum := sha1.Sum([]byte(login))
	id, _ := strconv.ParseInt(hex.EncodeToString(sum[:3]), 16, 64)
	typ := "User"
	if login == GitHubBotLogin {
		typ = "Bot"
	}
	return map[string]any{"login": login, "id": id, "type": typ, "html_url": "https://github.com/" + login}
}

// view renders an issue as the REST API does.
func (is *ghIssue) view() map[string]any {
	out := map[string]any{}
	for k, v := range is.data {
		out[k] = v
	}
	labels := []any{}
	for _, l := range is.labels {
		labels = append(labels, map[string]any{"name": l, "color": "ededed", "default": false, "id": labelID(l)})
	}
	assignees := []any{}
	for _, a := range is.assign {
		assignees = append(assignees, ghUser(a))
	}
	out["labels"], out["assignees"], out["comments"] = labels, assignees, len(is.comments)
	out["assignee"] = nil
	if len(is.assign) > 0 {
		out["assignee"] = ghUser(is.assign[0])
	}
	return out
}

func labelID(name string) int64 {
	sum := sha1.Sum([]byte(name))
	id, _ := strconv.ParseInt(hex.EncodeToString(sum[:4]), 16, 64)
	return id
}

// issue finds an issue; create makes a placeholder for one never seen (see githubAPI).
func (g *githubAPI) issue(r *http.Request, create bool) (*ghIssue, *ghReply) {
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil || n <= 0 {
		e := ghError(http.StatusNotFound, "Not Found")
		return nil, &e
	}
	name, rp := g.repo(r)
	if is := rp.issues[n]; is != nil {
		return is, nil
	}
	if !create {
		e := ghError(http.StatusNotFound, "Not Found")
		return nil, &e
	}
	return g.newIssue(name, rp, n, fmt.Sprintf("(issue #%d, first referenced through the local stand-in)", n), ""), nil
}

func obj(body any) map[string]any {
	m, _ := body.(map[string]any)
	return m
}

func strList(v any) ([]string, bool) {
	l, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(l))
	for _, x := range l {
		s, ok := x.(string)
		if !ok {
			if m, isObj := x.(map[string]any); isObj {
				s, ok = m["name"].(string)
			}
			if !ok {
				return nil, false
			}
		}
		out = append(out, s)
	}
	return out, true
}

func (g *githubAPI) listIssues(r *http.Request, _ any) ghReply {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, rp := g.repo(r)
	state := r.URL.Query().Get("state")
	if state == "" {
		state = "open"
	}
	var nums []int
	for n, is := range rp.issues {
		if state == "all" || is.data["state"] == state {
			nums = append(nums, n)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(nums)))
	out := []any{}
	for _, n := range nums {
		out = append(out, rp.issues[n].view())
	}
	return ghReply{200, out}
}

func (g *githubAPI) createIssue(r *http.Request, body any) ghReply {
	in := obj(body)
	title, _ := in["title"].(string)
	if title == "" {
		return ghValidation("Issue", "title", "missing_field")
	}
	text, _ := in["body"].(string)
	if bad := ghTooLong("Issue", "title", title, maxGitHubTitle); bad != nil {
		return *bad
	}
	if bad := ghTooLong("Issue", "body", text, maxGitHubBody); bad != nil {
		return *bad
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	name, rp := g.repo(r)
	is := g.newIssue(name, rp, rp.next, title, text)
	if l, ok := strList(in["labels"]); ok {
		is.labels = dedupe(l)
	}
	if a, ok := strList(in["assignees"]); ok {
		is.assign = dedupe(a)
	}
	if a, ok := in["assignee"].(string); ok && a != "" {
		is.assign = dedupe(append(is.assign, a))
	}
	return ghReply{http.StatusCreated, is.view()}
}

func dedupe(l []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range l {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func (g *githubAPI) getIssue(r *http.Request, _ any) ghReply {
	g.mu.Lock()
	defer g.mu.Unlock()
	is, errReply := g.issue(r, false)
	if errReply != nil {
		return *errReply
	}
	return ghReply{200, is.view()}
}

func (g *githubAPI) updateIssue(r *http.Request, body any) ghReply {
	in := obj(body)
	// Refused as a whole, before anything changes, as GitHub does.
	title, _ := in["title"].(string)
	text, _ := in["body"].(string)
	if bad := ghTooLong("Issue", "title", title, maxGitHubTitle); bad != nil {
		return *bad
	}
	if bad := ghTooLong("Issue", "body", text, maxGitHubBody); bad != nil {
		return *bad
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	is, errReply := g.issue(r, true)
	if errReply != nil {
		return *errReply
	}
	if v, ok := in["state"]; ok {
		s, _ := v.(string)
		if s != "open" && s != "closed" {
			return ghValidation("Issue", "state", "invalid")
		}
		is.data["state"] = s
		is.data["closed_at"] = nil
		if s == "closed" {
			is.data["closed_at"] = g.s.now().UTC().Format(time.RFC3339)
			is.data["state_reason"] = "completed"
		}
	}
	if v, ok := in["state_reason"].(string); ok {
		is.data["state_reason"] = v
	}
	if v, ok := in["title"]; ok {
		s, _ := v.(string)
		if s == "" {
			return ghValidation("Issue", "title", "missing_field")
		}
		is.data["title"] = s
	}
	if v, ok := in["body"].(string); ok {
		is.data["body"] = v
	}
	if l, ok := strList(in["labels"]); ok {
		is.labels = dedupe(l)
	}
	if a, ok := strList(in["assignees"]); ok {
		is.assign = dedupe(a)
	}
	is.data["updated_at"] = g.s.now().UTC().Format(time.RFC3339)
	return ghReply{200, is.view()}
}

func (g *githubAPI) listComments(r *http.Request, _ any) ghReply {
	g.mu.Lock()
	defer g.mu.Unlock()
	is, errReply := g.issue(r, false)
	if errReply != nil {
		return *errReply
	}
	out := []any{}
	for _, c := range is.comments {
		out = append(out, c)
	}
	return ghReply{200, out}
}

func (g *githubAPI) createComment(r *http.Request, body any) ghReply {
	text, _ := obj(body)["body"].(string)
	if text == "" {
		return ghValidation("IssueComment", "body", "missing_field")
	}
	if bad := ghTooLong("IssueComment", "body", text, maxGitHubBody); bad != nil {
		return *bad
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	is, errReply := g.issue(r, true)
	if errReply != nil {
		return *errReply
	}
	g.ids++
	id := 2000000 + g.ids
	now := g.s.now().UTC().Format(time.RFC3339)
	html, _ := is.data["html_url"].(string)
	apiURL, _ := is.data["url"].(string)
	c := map[string]any{
		"id": id, "node_id": fmt.Sprintf("IC_local%d", id), "body": text, "user": ghUser(GitHubBotLogin),
		"html_url":  fmt.Sprintf("%s#issuecomment-%d", html, id),
		"issue_url": apiURL, "url": fmt.Sprintf("%s/comments/%d", strings.Split(apiURL, "/issues/")[0]+"/issues", id),
		"created_at": now, "updated_at": now, "author_association": "NONE",
	}
	is.comments = append(is.comments, c)
	return ghReply{http.StatusCreated, c}
}

func (g *githubAPI) assignees(add bool) ghHandler {
	return func(r *http.Request, body any) ghReply {
		list, ok := strList(obj(body)["assignees"])
		if !ok || len(list) == 0 {
			return ghValidation("Issue", "assignees", "missing_field")
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		is, errReply := g.issue(r, true)
		if errReply != nil {
			return *errReply
		}
		if add {
			is.assign = dedupe(append(is.assign, list...))
			return ghReply{http.StatusCreated, is.view()}
		}
		is.assign = without(is.assign, list)
		return ghReply{200, is.view()}
	}
}

func without(l, remove []string) []string {
	drop := map[string]bool{}
	for _, r := range remove {
		drop[r] = true
	}
	var out []string
	for _, s := range l {
		if !drop[s] {
			out = append(out, s)
		}
	}
	return out
}

func (g *githubAPI) labelsView(is *ghIssue) []any {
	return is.view()["labels"].([]any)
}

func (g *githubAPI) listLabels(r *http.Request, _ any) ghReply {
	g.mu.Lock()
	defer g.mu.Unlock()
	is, errReply := g.issue(r, false)
	if errReply != nil {
		return *errReply
	}
	return ghReply{200, g.labelsView(is)}
}

// labels accepts both bodies GitHub does: ["a","b"] (go-github) and {"labels": [...]}.
func (g *githubAPI) labels(replace bool) ghHandler {
	return func(r *http.Request, body any) ghReply {
		list, ok := strList(body)
		if !ok {
			list, ok = strList(obj(body)["labels"])
		}
		if !ok {
			return ghValidation("Label", "labels", "missing_field")
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		is, errReply := g.issue(r, true)
		if errReply != nil {
			return *errReply
		}
		if replace {
			is.labels = dedupe(list)
		} else {
			is.labels = dedupe(append(is.labels, list...))
		}
		return ghReply{200, g.labelsView(is)}
	}
}

func (g *githubAPI) removeLabel(r *http.Request, _ any) ghReply {
	g.mu.Lock()
	defer g.mu.Unlock()
	is, errReply := g.issue(r, false)
	if errReply != nil {
		return *errReply
	}
	name := r.PathValue("name")
	for _, l := range is.labels {
		if l == name {
			is.labels = without(is.labels, []string{name})
			return ghReply{200, g.labelsView(is)}
		}
	}
	return ghError(http.StatusNotFound, "Label does not exist")
}

// lockReasons are the lock_reason values GitHub accepts.
var lockReasons = map[string]bool{"off-topic": true, "too heated": true, "resolved": true, "spam": true}

// lock locks (or unlocks) an issue's conversation, answering 204 as GitHub does.
func (g *githubAPI) lock(on bool) ghHandler {
	return func(r *http.Request, body any) ghReply {
		reason, _ := obj(body)["lock_reason"].(string)
		if on && reason != "" && !lockReasons[reason] {
			return ghValidation("Issue", "lock_reason", "invalid")
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		is, errReply := g.issue(r, true)
		if errReply != nil {
			return *errReply
		}
		is.data["locked"], is.data["active_lock_reason"] = on, nil
		if on && reason != "" {
			is.data["active_lock_reason"] = reason
		}
		return ghReply{status: http.StatusNoContent}
	}
}

var (
	gqlOwner  = regexp.MustCompile(`\b(organization|user)\s*\(`)
	gqlNumber = regexp.MustCompile(`projectV2\s*\(\s*number\s*:\s*(\d+)`)
)

// graphql answers the Projects v2 calls Rituals makes, with ids derived from their inputs so
// that they are stable across calls: addProjectV2ItemById, updateProjectV2ItemFieldValue,
// and a query for a project's id and its Status field options. Anything else gets {"data":{}}.
func (g *githubAPI) graphql(_ *http.Request, body any) ghReply {
	in := obj(body)
	q, _ := in["query"].(string)
	if strings.TrimSpace(q) == "" {
		return ghReply{http.StatusBadRequest, map[string]any{"message": "A query attribute must be specified and must be a string.", "documentation_url": "https://docs.github.com/graphql"}}
	}
	vars := obj(in["variables"])
	str := func(k string) string {
		s, _ := vars[k].(string)
		if s == "" {
			if input := obj(vars["input"]); input != nil {
				s, _ = input[k].(string)
			}
		}
		return s
	}
	data := map[string]any{}
	switch {
	case strings.Contains(q, "addProjectV2ItemById"):
		data["addProjectV2ItemById"] = map[string]any{"item": map[string]any{"id": "PVTI_" + shortHash(str("projectId")+"/"+str("contentId"))}}
	case strings.Contains(q, "updateProjectV2ItemFieldValue"):
		data["updateProjectV2ItemFieldValue"] = map[string]any{"projectV2Item": map[string]any{"id": str("itemId")}}
	case strings.Contains(q, "projectV2"):
		owner := "organization"
		if m := gqlOwner.FindStringSubmatch(q); m != nil {
			owner = m[1]
		}
		login, _ := vars["org"].(string)
		if login == "" {
			login, _ = vars["login"].(string)
		}
		if login == "" {
			login, _ = vars["owner"].(string)
		}
		number := fmt.Sprint(vars["number"])
		if m := gqlNumber.FindStringSubmatch(q); m != nil {
			number = m[1]
		}
		data[owner] = map[string]any{"projectV2": projectV2(login, number)}
	}
	return ghReply{200, map[string]any{"data": data}}
}

// StatusOptions are the Status field options every stand-in project has: GitHub's defaults plus
// the "Support Issues" list a team using support triage adds to its board (see README.md).
var StatusOptions = []string{"Todo", "In Progress", "Support Issues", "Done"}

func projectV2(login, number string) map[string]any {
	id := "PVT_" + shortHash(login+"#"+number)
	var options []any
	for _, o := range StatusOptions {
		options = append(options, map[string]any{"id": shortHash(id + "/" + o)[:8], "name": o})
	}
	field := map[string]any{"__typename": "ProjectV2SingleSelectField", "id": "PVTSSF_" + shortHash(id+"/Status"), "name": "Status", "options": options}
	return map[string]any{"id": id, "title": "Project " + number, "field": field, "fields": map[string]any{"nodes": []any{field}}}
}

func shortHash(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])[:20]
}
