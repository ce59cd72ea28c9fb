// Package setup holds `rituals setup github` and `rituals setup slack`: each creates the app
// Rituals needs from a manifest (GitHub's app-manifest flow, Slack's App Manifest API) with the
// deployed stack's URLs, stores the credentials in SSM as SecureStrings, and says how to finish
// (the install link). A failed setup takes back every parameter it stored and every app it
// created that can be deleted through an API, and says how to remove what cannot.
package setup

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/infra/deployment"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/ghapp"
	"github.com/rituals-dev/rituals/shared/ghub"
)

// GitHubOptions configure GitHub.
type GitHubOptions struct {
	// Org owns the app; the signed-in GitHub user does when empty.
	Org string
	// Name is the app's name (unique on GitHub, at most 34 characters); "rituals-<org or
	// stack>" when empty.
	Name string
	// Public lets the app be installed on accounts other than its owner; when nil it is public
	// exactly when the team config names accounts other than Org.
	Public *bool
	// Replace creates a new app even when SSM already holds one that works.
	Replace bool
	// Template is template.yaml, from which the webhook events the functions consume are read.
	Template string
	// Listen is the local page's address; 127.0.0.1:0 when empty.
	Listen string
	// Open opens a URL in the browser; nil only prints it.
	Open func(url string) error
	// Wait bounds the browser steps (the app's creation); 15 minutes when zero.
	Wait time.Duration
	// InstallWait is how long to wait for the app to be installed on the config's accounts;
	// zero does not wait.
	InstallWait time.Duration
	// PollEvery spaces out the installation checks; 3 seconds when zero.
	PollEvery time.Duration
	Out       io.Writer
}

// defaultGitHubEvents are the events the functions consume when template.yaml cannot be read.
var defaultGitHubEvents = []string{"issues", "issue_comment", "pull_request", "pull_request_review", "push"}

// permissionFor is the repository permission each webhook event needs (read), beyond metadata.
var permissionFor = map[string]string{
	"issues": "issues", "issue_comment": "issues", "label": "issues", "milestone": "issues",
	"pull_request": "pull_requests", "pull_request_review": "pull_requests", "pull_request_review_comment": "pull_requests",
	"push": "contents", "create": "contents", "delete": "contents", "projects_v2_item": "organization_projects",
}

// AppManifest is the GitHub App manifest for a stack: its webhook, the events the functions
// consume and the permissions they act with (issues written: comments, assignees, HR issues,
// retro action items; pull requests written: label rules label, close and lock them;
// organisation projects written: support and label-rule boards).
func AppManifest(name, webhookURL, redirectURL string, public bool, events []string) map[string]any {
	perms := map[string]any{"metadata": "read", "issues": "write", "pull_requests": "write", "organization_projects": "write"}
	for _, e := range events {
		if p := permissionFor[e]; p != "" && perms[p] == nil {
			perms[p] = "read"
		}
	}
	evs := make([]any, 0, len(events))
	for _, e := range events {
		evs = append(evs, e)
	}
	return map[string]any{
		"name":                name,
		"url":                 "https://github.com/rituals-dev/rituals",
		"description":         "Rituals: async standups, support triage and workboard rules. Webhooks go to " + webhookURL,
		"hook_attributes":     map[string]any{"url": webhookURL, "active": true},
		"redirect_url":        redirectURL,
		"public":              public,
		"default_permissions": perms,
		"default_events":      evs,
	}
}

