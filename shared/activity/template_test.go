package activity

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/rituals-dev/rituals/infra/samtemplate"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// TestStreamFilterMatchesHandles holds ActivityRecorderFunction's stream filter in
// template.yaml to the events Record handles: an event the filter lets through but Record
// ignores costs invocations; one Record handles but the filter drops is never mirrored.
func TestStreamFilterMatchesHandles(t *testing.T) {
	t.Parallel()
	tmpl, err := samtemplate.Load(dynamotest.TemplatePath(t))
	if err != nil {
		t.Fatal(err)
	}
	maps, err := tmpl.StreamMappings()
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, m := range maps {
		if m.Function == "ActivityRecorderFunction" {
			patterns = append(patterns, m.Filters...)
		}
	}
	if len(patterns) != 1 {
		t.Fatalf("want one stream filter pattern, got %d", len(patterns))
	}
	var p struct {
		EventName []string `json:"eventName"`
		DynamoDB  struct {
			NewImage struct {
				Source struct{ S []string } `json:"source"`
				Event  struct{ S []string } `json:"event"`
			} `json:"NewImage"`
		} `json:"dynamodb"`
	}
	if err := json.Unmarshal([]byte(patterns[0]), &p); err != nil {
		t.Fatalf("pattern %s: %v", patterns[0], err)
	}
	if !slices.Equal(p.EventName, []string{"INSERT"}) || !slices.Equal(p.DynamoDB.NewImage.Source.S, []string{"github"}) {
		t.Errorf("filter selects %v from %v, want INSERTs from github", p.EventName, p.DynamoDB.NewImage.Source.S)
	}
	got, want := slices.Sorted(slices.Values(p.DynamoDB.NewImage.Event.S)), slices.Sorted(slices.Values(Handles()))
	if !slices.Equal(got, want) {
		t.Errorf("filter events %v, Record handles %v", got, want)
	}
}
