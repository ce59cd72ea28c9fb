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
			case "DynamoDB":
				stream := samtemplate.Get(p, "Stream")
				table := strings.TrimSuffix(stream.Value, ".StreamArn")
				if stream.Tag != "!GetAtt" || tmpl.Resources[table].Type != "AWS::DynamoDB::Table" || samtemplate.Get(tmpl.Resources[table].Properties, "StreamSpecification") == nil {
					t.Errorf("%s.%s: Stream must !GetAtt <table with a stream>.StreamArn", fn.LogicalID, ev.Key)
				}
				for _, k := range []string{"FilterCriteria", "BisectBatchOnFunctionError", "MaximumRetryAttempts", "FunctionResponseTypes"} {
					if samtemplate.Get(p, k) == nil {
						t.Errorf("%s.%s: stream mapping needs %s", fn.LogicalID, ev.Key, k)
					}
				}
				dest := samtemplate.Get(p, "DestinationConfig", "OnFailure", "Destination")
				if dest == nil || tmpl.Resources[strings.TrimSuffix(dest.Value, ".Arn")].Type != "AWS::SQS::Queue" {
					t.Errorf("%s.%s: OnFailure destination must be an SQS queue of the stack", fn.LogicalID, ev.Key)
				}
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
	want := []string{"ANY /slack/commands", "ANY /slack/events", "ANY /slack/interactions", "ANY /webhooks/github", "ANY /webhooks/phabricator"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("routes = %v, want %v", got, want)
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
