// Package samtemplate reads template.yaml, the single source of truth for the stack, so that the
// local runner and the tests derive tables, functions, routes, schedules and stream mappings from
// the same file that `sam deploy` uses.
package samtemplate

import (
	"fmt"
	"os"
	"sort"

	"gopkg.in/yaml.v3"
)

// Template is a parsed SAM template. Intrinsic functions (!Ref, !GetAtt, !Sub, ...) are kept as
// yaml nodes with their tags so that callers can resolve them in their own context.
type Template struct {
	Path       string
	Parameters map[string]*yaml.Node
	Globals    *yaml.Node
	Resources  map[string]Resource
	Outputs    map[string]*yaml.Node
}

// Resource is one entry under Resources.
type Resource struct {
	LogicalID  string
	Type       string
	Properties *yaml.Node
	Metadata   *yaml.Node
	// DependsOn is the resource's DependsOn (a scalar or a list), or nil.
	DependsOn *yaml.Node
}

// Load parses the template at path.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	return Parse(path, data)
}

// Parse parses template bytes; name is used in error messages only.
func Parse(name string, data []byte) (*Template, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("parse %s: top level is not a mapping", name)
	}
	doc := root.Content[0]
	t := &Template{Path: name, Parameters: map[string]*yaml.Node{}, Resources: map[string]Resource{}, Outputs: map[string]*yaml.Node{}}
	if n := Get(doc, "Parameters"); n != nil {
		for _, kv := range Pairs(n) {
			t.Parameters[kv.Key] = kv.Value
		}
	}
	t.Globals = Get(doc, "Globals")
	if n := Get(doc, "Outputs"); n != nil {
		for _, kv := range Pairs(n) {
			t.Outputs[kv.Key] = kv.Value
		}
	}
	res := Get(doc, "Resources")
	if res == nil {
		return nil, fmt.Errorf("parse %s: no Resources", name)
	}
	for _, kv := range Pairs(res) {
		typ := Get(kv.Value, "Type")
		if typ == nil {
			return nil, fmt.Errorf("parse %s: resource %s has no Type", name, kv.Key)
		}
		t.Resources[kv.Key] = Resource{
			LogicalID:  kv.Key,
			Type:       typ.Value,
			Properties: Get(kv.Value, "Properties"),
			Metadata:   Get(kv.Value, "Metadata"),
			DependsOn:  Get(kv.Value, "DependsOn"),
		}
	}
	return t, nil
}

// OfType returns the resources of the given type, sorted by logical id.
func (t *Template) OfType(typ string) []Resource {
	var out []Resource
	for _, r := range t.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LogicalID < out[j].LogicalID })
	return out
}

// KV is one key/value pair of a mapping node, in document order.
type KV struct {
	Key   string
	Value *yaml.Node
}

// Pairs lists a mapping node's entries in document order; nil for anything else.
func Pairs(n *yaml.Node) []KV {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([]KV, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, KV{Key: n.Content[i].Value, Value: n.Content[i+1]})
	}
	return out
}

// Get follows a path of mapping keys; nil when any step is missing.
func Get(n *yaml.Node, path ...string) *yaml.Node {
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
				break
			}
		}
		n = next
	}
	return n
}
