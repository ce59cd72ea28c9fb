package standins

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

// GitHub Apps: the app-manifest flow, installations and installation access tokens, as
// GitHub serves them. A person's steps in the browser (submitting the manifest form, installing
// the app on an account) are pages of the github.com stand-in (GitHubWebPath); the API steps
// are below GitHubAPIPath. The /app endpoints take the app's JWT, verified with the app's public
// key as GitHub does (RS256, iss = app id, iat not in the future, exp at most 10 minutes
// ahead); installation tokens reach only their installation's account (and its selected
// repositories).

// GitHubWebPath is where the github.com stand-in serves the pages a person uses in a browser.
const GitHubWebPath = "/_standins/github-web/"

// GitHubWebURL is the github.com stand-in for stand-ins served at base.
func GitHubWebURL(base string) string { return strings.TrimSuffix(base, "/") + GitHubWebPath }

// GitHubWebUser is who is signed in to the github.com stand-in: the owner of an app whose
// manifest was posted without an organisation.
const GitHubWebUser = "rituals-admin"

// GitHubApp is an app as the stand-in registered it.
type GitHubApp struct {
	ID            int64             `json:"id"`
	Slug          string            `json:"slug"`
	Name          string            `json:"name"`
	Owner         string            `json:"owner"`
	Public        bool              `json:"public"`
	WebhookURL    string            `json:"webhook_url"`
	WebhookSecret string            `json:"-"`
	Permissions   map[string]string `json:"permissions"`
	Events        []string          `json:"events"`
	ClientID      string            `json:"client_id"`
	HTMLURL       string            `json:"html_url"`
	PublicKey     *rsa.PublicKey    `json:"-"`
}

// GitHubInstallation is an app installed on an account.
type GitHubInstallation struct {
	ID      int64  `json:"id"`
	AppID   int64  `json:"app_id"`
	Account string `json:"account"`
	// Repositories are the owner/name repositories of a "selected" installation; empty
	// means every repository of the account.
	Repositories []string `json:"repositories,omitempty"`
}

type githubApps struct {
	s        *Server
	mu       sync.Mutex
	apps     map[int64]*GitHubApp
	pending  map[string]pendingApp
	installs map[int64]*GitHubInstallation
	tokens   map[string]installToken
	nextApp  int64
	nextInst int64
}

type pendingApp struct {
	manifest map[string]any
	owner    string
	web      string
	expires  time.Time
}

type installToken struct {
	installation int64
	expires      time.Time
}

func newGitHubApps(s *Server) *githubApps {
	return &githubApps{s: s, apps: map[int64]*GitHubApp{}, pending: map[string]pendingApp{}, installs: map[int64]*GitHubInstallation{}, tokens: map[string]installToken{}, nextApp: 100000, nextInst: 5000000}
}

func (g *githubApps) register(mux *http.ServeMux) {
	web := strings.TrimSuffix(GitHubWebPath, "/")
	mux.HandleFunc("POST "+web+"/settings/apps/new", g.serveManifestForm)
	mux.HandleFunc("POST "+web+"/organizations/{org}/settings/apps/new", g.serveManifestForm)
	mux.HandleFunc("GET "+web+"/apps/{slug}/installations/new", g.serveInstallPage)
	mux.HandleFunc("POST "+web+"/apps/{slug}/installations", g.serveInstall)
	api := strings.TrimSuffix(GitHubAPIPath, "/")
	route := func(pattern, op string, h func(r *http.Request, body map[string]any) ghReply) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.HandleFunc(method+" "+api+path, func(w http.ResponseWriter, r *http.Request) { g.serveAPI(w, r, op, h) })
	}
	route("POST /app-manifests/{code}/conversions", "apps/create-from-manifest", g.conversion)
	route("GET /app", "apps/get-authenticated", g.asApp(g.getApp))
	route("GET /app/installations", "apps/list-installations", g.asApp(g.listInstallations))
	route("POST /app/installations/{id}/access_tokens", "apps/create-installation-access-token", g.asApp(g.accessToken))
	route("GET /orgs/{owner}/installation", "apps/get-org-installation", g.asApp(g.ownerInstallation))
	route("GET /users/{owner}/installation", "apps/get-user-installation", g.asApp(g.ownerInstallation))
	route("GET /repos/{owner}/{repo}/installation", "apps/get-repo-installation", g.asApp(g.ownerInstallation))
	route("GET /installation/repositories", "apps/list-repos-accessible-to-installation", g.installationRepos)
	route("GET /repos/{owner}/{repo}", "repos/get", g.getRepo)
	route("GET /orgs/{owner}", "orgs/get", g.getOrg)
}

