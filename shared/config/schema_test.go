package config

import (
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// The editor schema (infra/config/rituals.schema.json) and Parse are two descriptions of one
// format. These tests hold them together: whatever the example contains both accept, and the
// mistakes a schema can see, both reject.

const schemaPath = "../../infra/config/rituals.schema.json"

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("rituals.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("rituals.schema.json")
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	return s
}

// yamlInstance converts YAML to the JSON value the YAML language server validates: YAML 1.2
// core schema, so an unquoted 2026-01-05 stays a string.
func yamlInstance(t *testing.T, data []byte) any {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(nodeValue(&n))
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func nodeValue(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return nodeValue(n.Content[0])
	case yaml.AliasNode:
		return nodeValue(n.Alias)
	case yaml.SequenceNode:
		out := []any{}
		for _, c := range n.Content {
			out = append(out, nodeValue(c))
		}
		return out
	case yaml.MappingNode:
		out := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" {
				if m, ok := nodeValue(v).(map[string]any); ok {
					for mk, mv := range m {
						if _, set := out[mk]; !set {
							out[mk] = mv
						}
					}
				}
				continue
			}
			out[k.Value] = nodeValue(v)
		}
		return out
	}
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		b, _ := strconv.ParseBool(n.Value)
		return b
	case "!!int", "!!float":
		return json.Number(n.Value)
	}
	return n.Value
}

func TestExampleMatchesSchemaAndParse(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "# yaml-language-server: $schema=./rituals.schema.json\n") {
		t.Error("the example's first line must point the YAML language server at the schema")
	}
	if err := compileSchema(t).Validate(yamlInstance(t, data)); err != nil {
		t.Errorf("example does not match the schema:\n%v", err)
	}
	cfg, err := ParseFile(examplePath, data)
	if err != nil {
		t.Fatalf("example does not parse:\n%v", err)
	}
	// The example is documentation: it should show what the brief promises.
	zones := map[string]bool{}
	for _, p := range cfg.People {
		zones[p.TimeZone] = true
	}
	if !zones["Asia/Kolkata"] || !zones["Pacific/Auckland"] || len(cfg.Teams) < 2 || len(cfg.Clients) < 2 {
		t.Errorf("example should have people in India and New Zealand, 2 teams, 2 clients")
	}
	if err := compileSchema(t).Validate(yamlInstance(t, []byte(baseDoc))); err != nil {
		t.Errorf("baseDoc does not match the schema:\n%v", err)
	}
}

func TestSchemaAndParseRejectTheSameMistakes(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	example := string(data)
	schema := compileSchema(t)
	tests := []struct {
		name, old, new string
	}{
		{name: "unknown key", old: "    members: [alice, bob, priya]  # developers", new: "    membres: [alice, bob, priya]  # developers"},
		{name: "missing required key", old: "    country: NZ\n", new: "\n"},
		{name: "version 2", old: "version: 1", new: "version: 2"},
		{name: "time not HH:MM", old: `due: "06:00"                # created`, new: `due: 6am                # created`},
		{name: "duration without unit", old: "nag_every: 30m", new: "nag_every: 30"},
		{name: "slack handle", old: "slack: U01BOB0002", new: `slack: "@bob"`},
		{name: "channel name", old: "channel: C01BILLING", new: `channel: "#billing"`},
		{name: "day name typo", old: "days: [tue, thu, fri]", new: "days: [tue, thurs, fri]"},
		{name: "urgent yes", old: "ack_within: 1h, urgent: true}", new: "ack_within: 1h, urgent: yes}"},
		{name: "project number quoted", old: "project: 7 ", new: `project: "7" `},
		{name: "repo not owner/name", old: "repo: acme/hr ", new: "repo: hr "},
		{name: "country lower case", old: "country: NZ", new: "country: nz"},
		{name: "date not YYYY-MM-DD", old: "start: 2026-01-07", new: "start: 07/01/2026"},
		{name: "members empty", old: "members: [priya, sam]", new: "members: []"},
		{name: "client without repos", old: "      orgs: [globex-corp]\n", new: "      orgs: []\n"},
		{name: "management of every member", old: "management: [em, erin]", new: "management: [em, members]"},
		{name: "DACI letter in lower case", old: "name: Set product strategy, roles: {pm: A,", new: "name: Set product strategy, roles: {pm: a,"},
		{name: "DACI row without roles", old: ", roles: {pm: A, tpm: D, em: C, tech_lead: C, qa: C, ux: C, members: C, crs: C, director: I}}", new: "}"},
		{name: "retro dots zero", old: "dots: 3 ", new: "dots: 0 "},
		{name: "retro field a number", old: "fields: [went well, not working, open questions]", new: "fields: [went well, \"2\"]"},
		{name: "unknown label action", old: "- close: not_planned", new: "- clsoe: not_planned"},
		{name: "timer without a condition", old: "            if: [still_labeled, no_author_reply]   # must all still hold, or the timer ends\n", new: ""},
		{name: "repeating timer without a limit", old: "            limit: 4                # ...4 reminders at most\n", new: ""},
		{name: "label rule event typo", old: "when: {label: needs-info} #", new: "when: {label: needs-info, event: add} #"},
		{name: "two actions in one item", old: "- add_labels: [triage]", new: "- {add_labels: [triage], close: completed}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if strings.Count(example, tt.old) != 1 {
				t.Fatalf("%q must occur once in the example", tt.old)
			}
			doc := []byte(strings.Replace(example, tt.old, tt.new, 1))
			if err := schema.Validate(yamlInstance(t, doc)); err == nil {
				t.Error("the schema accepts it")
			}
			if _, err := Parse(doc); err == nil {
				t.Error("Parse accepts it")
			}
		})
	}
}
