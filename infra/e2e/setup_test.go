package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/google/go-github/v60/github"

	"github.com/rituals-dev/rituals/infra/deployment"
	"github.com/rituals-dev/rituals/infra/doctor"
	"github.com/rituals-dev/rituals/infra/localrun"
	"github.com/rituals-dev/rituals/infra/setup"
	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/ghapp"
)

// The from-clone-to-working-apps path (issue 15), end to end against the local stack: its
// CloudFormation and SSM stand-ins play the deployed stack and Parameter Store, the GitHub and
// Slack stand-ins play github.com and slack.com, and the test plays the person at the
// browser. `rituals setup github` and `rituals setup slack` run from an empty Parameter Store,
// `rituals doctor` then finds everything in order, and breaking one thing at a time shows each
// check failing with its fix.

var (
	formAction   = regexp.MustCompile(`<form[^>]*action="([^"]+)"`)
	formManifest = regexp.MustCompile(`name="manifest" value="([^"]*)"`)
)

// browseGitHub is the person during `rituals setup github`: the local page's form goes to
// GitHub, whose redirect comes back to the command; then the app is installed on each
// account from its installation page.
func browseGitHub(page string, web string, st *standins.Server, installs map[string]string) error {
	resp, err := http.Get(page)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	a, m := formAction.FindSubmatch(body), formManifest.FindSubmatch(body)
	if a == nil || m == nil {
		return fmt.Errorf("the local page has no manifest form:\n%s", body)
	}
	resp, err = http.PostForm(html.UnescapeString(string(a[1])), url.Values{"manifest": {html.UnescapeString(string(m[1]))}})
	if err != nil {
		return err
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "is created") {
		return fmt.Errorf("back from GitHub: %s\n%s", resp.Status, body)
	}
	apps := st.GitHubApps()
	slug := apps[len(apps)-1].Slug
	for account, repos := range installs {
		resp, err := http.PostForm(web+"apps/"+slug+"/installations", url.Values{"account": {account}, "repositories": {repos}})
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("install on %s: %s", account, resp.Status)
		}
	}
	return nil
}

// browseSlack is the person pressing "Allow" on the install link: Slack sends the browser to
// the stack's /slack/oauth route, whose page says whether the token was stored.
func browseSlack(link string) error {
	resp, err := http.Get(link)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Rituals is installed") {
		return fmt.Errorf("install: %s\n%s", resp.Status, body)
	}
	return nil
}

// appWebhook returns functions that make the GitHub stand-in deliver an issues.opened through
// the app's webhook (as GitHub does when an issue is opened) and that change the webhook's
// secret in the app's settings (PATCH /app/hook/config, authenticated as the app).
func appWebhook(t *testing.T, ctx context.Context, st *standins.Server, target *deployment.Target, appID int64) (deliver func(), setSecret func(string)) {
	payload, err := os.ReadFile("../../events/github/issues.opened.json")
	if err != nil {
		t.Fatal(err)
	}
	deliver = func() {
		t.Helper()
		d, err := st.Deliver(standins.DeliverRequest{Event: "issues", Payload: payload, App: true, AppID: appID})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("delivery through the app's webhook: %v %v", d["status_code"], d["status"])
	}
	setSecret = func(secret string) {
		t.Helper()
		key, _ := st.Parameter("/rituals/github-app-private-key")
		app, err := ghapp.NewApp(appID, []byte(key), target.GitHubAPI)
		if err != nil {
			t.Fatal(err)
		}
		client, err := app.AppClient()
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := client.Apps.UpdateHookConfig(ctx, &github.HookConfig{Secret: &secret}); err != nil {
			t.Fatal(err)
		}
	}
	return deliver, setSecret
}

