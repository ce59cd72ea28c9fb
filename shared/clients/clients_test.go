package clients

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/rituals-dev/rituals/shared/ghapp"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
)

func load(t *testing.T, vars map[string]string) runtimeenv.Env {
	t.Helper()
	spec := runtimeenv.Spec{Vars: []string{"EVENTS_TABLE", "STATE_TABLE"}, Secrets: []string{"SLACK_BOT_TOKEN", "GITHUB_TOKEN"}}
	env, err := runtimeenv.Load(context.Background(), spec, func(k string) string { return vars[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestFromEnv(t *testing.T) {
	t.Parallel()
	vars := map[string]string{
		"EVENTS_TABLE": "ev", "STATE_TABLE": "st", "SLACK_BOT_TOKEN": "xoxb-1", "GITHUB_TOKEN": "ghp-1",
		"DYNAMODB_ENDPOINT": "http://127.0.0.1:1", "GITHUB_API_URL": "http://127.0.0.1:2/github", "SLACK_API_URL": "http://127.0.0.1:2/slack",
	}
	s, err := FromEnv(context.Background(), load(t, vars))
	if err != nil {
		t.Fatal(err)
	}
	if s.DynamoDB == nil || s.Slack == nil || s.GitHub == nil {
		t.Fatalf("missing client: %+v", s)
	}
	if got := s.GitHub.BaseURL.String(); got != "http://127.0.0.1:2/github/" {
		t.Errorf("GitHub base URL %s", got)
	}
	if e := s.Effects(); e.Table != "st" || e.API == nil {
		t.Errorf("effects on %q", e.Table)
	}
	if e := s.Events(); e.Table != "ev" || e.API == nil {
		t.Errorf("events on %q", e.Table)
	}
	if s.Config() == nil {
		t.Error("no config source")
	}

	vars["GITHUB_API_URL"] = "http://[::1"
	if _, err := FromEnv(context.Background(), load(t, vars)); err == nil || !strings.Contains(err.Error(), "GITHUB_API_URL") {
		t.Errorf("bad GITHUB_API_URL: %v", err)
	}
}

// With the app's id and key the GitHub client acts as its installations; a bad id or key is
// reported at start, naming it.
func TestGitHubFromEnv(t *testing.T) {
	t.Parallel()
	spec := runtimeenv.Spec{Choices: []runtimeenv.Choice{runtimeenv.GitHubCredentials}}
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	for name, tc := range map[string]struct {
		vars map[string]string
		err  string
	}{
		"the app":       {map[string]string{"GITHUB_APP_ID": "12", "GITHUB_APP_PRIVATE_KEY": pemKey, "GITHUB_API_URL": "http://127.0.0.1:2/github"}, ""},
		"a token":       {map[string]string{"GITHUB_TOKEN": "ghp_x"}, ""},
		"a bad app id":  {map[string]string{"GITHUB_APP_ID": "rituals", "GITHUB_APP_PRIVATE_KEY": pemKey}, "App ID"},
		"a bad app key": {map[string]string{"GITHUB_APP_ID": "12", "GITHUB_APP_PRIVATE_KEY": "-----BEGIN"}, "private key"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env, err := runtimeenv.Load(context.Background(), spec, func(k string) string { return tc.vars[k] }, nil)
			if err != nil {
				t.Fatal(err)
			}
			c, err := GitHubFromEnv(env)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || c == nil {
				t.Fatal(err)
			}
			if _, isApp := c.Client().Transport.(*ghapp.App); isApp != (tc.vars["GITHUB_APP_ID"] != "") {
				t.Errorf("transport %T", c.Client().Transport)
			}
		})
	}
}
