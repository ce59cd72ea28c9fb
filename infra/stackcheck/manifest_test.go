package stackcheck

import (
	"strings"
	"testing"

	"github.com/rituals-dev/rituals/infra/samtemplate"
	"github.com/rituals-dev/rituals/infra/setup"
)

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
			if strings.HasSuffix(part, "/slack/oauth") {
				method = "GET"
			}
			urls[part] = method
		}
	}
	if len(urls) < 4 {
		t.Fatalf("only %d URLs in the manifest: %s", len(urls), m.JSON)
	}
	for u, method := range urls {
		if !served[method+" "+strings.TrimPrefix(u, api)] {
			t.Errorf("the manifest sends Slack to %s, which is no %s route of template.yaml", u, method)
		}
	}
}