func TestSetupThenDoctor(t *testing.T) {
	t.Parallel()
	h := startStack(t, "../../infra/config/example.yaml")
	st := h.st.Standins
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// A new AWS account: the local stack put its own secrets in SSM; take them away.
	for _, n := range st.ParameterNames() {
		st.DeleteParameter(n)
	}
	target, err := deployment.Open(ctx, deployment.Options{Local: h.st.URL})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	defer func() {
		if t.Failed() {
			t.Logf("command output:\n%s", out.String())
		}
	}()

	// rituals setup github --org acme
	browsed := make(chan error, 1)
	installs := map[string]string{"acme": "", "globex-corp": "", "partner": "partner/shared-lib"}
	err = setup.GitHub(ctx, target, setup.GitHubOptions{
		Org: "acme", Template: "../../template.yaml", Out: &out, InstallWait: time.Minute, PollEvery: 20 * time.Millisecond,
		Open: func(page string) error {
			go func() { browsed <- browseGitHub(page, target.GitHubWeb+"/", st, installs) }()
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-browsed; err != nil {
		t.Fatal(err)
	}
	apps := st.GitHubApps()
	if len(apps) != 1 || apps[0].Owner != "acme" || !apps[0].Public || apps[0].WebhookURL != h.st.URL+"/webhooks/github" {
		t.Fatalf("apps %+v", apps)
	}
	if want := []string{"issue_comment", "issues", "milestone", "pull_request", "pull_request_review", "push"}; strings.Join(apps[0].Events, ",") != strings.Join(want, ",") {
		t.Errorf("the app subscribes to %v; the template's stream filters consume %v", apps[0].Events, want)
	}
	for _, p := range []string{"/rituals/github-app-id", "/rituals/github-app-private-key", "/rituals/github-webhook-secret"} {
		if v, ok := st.Parameter(p); !ok || v == "" {
			t.Errorf("%s not stored", p)
		}
	}
	if !strings.Contains(out.String(), "installed on every account the config names") {
		t.Errorf("setup github did not see the installations:\n%s", out.String())
	}

	// rituals setup slack --config-token xoxe.xoxp-…, installed through the OAuth route.
	slackOpts := setup.SlackOptions{
		ConfigToken: standins.SlackConfigToken, Manifest: "../../infra/slack/manifest.yaml", Out: &out, PollEvery: 20 * time.Millisecond, Wait: time.Minute,
		Open: func(link string) error {
			go func() { browsed <- browseSlack(link) }()
			return nil
		},
	}
	if err := setup.Slack(ctx, target, slackOpts); err != nil {
		t.Fatal(err)
	}
	if err := <-browsed; err != nil {
		t.Fatal(err)
	}
	ids := st.SlackAppIDs()
	if len(ids) != 1 {
		t.Fatalf("slack apps %v", ids)
	}
	m := st.SlackAppManifest(ids[0])
	if u := m["settings"].(map[string]any)["event_subscriptions"].(map[string]any)["request_url"]; u != h.st.URL+"/slack/events" {
		t.Errorf("events URL %v", u)
	}
	if v, _ := st.Parameter("/rituals/slack-signing-secret"); v != st.SlackAppSigningSecret(ids[0]) {
		t.Error("the signing secret in SSM is not the app's")
	}
	if v, _ := st.Parameter("/rituals/slack-bot-token"); !strings.HasPrefix(v, "xoxb-") {
		t.Errorf("bot token %q", v)
	}
	// Re-running updates the same app.
	slackOpts.Open = nil
	if err := setup.Slack(ctx, target, slackOpts); err != nil {
		t.Fatal(err)
	}
	if got := st.SlackAppIDs(); len(got) != 1 || !strings.Contains(out.String(), "Updated Slack app "+ids[0]) || !strings.Contains(out.String(), "The bot token in /rituals/slack-bot-token works") {
		t.Fatalf("a re-run must update %s: apps %v\n%s", ids[0], got, out.String())
	}
	// The example config's billing team works on the Phabricator project "billing".
	if _, err := h.st.Standins.SeedConduit(standins.ConduitSeed{Projects: []standins.ConduitProject{{ID: 71, PHID: "PHID-PROJ-billing", Name: "Billing", Slug: "billing"}}}); err != nil {
		t.Fatal(err)
	}
	// The Herald key and the Conduit bot's token are set by hand, as the README says.
	for name, value := range map[string]string{"/rituals/phabricator-webhook-hmac-key": "herald-key", "/rituals/conduit-api-token": "api-rituals-bot"} {
		if _, err := target.SSM.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value), Type: ssmtypes.ParameterTypeSecureString}); err != nil {
			t.Fatal(err)
		}
	}

	// GitHub delivers an issue through the app's webhook; the stack verifies it with its secret.
	stackSecret := localrun.DefaultSecrets["GITHUB_WEBHOOK_SECRET"]
	deliver, setHookSecret := appWebhook(t, ctx, st, target, apps[0].ID)
	deliver()
	run := func(d doctor.Doctor) ([]doctor.Result, string) {
		d.Target, d.Template, d.Manifest = target, "../../template.yaml", "../../infra/slack/manifest.yaml"
		var report bytes.Buffer
		return d.Run(ctx, &report), report.String()
	}
	results, report := run(doctor.Doctor{})
	order := []string{"stack", "ssm", "github", "webhooks", "slack", "phabricator", "config", "alarms"}
	var got []string
	for _, r := range results {
		got = append(got, r.Check)
		if r.Status != doctor.OK {
			t.Errorf("not green: %s", r)
		}
	}
	if strings.Join(got, ",") != strings.Join(order, ",") {
		t.Errorf("checks %v, want one line each in the order %v", got, order)
	}
	if !strings.Contains(report, "rituals doctor: all good") {
		t.Errorf("report:\n%s", report)
	}
	t.Logf("rituals doctor after setup:\n%s", report)

	// Break one thing at a time: only its check fails, naming the thing and the fix.
	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	config2 := filepath.Join(t.TempDir(), "rituals.yaml")
	example, _ := os.ReadFile("../../infra/config/example.yaml")
	if err := os.WriteFile(config2, bytes.Replace(example, []byte("digest: \"10:30\""), []byte("digest: \"10:45\""), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	stack, _ := st.Stack(localrun.StackName)
	appID := apps[0].ID
	goodKey, _ := st.Parameter("/rituals/github-app-private-key")
	cases := []struct {
		name         string
		check        string
		break_, heal func()
		doctor       doctor.Doctor
		msg, fix     string
	}{
		{"the stack is gone", "stack", func() { st.DeleteStack(localrun.StackName) }, func() { st.SetStack(stack) }, doctor.Doctor{},
			"no stack rituals-local", "sam build && sam deploy --guided"},
		{"a secret is missing", "ssm", func() { st.DeleteParameter("/rituals/slack-signing-secret") }, func() { st.SetParameter("/rituals/slack-signing-secret", st.SlackAppSigningSecret(ids[0])) }, doctor.Doctor{},
			"/rituals/slack-signing-secret (SlackSigningSecretParam) is missing", "rituals setup slack --config-token xoxe.xoxp-… --local " + h.st.URL},
		{"no GitHub credentials at all", "ssm", func() { st.DeleteParameter("/rituals/github-app-id") }, func() { st.SetParameter("/rituals/github-app-id", fmt.Sprint(appID)) }, doctor.Doctor{},
			"no GitHub credentials", "rituals setup github --local"},
		{"the app's key is not the app's", "github", func() {
			st.SetParameter("/rituals/github-app-private-key", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(otherKey)})))
		}, func() { st.SetParameter("/rituals/github-app-private-key", goodKey) }, doctor.Doctor{},
			"does not authenticate with the key in /rituals/github-app-private-key", "rituals setup github --replace"},
		{"the app is not installed on an org the config names", "github", func() { st.UninstallGitHubApp(appID, "globex-corp") }, func() { _, _ = st.InstallGitHubApp(appID, "globex-corp") }, doctor.Doctor{},
			"is not installed on globex-corp", "/apps/rituals-acme/installations/new"},
		{"a selected installation lacks a repository", "github", func() { _, _ = st.InstallGitHubApp(appID, "partner", "partner/other") }, func() { _, _ = st.InstallGitHubApp(appID, "partner", "partner/shared-lib") }, doctor.Doctor{},
			"does not include partner/shared-lib", "Repository access"},
		{"the last delivery was refused", "webhooks", func() { setHookSecret("changed-on-github"); deliver() }, func() { setHookSecret(stackSecret); deliver() }, doctor.Doctor{},
			"got 401", "the webhook's secret is not the one in /rituals/github-webhook-secret"},
		{"the bot token was revoked", "slack", func() { st.RevokeSlackTokens() }, func() { st.SetParameter("/rituals/slack-bot-token", "xoxb-local-bot-token") }, doctor.Doctor{},
			"Slack refused the bot token in /rituals/slack-bot-token", "rituals setup slack"},
		{"the bot is not in a channel", "slack", func() {
			st.SetSlackChannel(standins.SlackChannel{ID: "C01REPOSUP", Name: "repo-support", Members: []string{"U01ALICE01"}})
		}, func() {
			st.SetSlackChannel(standins.SlackChannel{ID: "C01REPOSUP", Name: "repo-support", Members: []string{standins.SlackBotUser}})
		}, doctor.Doctor{},
			"is not a member of #repo-support (C01REPOSUP, repo-management support channel)", "in #repo-support, type /invite @rituals"},
		{"a channel is archived", "slack", func() {
			st.SetSlackChannel(standins.SlackChannel{ID: "C01BILLING", Name: "billing", Archived: true, Members: []string{standins.SlackBotUser}})
		}, func() {
			st.SetSlackChannel(standins.SlackChannel{ID: "C01BILLING", Name: "billing", Members: []string{standins.SlackBotUser}})
		}, doctor.Doctor{},
			"#billing (C01BILLING, billing channel) is archived", "unarchive it"},
		{"a Phabricator project does not resolve", "phabricator", func() {}, func() {}, doctor.Doctor{PhabricatorProjects: func(*config.Config) []string { return []string{"no-such-board"} }},
			`the Phabricator project "no-such-board"`, "correct it in the config"},
		{"the config file was not pushed", "config", func() {}, func() {}, doctor.Doctor{ConfigFile: config2},
			"rituals.yaml is not what the stack runs", "rituals config push " + config2 + " -table " + h.prefix + "StateTable -endpoint "},
		{"records wait in the dead-letter queue", "alarms", func() {}, func() {}, doctor.Doctor{DeadLetters: deadLetters(2)},
			"2 records wait in the dead-letter queue", "read them: "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.break_()
			defer tc.heal()
			results, report := run(tc.doctor)
			var failed []doctor.Result
			for _, r := range results {
				if r.Status == doctor.Fail {
					failed = append(failed, r)
				}
			}
			if len(failed) == 0 || failed[0].Check != tc.check {
				t.Fatalf("want %s to fail first:\n%s", tc.check, report)
			}
			for _, r := range failed {
				if r.Check != tc.check {
					t.Errorf("only %s should fail:\n%s", tc.check, report)
				}
			}
			if !strings.Contains(failed[0].Message, tc.msg) || !strings.Contains(failed[0].Fix, tc.fix) {
				t.Errorf("want %q → %q, got:\n%s", tc.msg, tc.fix, failed[0])
			}
		})
	}
	if results, report := run(doctor.Doctor{}); doctor.Failed(results) > 0 {
		t.Errorf("healed, the stack must be green again:\n%s", report)
	}
}

type deadLetters int

func (n deadLetters) Count(context.Context) (int, error) { return int(n), nil }
func (deadLetters) Where() string                        { return "curl -s http://127.0.0.1/_local/deadletters" }