func (o *GitHubOptions) defaults(stack string) {
	if o.Name == "" {
		o.Name = "rituals-" + strings.ToLower(or(o.Org, stack))
		if len(o.Name) > 34 {
			o.Name = o.Name[:34]
		}
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.Wait <= 0 {
		o.Wait = 15 * time.Minute
	}
	if o.PollEvery <= 0 {
		o.PollEvery = 3 * time.Second
	}
	if o.Template == "" {
		o.Template = "template.yaml"
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// gitHubParams are the SSM parameter names the app's credentials go to.
type gitHubParams struct{ id, key, secret string }

// GitHub creates the Rituals GitHub App with GitHub's app-manifest flow and stores its id,
// private key and webhook secret in SSM. A local page posts the manifest to GitHub (the
// person confirms there) and receives the code, which GitHub converts into the credentials.
// An app already in SSM that authenticates is kept unless o.Replace.
func GitHub(ctx context.Context, t *deployment.Target, o GitHubOptions) error {
	st, err := t.Describe(ctx)
	if err != nil {
		return err
	}
	o.defaults(st.Name)
	webhook, err := st.Output("GitHubWebhookUrl")
	if err != nil {
		return err
	}
	var ps gitHubParams
	for key, dst := range map[string]*string{"GitHubAppIdParam": &ps.id, "GitHubAppKeyParam": &ps.key, "GitHubWebhookSecretParam": &ps.secret} {
		if *dst, err = st.Parameter(key); err != nil {
			return err
		}
	}
	fmt.Fprintf(o.Out, "rituals setup github: stack %s (%s); webhooks will go to %s\n", st.Name, t.Region, webhook)
	cfg, _, cfgErr := t.Config(ctx, st)
	if !o.Replace {
		done, err := existingApp(ctx, t, ps, cfg, o)
		if done || err != nil {
			return err
		}
	}
	if err := checkWritable(ctx, t.SSM, path.Dir(ps.id)); err != nil {
		return err
	}
	public := false
	switch {
	case o.Public != nil:
		public = *o.Public
	case cfg != nil:
		for _, ow := range deployment.GitHubOwners(cfg) {
			if !strings.EqualFold(ow.Login, o.Org) {
				public = true
				fmt.Fprintf(o.Out, "The config names %s besides %s, so the app is public (installable on other accounts; only installations send Rituals anything). Pass --public=false to keep it private.\n", ow.Login, or(o.Org, "your account"))
				break
			}
		}
	default:
		fmt.Fprintf(o.Out, "No team config in the stack yet (%v); the app is private to %s. Pass --public to install it on other accounts too.\n", cfgErr, or(o.Org, "your account"))
	}
	events := templateGitHubEvents(o.Template)
	app, err := createApp(ctx, t, o, webhook, public, events, ps)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "Stored in SSM: %s (app id), %s (private key), %s (webhook secret).\n", ps.id, ps.key, ps.secret)
	fmt.Fprintln(o.Out, "Organisation webhooks you added by hand for Rituals can go: the app's webhook replaces them (they would fail with the new secret).")
	if o.Replace {
		fmt.Fprintln(o.Out, "Running functions still call GitHub as the old app until their instances end: give the stack parameter SecretsVersion a new value and sam deploy to switch them now.")
	}
	return awaitInstalls(ctx, t, app, cfg, o)
}

// existingApp reports on an app already stored in SSM: done when it works (nothing to create).
func existingApp(ctx context.Context, t *deployment.Target, ps gitHubParams, cfg *config.Config, o GitHubOptions) (bool, error) {
	id, _, haveID, err := getParam(ctx, t.SSM, ps.id)
	if err != nil {
		return false, err
	}
	key, _, haveKey, err := getParam(ctx, t.SSM, ps.key)
	if err != nil || !haveID || !haveKey {
		return false, err
	}
	appID, err := ghapp.ParseAppID(id)
	if err != nil {
		return false, fmt.Errorf("SSM parameter %s: %w; re-run with --replace to create a new app", ps.id, err)
	}
	app, err := ghapp.NewApp(appID, []byte(key), t.GitHubAPI)
	if err != nil {
		return false, fmt.Errorf("SSM parameter %s: %w; re-run with --replace to create a new app", ps.key, err)
	}
	c, _ := app.AppClient()
	a, _, err := c.Apps.Get(ctx, "")
	if err != nil {
		return false, fmt.Errorf("the GitHub App in SSM (id %d) does not authenticate (%w): re-run with --replace to create a new one, and delete the old one on GitHub", appID, err)
	}
	fmt.Fprintf(o.Out, "GitHub App %s (id %d) is already set up; pass --replace to create another.\n", a.GetSlug(), appID)
	return true, awaitInstalls(ctx, t, createdApp{app: app, slug: a.GetSlug(), htmlURL: a.GetHTMLURL()}, cfg, o)
}

// templateGitHubEvents reads the GitHub events the stack's stream mappings let through (their
// FilterCriteria with source "github"): exactly the events worth subscribing to.
func templateGitHubEvents(templatePath string) []string {
	events, err := deployment.TemplateGitHubEvents(templatePath)
	if err != nil || len(events) == 0 {
		return defaultGitHubEvents
	}
	return events
}

type createdApp struct {
	app     *ghapp.App
	slug    string
	htmlURL string
}

// createApp runs the manifest flow and stores the credentials; on any failure after GitHub made
// the app, the parameters are taken back and the error says how to delete the app.
func createApp(ctx context.Context, t *deployment.Target, o GitHubOptions, webhook string, public bool, events []string, ps gitHubParams) (createdApp, error) {
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return createdApp{}, fmt.Errorf("listen on %s for GitHub's redirect: %w", o.Listen, err)
	}
	local := "http://" + ln.Addr().String()
	state := randomHex(16)
	manifest, _ := json.Marshal(AppManifest(o.Name, webhook, local+"/callback", public, events))
	action := t.GitHubWeb + "/settings/apps/new?state=" + state
	owner := "your account"
	if o.Org != "" {
		action = t.GitHubWeb + "/organizations/" + o.Org + "/settings/apps/new?state=" + state
		owner = o.Org
	}
	codes := make(chan string, 1)
	results := make(chan string, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = manifestPage.Execute(w, map[string]string{"Action": action, "Manifest": string(manifest), "Owner": owner, "Name": o.Name})
	})
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Query().Get("state") != state || r.URL.Query().Get("code") == "" {
			w.WriteHeader(http.StatusBadRequest)
			_ = resultPage.Execute(w, map[string]string{"Title": "Not this run's app", "Body": "This page answers the link that this run of rituals setup github opened; run the command again."})
			return
		}
		select {
		case codes <- r.URL.Query().Get("code"):
		default:
		}
		select {
		case msg := <-results:
			_ = resultPage.Execute(w, map[string]string{"Title": "Rituals GitHub App", "Body": msg})
		case <-r.Context().Done():
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		// Gracefully: the browser is still waiting for the page that tells how it went.
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	fmt.Fprintf(o.Out, "Open %s/ in your browser: it sends the app's manifest to GitHub, where you confirm the app %q on %s.\n", local, o.Name, owner)
	if o.Open != nil {
		if err := o.Open(local + "/"); err != nil {
			fmt.Fprintf(o.Out, "(could not open a browser: %v; open the address yourself)\n", err)
		}
	}
	wait, cancel := context.WithTimeout(ctx, o.Wait)
	defer cancel()
	var code string
	select {
	case code = <-codes:
	case <-wait.Done():
		return createdApp{}, fmt.Errorf("GitHub did not send the app back within %s: open %s/ again (or run the command again) and press \"Create GitHub App\"", o.Wait, local)
	}
	reply := func(msg string) {
		select {
		case results <- msg:
		default:
		}
	}
	gh, err := ghub.NewClient("", t.GitHubAPI)
	if err != nil {
		return createdApp{}, err
	}
	cfg, _, err := gh.Apps.CompleteAppManifest(ctx, code)
	if err != nil {
		reply("GitHub did not hand over the app's credentials: " + err.Error() + ". Run rituals setup github again.")
		return createdApp{}, fmt.Errorf("convert GitHub's code into the app's credentials: %w (codes last an hour and work once: run the command again)", err)
	}
	settings := t.GitHubWeb + "/settings/apps/" + cfg.GetSlug()
	if o.Org != "" {
		settings = t.GitHubWeb + "/organizations/" + o.Org + "/settings/apps/" + cfg.GetSlug()
	}
	fail := func(err error) (createdApp, error) {
		reply("The app was created, but its credentials could not be stored: " + err.Error())
		return createdApp{}, fmt.Errorf("%w; nothing was kept in SSM. GitHub App %s (id %d) exists without its credentials: delete it at %s/advanced (\"Delete GitHub App\"), then run rituals setup github again",
			err, cfg.GetSlug(), cfg.GetID(), settings)
	}
	app, err := ghapp.NewApp(cfg.GetID(), []byte(cfg.GetPEM()), t.GitHubAPI)
	if err != nil {
		return fail(err)
	}
	tx := &paramTx{p: t.SSM}
	for _, kv := range [][2]string{{ps.id, fmt.Sprint(cfg.GetID())}, {ps.key, cfg.GetPEM()}, {ps.secret, cfg.GetWebhookSecret()}} {
		if kv[1] == "" {
			_ = tx.Rollback()
			return fail(fmt.Errorf("GitHub gave no value for %s", kv[0]))
		}
		if err := tx.Put(ctx, kv[0], kv[1]); err != nil {
			if rerr := tx.Rollback(); rerr != nil {
				err = errors.Join(err, rerr)
			}
			return fail(err)
		}
	}
	fmt.Fprintf(o.Out, "Created GitHub App %s (id %d) on %s.\n", cfg.GetSlug(), cfg.GetID(), owner)
	reply(fmt.Sprintf("GitHub App %s (id %d) is created and its credentials are stored. Back in the terminal: install it.", cfg.GetSlug(), cfg.GetID()))
	return createdApp{app: app, slug: cfg.GetSlug(), htmlURL: cfg.GetHTMLURL()}, nil
}

// awaitInstalls prints the install link and, with o.InstallWait, waits until the app is
// installed on every account the config names (on at least one without a config).
func awaitInstalls(ctx context.Context, t *deployment.Target, a createdApp, cfg *config.Config, o GitHubOptions) error {
	link := strings.TrimSuffix(a.htmlURL, "/") + "/installations/new"
	var want []string
	if cfg != nil {
		for _, ow := range deployment.GitHubOwners(cfg) {
			want = append(want, ow.Login)
		}
	}
	missing := func(have map[string]bool) []string {
		var out []string
		for _, w := range want {
			if !have[strings.ToLower(w)] {
				out = append(out, w)
			}
		}
		return out
	}
	have, err := installed(ctx, a.app)
	if err != nil {
		return err
	}
	todo := missing(have)
	if len(have) > 0 && len(todo) == 0 {
		fmt.Fprintf(o.Out, "The app is installed on every account the config names (%s). Check everything with: rituals doctor\n", keys(have))
		return nil
	}
	if len(todo) > 0 {
		fmt.Fprintf(o.Out, "Install the app on %s (each account the config names; for a single repository choose \"Only select repositories\"):\n  %s\n", strings.Join(todo, ", "), link)
	} else {
		fmt.Fprintf(o.Out, "Install the app on the accounts whose repositories Rituals should see:\n  %s\n", link)
	}
	if o.InstallWait <= 0 {
		fmt.Fprintln(o.Out, "Then run: rituals doctor")
		return nil
	}
	fmt.Fprintf(o.Out, "Waiting up to %s for the installations (Ctrl-C stops waiting; rituals doctor checks them later)...\n", o.InstallWait)
	wait, cancel := context.WithTimeout(ctx, o.InstallWait)
	defer cancel()
	seen := map[string]bool{}
	for k := range have {
		seen[k] = true
	}
	tick := time.NewTicker(o.PollEvery)
	defer tick.Stop()
	for {
		select {
		case <-wait.Done():
			fmt.Fprintf(o.Out, "Not installed yet on %s: install it at %s, then run rituals doctor.\n", strings.Join(missing(seen), ", "), link)
			return nil
		case <-tick.C:
		}
		now, err := installed(wait, a.app)
		if err != nil {
			if wait.Err() != nil {
				continue
			}
			return err
		}
		for k := range now {
			if !seen[k] {
				fmt.Fprintf(o.Out, "  installed on %s\n", k)
				seen[k] = true
			}
		}
		if len(seen) > 0 && len(missing(seen)) == 0 {
			fmt.Fprintln(o.Out, "The app is installed on every account the config names. Next: rituals setup slack --config-token …, then rituals doctor")
			return nil
		}
	}
}

func installed(ctx context.Context, app *ghapp.App) (map[string]bool, error) {
	list, err := app.Installations(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, i := range list {
		out[strings.ToLower(i.Account)] = true
	}
	return out, nil
}

func keys(m map[string]bool) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var manifestPage = template.Must(template.New("manifest").Parse(`<!doctype html>
<meta charset="utf-8"><title>Create the Rituals GitHub App</title>
<h1>Create the Rituals GitHub App</h1>
<p>This page sends the app's manifest (webhook URL, permissions, events) to GitHub. There you confirm the app <b>{{.Name}}</b> on {{.Owner}}; GitHub then sends you back here.</p>
<form id="manifest" method="post" action="{{.Action}}">
<input type="hidden" name="manifest" value="{{.Manifest}}">
<button type="submit">Create the GitHub App on {{.Owner}}</button>
</form>
<script>document.getElementById("manifest").submit()</script>
`))

var resultPage = template.Must(template.New("result").Parse(`<!doctype html>
<meta charset="utf-8"><title>{{.Title}}</title><h1>{{.Title}}</h1><p>{{.Body}}</p><p>You can close this tab.</p>
`))
