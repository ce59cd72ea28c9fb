package doctor

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/rituals-dev/rituals/infra/deployment"
	"github.com/rituals-dev/rituals/shared/config"
)

// fakeGitHub serves GitHub's webhook endpoints in GitHub's shapes (docs.github.com/rest/
// webhooks): the app's deliveries, and hooks and deliveries of organisations and
// repositories. Deliveries are newest first.
type fakeGitHub struct {
	app   []map[string]any            // GET /app/hook/deliveries
	hooks map[string][]map[string]any // "orgs/acme" or "repos/partner/shared-lib" → hooks
	deliv map[string][]map[string]any // "orgs/acme/hooks/1" → deliveries
	auth  []string
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.auth = append(f.auth, r.URL.Path+" "+r.Header.Get("Authorization"))
	path := strings.Trim(r.URL.Path, "/")
	var v any
	ok := false
	switch {
	case path == "app/hook/deliveries":
		v, ok = f.app, f.app != nil
	case strings.HasSuffix(path, "/deliveries"):
		v, ok = f.deliv[strings.TrimSuffix(path, "/deliveries")]
	case strings.HasSuffix(path, "/hooks"):
		v, ok = f.hooks[strings.TrimSuffix(path, "/hooks")]
	}
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func delivery(event, action string, code int) map[string]any {
	status := "OK"
	if code >= 300 {
		status = fmt.Sprintf("Invalid HTTP Response: %d", code)
	}
	if code == 0 {
		status = "timed out"
	}
	return map[string]any{"id": 12345678, "guid": "0b989ba4-242f-11e5-81e1-c7b6966d2516", "delivered_at": "2026-11-23T09:30:00Z",
		"redelivery": false, "duration": 0.27, "status": status, "status_code": code, "event": event, "action": action, "installation_id": 123, "repository_id": 456}
}

func hook(id int, url string) map[string]any {
	return map[string]any{"id": id, "type": "Organization", "name": "web", "active": true, "events": []string{"issues"},
		"config": map[string]any{"url": url, "content_type": "json", "insecure_ssl": "0", "secret": "********"}}
}

func exampleConfig(t *testing.T) *config.Config {
	t.Helper()
	b, err := os.ReadFile("../config/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

const webhookURL = "https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/github"

func hookState(t *testing.T, creds *githubCreds) *state {
	st := deployment.Stack{Name: "rituals", Outputs: map[string]string{"GitHubWebhookUrl": webhookURL}, Parameters: map[string]string{"GitHubWebhookSecretParam": "/rituals/github-webhook-secret"}}
	creds.client = github.NewClient(nil)
	creds.appInfo = &github.App{HTMLURL: github.String("https://github.com/apps/rituals-acme")}
	return &state{stack: st, cfg: exampleConfig(t), github: creds}
}

func appKey(t *testing.T) string {
	t.Helper()
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

// The delivery check against GitHub's API shapes: the app's webhook (JWT), and with a token
// the webhook of each organisation and single repository the config names.
func TestCheckWebhooks(t *testing.T) {
	t.Parallel()
	key := appKey(t)
	app := func() *githubCreds { return &githubCreds{appID: "4242", key: key} }
	token := func() *githubCreds { return &githubCreds{token: "ghp_x"} }
	allGood := func() *fakeGitHub {
		return &fakeGitHub{
			hooks: map[string][]map[string]any{
				"orgs/acme": {hook(1, "https://elsewhere.example/hook"), hook(2, webhookURL)}, "orgs/globex-corp": {hook(3, webhookURL)},
				"repos/partner/shared-lib": {hook(4, webhookURL)},
			},
			deliv: map[string][]map[string]any{
				"orgs/acme/hooks/2": {delivery("issues", "opened", 202), delivery("push", "", 500)}, "orgs/globex-corp/hooks/3": {delivery("ping", "", 200)},
				"repos/partner/shared-lib/hooks/4": {delivery("pull_request", "closed", 202)},
			},
		}
	}
	cases := []struct {
		name   string
		creds  func() *githubCreds
		github func() *fakeGitHub
		status Status
		msg    string
		fix    string
	}{
		{"app: last delivery accepted", app, func() *fakeGitHub {
			return &fakeGitHub{app: []map[string]any{delivery("issues", "labeled", 202), delivery("issues", "opened", 500)}}
		}, OK, "the last delivery of the app's webhook (issues.labeled, 2026-11-23 09:30Z) got 202", ""},
		{"app: no deliveries yet", app, func() *fakeGitHub { return &fakeGitHub{app: []map[string]any{}} }, OK, "has no deliveries yet", ""},
		{"app: wrong secret", app, func() *fakeGitHub { return &fakeGitHub{app: []map[string]any{delivery("issues", "opened", 401)}} }, Fail, "got 401 Invalid HTTP Response: 401", "is not the one in /rituals/github-webhook-secret"},
		{"app: function failed", app, func() *fakeGitHub { return &fakeGitHub{app: []map[string]any{delivery("push", "", 502)}} }, Fail, "(push 0b989ba4-242f-11e5-81e1-c7b6966d2516, 2026-11-23 09:30Z) got 502", "https://github.com/settings/apps/rituals-acme/advanced (Recent Deliveries)"},
		{"app: unreachable", app, func() *fakeGitHub { return &fakeGitHub{app: []map[string]any{delivery("push", "", 0)}} }, Fail, "got 0 timed out", "GitHub could not reach " + webhookURL},
		{"token: every webhook delivered", token, allGood, OK, "the last delivery of every webhook to the stack succeeded", ""},
		{"token: an org without the webhook", token, func() *fakeGitHub {
			f := allGood()
			f.hooks["orgs/globex-corp"] = []map[string]any{hook(3, "https://elsewhere.example/hook")}
			return f
		}, Fail, "no webhook of globex-corp sends to " + webhookURL, "https://github.com/organizations/globex-corp/settings/hooks/new"},
		{"token: a repository's webhook failing", token, func() *fakeGitHub {
			f := allGood()
			f.deliv["repos/partner/shared-lib/hooks/4"] = []map[string]any{delivery("issues", "opened", 500)}
			return f
		}, Fail, "partner/shared-lib's webhook (issues.opened", "https://github.com/partner/shared-lib/settings/hooks/4"},
		{"token: hooks not readable", token, func() *fakeGitHub { f := allGood(); delete(f.hooks, "orgs/acme"); return f }, Fail, "list acme's webhooks: 404", "admin:org_hook"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := tc.github()
			srv := httptest.NewServer(fake)
			defer srv.Close()
			d := &Doctor{Target: &deployment.Target{StackName: "rituals", GitHubWeb: "https://github.com", GitHubAPI: srv.URL + "/"}}
			res := d.checkWebhooks(context.Background(), hookState(t, tc.creds()))
			var bad []Result
			for _, r := range res {
				if r.Status != OK {
					bad = append(bad, r)
				}
			}
			got := res[0]
			if len(bad) > 0 {
				got = bad[0]
			}
			if got.Status != tc.status || !strings.Contains(got.Message, tc.msg) || !strings.Contains(got.Fix, tc.fix) {
				t.Errorf("got %s\nwant %s %q → %q", got, tc.status, tc.msg, tc.fix)
			}
			for _, a := range fake.auth {
				jwt := strings.Count(a, ".") == 2 && strings.Contains(a, " Bearer ey")
				if strings.HasPrefix(a, "/app/") != jwt || (!jwt && !strings.HasSuffix(a, "Bearer ghp_x")) {
					t.Errorf("%s: the app's endpoints take its JWT, the rest the token", a)
				}
			}
		})
	}
}

func TestAlarmFunction(t *testing.T) {
	t.Parallel()
	for alarm, want := range map[string]string{
		"rituals-SlackCommandsErrorsAlarm-1X2Y3Z4W": "SlackCommandsFunction",
		"rituals-DeadLetterAlarm-ABCDEF":            "",
		"other-SupportTriageErrorsAlarm-Q":          "",
	} {
		if got := alarmFunction(alarm, "rituals"); got != want {
			t.Errorf("%s: %q, want %q", alarm, got, want)
		}
	}
}

func TestResultLine(t *testing.T) {
	t.Parallel()
	r := Result{"slack", Fail, "@rituals is not a member of #support", "in #support, type /invite @rituals"}
	if got := r.String(); got != "FAIL  slack       @rituals is not a member of #support → in #support, type /invite @rituals" {
		t.Errorf("%q", got)
	}
}
