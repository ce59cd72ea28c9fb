package activity

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"
)

// fixtureTypes is the go-github type of each event that events/github/ holds payloads of. A
// file for any other event fails TestFixturesDecode, so that no fixture goes undecoded.
var fixtureTypes = map[string]any{
	"issues":              &github.IssuesEvent{},
	"issue_comment":       &github.IssueCommentEvent{},
	"pull_request":        &github.PullRequestEvent{},
	"pull_request_review": &github.PullRequestReviewEvent{},
	"push":                &github.PushEvent{},
	"ping":                &github.PingEvent{},
	"milestone":           &github.MilestoneEvent{},
}

// TestFixturesDecode decodes every file in events/github/ (named <event>.<action>.json, or
// <event>.json for events without an action) with github.ParseWebHook into go-github's type
// for its event, and checks the payload's action against the name, so fixtures cannot drift
// from the handler's input types.
func TestFixturesDecode(t *testing.T) {
	t.Parallel()
	entries, err := os.ReadDir(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatalf("no fixtures in %s", fixtureDir)
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel()
			base, ok := strings.CutSuffix(e.Name(), ".json")
			if !ok || e.IsDir() {
				t.Fatalf("unexpected file %s: events/github/ holds only <event>[.<action>].json", e.Name())
			}
			event, action, _ := strings.Cut(base, ".")
			want, ok := fixtureTypes[event]
			if !ok {
				t.Fatalf("%s: no go-github type registered for event %q (add it to fixtureTypes)", e.Name(), event)
			}
			payload, err := os.ReadFile(filepath.Join(fixtureDir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			got, err := github.ParseWebHook(event, payload)
			if err != nil {
				t.Fatalf("ParseWebHook(%q): %v", event, err)
			}
			if reflect.TypeOf(got) != reflect.TypeOf(want) {
				t.Fatalf("ParseWebHook(%q) = %T, want %T", event, got, want)
			}
			var head struct {
				Action *string `json:"action"`
			}
			if err := json.Unmarshal(payload, &head); err != nil {
				t.Fatal(err)
			}
			switch {
			case action == "" && head.Action != nil:
				t.Errorf("payload has action %q; name the file %s.%s.json", *head.Action, event, *head.Action)
			case action != "" && (head.Action == nil || *head.Action != action):
				t.Errorf("file says action %q, payload says %v", action, head.Action)
			}
		})
	}
}
