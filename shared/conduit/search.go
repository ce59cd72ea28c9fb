package conduit

import (
	"context"
	"encoding/json"
	"fmt"
)

// PageSize is the largest page *.search methods serve (ERR-INVALID-PAGE-SIZE above it).
const PageSize = 100

// maxPages bounds one search (100,000 objects): a server that kept answering with a next page
// must not keep an invocation busy until its deadline.
const maxPages = 1000

// Object is one item of a *.search result: id, type, phid, and the fields and attachments,
// which each method's types decode.
type Object struct {
	ID          Int             `json:"id"`
	Type        string          `json:"type"`
	PHID        string          `json:"phid"`
	Fields      json.RawMessage `json:"fields"`
	Attachments json.RawMessage `json:"attachments"`
}

// Page is one page of a *.search (or a paged) result.
type Page struct {
	Data   []json.RawMessage `json:"data"`
	Cursor struct {
		Limit Int `json:"limit"`
		After Str `json:"after"`
	} `json:"cursor"`
}

// Query is what a *.search call asks for. Empty maps are sent as {}.
type Query struct {
	// QueryKey is a built-in or saved query ("all", "open"); empty for none.
	QueryKey    string
	Constraints map[string]any
	// Attachments are the attachment keys to request ("columns", "projects", "members").
	Attachments []string
	// Order is a builtin order or a list of columns; nil for the server's default.
	Order any
}

func (q Query) params(after string) map[string]any {
	p := map[string]any{"limit": PageSize}
	if q.QueryKey != "" {
		p["queryKey"] = q.QueryKey
	}
	cons := map[string]any{}
	for k, v := range q.Constraints {
		cons[k] = v
	}
	p["constraints"] = cons
	att := map[string]bool{}
	for _, a := range q.Attachments {
		att[a] = true
	}
	p["attachments"] = att
	if q.Order != nil {
		p["order"] = q.Order
	}
	if after != "" {
		p["after"] = after
	}
	return p
}

// Search calls method (a *.search method) page by page and gives each item to each, in the
// server's order, until the cursor has no next page or each returns an error.
func (c *Client) Search(ctx context.Context, method string, q Query, each func(raw json.RawMessage) error) error {
	after := ""
	seen := map[string]bool{}
	for page := 0; page < maxPages; page++ {
		var p Page
		if err := c.Call(ctx, method, q.params(after), &p); err != nil {
			return err
		}
		for _, raw := range p.Data {
			if err := each(raw); err != nil {
				return err
			}
		}
		after = string(p.Cursor.After)
		if after == "" || len(p.Data) == 0 {
			return nil
		}
		if seen[after] {
			return &Error{Method: method, Info: fmt.Sprintf("the server gave cursor %q twice; stopped paging", after)}
		}
		seen[after] = true
	}
	return &Error{Method: method, Info: fmt.Sprintf("more than %d pages; narrow the query", maxPages)}
}

// searchAll collects every item of a search, decoded with decode.
func searchAll[T any](ctx context.Context, c *Client, method string, q Query, decode func(json.RawMessage) (T, error)) ([]T, error) {
	var out []T
	err := c.Search(ctx, method, q, func(raw json.RawMessage) error {
		v, err := decode(raw)
		if err != nil {
			return &Error{Method: method, Info: "decode result: " + err.Error()}
		}
		out = append(out, v)
		return nil
	})
	return out, err
}
