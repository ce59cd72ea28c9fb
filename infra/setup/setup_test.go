package setup_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/infra/deployment"
	"github.com/rituals-dev/rituals/infra/localrun"
	"github.com/rituals-dev/rituals/infra/setup"
	"github.com/rituals-dev/rituals/infra/standins"
)

// env is a deployed-looking stack made of stand-ins alone (no functions, no DynamoDB): enough
// for the setup commands' failure paths.
type env struct {
	st     *standins.Server
	url    string
	target *deployment.Target
}

var defaultParams = map[string]string{
	"GitHubWebhookSecretParam": "/rituals/github-webhook-secret", "GitHubTokenParam": "/rituals/github-token",
	"GitHubAppIdParam": "/rituals/github-app-id", "GitHubAppKeyParam": "/rituals/github-app-private-key",
	"SlackSigningSecretParam": "/rituals/slack-signing-secret", "SlackBotTokenParam": "/rituals/slack-bot-token",
	"SlackClientIdParam": "/rituals/slack-client-id", "SlackClientSecretParam": "/rituals/slack-client-secret",
}

func newEnv(t *testing.T, params map[string]string, dropOutputs ...string) *env {
	t.Helper()
	st := standins.New(standins.Options{SlackBotToken: "xoxb-local-bot-token"})
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	mux.Handle("/", st)
	mux.HandleFunc("GET "+localrun.StackInfoPath, func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(localrun.LocalInfo{
			StackName: "rituals", Region: "eu-west-1", URL: srv.URL, DynamoDB: srv.URL + "/no-dynamodb",
			SSM: standins.SSMURL(srv.URL), CloudFormation: standins.CloudFormationURL(srv.URL),
			AccessKeyID: standins.AWSAccessKeyID, SecretAccessKey: standins.AWSSecretAccessKey,
			SlackAPI: standins.SlackAPIURL(srv.URL), GitHubAPI: standins.GitHubAPIURL(srv.URL), GitHubWeb: standins.GitHubWebURL(srv.URL),
		})
	})
	p := map[string]string{}
	for k, v := range defaultParams {
		p[k] = v
	}
	for k, v := range params {
		p[k] = v
	}
	outputs := map[string]string{
		"ApiUrl": "https://abc.execute-api.eu-west-1.amazonaws.com", "GitHubWebhookUrl": "https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/github",
		"SlackOAuthUrl": "https://abc.execute-api.eu-west-1.amazonaws.com/slack/oauth", "StateTableName": "rituals-StateTable",
		"WebSignInRedirectUrl": "https://abc.execute-api.eu-west-1.amazonaws.com/app/auth/callback",
	}
	for _, k := range dropOutputs {
		delete(outputs, k)
	}
	st.SetStack(standins.Stack{Name: "rituals", Parameters: p, Outputs: outputs})
	target, err := deployment.Open(context.Background(), deployment.Options{Local: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return &env{st: st, url: srv.URL, target: target}
}

func (e *env) params(prefix string) []string {
	var out []string
	for _, n := range e.st.ParameterNames() {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}

func slackOpts(out io.Writer) setup.SlackOptions {
	return setup.SlackOptions{ConfigToken: standins.SlackConfigToken, Manifest: "../slack/manifest.yaml", Out: out, Wait: 5 * time.Second, PollEvery: 10 * time.Millisecond}
}

// A parameter SSM refuses after the Slack app was created: the app is deleted and every
// parameter taken back, so a re-run starts clean and makes no second app.
func TestSlackSetupRollsBack(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]string{"SlackClientSecretParam": "/awsbad/slack-client-secret"})
	err := setup.Slack(context.Background(), e.target, slackOpts(io.Discard))
	if err == nil || !strings.Contains(err.Error(), "was deleted and nothing was kept in SSM") {
		t.Fatalf("error %v", err)
	}
	if ids := e.st.SlackAppIDs(); len(ids) != 0 {
		t.Errorf("apps left behind: %v", ids)
	}
	if left := e.params("/"); len(left) != 0 {
		t.Errorf("parameters left behind: %v", left)
	}
}

// A parameter SSM refuses after GitHub made the app: the parameters are taken back, and the
// error says where to delete the app (GitHub has no API for that).
func TestGitHubSetupRollsBack(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]string{"GitHubWebhookSecretParam": "/awsbad/github-webhook-secret"})
	pages := make(chan string, 1)
	err := setup.GitHub(context.Background(), e.target, setup.GitHubOptions{Org: "acme", Template: "../../template.yaml", Out: io.Discard, Open: e.browseGitHub(pages)})
	if err == nil || !strings.Contains(err.Error(), "nothing was kept in SSM") || !strings.Contains(err.Error(), "/organizations/acme/settings/apps/rituals-acme/advanced") {
		t.Fatalf("error %v", err)
	}
	if page := <-pages; !strings.Contains(page, "its credentials could not be stored") {
		t.Errorf("the browser was not told: %s", page)
	}
	if left := e.params("/"); len(left) != 0 {
		t.Errorf("parameters left behind: %v", left)
	}
}

var (
	action   = regexp.MustCompile(`action="([^"]+)"`)
	manifest = regexp.MustCompile(`name="manifest" value="([^"]*)"`)
)