// serveAPI records an API call made to one of the app routes.
func (g *githubApps) serveAPI(w http.ResponseWriter, r *http.Request, op string, h func(*http.Request, map[string]any) ghReply) {
	raw, _ := readBody(r)
	var body map[string]any
	reply := ghReply{}
	if len(raw) > 0 && json.Unmarshal(raw, &body) != nil {
		reply = ghError(http.StatusBadRequest, "Problems parsing JSON")
	}
	call := Call{Service: "github", Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, strings.TrimSuffix(GitHubAPIPath, "/")), API: op, Request: body}
	if reply.status == 0 {
		reply = h(r, body)
		call.Authorized = reply.status != http.StatusUnauthorized
	}
	call.Status, call.Response = reply.status, redactGitHubApp(jsonValue(reply.body))
	g.s.outbox.Record(call)
	writeJSON(w, reply.status, reply.body)
}

// redactGitHubApp hides the secrets a conversion or token answer carries.
func redactGitHubApp(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, x := range m {
		switch k {
		case "pem", "client_secret", "webhook_secret", "token":
			x = redacted
		}
		out[k] = x
	}
	return out
}

// ---- the manifest flow

var (
	appNameChars = regexp.MustCompile(`[^a-z0-9]+`)
	// eventPermission is the permission each webhook event needs.
	eventPermission = map[string]string{
		"issues": "issues", "issue_comment": "issues", "pull_request": "pull_requests",
		"pull_request_review": "pull_requests", "pull_request_review_comment": "pull_requests",
		"push": "contents", "create": "contents", "delete": "contents", "label": "issues",
		"milestone": "issues", "projects_v2_item": "organization_projects", "repository": "metadata",
		"member": "members", "organization": "members",
	}
	permissionLevels = map[string]bool{"read": true, "write": true, "admin": true}
)

// validateManifest checks a manifest as GitHub's "Create GitHub App" page does, returning
// every problem.
func validateManifest(m map[string]any) []string {
	var problems []string
	name, _ := m["name"].(string)
	switch {
	case strings.TrimSpace(name) == "":
		problems = append(problems, "Name can't be blank")
	case len(name) > 34:
		problems = append(problems, "Name is too long (maximum is 34 characters)")
	}
	if u, _ := m["url"].(string); !httpURL(u) {
		problems = append(problems, "Homepage URL can't be blank and must be a URL (url)")
	}
	if u, _ := m["redirect_url"].(string); !httpURL(u) {
		problems = append(problems, "redirect_url must be a URL: the manifest flow returns its code there")
	}
	hook, _ := m["hook_attributes"].(map[string]any)
	active := true
	if hook != nil {
		if a, ok := hook["active"].(bool); ok {
			active = a
		}
	}
	if active {
		if u, _ := hook["url"].(string); !httpURL(u) {
			problems = append(problems, "Webhook URL can't be blank while the webhook is active (hook_attributes.url)")
		}
	}
	perms, _ := m["default_permissions"].(map[string]any)
	for k, v := range perms {
		if s, _ := v.(string); !permissionLevels[s] {
			problems = append(problems, fmt.Sprintf("Default permission %s must be read, write or admin, not %v", k, v))
		}
	}
	events, _ := m["default_events"].([]any)
	for _, e := range events {
		ev, _ := e.(string)
		need, known := eventPermission[ev]
		switch {
		case !known:
			problems = append(problems, fmt.Sprintf("Default events unsupported: %v", e))
		case perms[need] == nil:
			problems = append(problems, fmt.Sprintf("Default events %s requires the %s permission", ev, need))
		}
	}
	sort.Strings(problems)
	return problems
}

