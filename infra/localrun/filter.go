package localrun

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// FilterPattern is a Lambda event-filtering pattern (FilterCriteria.Filters[].Pattern), parsed
// and validated. It matches a record the way Lambda does: every key of the pattern must match
// (AND); a leaf is a list of conditions, any of which may match (OR); when the record's value is
// an array, any element may match.
//
// Supported conditions: exact strings, numbers, booleans and null; {"prefix": s},
// {"suffix": s} (each also with {"equals-ignore-case": s} inside); {"equals-ignore-case": s};
// {"anything-but": value | [values] | {"prefix"|"suffix"|"equals-ignore-case": s}};
// {"exists": true|false}; {"numeric": [op, n (, op, n)]} with =, <, <=, >, >=; and "$or" with
// a list of sub-patterns. Anything else is rejected by ParseFilterPattern.
type FilterPattern struct {
	text string
	root map[string]any
}

// ParseFilterPattern parses and checks a pattern.
func ParseFilterPattern(text string) (*FilterPattern, error) {
	root, err := decodeJSONObject([]byte(text))
	if err != nil {
		return nil, fmt.Errorf("filter pattern %s: %w", text, err)
	}
	if err := checkPattern(root, ""); err != nil {
		return nil, fmt.Errorf("filter pattern %s: %w", text, err)
	}
	return &FilterPattern{text: text, root: root}, nil
}

// String returns the pattern as written.
func (p *FilterPattern) String() string { return p.text }

// Match reports whether record (decoded JSON, numbers as json.Number or float64) matches.
func (p *FilterPattern) Match(record map[string]any) bool { return matchObject(p.root, record) }

// MatchJSON decodes record and matches it.
func (p *FilterPattern) MatchJSON(record []byte) (bool, error) {
	obj, err := decodeJSONObject(record)
	if err != nil {
		return false, err
	}
	return p.Match(obj), nil
}

// MatchAny reports whether any pattern matches; with no patterns every record passes, as in
// Lambda when FilterCriteria is absent.
func MatchAny(patterns []*FilterPattern, record map[string]any) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if p.Match(record) {
			return true
		}
	}
	return false
}

func decodeJSONObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if v == nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	return v, nil
}

func checkPattern(obj map[string]any, path string) error {
	if len(obj) == 0 {
		return fmt.Errorf("%s: empty object", orRoot(path))
	}
	for k, v := range obj {
		p := path + "." + k
		if k == "$or" {
			alts, ok := v.([]any)
			if !ok || len(alts) < 2 {
				return fmt.Errorf("%s: $or wants a list of at least two patterns", p)
			}
			for _, a := range alts {
				sub, ok := a.(map[string]any)
				if !ok {
					return fmt.Errorf("%s: $or entries must be objects", p)
				}
				if err := checkPattern(sub, path); err != nil {
					return err
				}
			}
			continue
		}
		switch v := v.(type) {
		case map[string]any:
			if err := checkPattern(v, p); err != nil {
				return err
			}
		case []any:
			for _, c := range v {
				if err := checkCondition(c, p); err != nil {
					return err
				}
			}
		default:
			return fmt.Errorf("%s: a leaf must be a list of conditions, like [%s]", p, mustJSON(v))
		}
	}
	return nil
}

