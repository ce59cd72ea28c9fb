package config

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The config is decoded by walking yaml.Node trees by hand rather than with Node.Decode: that is
// what lets every problem (unknown keys, wrong types, bad values) be reported together, each at
// its own line and column, instead of stopping at the first one with only a line number.

// decoder collects problems and remembers where each path was written, so that the checks that
// run after decoding (references, duplicates) can point at the right line too.
type decoder struct {
	file     string
	problems []Problem
	pos      map[string]*yaml.Node
	aliases  int
}

// maxAliases bounds alias expansion: walking a tree of aliases to aliases is exponential, and a
// stored config is parsed again by every function.
const maxAliases = 1000

func newDecoder(file string) *decoder {
	return &decoder{file: file, pos: map[string]*yaml.Node{}}
}

// at records a problem located at node n.
func (d *decoder) at(n *yaml.Node, path, format string, args ...any) {
	p := Problem{File: d.file, Path: path, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		p.Line, p.Column = n.Line, n.Column
	}
	d.problems = append(d.problems, p)
}

// atPath records a problem at the node recorded for path, or the nearest recorded ancestor.
func (d *decoder) atPath(path, format string, args ...any) {
	d.at(d.node(path), path, format, args...)
}

func (d *decoder) node(path string) *yaml.Node {
	for p := path; ; p = parentPath(p) {
		if n, ok := d.pos[p]; ok {
			return n
		}
		if p == "" {
			return nil
		}
	}
}

// line returns the line a path was written on, for "first at line N" hints.
func (d *decoder) line(path string) int {
	if n := d.node(path); n != nil {
		return n.Line
	}
	return 0
}

func parentPath(p string) string {
	if i := strings.LastIndexAny(p, ".["); i >= 0 {
		return p[:i]
	}
	return ""
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func indexPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// resolve follows aliases; it returns nil for a missing or null node.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		d.aliases++
		if d.aliases > maxAliases {
			if d.aliases == maxAliases+1 {
				d.at(n, "", "too many aliases (more than %d); write the values out", maxAliases)
			}
			return nil
		}
		n = n.Alias
	}
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return nil
	}
	return n
}

// obj is a decoded mapping: its value nodes by key. A nil *obj (the mapping was absent or not a
// mapping, already reported) answers every getter with a zero value, which keeps the decoding
// functions straight-line.
type obj struct {
	d    *decoder
	node *yaml.Node
	path string
	f    map[string]*yaml.Node
}

// object checks that n is a mapping with only the known keys (reporting unknown and repeated
// keys, and honouring "<<" merge keys) and returns it, or nil when n is absent or not a mapping.
func (d *decoder) object(n *yaml.Node, path string, known ...string) *obj {
	n = d.resolve(n)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.at(n, path, "must be a mapping of keys (%s), not %s", strings.Join(known, ", "), describe(n))
		return nil
	}
	d.pos[path] = n
	o := &obj{d: d, node: n, path: path, f: map[string]*yaml.Node{}}
	o.collect(n, known, map[string]*yaml.Node{}, 0)
	return o
}

// collect adds n's pairs to o.f. Explicit keys win over merged ones, whatever their order, as
// YAML's merge key specifies.
func (o *obj) collect(n *yaml.Node, known []string, keys map[string]*yaml.Node, depth int) {
	d := o.d
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.at(k, o.path, "keys must be plain words, not %s", describe(k))
			continue
		}
		if k.Value == "<<" && k.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if !contains(known, k.Value) {
			msg := fmt.Sprintf("unknown key %q", k.Value)
			if s := closest(k.Value, known, normKey); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			d.at(k, joinPath(o.path, k.Value), "%s; allowed keys: %s", msg, strings.Join(known, ", "))
			continue
		}
		if first, dup := keys[k.Value]; dup {
			if depth == 0 {
				d.at(k, joinPath(o.path, k.Value), "key %q appears twice (first at line %d); keep one", k.Value, first.Line)
			}
			continue
		}
		keys[k.Value] = k
		o.f[k.Value] = v
		d.pos[joinPath(o.path, k.Value)] = v
	}
	if depth > 8 {
		return
	}
	for _, m := range merges {
		m = d.resolve(m)
		var srcs []*yaml.Node
		switch {
		case m == nil:
		case m.Kind == yaml.MappingNode:
			srcs = []*yaml.Node{m}
		case m.Kind == yaml.SequenceNode:
			srcs = m.Content
		default:
			d.at(m, o.path, "a merge key (<<) needs a mapping or a list of mappings, not %s", describe(m))
		}
		for _, s := range srcs {
			if s = d.resolve(s); s != nil && s.Kind == yaml.MappingNode {
				o.collect(s, known, keys, depth+1)
			}
		}
	}
}

// normKey lets "deliveryManager" and "delivery-manager" suggest "delivery_manager".
func normKey(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(strings.ToLower(s), "-", "_"), "_", "")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "that"
}

