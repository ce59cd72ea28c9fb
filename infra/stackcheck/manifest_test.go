package stackcheck

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/rituals-dev/rituals/infra/samtemplate"
	"github.com/rituals-dev/rituals/infra/setup"
	"github.com/rituals-dev/rituals/shared/clinic"
	"github.com/rituals-dev/rituals/shared/decision"
	"github.com/rituals-dev/rituals/shared/labels"
	"github.com/rituals-dev/rituals/shared/retro"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/sprints"
	"github.com/rituals-dev/rituals/shared/standup"
	"github.com/rituals-dev/rituals/shared/support"
)

// TestManifestDeclaresEveryCommand: each slash command Rituals answers is declared in the Slack
// app manifest, pointing at the commands route (Slack never sends an undeclared one).
func TestManifestDeclaresEveryCommand(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../slack/manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			SlashCommands []struct {
				Command, URL, Description string
			} `yaml:"slash_commands"`
		}
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	declared := map[string]string{}
	for _, c := range m.Features.SlashCommands {
		declared[c.Command] = c.URL
	}
	for _, c := range []slackapp.Command{
		slackapp.Rituals{}, standup.Command{}, support.Command{}, retro.Command{}, decision.Command{}, decision.DACI{}, labels.Command{}, clinic.Command{},
		sprints.Command{},
	} {
		url, ok := declared[c.Name()]
		if !ok {
			t.Errorf("%s is not declared in infra/slack/manifest.yaml", c.Name())
			continue
		}
		if len(url) < len("/slack/commands") || url[len(url)-len("/slack/commands"):] != "/slack/commands" {
			t.Errorf("%s points at %s, not the /slack/commands route", c.Name(), url)
		}
	}
}

// Every URL in the Slack app manifest is a stack output (`rituals setup slack` fills them
// in) and lands on a route of the template with the method Slack uses: POST for commands,
// interactivity and events, GET for the OAuth redirect.
func TestSlackManifestURLsAreRoutes(t *testing.T) {
	t.Parallel()
	tmpl := load(t)
	const api = "https://abc.execute-api.eu-west-1.amazonaws.com"
	outputs := map[string]string{}
	for key, out := range tmpl.Outputs {
		v := samtemplate.Get(out, "Value")
		if v == nil || v.Tag != "!Sub" {
			continue
		}
		outputs[key] = strings.Replace(v.Value, "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}", api, 1)
	}
	m, err := setup.FillManifest("../slack/manifest.yaml", outputs)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(m.JSON), "YOUR-") || strings.Contains(string(m.JSON), "${") {
		t.Fatalf("placeholders left: %s", m.JSON)
	}
	routes, err := tmpl.HTTPRoutes()
	if err != nil {
		t.Fatal(err)
	}
	served := map[string]bool{}
	for _, r := range routes {
		served[r.Method+" "+r.Path] = true
	}
	urls := map[string]string{}
	for _, part := range strings.Split(string(m.JSON), `"`) {
		if strings.HasPrefix(part, api) {
			method := "POST"
			if strings.HasSuffix(part, "/slack/oauth") || strings.HasSuffix(part, "/app/auth/callback") { // OAuth redirects
				method = "GET"
			}
			urls[part] = method
		}
	}
	if len(urls) < 4 {
		t.Fatalf("only %d URLs in the manifest: %s", len(urls), m.JSON)
	}
	routed := func(method, path string) bool {
		if served[method+" "+path] {
			return true
		}
		for _, r := range routes { // a greedy route serves every path below it
			prefix, greedy := strings.CutSuffix(r.Path, "{proxy+}")
			if greedy && r.Method == method && strings.HasPrefix(path, prefix) && len(path) > len(prefix) {
				return true
			}
		}
		return false
	}
	for u, method := range urls {
		if !routed(method, strings.TrimPrefix(u, api)) {
			t.Errorf("the manifest sends Slack to %s, which is no %s route of template.yaml", u, method)
		}
	}
}
