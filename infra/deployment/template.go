package deployment

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/rituals-dev/rituals/infra/samtemplate"
)

// TemplateGitHubEvents lists the GitHub webhook events the template's stream mappings let
// through (FilterCriteria patterns whose NewImage source is "github"): the events a GitHub App
// for the stack subscribes to, no more. A pattern with no event filter contributes nothing.
func TemplateGitHubEvents(templatePath string) ([]string, error) {
	tmpl, err := samtemplate.Load(templatePath)
	if err != nil {
		return nil, err
	}
	maps, err := tmpl.StreamMappings()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, m := range maps {
		for _, f := range m.Filters {
			var p struct {
				DynamoDB struct {
					NewImage struct {
						Source struct{ S []any } `json:"source"`
						Event  struct{ S []any } `json:"event"`
					} `json:"NewImage"`
				} `json:"dynamodb"`
			}
			if err := json.Unmarshal([]byte(f), &p); err != nil {
				return nil, fmt.Errorf("%s: filter of %s: %w", templatePath, m.Function, err)
			}
			github := false
			for _, s := range p.DynamoDB.NewImage.Source.S {
				github = github || s == "github"
			}
			if !github {
				continue
			}
			for _, e := range p.DynamoDB.NewImage.Event.S {
				if s, ok := e.(string); ok {
					seen[s] = true
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for e := range seen {
		out = append(out, e)
	}
	sort.Strings(out)
	return out, nil
}

// Route is one HTTP route of the template.
type Route struct {
	Function, Method, Path string
}

// TemplateRoutes lists the template's HttpApi routes (rituals doctor probes each).
func TemplateRoutes(templatePath string) ([]Route, error) {
	tmpl, err := samtemplate.Load(templatePath)
	if err != nil {
		return nil, err
	}
	rs, err := tmpl.HTTPRoutes()
	if err != nil {
		return nil, err
	}
	out := make([]Route, 0, len(rs))
	for _, r := range rs {
		out = append(out, Route{Function: r.Function, Method: r.Method, Path: r.Path})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path+out[i].Method < out[j].Path+out[j].Method })
	return out, nil
}

// TemplateSecretParams maps each secret a function of the template reads from SSM (its
// environment's X_PARAM: !Ref Key) to the stack parameter Key that names the SSM parameter.
func TemplateSecretParams(templatePath string) (map[string]string, error) {
	tmpl, err := samtemplate.Load(templatePath)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, fn := range tmpl.OfType("AWS::Serverless::Function") {
		for _, kv := range samtemplate.Pairs(samtemplate.Get(fn.Properties, "Environment", "Variables")) {
			if strings.HasSuffix(kv.Key, "_PARAM") && kv.Value.Tag == "!Ref" {
				out[strings.TrimSuffix(kv.Key, "_PARAM")] = kv.Value.Value
			}
		}
	}
	return out, nil
}