// val returns the value node for key, or nil when absent or null.
func (o *obj) val(key string) *yaml.Node {
	if o == nil {
		return nil
	}
	return o.d.resolve(o.f[key])
}

func (o *obj) p(key string) string {
	if o == nil {
		return key
	}
	return joinPath(o.path, key)
}

// need reports key as missing, showing an example line to add, and says whether it is present.
func (o *obj) need(key, example string) bool {
	if o == nil {
		return false
	}
	n := o.val(key)
	if n == nil {
		o.d.at(o.node, o.path, "missing %q (add e.g. `%s: %s`)", key, key, example)
		return false
	}
	if n.Kind == yaml.ScalarNode && strings.TrimSpace(n.Value) == "" {
		o.d.at(n, o.p(key), "%s is empty (e.g. `%s: %s`)", key, key, example)
		return false
	}
	return true
}

// problem reports a problem with key's value.
func (o *obj) problem(key, format string, args ...any) {
	if o == nil {
		return
	}
	n := o.val(key)
	if n == nil {
		n = o.node
	}
	o.d.at(n, o.p(key), format, args...)
}

// check reports err, if any, at key's value. A value that is not a non-empty scalar was already
// reported (by need or str), so err, which is about its text, would only repeat that.
func (o *obj) check(key string, err error) {
	n := o.val(key)
	if err == nil || n == nil || n.Kind != yaml.ScalarNode || strings.TrimSpace(n.Value) == "" {
		return
	}
	o.problem(key, "%s", err.Error())
}

// scalarText returns a scalar's text; it reports collections. Any scalar is accepted as text,
// so that a numeric GitHub login or Phabricator name needs no quotes.
func (d *decoder) scalarText(n *yaml.Node, path, want string) (string, bool) {
	if n == nil {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.at(n, path, "must be %s, not %s", want, describe(n))
		return "", false
	}
	return strings.TrimSpace(n.Value), true
}

// str returns key's text ("" when absent).
func (o *obj) str(key string) string {
	if o == nil {
		return ""
	}
	s, _ := o.d.scalarText(o.val(key), o.p(key), "a single value")
	return s
}

// list returns key's items (resolved, nulls dropped) with their paths; it reports a value that
// is not a list, showing example as the shape to write.
func (o *obj) list(key, example string) (items []*yaml.Node, paths []string) {
	n := o.val(key)
	if n == nil {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		o.problem(key, "must be a list, e.g. %s", example)
		return nil, nil
	}
	for i, it := range n.Content {
		p := indexPath(o.p(key), i)
		if r := o.d.resolve(it); r != nil {
			o.d.pos[p] = r
			items = append(items, r)
			paths = append(paths, p)
		}
	}
	return items, paths
}

// strs returns key's list of texts. Repeats are reported (case-insensitively): in every list of
// this format a repeat is a copy-paste slip.
func (o *obj) strs(key, example string) []string {
	items, paths := o.list(key, example)
	var out []string
	seen := map[string]string{}
	for i, it := range items {
		s, ok := o.d.scalarText(it, paths[i], "a single value")
		if !ok {
			continue
		}
		if s == "" {
			o.d.at(it, paths[i], "must not be empty")
			continue
		}
		if first, dup := seen[strings.ToLower(s)]; dup {
			o.d.at(it, paths[i], "%q is listed twice (first at line %d)", s, o.d.line(first))
			continue
		}
		seen[strings.ToLower(s)] = paths[i]
		out = append(out, s)
	}
	return out
}

// empty reports whether key is absent, null or an empty list.
func (o *obj) empty(key string) bool {
	n := o.val(key)
	return n == nil || n.Kind == yaml.SequenceNode && len(n.Content) == 0
}

// integer returns key's whole number; ok is false when absent or invalid (reported).
func (o *obj) integer(key string) (int, bool) {
	n := o.val(key)
	if n == nil {
		return 0, false
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		if v, err := strconv.Atoi(n.Value); err == nil {
			return v, true
		}
	}
	o.problem(key, "must be a whole number, not %s", describe(n))
	return 0, false
}

// boolean returns key's true/false. "yes" and "no" are refused: YAML 1.2 (and so the editor
// schema) reads them as strings, and a silently wrong "urgent" would be worse than an error.
func (o *obj) boolean(key string) bool {
	n := o.val(key)
	if n == nil {
		return false
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		v, err := strconv.ParseBool(n.Value)
		if err == nil {
			return v
		}
	}
	o.problem(key, "must be true or false, not %s", describe(n))
	return false
}

// parsed reads key's text with parse, reporting parse errors at the value.
func parsed[T any](o *obj, key string, parse func(string) (T, error)) (T, bool) {
	var zero T
	s := o.str(key)
	if s == "" {
		return zero, false
	}
	v, err := parse(s)
	if err != nil {
		o.check(key, err)
		return zero, false
	}
	return v, true
}