func httpURL(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

// serveManifestForm is the person submitting the manifest form and pressing "Create GitHub
// App": GitHub answers with a redirect to the manifest's redirect_url carrying a one-hour code
// and the state of the form's URL.
func (g *githubApps) serveManifestForm(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	owner := r.PathValue("org")
	if owner == "" {
		owner = GitHubWebUser
	}
	call := Call{Service: "github-web", Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, strings.TrimSuffix(GitHubWebPath, "/")), API: "apps/new", Authorized: true}
	var manifest map[string]any
	var problems []string
	if err := json.Unmarshal([]byte(r.PostForm.Get("manifest")), &manifest); err != nil {
		problems = []string{"the manifest form field is not a JSON object: " + err.Error()}
	} else {
		problems = validateManifest(manifest)
	}
	call.Request = map[string]any{"manifest": manifest, "state": r.URL.Query().Get("state")}
	if len(problems) > 0 {
		call.Status, call.Response = http.StatusUnprocessableEntity, map[string]any{"errors": problems}
		g.s.outbox.Record(call)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprintf(w, "<!doctype html><title>Create GitHub App</title><h1>There were problems creating your GitHub App</h1><ul>")
		for _, p := range problems {
			fmt.Fprintf(w, "<li>%s</li>", htmlEscape(p))
		}
		fmt.Fprint(w, "</ul>")
		return
	}
	code := randomHex(10)
	g.mu.Lock()
	g.pending[code] = pendingApp{manifest: manifest, owner: owner, web: "http://" + r.Host + strings.TrimSuffix(GitHubWebPath, "/"), expires: time.Now().Add(time.Hour)}
	g.mu.Unlock()
	redirect, _ := manifest["redirect_url"].(string)
	sep := "?"
	if strings.Contains(redirect, "?") {
		sep = "&"
	}
	loc := redirect + sep + "code=" + code
	if st := r.URL.Query().Get("state"); st != "" {
		loc += "&state=" + st
	}
	call.Status, call.Response = http.StatusFound, map[string]any{"location": redirect}
	g.s.outbox.Record(call)
	http.Redirect(w, r, loc, http.StatusFound)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// conversion answers POST /app-manifests/{code}/conversions: the app is created and its
// credentials handed out, once per code.
func (g *githubApps) conversion(r *http.Request, _ map[string]any) ghReply {
	code := r.PathValue("code")
	g.mu.Lock()
	defer g.mu.Unlock()
	p, ok := g.pending[code]
	delete(g.pending, code)
	if !ok || time.Now().After(p.expires) {
		return ghError(http.StatusNotFound, "Not Found")
	}
	name, _ := p.manifest["name"].(string)
	slug := strings.Trim(appNameChars.ReplaceAllString(strings.ToLower(name), "-"), "-")
	for _, a := range g.apps {
		if a.Slug == slug {
			return ghValidation("Integration", "name", "already_exists")
		}
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return ghError(http.StatusInternalServerError, "key generation failed")
	}
	// GitHub makes the app's webhook secret. A local stack's functions verify with the secret
	// they were started with (they do not re-read SSM, as a new Lambda instance would), so a
	// stand-in told that secret hands it out, and the app's deliveries verify.
	secret := g.s.opts.WebhookSecret
	if secret == "" {
		secret = randomHex(20)
	}
	g.nextApp++
	app := &GitHubApp{
		ID: g.nextApp, Slug: slug, Name: name, Owner: p.owner, PublicKey: &key.PublicKey,
		WebhookSecret: secret, ClientID: "Iv1." + randomHex(8), HTMLURL: p.web + "/apps/" + slug,
		Permissions: map[string]string{"metadata": "read"},
	}
	app.Public, _ = p.manifest["public"].(bool)
	if hook, _ := p.manifest["hook_attributes"].(map[string]any); hook != nil {
		app.WebhookURL, _ = hook["url"].(string)
	}
	perms, _ := p.manifest["default_permissions"].(map[string]any)
	for k, v := range perms {
		app.Permissions[k], _ = v.(string)
	}
	events, _ := p.manifest["default_events"].([]any)
	for _, e := range events {
		s, _ := e.(string)
		app.Events = append(app.Events, s)
	}
	g.apps[app.ID] = app
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	now := time.Now().UTC().Format(time.RFC3339)
	body := app.view()
	body["created_at"], body["updated_at"] = now, now
	body["client_secret"], body["webhook_secret"], body["pem"] = randomHex(20), app.WebhookSecret, string(pemKey)
	return ghReply{http.StatusCreated, body}
}

func (a *GitHubApp) view() map[string]any {
	events := a.Events
	if events == nil {
		events = []string{}
	}
	return map[string]any{
		"id": a.ID, "slug": a.Slug, "node_id": fmt.Sprintf("A_local%d", a.ID), "name": a.Name,
		"owner":    map[string]any{"login": a.Owner, "id": ghUser(a.Owner)["id"], "type": ownerType(a.Owner)},
		"html_url": a.HTMLURL, "external_url": a.HTMLURL, "client_id": a.ClientID,
		"permissions": a.Permissions, "events": events, "description": "",
	}
}

func ownerType(login string) string {
	if login == GitHubWebUser {
		return "User"
	}
	return "Organization"
}

// ---- authentication as the app (JWT) and as an installation

// asApp wraps h with the JWT check of the /app endpoints and hands it the app the JWT names.
func (g *githubApps) asApp(h func(app *GitHubApp, r *http.Request, body map[string]any) ghReply) func(*http.Request, map[string]any) ghReply {
	return func(r *http.Request, body map[string]any) ghReply {
		app, deny := g.appFromJWT(r)
		if deny != nil {
			return *deny
		}
		return h(app, r, body)
	}
}

var errIntegrationNotFound = errors.New("no such app")

// appFromJWT verifies the request's Bearer JWT as GitHub does and returns its app.
func (g *githubApps) appFromJWT(r *http.Request) (*GitHubApp, *ghReply) {
	deny := func(msg string) (*GitHubApp, *ghReply) {
		e := ghError(http.StatusUnauthorized, msg)
		return nil, &e
	}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "Bearer ") {
		return deny("A JSON web token could not be decoded")
	}
	claims := jwt.MapClaims{}
	var app *GitHubApp
	_, err := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation()).ParseWithClaims(strings.TrimPrefix(auth, "Bearer "), claims, func(t *jwt.Token) (any, error) {
		id, err := strconv.ParseInt(fmt.Sprint(claims["iss"]), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("'Issuer' claim ('iss') must be the app's id")
		}
		g.mu.Lock()
		app = g.apps[id]
		g.mu.Unlock()
		if app == nil {
			return nil, errIntegrationNotFound
		}
		return app.PublicKey, nil
	})
	if err != nil {
		if errors.Is(err, errIntegrationNotFound) {
			return deny("Integration not found")
		}
		return deny("A JSON web token could not be decoded")
	}
	// GitHub checks these against its own clock; the JWT was minted from the caller's wall
	// clock, so this does too (not the stand-ins' simulated one).
	now := time.Now()
	iat, okI := claims["iat"].(float64)
	exp, okE := claims["exp"].(float64)
	switch {
	case !okI || time.Unix(int64(iat), 0).After(now.Add(60*time.Second)):
		return deny("'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued")
	case !okE || !time.Unix(int64(exp), 0).After(now):
		return deny("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires")
	case time.Unix(int64(exp), 0).After(now.Add(10*time.Minute + 60*time.Second)):
		return deny("'Expiration time' claim ('exp') is too far in the future")
	}
	return app, nil
}

