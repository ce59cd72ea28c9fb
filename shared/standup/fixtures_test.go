package standup

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// TestFixturesDecode decodes every standup fixture in events/slack into the type its handler
// takes, so the fixtures cannot drift from the handlers' input.
func TestFixturesDecode(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../events/slack/standup.*")
	if err != nil || len(files) < 6 {
		t.Fatalf("fixtures: %v %v", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Base(file)
			switch {
			case strings.HasPrefix(name, "standup.command."):
				form, err := url.ParseQuery(strings.TrimSpace(string(data)))
				if err != nil || form.Get("command") != "/standup" || form.Get("user_id") == "" || form.Get("trigger_id") == "" {
					t.Fatalf("slash command form: %v %v", form, err)
				}
			case strings.Contains(name, ".event_callback."):
				var he homeEvent
				if err := json.Unmarshal(data, &he); err != nil || he.Event.Type != "app_home_opened" || he.Event.User == "" {
					t.Fatalf("event callback: %+v %v", he, err)
				}
			default:
				var cb slack.InteractionCallback
				dec := json.NewDecoder(strings.NewReader(string(data)))
				if err := dec.Decode(&cb); err != nil {
					t.Fatal(err)
				}
				route := ""
				switch cb.Type {
				case slack.InteractionTypeBlockActions:
					if len(cb.ActionCallback.BlockActions) != 1 || cb.TriggerID == "" {
						t.Fatalf("block_actions without one action or trigger: %+v", cb.ActionCallback)
					}
					route = cb.ActionCallback.BlockActions[0].ActionID
					if _, err := ParseID(cb.ActionCallback.BlockActions[0].Value); err != nil {
						t.Fatal(err)
					}
				case slack.InteractionTypeViewSubmission:
					route = cb.View.CallbackID
					if _, err := ParseID(cb.View.PrivateMetadata); err != nil {
						t.Fatal(err)
					}
					if cb.View.State == nil || len(cb.View.State.Values) == 0 {
						t.Fatal("view_submission without state values")
					}
				default:
					t.Fatalf("unexpected type %q", cb.Type)
				}
				if !strings.HasPrefix(route, Prefix+":") {
					t.Fatalf("route %q is not a standup route", route)
				}
			}
		})
	}
}
