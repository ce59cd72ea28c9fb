package localrun

import (
	"context"
	"strings"
	"testing"

	"github.com/rituals-dev/rituals/infra/samtemplate"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
)

func realTemplate(t *testing.T) *samtemplate.Template {
	t.Helper()
	tmpl, err := samtemplate.Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func localEnvContext(tmpl *samtemplate.Template, secrets map[string]string) envContext {
	return envContext{
		resolver: samtemplate.Resolver{Template: tmpl, Region: Region, Name: func(id string) string { return "rituals-local-" + id }},
		secrets:  secrets, dynamo: "http://127.0.0.1:8000", baseURL: "http://127.0.0.1:3000", region: Region,
	}
}

func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// Every function of template.yaml must be able to load its runtimeenv.Spec from the local
// environment alone: secrets in plaintext, no SSM.
func TestEveryFunctionLoadsItsSpecLocally(t *testing.T) {
	t.Parallel()
	tmpl := realTemplate(t)
	fns, err := tmpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	ec := localEnvContext(tmpl, Secrets(nil))
	for _, f := range fns {
		t.Run(f.LogicalID, func(t *testing.T) {
			t.Parallel()
			env, err := functionEnv(f, "/build/"+f.LogicalID+"/bootstrap", ec)
			if err != nil {
				t.Fatal(err)
			}
			m := envMap(env)
			for k := range m {
				if strings.HasSuffix(k, runtimeenv.ParamSuffix) && !declaredVar(f.LogicalID, k) {
					t.Errorf("%s is still set; the plaintext secret should replace it", k)
				}
			}
			spec, ok := runtimeenv.Specs[f.LogicalID]
			if !ok {
				t.Skipf("no runtimeenv spec for %s", f.LogicalID)
			}
			getenv := func(k string) string { return m[k] }
			if runtimeenv.NeedsParams(spec, getenv) {
				t.Errorf("the local environment would need SSM")
			}
			loaded, err := runtimeenv.Load(context.Background(), spec, getenv, nil)
			if err != nil {
				t.Fatal(err)
			}
			if loaded.Var("DYNAMODB_ENDPOINT") != "http://127.0.0.1:8000" || loaded.Var("SLACK_API_URL") != "http://127.0.0.1:3000/_standins/slack/api/" {
				t.Errorf("overrides not set: %s", loaded)
			}
		})
	}
}

func TestFunctionEnv(t *testing.T) {
	t.Parallel()
	tmpl := realTemplate(t)
	f, err := tmpl.Function("GitHubWebhookFunction")
	if err != nil {
		t.Fatal(err)
	}
	secrets := Secrets(func(k string) string {
		if k == "GITHUB_WEBHOOK_SECRET" {
			return "from-the-environment"
		}
		return ""
	})
	ec := localEnvContext(tmpl, secrets)
	ec.extra = map[string]string{"EXTRA": "1"}
	env, err := functionEnv(f, "/repo/build/GitHubWebhookFunction/bootstrap", ec)
	if err != nil {
		t.Fatal(err)
	}
	m := envMap(env)
	want := map[string]string{
		"GITHUB_WEBHOOK_SECRET":           "from-the-environment",
		"EVENTS_TABLE":                    "rituals-local-EventsTable",
		"STATE_TABLE":                     "rituals-local-StateTable",
		"AWS_LAMBDA_FUNCTION_NAME":        "GitHubWebhookFunction",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_LOG_FORMAT":           "JSON",
		"AWS_LAMBDA_LOG_LEVEL":            "INFO",
		"AWS_ACCESS_KEY_ID":               "local",
		"AWS_SECRET_ACCESS_KEY":           "local",
		"_HANDLER":                        "bootstrap",
		"LAMBDA_TASK_ROOT":                "/repo/build/GitHubWebhookFunction",
		"GITHUB_API_URL":                  "http://127.0.0.1:3000/_standins/github/",
		"CONDUIT_API_URL":                 "http://127.0.0.1:3000/_standins/conduit/",
		"RITUALS_LOCAL":                   "1",
		"EXTRA":                           "1",
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %q, want %q", k, m[k], v)
		}
	}

	delete(ec.secrets, "GITHUB_WEBHOOK_SECRET")
	if _, err := functionEnv(f, "/b", ec); err == nil || !strings.Contains(err.Error(), "set GITHUB_WEBHOOK_SECRET") {
		t.Errorf("a secret without a local value: err = %v", err)
	}
	ec.getenv = func(k string) string {
		if k == "GITHUB_WEBHOOK_SECRET" {
			return "from-getenv"
		}
		return ""
	}
	if env, err := functionEnv(f, "/b", ec); err != nil || envMap(env)["GITHUB_WEBHOOK_SECRET"] != "from-getenv" {
		t.Errorf("a secret outside the map comes from the environment: %v", err)
	}
}

func TestSecretsOverrideDefaults(t *testing.T) {
	t.Parallel()
	s := Secrets(func(k string) string {
		if k == "SLACK_BOT_TOKEN" {
			return "xoxb-mine"
		}
		return ""
	})
	if s["SLACK_BOT_TOKEN"] != "xoxb-mine" || s["GITHUB_TOKEN"] != DefaultSecrets["GITHUB_TOKEN"] || len(s) != len(DefaultSecrets) {
		t.Errorf("Secrets = %v", s)
	}
	if got := SecretNames(); len(got) != len(DefaultSecrets) || got[0] != "CONDUIT_API_TOKEN" {
		t.Errorf("SecretNames = %v", got)
	}
}

func TestReadyLine(t *testing.T) {
	t.Parallel()
	routes, err := realTemplate(t).HTTPRoutes()
	if err != nil {
		t.Fatal(err)
	}
	s := &Stack{URL: "http://127.0.0.1:3000", DynamoDBEndpoint: "http://127.0.0.1:8000", routes: routes}
	got := s.ReadyLine()
	for _, part := range []string{
		"rituals: ready on http://127.0.0.1:3000 (",
		"github: /webhooks/github",
		"phabricator: /webhooks/phabricator",
		"slack: /slack/commands /slack/interactions /slack/events",
		"; outbox: /_local/outbox; dynamodb: http://127.0.0.1:8000)",
	} {
		if !strings.Contains(got, part) {
			t.Errorf("ready line %q lacks %q", got, part)
		}
	}
	if strings.Contains(got, "\n") {
		t.Error("the ready line must be one line")
	}
}