// browseGitHub submits the local page's form to the GitHub stand-in and follows it back; the
// page it lands on is sent to pages.
func (e *env) browseGitHub(pages chan<- string) func(string) error {
	return func(page string) error {
		go func() {
			resp, err := http.Get(page)
			if err != nil {
				pages <- err.Error()
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			a, m := action.FindSubmatch(body), manifest.FindSubmatch(body)
			resp, err = http.PostForm(html.UnescapeString(string(a[1])), url.Values{"manifest": {html.UnescapeString(string(m[1]))}})
			if err != nil {
				pages <- err.Error()
				return
			}
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			pages <- string(body)
		}()
		return nil
	}
}

// Re-running setup github with a working app in SSM keeps it.
func TestGitHubSetupKeepsAWorkingApp(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	var out bytes.Buffer
	pages := make(chan string, 1)
	o := setup.GitHubOptions{Template: "../../template.yaml", Out: &out, Open: e.browseGitHub(pages)}
	if err := setup.GitHub(context.Background(), e.target, o); err != nil {
		t.Fatal(err)
	}
	if page := <-pages; !strings.Contains(page, "is created and its credentials are stored") {
		t.Errorf("page %s", page)
	}
	if err := setup.GitHub(context.Background(), e.target, o); err != nil {
		t.Fatal(err)
	}
	if n := len(e.st.GitHubApps()); n != 1 || !strings.Contains(out.String(), "is already set up; pass --replace") {
		t.Fatalf("%d apps:\n%s", n, out.String())
	}
}

// Without the OAuth route, the bot token is pasted; anything else pasted is answered.
func TestSlackSetupTakesAPastedToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, "SlackOAuthUrl")
	var out bytes.Buffer
	o := slackOpts(&out)
	o.In = strings.NewReader("my token\nxoxb-local-bot-token\n")
	// The manifest names ${SlackOAuthUrl}; this older stack has no such output.
	o.Manifest = writeManifest(t, strings.Replace(readFile(t, "../slack/manifest.yaml"), "    - ${SlackOAuthUrl}", "    - https://example.com/slack/oauth", 1))
	if err := setup.Slack(context.Background(), e.target, o); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.st.Parameter("/rituals/slack-bot-token"); v != "xoxb-local-bot-token" {
		t.Errorf("bot token %q", v)
	}
	for _, want := range []string{"/install-on-team", "That is not a bot token", "The bot @rituals's token (workspace Rituals Local) is in /rituals/slack-bot-token"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// The web pages' session key: made once when missing, kept on later runs (replacing it would
// sign everyone out).
func TestSlackSetupMakesTheWebSessionKeyOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]string{"WebSessionKeyParam": "/rituals/web-session-key"}, "SlackOAuthUrl")
	manifest := writeManifest(t, strings.Replace(readFile(t, "../slack/manifest.yaml"), "    - ${SlackOAuthUrl}", "    - https://example.com/slack/oauth", 1))
	var keys []string
	for run := 0; run < 2; run++ {
		var out bytes.Buffer
		o := slackOpts(&out)
		o.Manifest, o.BotToken = manifest, "xoxb-local-bot-token"
		if err := setup.Slack(context.Background(), e.target, o); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		v, _ := e.st.Parameter("/rituals/web-session-key")
		keys = append(keys, v)
		if said := strings.Contains(out.String(), "Stored a new key for the web pages' sign-in sessions in /rituals/web-session-key"); said != (run == 0) {
			t.Errorf("run %d said it stored a key: %v\n%s", run, said, out.String())
		}
	}
	if len(keys[0]) != 64 || keys[1] != keys[0] {
		t.Fatalf("keys %q: want one 64-hex-digit key, kept", keys)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeManifest(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "manifest.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Every bad input is refused before anything is created, naming what is wrong and what fixes it.
func TestSetupBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		edit func(e *env, o *setup.SlackOptions)
		want []string
	}{
		{"no config token", func(_ *env, o *setup.SlackOptions) { o.ConfigToken = "" }, []string{"--config-token needs a Slack app configuration token", "https://api.slack.com/apps"}},
		{"a bot token given as the config token", func(_ *env, o *setup.SlackOptions) { o.ConfigToken = "xoxb-1" }, []string{"xoxe.xoxp-"}},
		{"an expired config token", func(_ *env, o *setup.SlackOptions) { o.ConfigToken = "xoxe.xoxp-1-expired" }, []string{"refused the app configuration token (invalid_auth)", "Your App Configuration Tokens"}},
		{"a manifest Slack rejects", func(_ *env, o *setup.SlackOptions) {
			o.Manifest = writeManifest(t, strings.Replace(readFile(t, "../slack/manifest.yaml"), "command: /standup", "command: standup", 1))
		}, []string{"Slack rejected", "/features/slash_commands/2/command: Command must start with /"}},
		{"a manifest naming an output the stack lacks", func(_ *env, o *setup.SlackOptions) {
			o.Manifest = writeManifest(t, strings.Replace(readFile(t, "../slack/manifest.yaml"), "${ApiUrl}/slack/events", "${EventsUrl}", 1))
		}, []string{"uses stack outputs the stack does not have: EventsUrl", "sam deploy"}},
		{"no stack", func(e *env, _ *setup.SlackOptions) { e.st.DeleteStack("rituals") }, []string{"no stack rituals", "sam deploy --guided"}},
		{"an app deleted on Slack's side", func(e *env, _ *setup.SlackOptions) { e.st.SetParameter("/rituals/slack-app-id", "A0GONE") }, []string{"the Slack app A0GONE remembered in SSM (/rituals/slack-app-id) no longer exists", "aws ssm delete-parameter --name /rituals/slack-app-id"}},
		{"a pasted bot token Slack refuses", func(_ *env, o *setup.SlackOptions) { o.BotToken = "xoxb-not-a-real-one" }, []string{"Slack refused the bot token", "nothing was stored"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			o := slackOpts(io.Discard)
			tc.edit(e, &o)
			before := e.params("/rituals/slack-bot-token")
			err := setup.Slack(context.Background(), e.target, o)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if after := e.params("/rituals/slack-bot-token"); len(after) != len(before) {
				t.Errorf("a bot token was stored: %v", after)
			}
		})
	}
}
