package stackcheck

import (
	"encoding/json"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/rituals-dev/rituals/shared/herald"
)

// TestEveryEventFixtureDecodes decodes every file in events/ into the type its handler takes,
// so that a fixture cannot drift from the shapes the code reads, and fails on any file it does
// not know how to decode.
func TestEveryEventFixtureDecodes(t *testing.T) {
	t.Parallel()
	root := "../../events"
	seen := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "README.md" {
			return err
		}
		seen++
		rel, _ := filepath.Rel(root, path)
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		t.Run(rel, func(t *testing.T) {
			switch dir := filepath.Dir(rel); dir {
			case "github":
				// <event>.<action>.json or <event>.json: X-GitHub-Event is the first part.
				event := strings.SplitN(d.Name(), ".", 2)[0]
				if _, err := github.ParseWebHook(event, body); err != nil {
					t.Fatalf("not a %s payload: %v", event, err)
				}
			case "phabricator":
				if _, err := herald.Parse(body); err != nil {
					t.Fatalf("not a Herald webhook body: %v", err)
				}
			case "slack":
				decodeSlack(t, d.Name(), body)
			default:
				t.Fatalf("no decoder for events/%s: add one here", dir)
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 10 {
		t.Fatalf("only %d fixtures found under events/", seen)
	}
}

func decodeSlack(t *testing.T, name string, body []byte) {
	t.Helper()
	if strings.HasSuffix(name, ".txt") {
		form, err := url.ParseQuery(string(body))
		if err != nil || form.Get("command") == "" || form.Get("user_id") == "" {
			t.Fatalf("not a slash command form (command, user_id): %v", err)
		}
		return
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		t.Fatal(err)
	}
	switch head.Type {
	case "url_verification", "event_callback":
		ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
		if err != nil {
			t.Fatalf("not an Events API envelope: %v", err)
		}
		if head.Type == "event_callback" && ev.InnerEvent.Type == "" {
			t.Fatal("event_callback without an inner event type")
		}
	case "block_actions", "view_submission", "view_closed", "shortcut", "message_action":
		var cb slack.InteractionCallback
		if err := json.Unmarshal(body, &cb); err != nil {
			t.Fatalf("not an interaction payload: %v", err)
		}
		if cb.User.ID == "" {
			t.Fatal("interaction without a user")
		}
	default:
		t.Fatalf("unknown Slack payload type %q", head.Type)
	}
}
