package stackcheck

import (
	"os"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/rituals-dev/rituals/shared/decision"
	"github.com/rituals-dev/rituals/shared/retro"
	"github.com/rituals-dev/rituals/shared/slackapp"
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
		slackapp.Rituals{}, standup.Command{}, support.Command{}, retro.Command{}, decision.Command{}, decision.DACI{},
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