func orRoot(p string) string {
	if p == "" {
		return "pattern"
	}
	return p[1:]
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func checkCondition(c any, path string) error {
	switch c := c.(type) {
	case string, json.Number, bool, nil:
		return nil
	case map[string]any:
		if len(c) != 1 {
			return fmt.Errorf("%s: a condition object has exactly one operator, got %s", path, mustJSON(c))
		}
		for op, arg := range c {
			switch op {
			case "prefix", "suffix":
				if _, ok := arg.(string); ok {
					return nil
				}
				if m, ok := arg.(map[string]any); ok && len(m) == 1 {
					if _, ok := m["equals-ignore-case"].(string); ok {
						return nil
					}
				}
				return fmt.Errorf("%s: %s wants a string or {\"equals-ignore-case\": string}", path, op)
			case "equals-ignore-case":
				if _, ok := arg.(string); !ok {
					return fmt.Errorf("%s: equals-ignore-case wants a string", path)
				}
				return nil
			case "exists":
				if _, ok := arg.(bool); !ok {
					return fmt.Errorf("%s: exists wants true or false", path)
				}
				return nil
			case "anything-but":
				switch a := arg.(type) {
				case string, json.Number:
					return nil
				case []any:
					for _, x := range a {
						switch x.(type) {
						case string, json.Number:
						default:
							return fmt.Errorf("%s: anything-but lists hold strings or numbers only", path)
						}
					}
					return nil
				case map[string]any:
					return checkCondition(a, path)
				}
				return fmt.Errorf("%s: anything-but wants a value, a list or a prefix/suffix/equals-ignore-case object", path)
			case "numeric":
				return checkNumeric(arg, path)
			default:
				ops := []string{"anything-but", "equals-ignore-case", "exists", "numeric", "prefix", "suffix"}
				sort.Strings(ops)
				return fmt.Errorf("%s: operator %q is not supported (supported: %s)", path, op, strings.Join(ops, ", "))
			}
		}
	}
	return fmt.Errorf("%s: unsupported condition %s", path, mustJSON(c))
}

func checkNumeric(arg any, path string) error {
	list, ok := arg.([]any)
	if !ok || (len(list) != 2 && len(list) != 4) {
		return fmt.Errorf("%s: numeric wants [op, n] or [op, n, op, n]", path)
	}
	for i := 0; i < len(list); i += 2 {
		op, _ := list[i].(string)
		switch op {
		case "=", "<", "<=", ">", ">=":
		default:
			return fmt.Errorf("%s: numeric operator %v is not one of = < <= > >=", path, list[i])
		}
		if _, ok := number(list[i+1]); !ok {
			return fmt.Errorf("%s: numeric bound %v is not a number", path, list[i+1])
		}
	}
	return nil
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

func matchObject(pattern map[string]any, record map[string]any) bool {
	for k, pv := range pattern {
		if k == "$or" {
			matched := false
			for _, alt := range pv.([]any) {
				if matchObject(alt.(map[string]any), record) {
					matched = true
					break
				}
			}
			if !matched {
				return false
			}
			continue
		}
		val, present := record[k]
		switch pv := pv.(type) {
		case map[string]any:
			// A missing or non-object parent is matched as an empty object, so that
			// {"exists": false} below it still matches while everything else fails.
			sub, _ := val.(map[string]any)
			if !matchObject(pv, sub) {
				return false
			}
		case []any:
			if !matchLeaf(pv, val, present) {
				return false
			}
		}
	}
	return true
}

func matchLeaf(conds []any, val any, present bool) bool {
	for _, c := range conds {
		if m, ok := c.(map[string]any); ok {
			if e, ok := m["exists"]; ok {
				_, isObj := val.(map[string]any)
				if e.(bool) == (present && !isObj) {
					return true
				}
				continue
			}
		}
		if !present {
			continue
		}
		if arr, ok := val.([]any); ok {
			for _, x := range arr {
				if matchCondition(c, x) {
					return true
				}
			}
			continue
		}
		if matchCondition(c, val) {
			return true
		}
	}
	return false
}

func matchCondition(c any, v any) bool {
	switch c := c.(type) {
	case nil:
		return v == nil
	case string:
		s, ok := v.(string)
		return ok && s == c
	case bool:
		b, ok := v.(bool)
		return ok && b == c
	case json.Number:
		want, _ := number(c)
		got, ok := number(v)
		return ok && got == want
	case map[string]any:
		for op, arg := range c {
			return matchOperator(op, arg, v)
		}
	}
	return false
}

func matchOperator(op string, arg any, v any) bool {
	switch op {
	case "prefix", "suffix":
		s, ok := v.(string)
		if !ok {
			return false
		}
		want, fold := stringArg(arg)
		if fold {
			s, want = strings.ToLower(s), strings.ToLower(want)
		}
		if op == "prefix" {
			return strings.HasPrefix(s, want)
		}
		return strings.HasSuffix(s, want)
	case "equals-ignore-case":
		s, ok := v.(string)
		return ok && strings.EqualFold(s, arg.(string))
	case "anything-but":
		switch a := arg.(type) {
		case []any:
			for _, x := range a {
				if matchCondition(x, v) {
					return false
				}
			}
			return true
		case map[string]any:
			if _, isStr := v.(string); !isStr {
				return false
			}
			return !matchCondition(a, v)
		default:
			return !matchCondition(a, v)
		}
	case "numeric":
		got, ok := number(v)
		if !ok {
			return false
		}
		list := arg.([]any)
		for i := 0; i < len(list); i += 2 {
			bound, _ := number(list[i+1])
			var pass bool
			switch list[i].(string) {
			case "=":
				pass = got == bound
			case "<":
				pass = got < bound
			case "<=":
				pass = got <= bound
			case ">":
				pass = got > bound
			case ">=":
				pass = got >= bound
			}
			if !pass {
				return false
			}
		}
		return true
	}
	return false
}

func stringArg(arg any) (s string, fold bool) {
	if s, ok := arg.(string); ok {
		return s, false
	}
	m := arg.(map[string]any)
	return m["equals-ignore-case"].(string), true
}
