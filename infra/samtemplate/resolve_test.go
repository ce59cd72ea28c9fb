package samtemplate

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestResolver(t *testing.T) {
	t.Parallel()
	tmpl := loadReal(t)
	r := Resolver{
		Template: tmpl,
		Name:     func(id string) string { return "local-" + id },
		Attr: func(id, attr string) (string, bool) {
			if id == "EventsTable" && attr == "StreamArn" {
				return "arn:aws:dynamodb:ddblocal:000000000000:table/local-EventsTable/stream/2024", true
			}
			return "", false
		},
	}
	cases := []struct{ name, yaml, want string }{
		{"plain scalar", `hello`, "hello"},
		{"number", `42`, "42"},
		{"ref to a table", `!Ref EventsTable`, "local-EventsTable"},
		{"ref to a parameter", `!Ref GitHubWebhookSecretParam`, "/rituals/github-webhook-secret"},
		{"ref to a queue is its URL", `!Ref DeadLetterQueue`, "https://sqs.us-east-1.amazonaws.com/000000000000/local-DeadLetterQueue"},
		{"pseudo parameter", `!Ref AWS::Region`, "us-east-1"},
		{"long-form ref", `{Ref: StateTable}`, "local-StateTable"},
		{"table arn", `!GetAtt EventsTable.Arn`, "arn:aws:dynamodb:us-east-1:000000000000:table/local-EventsTable"},
		{"stream arn from Attr", `!GetAtt EventsTable.StreamArn`, "arn:aws:dynamodb:ddblocal:000000000000:table/local-EventsTable/stream/2024"},
		{"stream arn default", `!GetAtt StateTable.StreamArn`, "arn:aws:dynamodb:us-east-1:000000000000:table/local-StateTable/stream/local"},
		{"queue arn, list form", `!GetAtt [DeadLetterQueue, Arn]`, "arn:aws:sqs:us-east-1:000000000000:local-DeadLetterQueue"},
		{"queue name", `{"Fn::GetAtt": [DeadLetterQueue, QueueName]}`, "local-DeadLetterQueue"},
		{"function arn", `!GetAtt GitHubWebhookFunction.Arn`, "arn:aws:lambda:us-east-1:000000000000:function:local-GitHubWebhookFunction"},
		{"sub with pseudo parameters and a parameter", `!Sub arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${GitHubWebhookSecretParam}`, "arn:aws:ssm:us-east-1:000000000000:parameter/rituals/github-webhook-secret"},
		{"sub with an attribute", `!Sub ${StateTable.Arn}/index/*`, "arn:aws:dynamodb:us-east-1:000000000000:table/local-StateTable/index/*"},
		{"sub with variables and a literal", `!Sub ["${Name}-${!Literal}", {Name: !Ref EventsTable}]`, "local-EventsTable-${Literal}"},
		{"join", `!Join ["/", [a, !Ref AWS::Region, b]]`, "a/us-east-1/b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(c.yaml), &doc); err != nil {
				t.Fatal(err)
			}
			got, err := r.String(doc.Content[0])
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("%s = %q, want %q", c.yaml, got, c.want)
			}
		})
	}
	for _, bad := range []string{`!Ref Nope`, `!GetAtt Nope.Arn`, `!GetAtt EventsTable`, `!If [c, a, b]`, `{a: b, c: d}`, `!Sub ${Nope}`, `!GetAtt EventsTable.Weird`} {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(bad), &doc); err != nil {
			t.Fatal(err)
		}
		if _, err := r.String(doc.Content[0]); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// Every function's environment in template.yaml resolves locally.
func TestRealEnvironmentResolves(t *testing.T) {
	t.Parallel()
	tmpl := loadReal(t)
	fns, err := tmpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fns {
		env, err := f.ResolveEnv(Resolver{Template: tmpl, Name: func(id string) string { return "local-" + id }})
		if err != nil {
			t.Errorf("%s: %v", f.LogicalID, err)
			continue
		}
		if env["EVENTS_TABLE"] != "local-EventsTable" {
			t.Errorf("%s: EVENTS_TABLE = %q", f.LogicalID, env["EVENTS_TABLE"])
		}
		for k, v := range env {
			if strings.HasSuffix(k, "_PARAM") && !strings.HasPrefix(v, "/rituals/") {
				t.Errorf("%s: %s = %q, want the parameter's default", f.LogicalID, k, v)
			}
		}
	}
}
