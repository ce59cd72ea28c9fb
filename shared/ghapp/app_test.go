package ghapp_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/ghapp"
	"github.com/rituals-dev/rituals/shared/ghub"
	"github.com/rituals-dev/rituals/shared/retry"
)

// createApp runs GitHub's app-manifest flow against the stand-in the way a browser and
// `rituals setup github` do: the manifest form is posted, the redirect's code converted.
func createApp(t *testing.T, srv *httptest.Server, manifest map[string]any, org string) *github.AppConfig {
	t.Helper()
	m, _ := json.Marshal(manifest)
	action := standins.GitHubWebURL(srv.URL) + "settings/apps/new?state=s1"
	if org != "" {
		action = standins.GitHubWebURL(srv.URL) + "organizations/" + org + "/settings/apps/new?state=s1"
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(action, url.Values{"manifest": {string(m)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("manifest form: %s", resp.Status)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc.Query().Get("state") != "s1" || loc.Query().Get("code") == "" {
		t.Fatalf("redirect %s", loc)
	}
	c, err := ghub.NewClient("", standins.GitHubAPIURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := c.Apps.CompleteAppManifest(context.Background(), loc.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Apps.CompleteAppManifest(context.Background(), loc.Query().Get("code")); err == nil {
		t.Error("a manifest code must convert once")
	}
	return cfg
}

func manifest(name string) map[string]any {
	return map[string]any{
		"name": name, "url": "https://github.com/rituals-dev/rituals", "public": true,
		"hook_attributes": map[string]any{"url": "https://example.execute-api.eu-west-1.amazonaws.com/webhooks/github"},
		"redirect_url":    "http://127.0.0.1:1/callback",
		"default_permissions": map[string]any{
			"issues": "write", "pull_requests": "read", "contents": "read", "metadata": "read", "organization_projects": "write",
		},
		"default_events": []any{"issues", "issue_comment", "pull_request", "pull_request_review", "push"},
	}
}

// One client acts as the installation of whichever account a request is for; installation
// tokens are fetched once per installation; an account without the app is a permanent error.
func TestAppActsAsEachInstallation(t *testing.T) {
	t.Parallel()
	st := standins.New(standins.Options{GitHubToken: "ghp_unused"})
	srv := httptest.NewServer(st)
	defer srv.Close()
	cfg := createApp(t, srv, manifest("rituals-acme"), "acme")
	if cfg.GetWebhookSecret() == "" || !strings.Contains(cfg.GetPEM(), "PRIVATE KEY") || cfg.GetSlug() != "rituals-acme" {
		t.Fatalf("conversion %+v", cfg)
	}
	if _, err := st.InstallGitHubApp(cfg.GetID(), "acme"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.InstallGitHubApp(cfg.GetID(), "partner", "partner/shared-lib"); err != nil {
		t.Fatal(err)
	}
	app, err := ghapp.NewApp(cfg.GetID(), []byte(cfg.GetPEM()), standins.GitHubAPIURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	c, err := app.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	comment := func(owner, repo string) error {
		_, _, err := c.Issues.CreateComment(ctx, owner, repo, 1, &github.IssueComment{Body: github.String("hi")})
		return err
	}
	for i := 0; i < 3; i++ {
		if err := comment("acme", "web"); err != nil {
			t.Fatal(err)
		}
	}
	if err := comment("partner", "shared-lib"); err != nil {
		t.Fatal(err)
	}
	if err := comment("Partner", "other"); err == nil || !retry.Permanent(err) {
		t.Errorf("a repository outside a selected installation: %v", err)
	}
	err = comment("globex-corp", "invoices")
	var ni *ghapp.NotInstalledError
	if !errors.As(err, &ni) || ni.Owner != "globex-corp" || !retry.Permanent(err) {
		t.Errorf("an account without the app: %v", err)
	}
	if err := ghub.GraphQL(ghapp.WithOwner(ctx, "acme"), c, "mutation { addProjectV2ItemById(input: {projectId: $p}) { item { id } } }", map[string]any{"projectId": "P"}, nil); err != nil {
		t.Errorf("GraphQL with the owner in the context: %v", err)
	}
	if err := ghub.GraphQL(ctx, c, "query($login: String!) { organization(login: $login) { projectV2(number: 1) { id } } }", map[string]any{"login": "acme"}, nil); err != nil {
		t.Errorf("GraphQL with the owner in the variables: %v", err)
	}
	tokens := st.Outbox().Calls(standins.Filter{API: "apps/create-installation-access-token"})
	if len(tokens) != 2 {
		t.Errorf("want one token per installation (acme, partner), got %d", len(tokens))
	}
	if lists := st.Outbox().Calls(standins.Filter{API: "apps/list-installations"}); len(lists) != 1 {
		t.Errorf("installations listed %d times; an unknown owner is relisted at most once a minute", len(lists))
	}
	installs, err := app.Installations(ctx)
	if err != nil || len(installs) != 2 {
		t.Fatalf("installations %v %v", installs, err)
	}
}

// The stand-in checks the app's JWT as GitHub does: signed by the app's key, issued by its id.
func TestAppJWTIsChecked(t *testing.T) {
	t.Parallel()
	st := standins.New(standins.Options{})
	srv := httptest.NewServer(st)
	defer srv.Close()
	cfg := createApp(t, srv, manifest("rituals-jwt"), "")
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	otherPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(other)})
	for name, tc := range map[string]struct {
		id   int64
		key  []byte
		want string
	}{
		"the app's key":    {cfg.GetID(), []byte(cfg.GetPEM()), ""},
		"another key":      {cfg.GetID(), otherPEM, "could not be decoded"},
		"an unknown app":   {cfg.GetID() + 1000, []byte(cfg.GetPEM()), "Integration not found"},
		"a key for no app": {cfg.GetID(), []byte("not a key"), "private key"},
	} {
		t.Run(name, func(t *testing.T) {
			app, err := ghapp.NewApp(tc.id, tc.key, standins.GitHubAPIURL(srv.URL))
			if err == nil {
				var c *github.Client
				if c, err = app.AppClient(); err == nil {
					_, _, err = c.Apps.Get(context.Background(), "")
				}
			}
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want %q, got %v", tc.want, err)
			}
		})
	}
}

// The manifest form is checked as GitHub's page does: each problem is named.
func TestManifestFormProblems(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(standins.New(standins.Options{}))
	defer srv.Close()
	m := manifest("")
	m["default_events"] = []any{"issues", "push"}
	m["default_permissions"] = map[string]any{"issues": "write"}
	delete(m, "hook_attributes")
	b, _ := json.Marshal(m)
	resp, err := http.PostForm(standins.GitHubWebURL(srv.URL)+"settings/apps/new", url.Values{"manifest": {string(b)}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page bytes.Buffer
	_, _ = page.ReadFrom(resp.Body)
	for _, want := range []string{"Name can&#39;t be blank", "Webhook URL can&#39;t be blank", "push requires the contents permission"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("page lacks %q:\n%s", want, page.String())
		}
	}
}
