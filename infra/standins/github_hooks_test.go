package standins

import (
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
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/rituals-dev/rituals/infra/faults"
	"github.com/rituals-dev/rituals/shared/ghapp"
	"github.com/rituals-dev/rituals/shared/ghub"
)

// hookTarget is "the stack": it verifies each delivery as the webhook function does and
// answers with the next status of its script (202 once the script is spent).
type hookTarget struct {
	mu     sync.Mutex
	script []int
	got    []string // guids that verified
}

func (h *hookTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := readBody(r)
	d, err := ghub.Verify(r.Header.Get, body, []byte("hook-secret"))
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	status := http.StatusAccepted
	if len(h.script) > 0 {
		status, h.script = h.script[0], h.script[1:]
	}
	if status < 300 {
		h.got = append(h.got, d.ID)
	}
	w.WriteHeader(status)
}

// TestHookDeliveriesLikeGitHub: deliveries are signed like GitHub's and recorded with the status
// the stack answered (or a connection failure when they never reached it); go-github lists them
// newest first across cursor pages, and a redelivery sends the same guid again, marked as one.
func TestHookDeliveriesLikeGitHub(t *testing.T) {
	t.Parallel()
	target := &hookTarget{script: []int{http.StatusInternalServerError}}
	stack := httptest.NewServer(target)
	defer stack.Close()
	inj := &faults.Injector{}
	s := New(Options{GitHubToken: githubToken, Now: time.Now, Faults: inj, WebhookURL: stack.URL + "/webhooks/github", WebhookSecret: "hook-secret"})
	srv := httptest.NewServer(s)
	defer srv.Close()
	ctx := context.Background()

	payload := json.RawMessage(`{"action":"labeled","organization":{"login":"acme"},"repository":{"id":7,"full_name":"acme/app"}}`)
	first, err := s.Deliver(DeliverRequest{Event: "issues", Payload: payload, GUID: "guid-500"})
	if err != nil {
		t.Fatal(err)
	}
	if first["status_code"] != float64(500) || first["status"] != "Invalid HTTP Response: 500" || first["redelivery"] != false {
		t.Fatalf("a delivery the stack failed: %v", first)
	}
	if _, err := inj.Set(faults.Spec{Seed: 1, APIs: []faults.APIFault{{Service: faults.ServiceHookshot, Fault: faults.Drop, Rate: 1}}}); err != nil {
		t.Fatal(err)
	}
	lost, _ := s.Deliver(DeliverRequest{Event: "issues", Payload: payload, GUID: "guid-lost"})
	if lost["status_code"] != float64(0) || lost["status"] != "failed to connect to host" {
		t.Fatalf("a delivery that never reached the stack: %v", lost)
	}
	inj.Clear()
	for _, g := range []string{"guid-a", "guid-b", "guid-c"} {
		if d, _ := s.Deliver(DeliverRequest{Event: "issues", Payload: payload, GUID: g}); d["status_code"] != float64(202) {
			t.Fatalf("delivery %s: %v", g, d)
		}
	}

	gh, err := github.NewClient(nil).WithAuthToken(githubToken).WithEnterpriseURLs(GitHubAPIURL(srv.URL), GitHubAPIURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	gh.BaseURL.Path = GitHubAPIPath
	hooks, _, err := gh.Organizations.ListHooks(ctx, "acme", nil)
	if err != nil || len(hooks) != 1 || hooks[0].Config.GetURL() != stack.URL+"/webhooks/github" {
		t.Fatalf("org hooks: %+v %v", hooks, err)
	}
	hookID := hooks[0].GetID()
	var guids []string
	var failedID int64
	opts := &github.ListCursorOptions{PerPage: 2}
	pages := 0
	for {
		page, resp, err := gh.Organizations.ListHookDeliveries(ctx, "acme", hookID, opts)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, d := range page {
			guids = append(guids, d.GetGUID())
			if d.GetStatusCode() == 500 {
				failedID = d.GetID()
			}
		}
		if resp.Cursor == "" {
			break
		}
		opts.Cursor = resp.Cursor
	}
	if want := []string{"guid-c", "guid-b", "guid-a", "guid-lost", "guid-500"}; pages != 3 || !equalStrings(guids, want) {
		t.Fatalf("deliveries over %d pages: %v, want %v over 3", pages, guids, want)
	}

	// 202 Accepted, which go-github reports as an AcceptedError ("job scheduled").
	var accepted *github.AcceptedError
	if _, resp, err := gh.Organizations.RedeliverHookDelivery(ctx, "acme", hookID, failedID); !errors.As(err, &accepted) || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("redeliver: %v", err)
	}
	if err := s.WaitHookDeliveries(ctx); err != nil {
		t.Fatal(err)
	}
	page, _, err := gh.Organizations.ListHookDeliveries(ctx, "acme", hookID, &github.ListCursorOptions{PerPage: 1})
	if err != nil || len(page) != 1 || page[0].GetGUID() != "guid-500" || !page[0].GetRedelivery() || page[0].GetStatusCode() != 202 {
		t.Fatalf("newest delivery after the redelivery: %+v %v", page, err)
	}
	full, _, err := gh.Organizations.GetHookDelivery(ctx, "acme", hookID, page[0].GetID())
	if err != nil || full.Request.Headers["X-GitHub-Delivery"] != "guid-500" || full.Request.Headers["X-GitHub-Event"] != "issues" {
		t.Fatalf("delivery detail: %+v %v", full, err)
	}
	target.mu.Lock()
	got := append([]string(nil), target.got...)
	target.mu.Unlock()
	if !equalStrings(got, []string{"guid-a", "guid-b", "guid-c", "guid-500"}) {
		t.Fatalf("the stack accepted %v", got)
	}
	if _, _, err := gh.Organizations.RedeliverHookDelivery(ctx, "acme", hookID, 1); err == nil {
		t.Fatal("redelivering an unknown delivery succeeded")
	}
}

