package localrun

import (
	"strings"
	"testing"

	"github.com/rituals-dev/rituals/infra/samtemplate"
)

// githubInsert is a stream record as Lambda filters it: the events table item of a GitHub
// issues delivery.
const githubInsert = `{"eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"Keys":{"pk":{"S":"github#1"}},
 "NewImage":{"pk":{"S":"github#1"},"source":{"S":"github"},"event":{"S":"issues"},"action":{"S":"opened"},
 "repo":{"S":"acme/support"},"expires":{"N":"1700000000"},"test":{"BOOL":true}},"SizeBytes":120,
 "labels":["team/a","p1"],"score":7,"ratio":2.5,"empty":"","nothing":null}}`

func TestFilterPatterns(t *testing.T) {
	t.Parallel()
	// The real pattern of ActivityRecorderFunction in template.yaml.
	tmpl, err := samtemplate.Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	maps, err := tmpl.StreamMappings()
	if err != nil {
		t.Fatal(err)
	}
	var real string
	for _, m := range maps {
		if m.Function == "ActivityRecorderFunction" {
			real = m.Filters[0]
		}
	}
	if real == "" {
		t.Fatal("ActivityRecorderFunction has no filter in template.yaml")
	}
	cases := []struct {
		name, pattern, record string
		want                  bool
	}{
		{"template: GitHub issues insert", real, githubInsert, true},
		{"template: MODIFY is skipped", real, strings.Replace(githubInsert, `"INSERT"`, `"MODIFY"`, 1), false},
		{"template: Phabricator is skipped", real, strings.Replace(githubInsert, `"source":{"S":"github"}`, `"source":{"S":"phabricator"}`, 1), false},
		{"template: other GitHub events are skipped", real, strings.Replace(githubInsert, `"event":{"S":"issues"}`, `"event":{"S":"star"}`, 1), false},
		{"template: a part item (no source) is skipped", real, `{"eventName":"INSERT","dynamodb":{"NewImage":{"pk":{"S":"github#1#part#0"}}}}`, false},
		{"exact string", `{"eventName":["INSERT"]}`, githubInsert, true},
		{"exact string mismatch", `{"eventName":["REMOVE"]}`, githubInsert, false},
		{"any of several", `{"eventName":["REMOVE","INSERT"]}`, githubInsert, true},
		{"missing field", `{"userIdentity":["x"]}`, githubInsert, false},
		{"number equals", `{"dynamodb":{"score":[7]}}`, githubInsert, true},
		{"number equals numerically", `{"dynamodb":{"ratio":[2.50]}}`, githubInsert, true},
		{"number is not a string", `{"dynamodb":{"score":["7"]}}`, githubInsert, false},
		{"boolean", `{"dynamodb":{"NewImage":{"test":{"BOOL":[true]}}}}`, githubInsert, true},
		{"null", `{"dynamodb":{"nothing":[null]}}`, githubInsert, true},
		{"null does not match a missing field", `{"dynamodb":{"absent":[null]}}`, githubInsert, false},
		{"empty string", `{"dynamodb":{"empty":[""]}}`, githubInsert, true},
		{"array value: any element", `{"dynamodb":{"labels":["p1"]}}`, githubInsert, true},
		{"array value: no element", `{"dynamodb":{"labels":["p2"]}}`, githubInsert, false},
		{"prefix", `{"dynamodb":{"NewImage":{"repo":{"S":[{"prefix":"acme/"}]}}}}`, githubInsert, true},
		{"prefix mismatch", `{"dynamodb":{"NewImage":{"repo":{"S":[{"prefix":"other/"}]}}}}`, githubInsert, false},
		{"prefix ignoring case", `{"dynamodb":{"NewImage":{"repo":{"S":[{"prefix":{"equals-ignore-case":"ACME/"}}]}}}}`, githubInsert, true},
		{"suffix", `{"dynamodb":{"NewImage":{"repo":{"S":[{"suffix":"/support"}]}}}}`, githubInsert, true},
		{"suffix mismatch", `{"dynamodb":{"NewImage":{"repo":{"S":[{"suffix":"/web"}]}}}}`, githubInsert, false},
		{"equals-ignore-case", `{"dynamodb":{"NewImage":{"action":{"S":[{"equals-ignore-case":"OPENED"}]}}}}`, githubInsert, true},
		{"anything-but a value", `{"dynamodb":{"NewImage":{"action":{"S":[{"anything-but":"closed"}]}}}}`, githubInsert, true},
		{"anything-but the value", `{"dynamodb":{"NewImage":{"action":{"S":[{"anything-but":["closed","opened"]}]}}}}`, githubInsert, false},
		{"anything-but a prefix", `{"dynamodb":{"NewImage":{"repo":{"S":[{"anything-but":{"prefix":"acme/"}}]}}}}`, githubInsert, false},
		{"anything-but on a missing field", `{"dynamodb":{"NewImage":{"nope":{"S":[{"anything-but":"x"}]}}}}`, githubInsert, false},
		{"anything-but a number", `{"dynamodb":{"score":[{"anything-but":[1,2]}]}}`, githubInsert, true},
		{"exists true", `{"dynamodb":{"NewImage":{"repo":[{"exists":true}]}}}`, githubInsert, false},
		{"exists true on a leaf", `{"dynamodb":{"NewImage":{"repo":{"S":[{"exists":true}]}}}}`, githubInsert, true},
		{"exists false", `{"dynamodb":{"OldImage":{"pk":{"S":[{"exists":false}]}}}}`, githubInsert, true},
		{"exists false on a present field", `{"dynamodb":{"NewImage":{"pk":{"S":[{"exists":false}]}}}}`, githubInsert, false},
		{"numeric range", `{"dynamodb":{"score":[{"numeric":[">",0,"<=",7]}]}}`, githubInsert, true},
		{"numeric range excludes", `{"dynamodb":{"score":[{"numeric":[">",7]}]}}`, githubInsert, false},
		{"numeric equals", `{"dynamodb":{"SizeBytes":[{"numeric":["=",120]}]}}`, githubInsert, true},
		{"numeric on a DynamoDB N (a string) does not match", `{"dynamodb":{"NewImage":{"expires":{"N":[{"numeric":[">",0]}]}}}}`, githubInsert, false},
		{"every key must match", `{"eventName":["INSERT"],"eventSource":["aws:sqs"]}`, githubInsert, false},
		{"$or", `{"$or":[{"eventName":["REMOVE"]},{"dynamodb":{"NewImage":{"event":{"S":["issues"]}}}}]}`, githubInsert, true},
		{"$or none", `{"$or":[{"eventName":["REMOVE"]},{"eventName":["MODIFY"]}]}`, githubInsert, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParseFilterPattern(c.pattern)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.MatchJSON([]byte(c.record))
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("pattern %s matched = %v, want %v", c.pattern, got, c.want)
			}
		})
	}
}

func TestFilterPatternErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, pattern, wantErr string }{
		{"not JSON", `{eventName}`, "not a JSON object"},
		{"leaf not a list", `{"eventName":"INSERT"}`, "a leaf must be a list"},
		{"unknown operator", `{"eventName":[{"wildcard":"IN*"}]}`, `operator "wildcard" is not supported`},
		{"two operators", `{"eventName":[{"prefix":"I","suffix":"T"}]}`, "exactly one operator"},
		{"bad numeric operator", `{"n":[{"numeric":["!=",1]}]}`, "is not one of"},
		{"numeric bound not a number", `{"n":[{"numeric":[">","one"]}]}`, "not a number"},
		{"exists not a bool", `{"n":[{"exists":"yes"}]}`, "exists wants true or false"},
		{"prefix not a string", `{"n":[{"prefix":1}]}`, "prefix wants a string"},
		{"$or with one pattern", `{"$or":[{"a":["b"]}]}`, "at least two"},
		{"empty object", `{}`, "empty object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseFilterPattern(c.pattern)
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("err = %v, want it to mention %q", err, c.wantErr)
			}
		})
	}
}

func TestMatchAnyWithoutFiltersPassesEverything(t *testing.T) {
	t.Parallel()
	if !MatchAny(nil, map[string]any{"eventName": "REMOVE"}) {
		t.Error("no filters must pass every record")
	}
}
