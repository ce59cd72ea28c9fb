package samtemplate

import (
	"fmt"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// Lambda's own defaults, used when neither Globals.Function nor the function sets a value.
const (
	DefaultTimeout    = 3 * time.Second
	DefaultMemorySize = 128
)

// Function is an AWS::Serverless::Function with its Globals.Function settings applied.
type Function struct {
	LogicalID  string
	Timeout    time.Duration
	MemorySize int
	// LogFormat and LogLevel come from LoggingConfig (LogFormat, ApplicationLogLevel); LogLevel
	// is resolved against parameter defaults.
	LogFormat string
	LogLevel  string
	// Environment holds Globals.Function.Environment.Variables overlaid with the function's
	// own, unresolved (see ResolveEnv), by variable name.
	Environment map[string]*yaml.Node
	// Events are the function's event sources in document order.
	Events []Event
}

// Event is one entry of a function's Events.
type Event struct {
	Function   string
	Name       string
	Type       string
	Properties *yaml.Node
}

// Functions lists the template's AWS::Serverless::Function resources, sorted by logical id.
func (t *Template) Functions() ([]Function, error) {
	var out []Function
	for _, r := range t.OfType("AWS::Serverless::Function") {
		f, err := t.function(r)
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", r.LogicalID, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// Function returns the function with the given logical id.
func (t *Template) Function(logicalID string) (Function, error) {
	r, ok := t.Resources[logicalID]
	if !ok || r.Type != "AWS::Serverless::Function" {
		return Function{}, fmt.Errorf("no function %s in %s", logicalID, t.Path)
	}
	return t.function(r)
}

func (t *Template) function(r Resource) (Function, error) {
	g := Get(t.Globals, "Function")
	prop := func(path ...string) *yaml.Node {
		if n := Get(r.Properties, path...); n != nil {
			return n
		}
		return Get(g, path...)
	}
	f := Function{LogicalID: r.LogicalID, Timeout: DefaultTimeout, MemorySize: DefaultMemorySize, Environment: map[string]*yaml.Node{}}
	if n := prop("Timeout"); n != nil {
		secs, err := t.intValue(n)
		if err != nil || secs <= 0 {
			return f, fmt.Errorf("property Timeout: want a positive number of seconds, got %q", n.Value)
		}
		f.Timeout = time.Duration(secs) * time.Second
	}
	if n := prop("MemorySize"); n != nil {
		mb, err := t.intValue(n)
		if err != nil || mb <= 0 {
			return f, fmt.Errorf("MemorySize: want a positive number of MB, got %q", n.Value)
		}
		f.MemorySize = mb
	}
	f.LogFormat = t.scalarValue(prop("LoggingConfig", "LogFormat"))
	f.LogLevel = t.scalarValue(prop("LoggingConfig", "ApplicationLogLevel"))
	for _, kv := range Pairs(Get(g, "Environment", "Variables")) {
		f.Environment[kv.Key] = kv.Value
	}
	for _, kv := range Pairs(Get(r.Properties, "Environment", "Variables")) {
		f.Environment[kv.Key] = kv.Value
	}
	for _, kv := range Pairs(Get(r.Properties, "Events")) {
		typ := scalar(Get(kv.Value, "Type"))
		if typ == "" {
			return f, fmt.Errorf("event %s has no Type", kv.Key)
		}
		f.Events = append(f.Events, Event{Function: r.LogicalID, Name: kv.Key, Type: typ, Properties: Get(kv.Value, "Properties")})
	}
	return f, nil
}

// ResolveEnv resolves every environment variable with r.
func (f Function) ResolveEnv(r Resolver) (map[string]string, error) {
	out := make(map[string]string, len(f.Environment))
	for k, n := range f.Environment {
		v, err := r.String(n)
		if err != nil {
			return nil, fmt.Errorf("function %s: environment variable %s: %w", f.LogicalID, k, err)
		}
		out[k] = v
	}
	return out, nil
}

// scalarValue returns a plain scalar's value or, for !Ref to a parameter, its Default; "" for
// anything else. Numeric and enum properties are often parameterised this way.
func (t *Template) scalarValue(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	if n.Tag == "!Ref" || (n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Ref") {
		name := n.Value
		if n.Kind == yaml.MappingNode {
			name = n.Content[1].Value
		}
		return scalar(Get(t.Parameters[name], "Default"))
	}
	return scalar(n)
}

func (t *Template) intValue(n *yaml.Node) (int, error) {
	return strconv.Atoi(t.scalarValue(n))
}

func (t *Template) boolValue(n *yaml.Node, def bool) (bool, error) {
	s := t.scalarValue(n)
	if s == "" {
		return def, nil
	}
	return strconv.ParseBool(s)
}
