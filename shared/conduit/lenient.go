package conduit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The types below decode the shapes PHP's json_encode produces for the same value.

var null = []byte("null")

func isNull(b []byte) bool { return bytes.Equal(bytes.TrimSpace(b), null) }

// isEmptyArray reports whether b is [] (with any spacing): PHP's encoding of an empty map.
func isEmptyArray(b []byte) bool {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return false
	}
	return len(bytes.TrimSpace(b[1:len(b)-1])) == 0
}

// Map is a JSON object keyed by string. It also accepts [] and null (PHP's empty map) as empty,
// and a non-empty list as a map keyed by the list positions ("0", "1", ...), which is what PHP
// sends when a map's keys happen to be 0..n-1.
type Map[V any] map[string]V

// UnmarshalJSON implements json.Unmarshaler.
func (m *Map[V]) UnmarshalJSON(b []byte) error {
	if isNull(b) || isEmptyArray(b) {
		*m = Map[V]{}
		return nil
	}
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var list []V
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		out := make(Map[V], len(list))
		for i, v := range list {
			out[strconv.Itoa(i)] = v
		}
		*m = out
		return nil
	}
	var out map[string]V
	if err := json.Unmarshal(b, &out); err != nil {
		return err
	}
	*m = out
	return nil
}

// Keys returns the map's keys, sorted.
func (m Map[V]) Keys() []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// PHIDs is a set of PHIDs sent as a list (["PHID-PCOL-a"]), as a PHID-keyed object
// ({"PHID-PCOL-a": "PHID-PCOL-a"}, what mpull() gives for fromColumnPHIDs), or as [] or null
// when empty. It decodes to the sorted list of PHIDs; for an object, the keys.
type PHIDs []string

// UnmarshalJSON implements json.Unmarshaler.
func (p *PHIDs) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if isNull(b) || isEmptyArray(b) {
		*p = PHIDs{}
		return nil
	}
	if len(b) > 0 && b[0] == '{' {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		out := make(PHIDs, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		*p = out
		return nil
	}
	var list []Str
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("PHIDs: want a list or an object, got %.40s", b)
	}
	out := make(PHIDs, 0, len(list))
	for _, s := range list {
		if s != "" {
			out = append(out, string(s))
		}
	}
	sort.Strings(out)
	*p = out
	return nil
}

// Has reports whether phid is in the set.
func (p PHIDs) Has(phid string) bool {
	for _, x := range p {
		if x == phid {
			return true
		}
	}
	return false
}

// Str is a string that may be sent as a JSON string, number or boolean; null is "".
type Str string

// UnmarshalJSON implements json.Unmarshaler.
func (s *Str) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case isNull(b):
		*s = ""
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = Str(v)
	case bytes.Equal(b, []byte("true")), bytes.Equal(b, []byte("false")):
		*s = Str(b)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("want a string or a number, got %.40s", b)
		}
		*s = Str(n.String())
	}
	return nil
}

// Int is a whole number that may be sent as a JSON number or a numeric string ("taskID": "10");
// null and "" are 0.
type Int int64

// UnmarshalJSON implements json.Unmarshaler.
func (i *Int) UnmarshalJSON(b []byte) error {
	var s Str
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if s == "" {
		*i = 0
		return nil
	}
	n, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(string(s), 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return fmt.Errorf("want a whole number, got %.40q", string(s))
		}
		n = int64(f)
	}
	*i = Int(n)
	return nil
}

// Time is a Unix time in seconds, sent as a number or a numeric string; 0 and null are the zero
// time.
type Time struct{ time.Time }

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	var i Int
	if err := i.UnmarshalJSON(b); err != nil {
		return err
	}
	if i <= 0 || i > 1<<40 {
		t.Time = time.Time{}
		return nil
	}
	t.Time = time.Unix(int64(i), 0).UTC()
	return nil
}

// Points is a task's story points: Phabricator stores a nullable double and sends it as a
// number, a numeric string or null (also "" for an emptied field). Nil means no points.
type Points struct{ Value *float64 }

// UnmarshalJSON implements json.Unmarshaler.
func (p *Points) UnmarshalJSON(b []byte) error {
	var s Str
	if err := s.UnmarshalJSON(b); err != nil {
		return fmt.Errorf("points: %w", err)
	}
	str := strings.TrimSpace(string(s))
	if str == "" || str == "false" {
		p.Value = nil
		return nil
	}
	f, err := strconv.ParseFloat(str, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("points: want a number, got %.40q", str)
	}
	p.Value = &f
	return nil
}

// Set reports whether the task has points.
func (p Points) Set() bool { return p.Value != nil }

// String renders the points as people write them ("3", "0.5"), or "" when unset.
func (p Points) String() string {
	if p.Value == nil {
		return ""
	}
	return strconv.FormatFloat(*p.Value, 'f', -1, 64)
}

// MarshalJSON writes the number or null.
func (p Points) MarshalJSON() ([]byte, error) {
	if p.Value == nil {
		return null, nil
	}
	return json.Marshal(*p.Value)
}

// Strings is a list of strings that may also be sent as a single string, or as an object whose
// values are the strings (a PHP list with holes); null and [] are empty.
type Strings []string

// UnmarshalJSON implements json.Unmarshaler.
func (s *Strings) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case isNull(b) || isEmptyArray(b):
		*s = Strings{}
		return nil
	case len(b) > 0 && b[0] == '[':
		var list []Str
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		out := make(Strings, len(list))
		for i, v := range list {
			out[i] = string(v)
		}
		*s = out
		return nil
	case len(b) > 0 && b[0] == '{':
		var m Map[Str]
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		out := make(Strings, 0, len(m))
		for _, k := range m.Keys() {
			out = append(out, string(m[k]))
		}
		*s = out
		return nil
	}
	var one Str
	if err := one.UnmarshalJSON(b); err != nil {
		return err
	}
	*s = Strings{string(one)}
	return nil
}