// TestAppHookDeliveries: the App's hook endpoints take the app's JWT (verified as GitHub does),
// never the user token, and list the deliveries sent through the app's webhook.
func TestAppHookDeliveries(t *testing.T) {
	t.Parallel()
	stack := httptest.NewServer(&hookTarget{})
	defer stack.Close()
	s := New(Options{GitHubToken: githubToken, WebhookURL: stack.URL, WebhookSecret: "hook-secret"})
	srv := httptest.NewServer(s)
	defer srv.Close()
	if _, err := s.Deliver(DeliverRequest{Event: "issues", Payload: json.RawMessage(`{"action":"opened"}`), App: true}); err == nil {
		t.Fatal("an App delivery without an App registered")
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s.RegisterGitHubApp(4242, "rituals-local", &key.PublicKey, false)
	if _, err := s.Deliver(DeliverRequest{Event: "issues", Payload: json.RawMessage(`{"action":"opened"}`), App: true, GUID: "app-1"}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	user, _ := github.NewClient(nil).WithAuthToken(githubToken).WithEnterpriseURLs(GitHubAPIURL(srv.URL), GitHubAPIURL(srv.URL))
	user.BaseURL.Path = GitHubAPIPath
	if _, _, err := user.Apps.ListHookDeliveries(ctx, nil); err == nil {
		t.Fatal("the App's deliveries listed with a user token")
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	a, err := ghapp.NewApp(4242, pemKey, GitHubAPIURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	app, err := a.AppClient() // authenticates as the app, with its JWT
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := app.Apps.ListHookDeliveries(ctx, nil)
	// The registered app has no webhook secret, so the stack refused the unsigned delivery.
	if err != nil || len(list) != 1 || list[0].GetGUID() != "app-1" || list[0].GetStatusCode() != 401 {
		t.Fatalf("app deliveries: %+v %v", list, err)
	}
	cfg, _, err := app.Apps.GetHookConfig(ctx)
	if err != nil || cfg.GetURL() != stack.URL || cfg.GetSecret() != "********" {
		t.Fatalf("app hook config: %+v %v", cfg, err)
	}
	// Someone sets the app's webhook secret on GitHub: deliveries from then on verify.
	if _, resp, err := app.Apps.UpdateHookConfig(ctx, &github.HookConfig{ContentType: github.String("xml")}); err == nil || resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a content type GitHub refuses: %v", err)
	}
	if _, _, err := app.Apps.UpdateHookConfig(ctx, &github.HookConfig{Secret: github.String("hook-secret")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Deliver(DeliverRequest{Event: "issues", Payload: json.RawMessage(`{"action":"opened"}`), App: true, GUID: "app-2"}); err != nil {
		t.Fatal(err)
	}
	list, _, err = app.Apps.ListHookDeliveries(ctx, nil)
	if err != nil || len(list) != 2 || list[0].GetGUID() != "app-2" || list[0].GetStatusCode() != http.StatusAccepted {
		t.Fatalf("after the secret was set: %+v %v", list, err)
	}
}

// TestManifestAppGetsTheLocalSecret: an app made from a manifest by a stand-in that knows the
// local stack's webhook secret gets that secret, so its deliveries verify.
func TestManifestAppGetsTheLocalSecret(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ local, want string }{{"hook-secret", "hook-secret"}, {"", ""}} {
		s := New(Options{GitHubToken: githubToken, WebhookSecret: tc.local})
		srv := httptest.NewServer(s)
		app := convertManifest(t, srv.URL)
		srv.Close()
		got, _ := app["webhook_secret"].(string)
		if tc.want != "" && got != tc.want || tc.want == "" && len(got) != 40 {
			t.Errorf("stand-in with secret %q: the app's webhook secret is %q", tc.local, got)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// convertManifest runs GitHub's app-manifest flow against the stand-in at base: the form post,
// the redirect's code, the conversion; it returns the conversion's answer.
func convertManifest(t *testing.T, base string) map[string]any {
	t.Helper()
	manifest := `{"name":"rituals-test","url":"https://example.com","redirect_url":"https://example.com/done","hook_attributes":{"url":"https://example.com/webhooks/github"}}`
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(base+GitHubWebPath+"settings/apps/new", url.Values{"manifest": {manifest}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("the manifest form answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = http.Post(GitHubAPIURL(base)+"app-manifests/"+loc.Query().Get("code")+"/conversions", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var app map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&app); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("conversion: %d %v", resp.StatusCode, err)
	}
	return app
}
