package stackcheck

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/rituals-dev/rituals/infra/samtemplate"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
)

func load(t *testing.T) *samtemplate.Template {
	t.Helper()
	tmpl, err := samtemplate.Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// envKeys returns the environment variable names set for a function (Globals + its own).
func envKeys(tmpl *samtemplate.Template, fn samtemplate.Resource) map[string]bool {
	keys := map[string]bool{}
	for _, n := range []*yaml.Node{
		samtemplate.Get(tmpl.Globals, "Function", "Environment", "Variables"),
		samtemplate.Get(fn.Properties, "Environment", "Variables"),
	} {
		for _, kv := range samtemplate.Pairs(n) {
			keys[kv.Key] = true
		}
	}
	return keys
}

func TestEveryFunctionHasABuildTargetAndDirectory(t *testing.T) {
	t.Parallel()
	makefile, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s*(\w+Function):([\w-]+)`).FindAllStringSubmatch(string(makefile), -1) {
		listed[m[1]] = m[2]
	}
	fns := load(t).OfType("AWS::Serverless::Function")
	if len(fns) == 0 {
		t.Fatal("no functions in template.yaml")
	}
	for _, fn := range fns {
		dir, ok := listed[fn.LogicalID]
		if !ok {
			t.Errorf("%s has no build-%s target (add it to FUNCTIONS in the Makefile)", fn.LogicalID, fn.LogicalID)
			continue
		}
		if _, err := os.Stat("../../functions/" + dir + "/main.go"); err != nil {
			t.Errorf("%s builds ./functions/%s, which has no main.go", fn.LogicalID, dir)
		}
		if v := samtemplate.Get(fn.Metadata, "BuildMethod"); v == nil || v.Value != "makefile" {
			t.Errorf("%s: Metadata.BuildMethod must be makefile", fn.LogicalID)
		}
		delete(listed, fn.LogicalID)
	}
	for id := range listed {
		t.Errorf("Makefile builds %s, which template.yaml does not define", id)
	}
	g := samtemplate.Get(load(t).Globals, "Function")
	for key, want := range map[string]string{"Runtime": "provided.al2023", "Handler": "bootstrap"} {
		if v := samtemplate.Get(g, key); v == nil || v.Value != want {
			t.Errorf("Globals.Function.%s must be %s", key, want)
		}
	}
	if v := samtemplate.Get(g, "LoggingConfig", "LogFormat"); v == nil || v.Value != "JSON" {
		t.Error("Globals.Function.LoggingConfig.LogFormat must be JSON")
	}
}

func TestEveryVariableAFunctionReadsIsSet(t *testing.T) {
	t.Parallel()
	tmpl := load(t)
	seen := map[string]bool{}
	for _, fn := range tmpl.OfType("AWS::Serverless::Function") {
		spec, ok := runtimeenv.Specs[fn.LogicalID]
		if !ok {
			t.Errorf("%s has no runtimeenv.Specs entry", fn.LogicalID)
			continue
		}
		seen[fn.LogicalID] = true
		keys := envKeys(tmpl, fn)
		for _, v := range spec.Vars {
			if !keys[v] {
				t.Errorf("%s reads %s, which template.yaml does not set", fn.LogicalID, v)
			}
		}
		for _, s := range spec.Secrets {
			if !keys[s+runtimeenv.ParamSuffix] {
				t.Errorf("%s reads secret %s, but template.yaml does not set %s%s", fn.LogicalID, s, s, runtimeenv.ParamSuffix)
			}
			if keys[s] {
				t.Errorf("%s: template.yaml sets secret %s in plain text", fn.LogicalID, s)
			}
		}
	}
	for id := range runtimeenv.Specs {
		if !seen[id] {
			t.Errorf("runtimeenv.Specs has %s, which template.yaml does not define", id)
		}
	}
}

func TestEventsPointAtExistingResources(t *testing.T) {
	t.Parallel()
	tmpl := load(t)
	routes := map[string]string{}
	for _, fn := range tmpl.OfType("AWS::Serverless::Function") {
		for _, ev := range samtemplate.Pairs(samtemplate.Get(fn.Properties, "Events")) {
			typ := samtemplate.Get(ev.Value, "Type").Value
			p := samtemplate.Get(ev.Value, "Properties")
			switch typ {
			case "HttpApi":
				api := samtemplate.Get(p, "ApiId")
				if api == nil || api.Tag != "!Ref" || tmpl.Resources[api.Value].Type != "AWS::Serverless::HttpApi" {
					t.Errorf("%s.%s: ApiId must !Ref an AWS::Serverless::HttpApi", fn.LogicalID, ev.Key)
				}
				route := samtemplate.Get(p, "Method").Value + " " + samtemplate.Get(p, "Path").Value
				if other, dup := routes[route]; dup {
					t.Errorf("route %s is served by %s and %s", route, other, fn.LogicalID)
				}
				routes[route] = fn.LogicalID
			case "DynamoDB", "SQS", "Kinesis":
				t.Errorf("%s.%s: a SAM %s event gives the role a managed policy on Resource \"*\"; declare an AWS::Lambda::EventSourceMapping and grant the stream in Policies", fn.LogicalID, ev.Key, typ)
			case "Schedule", "ScheduleV2":
				if samtemplate.Get(p, "Schedule") == nil && samtemplate.Get(p, "ScheduleExpression") == nil {
					t.Errorf("%s.%s: schedule without an expression", fn.LogicalID, ev.Key)
				}
			default:
				t.Errorf("%s.%s: event type %s is not one the local runner drives", fn.LogicalID, ev.Key, typ)
			}
		}
	}
	var got []string
	for r := range routes {
		got = append(got, r)
	}
	sort.Strings(got)
	for _, r := range got {
		if !strings.HasPrefix(r, "POST ") && !strings.HasPrefix(r, "GET ") {
			t.Errorf("route %s: declare the method the handler serves (POST or GET), not ANY", r)
		}
	}
	for _, want := range []string{"POST /slack/commands", "POST /slack/events", "POST /slack/interactions", "POST /webhooks/github", "POST /webhooks/phabricator"} {
		if _, ok := routes[want]; !ok {
			t.Errorf("no route %s (routes: %v)", want, got)
		}
	}
}

// TestStreamMappings: every mapping reads the events stream with bounded retries, bisecting,
// partial batch failures, a filter and the dead-letter queue, and its function's policy grants
// the four stream actions on exactly that stream (nothing on "*").
func TestStreamMappings(t *testing.T) {
	t.Parallel()
	tmpl := load(t)
	maps := tmpl.OfType(samtemplate.EventSourceMappingType)
	if len(maps) == 0 {
		t.Fatal("no stream mappings")
	}
	for _, m := range maps {
		p := m.Properties
		src := samtemplate.Get(p, "EventSourceArn")
		table := strings.TrimSuffix(src.Value, ".StreamArn")
		if src.Tag != "!GetAtt" || tmpl.Resources[table].Type != "AWS::DynamoDB::Table" || samtemplate.Get(tmpl.Resources[table].Properties, "StreamSpecification") == nil {
			t.Errorf("%s: EventSourceArn must !GetAtt <table with a stream>.StreamArn", m.LogicalID)
		}
		for _, k := range []string{"FilterCriteria", "BisectBatchOnFunctionError", "MaximumRetryAttempts", "FunctionResponseTypes", "MaximumRecordAgeInSeconds"} {
			if samtemplate.Get(p, k) == nil {
				t.Errorf("%s: stream mapping needs %s", m.LogicalID, k)
			}
		}
		dest := samtemplate.Get(p, "DestinationConfig", "OnFailure", "Destination")
		if dest == nil || tmpl.Resources[strings.TrimSuffix(dest.Value, ".Arn")].Type != "AWS::SQS::Queue" {
			t.Errorf("%s: OnFailure destination must be an SQS queue of the stack", m.LogicalID)
		}
		fnName := samtemplate.Get(p, "FunctionName").Value
		fn, ok := tmpl.Resources[fnName]
		if !ok {
			t.Errorf("%s: no function %s", m.LogicalID, fnName)
			continue
		}
		if deps := m.DependsOn; deps == nil || deps.Value != fnName+"Role" {
			t.Errorf("%s: DependsOn %sRole, so that the role's stream policy exists before the mapping is validated", m.LogicalID, fnName)
		}
		granted := map[string]bool{}
		for _, st := range samtemplate.Seq(samtemplate.Get(fn.Properties, "Policies")) {
			for _, stmt := range samtemplate.Seq(samtemplate.Get(st, "Statement")) {
				res := samtemplate.Get(stmt, "Resource")
				if res == nil || res.Tag != "!GetAtt" || res.Value != src.Value {
					continue
				}
				for _, a := range samtemplate.Seq(samtemplate.Get(stmt, "Action")) {
					granted[a.Value] = true
				}
			}
		}
		for _, a := range []string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"} {
			if !granted[a] {
				t.Errorf("%s: %s's policy must grant %s on %s", m.LogicalID, fnName, a, src.Value)
			}
		}
	}
}

func TestPoliciesAreLeastPrivilege(t *testing.T) {
	t.Parallel()
	tmpl := load(t)
	for _, fn := range tmpl.OfType("AWS::Serverless::Function") {
		for _, pol := range samtemplate.Pairs(samtemplate.Get(fn.Properties, "Policies")) {
			t.Errorf("%s: policy %s is a managed template; use explicit statements", fn.LogicalID, pol.Key)
		}
		policies := samtemplate.Get(fn.Properties, "Policies")
		if policies == nil {
			t.Errorf("%s has no Policies", fn.LogicalID)
			continue
		}
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			if n == nil {
				return
			}
			if n.Kind == yaml.ScalarNode && (n.Value == "*" || strings.HasSuffix(n.Value, ":*")) {
				t.Errorf("%s: wildcard %q in a policy", fn.LogicalID, n.Value)
			}
			for _, c := range n.Content {
				walk(c)
			}
		}
		walk(policies)
	}
}

func TestSecretsAreSSMParameterNames(t *testing.T) {
	t.Parallel()
	tmpl := load(t)
	for name, p := range tmpl.Parameters {
		if !strings.HasSuffix(name, "Param") {
			continue
		}
		def := samtemplate.Get(p, "Default")
		if def == nil || !strings.HasPrefix(def.Value, "/rituals/") {
			t.Errorf("parameter %s must default to an SSM parameter name under /rituals/", name)
		}
		if v := samtemplate.Get(p, "NoEcho"); v != nil {
			t.Errorf("parameter %s holds a name, not a secret; NoEcho suggests a plaintext secret", name)
		}
	}
}
