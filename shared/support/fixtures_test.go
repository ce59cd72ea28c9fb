package support

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/slackapp"
)

// slackFixture reads events/slack/<name>, applying edits to its decoded JSON (the file as it is
// when there are none).
func slackFixture(t testing.TB, name string, edits ...func(m map[string]any)) []byte {
	t.Helper()
	b := readEvent(t, "slack/"+name)
	if len(edits) == 0 {
		return b
	}
	return editJSON(t, b, edits...)
}

// readEvent reads the fixture events/<path>.
func readEvent(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../events", path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// editJSON decodes a JSON object, applies edits to it and encodes it again.
func editJSON(t testing.TB, b []byte, edits ...func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		e(m)
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// callback decodes an interaction payload the way slackapp.Interactions does.
func callback(t testing.TB, payload []byte) slack.InteractionCallback {
	t.Helper()
	var cb slack.InteractionCallback
	if err := json.Unmarshal(payload, &cb); err != nil {
		t.Fatal(err)
	}
	return cb
}

// TestFixtures decodes every support fixture in events/slack into the type its handler takes,
// so that the fixtures cannot drift from what the code reads.
func TestFixtures(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../../events/slack/support.*")
	if len(files) < 4 {
		t.Fatalf("found %d support fixtures", len(files))
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			raw := slackFixture(t, name)
			switch {
			case filepath.Ext(name) != ".json":
				t.Fatalf("unexpected fixture type %s", name)
			case strings.HasPrefix(name, "support.block_actions."):
				cb := callback(t, raw)
				if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) != 1 {
					t.Fatalf("not a block_actions payload with one action: %+v", cb.Type)
				}
				a := cb.ActionCallback.BlockActions[0]
				if _, ok := verbs[slackapp.Route(cb)]; !ok {
					t.Errorf("route %q is not a support action", slackapp.Route(cb))
				}
				if _, err := ParseID(a.Value); err != nil {
					t.Error(err)
				}
				if cb.TriggerID == "" || cb.Channel.ID == "" || cb.User.ID == "" {
					t.Errorf("trigger %q channel %q user %q", cb.TriggerID, cb.Channel.ID, cb.User.ID)
				}
			case strings.HasPrefix(name, "support.view_submission."):
				cb := callback(t, raw)
				if cb.Type != slack.InteractionTypeViewSubmission || slackapp.Route(cb) != ModalAck {
					t.Fatalf("type %q route %q", cb.Type, slackapp.Route(cb))
				}
				if _, err := ParseID(cb.View.PrivateMetadata); err != nil {
					t.Error(err)
				}
				if stateValue(cb, "eta").Value == "" && stateValue(cb, "eta_date").SelectedDate == "" {
					t.Error("no ETA in the submission")
				}
			case strings.HasPrefix(name, "support.event_callback.message."):
				var m messageEvent
				if err := json.Unmarshal(raw, &m); err != nil {
					t.Fatal(err)
				}
				if m.Event.Type != "message" || m.Event.Channel == "" || m.Event.User == "" || m.Event.TS == "" {
					t.Errorf("message event %+v", m.Event)
				}
				if _, err := slackTime(m.Event.TS); err != nil {
					t.Error(err)
				}
			default:
				t.Fatalf("no decoder for fixture %s: add one here", name)
			}
		})
	}
}
