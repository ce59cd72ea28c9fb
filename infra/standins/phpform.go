package standins

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// decodePHPForm turns PHP-style form keys (constraints[phids][0]=X, attachments[columns]=1)
// into nested maps and lists, the way Phabricator reads Conduit form parameters. A map whose
// keys are all 0..n-1 becomes a list.
func decodePHPForm(vals url.Values) map[string]any {
	root := map[string]any{}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		path := splitPHPKey(k)
		v := vals[k][len(vals[k])-1]
		cur := root
		for i, p := range path {
			if p == "" { // a[]=x appends
				p = strconv.Itoa(len(cur))
			}
			if i == len(path)-1 {
				cur[p] = v
				break
			}
			next, ok := cur[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[p] = next
			}
			cur = next
		}
	}
	if m, ok := listify(root).(map[string]any); ok {
		return m
	}
	return root
}

func splitPHPKey(k string) []string {
	i := strings.IndexByte(k, '[')
	if i <= 0 || !strings.HasSuffix(k, "]") {
		return []string{k}
	}
	return append([]string{k[:i]}, strings.Split(k[i+1:len(k)-1], "][")...)
}

func listify(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for k, x := range m {
		m[k] = listify(x)
	}
	if len(m) == 0 {
		return m
	}
	list := make([]any, len(m))
	for k, x := range m {
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i >= len(m) {
			return m
		}
		list[i] = x
	}
	return list
}
