package setup

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// legacyAPIOrigin is the placeholder older manifests carried for the API's URL; it is filled in
// like ${ApiUrl}, so that a command added with it still gets the stack's URL.
const legacyAPIOrigin = "https://YOUR-API-ID.execute-api.YOUR-REGION.amazonaws.com"

var placeholder = regexp.MustCompile(`\$\{([A-Za-z0-9]+)\}`)

// SlackManifest is infra/slack/manifest.yaml with the stack's outputs filled in.
type SlackManifest struct {
	// JSON is the manifest as the App Manifest API takes it.
	JSON []byte
	// BotScopes are oauth_config.scopes.bot.
	BotScopes []string
}

// FillManifest reads the manifest at path and replaces every ${OutputName} with the stack
// output of that name. An output the stack lacks is an error naming each one.
func FillManifest(path string, outputs map[string]string) (SlackManifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return SlackManifest{}, fmt.Errorf("read the Slack app manifest: %w (run from the repository root, or pass --manifest)", err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return SlackManifest{}, fmt.Errorf("%s: %w", path, err)
	}
	missing := map[string]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
			v := strings.ReplaceAll(n.Value, legacyAPIOrigin, "${ApiUrl}")
			n.Value = placeholder.ReplaceAllStringFunc(v, func(m string) string {
				name := placeholder.FindStringSubmatch(m)[1]
				out, ok := outputs[name]
				if !ok {
					missing[name] = true
				}
				return out
			})
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&root)
	if len(missing) > 0 {
		var names []string
		for n := range missing {
			names = append(names, n)
		}
		sort.Strings(names)
		return SlackManifest{}, fmt.Errorf("%s uses stack outputs the stack does not have: %s; deploy this version of template.yaml (`sam build && sam deploy`)", path, strings.Join(names, ", "))
	}
	var doc map[string]any
	if err := root.Decode(&doc); err != nil {
		return SlackManifest{}, fmt.Errorf("%s: %w", path, err)
	}
	js, err := json.Marshal(doc)
	if err != nil {
		return SlackManifest{}, fmt.Errorf("%s as JSON: %w", path, err)
	}
	m := SlackManifest{JSON: js}
	if oc, ok := doc["oauth_config"].(map[string]any); ok {
		if sc, ok := oc["scopes"].(map[string]any); ok {
			if bot, ok := sc["bot"].([]any); ok {
				for _, s := range bot {
					m.BotScopes = append(m.BotScopes, fmt.Sprint(s))
				}
			}
		}
	}
	return m, nil
}