func (g *githubApps) getApp(app *GitHubApp, _ *http.Request, _ map[string]any) ghReply {
	g.mu.Lock()
	defer g.mu.Unlock()
	return ghReply{http.StatusOK, app.view()}
}

func (i *GitHubInstallation) view(app *GitHubApp) map[string]any {
	sel := "all"
	if len(i.Repositories) > 0 {
		sel = "selected"
	}
	return map[string]any{
		"id": i.ID, "app_id": i.AppID, "app_slug": app.Slug, "target_type": ownerType(i.Account),
		"account":              map[string]any{"login": i.Account, "id": ghUser(i.Account)["id"], "type": ownerType(i.Account)},
		"repository_selection": sel, "permissions": app.Permissions, "events": app.Events,
		"html_url": fmt.Sprintf("%s/settings/installations/%d", strings.TrimSuffix(app.HTMLURL, "/apps/"+app.Slug), i.ID),
	}
}

func (g *githubApps) listInstallations(app *GitHubApp, _ *http.Request, _ map[string]any) ghReply {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := []any{}
	for _, i := range g.sortedInstalls(app.ID) {
		out = append(out, i.view(app))
	}
	return ghReply{http.StatusOK, out}
}

func (g *githubApps) sortedInstalls(appID int64) []*GitHubInstallation {
	var out []*GitHubInstallation
	for _, i := range g.installs {
		if i.AppID == appID {
			out = append(out, i)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

func (g *githubApps) ownerInstallation(app *GitHubApp, r *http.Request, _ map[string]any) ghReply {
	owner, repo := r.PathValue("owner"), r.PathValue("repo")
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, i := range g.sortedInstalls(app.ID) {
		if strings.EqualFold(i.Account, owner) && (repo == "" || i.covers(owner+"/"+repo)) {
			return ghReply{http.StatusOK, i.view(app)}
		}
	}
	return ghError(http.StatusNotFound, "Not Found")
}

func (i *GitHubInstallation) covers(repo string) bool {
	owner, _, _ := strings.Cut(repo, "/")
	if !strings.EqualFold(owner, i.Account) {
		return false
	}
	if len(i.Repositories) == 0 {
		return true
	}
	for _, r := range i.Repositories {
		if strings.EqualFold(r, repo) {
			return true
		}
	}
	return false
}

func (g *githubApps) accessToken(app *GitHubApp, r *http.Request, _ map[string]any) ghReply {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	g.mu.Lock()
	defer g.mu.Unlock()
	inst := g.installs[id]
	if inst == nil || inst.AppID != app.ID {
		return ghError(http.StatusNotFound, "Not Found")
	}
	token := "ghs_" + randomHex(18)
	expires := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	g.tokens[token] = installToken{installation: id, expires: expires}
	sel := "all"
	if len(inst.Repositories) > 0 {
		sel = "selected"
	}
	return ghReply{http.StatusCreated, map[string]any{"token": token, "expires_at": expires.Format(time.RFC3339), "permissions": app.Permissions, "repository_selection": sel}}
}

// installationFor returns the live installation an installation token belongs to.
func (g *githubApps) installationFor(token string) *GitHubInstallation {
	g.mu.Lock()
	defer g.mu.Unlock()
	t, ok := g.tokens[token]
	if !ok || time.Now().After(t.expires) {
		return nil
	}
	return g.installs[t.installation]
}

func (g *githubApps) installationRepos(r *http.Request, _ map[string]any) ghReply {
	token := strings.TrimPrefix(strings.TrimPrefix(r.Header.Get("Authorization"), "token "), "Bearer ")
	inst := g.installationFor(token)
	if inst == nil {
		return ghError(http.StatusUnauthorized, "Bad credentials")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	repos := []any{}
	for _, full := range inst.Repositories {
		repos = append(repos, ghRepoView(full))
	}
	return ghReply{http.StatusOK, map[string]any{"total_count": len(repos), "repository_selection": map[bool]string{true: "all", false: "selected"}[len(inst.Repositories) == 0], "repositories": repos}}
}

func ghRepoView(full string) map[string]any {
	owner, name, _ := strings.Cut(full, "/")
	return map[string]any{"id": labelID(strings.ToLower(full)), "name": name, "full_name": full, "private": true, "owner": ghUser(owner), "html_url": "https://github.com/" + full}
}

// githubAccess decides whether token may read or write what r names (the path below the API
// base, as github.go's routes see it): the stand-in's personal token reaches everything; an
// installation token only its account (and, for a selected installation, its repositories),
// anything else is answered 404 as GitHub hides what a token cannot see. It returns 401 for a
// token that is neither.
func (s *Server) githubAccess(path, token string) *ghReply {
	if token != "" && token == s.opts.GitHubToken {
		return nil
	}
	inst := s.ghApps.installationFor(token)
	if inst == nil {
		e := ghError(http.StatusUnauthorized, "Bad credentials")
		return &e
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) < 2 {
		return nil
	}
	ok := true
	switch segs[0] {
	case "repos":
		if len(segs) >= 3 {
			ok = inst.covers(segs[1] + "/" + segs[2])
		}
	case "orgs", "users":
		ok = strings.EqualFold(segs[1], inst.Account)
	}
	if !ok {
		e := ghError(http.StatusNotFound, "Not Found")
		return &e
	}
	return nil
}

func (g *githubApps) anyCredential(r *http.Request) *ghReply {
	auth := r.Header.Get("Authorization")
	token := strings.TrimPrefix(strings.TrimPrefix(auth, "Bearer "), "token ")
	if auth == "" {
		e := ghError(http.StatusUnauthorized, "Requires authentication")
		return &e
	}
	return g.s.githubAccess(strings.TrimPrefix(r.URL.Path, strings.TrimSuffix(GitHubAPIPath, "/")), token)
}

func (g *githubApps) getRepo(r *http.Request, _ map[string]any) ghReply {
	if deny := g.anyCredential(r); deny != nil {
		return *deny
	}
	return ghReply{http.StatusOK, ghRepoView(r.PathValue("owner") + "/" + r.PathValue("repo"))}
}

func (g *githubApps) getOrg(r *http.Request, _ map[string]any) ghReply {
	if deny := g.anyCredential(r); deny != nil {
		return *deny
	}
	login := r.PathValue("owner")
	return ghReply{http.StatusOK, map[string]any{"login": login, "id": ghUser(login)["id"], "type": "Organization", "html_url": "https://github.com/" + login}}
}

// ---- installing (a person's step on github.com)

// InstallGitHubApp installs app on account, for every repository (no repos) or the selected
// ones (owner/name), as a person would on the app's installation page, and returns the
// installation id. A private app installs only on its owner, as on GitHub.
func (s *Server) InstallGitHubApp(appID int64, account string, repos ...string) (int64, error) {
	g := s.ghApps
	g.mu.Lock()
	defer g.mu.Unlock()
	app := g.apps[appID]
	if app == nil {
		return 0, fmt.Errorf("no GitHub App %d", appID)
	}
	if !app.Public && !strings.EqualFold(account, app.Owner) {
		return 0, fmt.Errorf("%s is a private app: only its owner %s can install it (make it public in its settings)", app.Slug, app.Owner)
	}
	for _, r := range repos {
		if owner, _, _ := strings.Cut(r, "/"); !strings.EqualFold(owner, account) {
			return 0, fmt.Errorf("repository %s is not %s's", r, account)
		}
	}
	for _, i := range g.installs {
		if i.AppID == appID && strings.EqualFold(i.Account, account) {
			i.Repositories = repos
			return i.ID, nil
		}
	}
	g.nextInst++
	g.installs[g.nextInst] = &GitHubInstallation{ID: g.nextInst, AppID: appID, Account: account, Repositories: repos}
	return g.nextInst, nil
}

// UninstallGitHubApp removes app's installation on account, and the tokens it handed out.
func (s *Server) UninstallGitHubApp(appID int64, account string) {
	g := s.ghApps
	g.mu.Lock()
	defer g.mu.Unlock()
	for id, i := range g.installs {
		if i.AppID == appID && strings.EqualFold(i.Account, account) {
			delete(g.installs, id)
			for tok, t := range g.tokens {
				if t.installation == id {
					delete(g.tokens, tok)
				}
			}
		}
	}
}

// RegisterGitHubApp adds an app whose private key is held elsewhere (the local stack's
// GITHUB_APP_PRIVATE_KEY), so that its JWTs verify.
func (s *Server) RegisterGitHubApp(id int64, slug string, key *rsa.PublicKey, public bool) {
	g := s.ghApps
	g.mu.Lock()
	defer g.mu.Unlock()
	g.apps[id] = &GitHubApp{ID: id, Slug: slug, Name: slug, Owner: GitHubWebUser, Public: public, PublicKey: key, HTMLURL: "https://github.com/apps/" + slug,
		Permissions: map[string]string{"metadata": "read", "issues": "write", "pull_requests": "read", "contents": "read", "organization_projects": "write"}}
}

// GitHubApps lists the registered apps.
func (s *Server) GitHubApps() []GitHubApp {
	g := s.ghApps
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []GitHubApp
	for _, a := range g.apps {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (g *githubApps) appBySlug(slug string) *GitHubApp {
	for _, a := range g.apps {
		if a.Slug == slug {
			return a
		}
	}
	return nil
}

// serveInstallPage is the app's "Install" page: a form naming the account (and optionally the
// selected repositories).
func (g *githubApps) serveInstallPage(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	app := g.appBySlug(r.PathValue("slug"))
	g.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if app == nil {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<!doctype html><h1>404</h1>")
		return
	}
	fmt.Fprintf(w, `<!doctype html><title>Install %[1]s</title><h1>Install %[1]s</h1>
<form method="post" action="installations"><label>Account <input name="account" value="%[2]s"></label>
<label>Only these repositories (owner/name, comma-separated; empty for all) <input name="repositories"></label>
<button>Install</button></form>`, htmlEscape(app.Name), htmlEscape(app.Owner))
}

func (g *githubApps) serveInstall(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	g.mu.Lock()
	app := g.appBySlug(r.PathValue("slug"))
	g.mu.Unlock()
	call := Call{Service: "github-web", Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, strings.TrimSuffix(GitHubWebPath, "/")), API: "apps/install", Authorized: true, Request: formMap(r.PostForm)}
	status, msg := http.StatusOK, ""
	if app == nil {
		status, msg = http.StatusNotFound, "no such app"
	} else {
		var repos []string
		for _, s := range strings.Split(r.PostForm.Get("repositories"), ",") {
			if s = strings.TrimSpace(s); s != "" {
				repos = append(repos, s)
			}
		}
		id, err := g.s.InstallGitHubApp(app.ID, r.PostForm.Get("account"), repos...)
		if err != nil {
			status, msg = http.StatusUnprocessableEntity, err.Error()
		} else {
			msg = fmt.Sprintf("%s is installed on %s (installation %d)", app.Name, r.PostForm.Get("account"), id)
		}
	}
	call.Status, call.Response = status, map[string]any{"message": msg}
	g.s.outbox.Record(call)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><p>%s</p>", htmlEscape(msg))
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
