package stackcheck

import (
	"encoding/json"
	"testing"

	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// TestTestTablesMatchTemplate: the tables every test creates (dynamotest.Tables, written out so
// that shared/ test support does not depend on infra/) are exactly template.yaml's: the same
// keys, attribute types, indexes, stream and TTL attribute.
func TestTestTablesMatchTemplate(t *testing.T) {
	t.Parallel()
	fromTemplate, err := load(t).Tables()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, tab := range fromTemplate {
		want[tab.LogicalID] = tableJSON(t, tab.Create, tab.TTLAttribute)
	}
	got := map[string]string{}
	for _, tab := range dynamotest.Tables {
		got[tab.LogicalID] = tableJSON(t, tab.Create, tab.TTLAttribute)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("table %s:\ntemplate.yaml:    %s\ndynamotest.Tables: %s", id, w, got[id])
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("dynamotest.Tables has %s, which template.yaml does not define", id)
		}
	}
}

func tableJSON(t *testing.T, create any, ttl string) string {
	t.Helper()
	b, err := json.Marshal(struct {
		Create any
		TTL    string
	}{create, ttl})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
