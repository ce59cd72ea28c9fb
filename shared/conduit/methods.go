package conduit

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
)

// Methods this package calls.
const (
	MethodWhoAmI           = "user.whoami"
	MethodUserSearch       = "user.search"
	MethodTaskSearch       = "maniphest.search"
	MethodTaskEdit         = "maniphest.edit"
	MethodTaskTransactions = "maniphest.gettasktransactions"
	MethodPrioritySearch   = "maniphest.priority.search"
	MethodStatusSearch     = "maniphest.status.search"
	MethodTransactions     = "transaction.search"
	MethodProjectSearch    = "project.search"
	MethodColumnSearch     = "project.column.search"
)

// WhoAmI returns the token's user (cached): the bot, whose own transactions Rituals ignores.
func (c *Client) WhoAmI(ctx context.Context) (User, error) {
	return cachedValue(ctx, c, MethodWhoAmI, func(ctx context.Context) (User, error) {
		var w struct {
			PHID     string  `json:"phid"`
			UserName Str     `json:"userName"`
			RealName Str     `json:"realName"`
			Roles    Strings `json:"roles"`
		}
		if err := c.Call(ctx, MethodWhoAmI, nil, &w); err != nil {
			return User{}, err
		}
		if w.PHID == "" {
			return User{}, &Error{Method: MethodWhoAmI, Info: "the answer has no phid"}
		}
		return User{PHID: w.PHID, Username: string(w.UserName), RealName: string(w.RealName), Roles: w.Roles}, nil
	})
}

// Priorities returns the server's task priorities, highest first (cached).
func (c *Client) Priorities(ctx context.Context) ([]Priority, error) {
	return cachedValue(ctx, c, MethodPrioritySearch, func(ctx context.Context) ([]Priority, error) {
		var r struct {
			Data List[struct {
				Value    Int     `json:"value"`
				Name     Str     `json:"name"`
				Short    Str     `json:"short"`
				Color    Str     `json:"color"`
				Keywords Strings `json:"keywords"`
				Disabled bool    `json:"disabled"`
			}] `json:"data"`
		}
		if err := c.Call(ctx, MethodPrioritySearch, nil, &r); err != nil {
			return nil, err
		}
		out := make([]Priority, 0, len(r.Data))
		for _, p := range r.Data {
			out = append(out, Priority{Value: int(p.Value), Name: string(p.Name), Short: string(p.Short), Color: string(p.Color), Keywords: p.Keywords, Disabled: p.Disabled})
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].Value > out[j].Value })
		if len(out) == 0 {
			return nil, &Error{Method: MethodPrioritySearch, Info: "the server lists no priorities"}
		}
		return out, nil
	})
}

// Statuses returns the server's task statuses (cached).
func (c *Client) Statuses(ctx context.Context) ([]Status, error) {
	return cachedValue(ctx, c, MethodStatusSearch, func(ctx context.Context) ([]Status, error) {
		var r struct {
			Data List[struct {
				Value   Str  `json:"value"`
				Name    Str  `json:"name"`
				Closed  bool `json:"closed"`
				Special Str  `json:"special"`
			}] `json:"data"`
		}
		if err := c.Call(ctx, MethodStatusSearch, nil, &r); err != nil {
			return nil, err
		}
		out := make([]Status, 0, len(r.Data))
		for _, s := range r.Data {
			out = append(out, Status{Value: string(s.Value), Name: string(s.Name), Closed: s.Closed, Special: string(s.Special)})
		}
		if len(out) == 0 {
			return nil, &Error{Method: MethodStatusSearch, Info: "the server lists no statuses"}
		}
		return out, nil
	})
}

// constraints builds a search's constraints from name, value pairs, leaving out empty lists.
func constraints(pairs ...any) map[string]any {
	cons := map[string]any{}
	for i := 0; i+1 < len(pairs); i += 2 {
		name := pairs[i].(string)
		switch v := pairs[i+1].(type) {
		case []string:
			if len(v) > 0 {
				cons[name] = v
			}
		case []int:
			if len(v) > 0 {
				cons[name] = v
			}
		case *bool:
			if v != nil {
				cons[name] = *v
			}
		default:
			cons[name] = v
		}
	}
	return cons
}

// attachments lists the attachment keys whose flag is set (key, flag pairs).
func attachments(pairs ...any) []string {
	var out []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1].(bool) {
			out = append(out, pairs[i].(string))
		}
	}
	return out
}

// TaskQuery selects tasks for SearchTasks.
type TaskQuery struct {
	PHIDs    []string
	IDs      []int
	Projects []string // tasks tagged with all of these (slugs or PHIDs)
	Statuses []string
	// Columns adds the columns attachment, Projects the projects attachment.
	WithColumns, WithProjects bool
}

// SearchTasks returns the tasks matching q (maniphest.search, every page).
func (c *Client) SearchTasks(ctx context.Context, q TaskQuery) ([]Task, error) {
	cons := constraints("phids", q.PHIDs, "ids", q.IDs, "projects", q.Projects, "statuses", q.Statuses)
	att := attachments("columns", q.WithColumns, "projects", q.WithProjects)
	return searchAll(ctx, c, MethodTaskSearch, Query{Constraints: cons, Attachments: att}, DecodeTask)
}

// Task returns one task with its columns and projects; found is false when the server does not
// show it to the bot (deleted, or not visible).
func (c *Client) Task(ctx context.Context, phid string) (Task, bool, error) {
	ts, err := c.SearchTasks(ctx, TaskQuery{PHIDs: []string{phid}, WithColumns: true, WithProjects: true})
	if err != nil || len(ts) == 0 {
		return Task{}, false, err
	}
	return ts[0], true, nil
}

// Transactions returns the transactions of object (a PHID or a monogram such as T123) with
// the given PHIDs (all, newest first, when phids is empty), normalized. The server rejects an
// empty phids constraint, so it is then left out.
func (c *Client) Transactions(ctx context.Context, object string, phids []string) ([]Xact, error) {
	params := map[string]any{"objectIdentifier": object, "limit": PageSize}
	if len(phids) > 0 {
		params["constraints"] = map[string]any{"phids": phids}
	}
	var out []Xact
	seen := map[string]bool{}
	for page := 0; page < maxPages; page++ {
		var r struct {
			Data   List[Transaction] `json:"data"`
			Cursor Dict[struct {
				After Str `json:"after"`
			}] `json:"cursor"`
		}
		if err := c.Call(ctx, MethodTransactions, params, &r); err != nil {
			return nil, err
		}
		for _, t := range r.Data {
			x, err := t.Xact()
			if err != nil {
				return nil, &Error{Method: MethodTransactions, Info: "decode result: " + err.Error()}
			}
			if x.TaskPHID == "" {
				x.TaskPHID = object
			}
			out = append(out, x)
		}
		after := string(r.Cursor.V.After)
		if after == "" || len(r.Data) == 0 || seen[after] {
			return out, nil
		}
		seen[after] = true
		params["after"] = after
	}
	return out, nil
}

// TaskTransactions returns every transaction of the task with id (whose PHID is phid), from
// maniphest.gettasktransactions, oldest first: the frozen method that still reports column
// moves on servers whose transaction.search hides them.
func (c *Client) TaskTransactions(ctx context.Context, id int, phid string) ([]Xact, error) {
	var r Map[List[RawTransaction]]
	if err := c.Call(ctx, MethodTaskTransactions, map[string]any{"ids": []int{id}}, &r); err != nil {
		return nil, err
	}
	var out []Xact
	for _, raw := range r[strconv.Itoa(id)] {
		x, err := raw.Xact(phid)
		if err != nil {
			return nil, &Error{Method: MethodTaskTransactions, Info: "decode result: " + err.Error()}
		}
		out = append(out, x)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

// Edit is one maniphest.edit transaction: {"type": ..., "value": ...}.
type Edit struct {
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// EditTask applies edits to the task (id, T123 or PHID) and returns the PHIDs of the
// transactions the server applied (edits with no effect are dropped by the server).
func (c *Client) EditTask(ctx context.Context, task string, edits ...Edit) ([]string, error) {
	var r struct {
		Transactions List[struct {
			PHID string `json:"phid"`
		}] `json:"transactions"`
	}
	if err := c.Call(ctx, MethodTaskEdit, map[string]any{"objectIdentifier": task, "transactions": edits}, &r); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(r.Transactions))
	for _, t := range r.Transactions {
		out = append(out, t.PHID)
	}
	return out, nil
}

// ProjectQuery selects projects for SearchProjects.
type ProjectQuery struct {
	PHIDs     []string
	Slugs     []string
	Ancestors []string // projects below these (subprojects and milestones, any depth)
	Parents   []string // direct children of these
	// Milestones restricts to milestones (true) or non-milestones (false); nil for both.
	Milestones  *bool
	WithMembers bool
}

// SearchProjects returns the projects matching q (project.search, every page).
func (c *Client) SearchProjects(ctx context.Context, q ProjectQuery) ([]Project, error) {
	cons := constraints("phids", q.PHIDs, "slugs", q.Slugs, "ancestors", q.Ancestors, "parents", q.Parents, "isMilestone", q.Milestones)
	return searchAll(ctx, c, MethodProjectSearch, Query{Constraints: cons, Attachments: attachments("members", q.WithMembers)}, DecodeProject)
}

// DecodeProject decodes one item of project.search's data.
func DecodeProject(raw json.RawMessage) (Project, error) {
	var w struct {
		ID     Int    `json:"id"`
		PHID   string `json:"phid"`
		Fields Dict[struct {
			Name      Str       `json:"name"`
			Slug      Str       `json:"slug"`
			Milestone Int       `json:"milestone"`
			Depth     Int       `json:"depth"`
			Parent    Dict[Ref] `json:"parent"`
			Status    Str       `json:"status"`
		}] `json:"fields"`
		Attachments Dict[struct {
			Members *Dict[struct {
				Members List[struct {
					PHID string `json:"phid"`
				}] `json:"members"`
			}] `json:"members"`
		}] `json:"attachments"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return Project{}, err
	}
	f := w.Fields.V
	p := Project{ID: int(w.ID), PHID: w.PHID, Name: string(f.Name), Slug: string(f.Slug), Milestone: int(f.Milestone),
		Depth: int(f.Depth), ParentPHID: f.Parent.V.PHID, Status: string(f.Status)}
	if m := w.Attachments.V.Members; m != nil {
		p.Members = []string{}
		for _, x := range m.V.Members {
			p.Members = append(p.Members, x.PHID)
		}
	}
	return p, nil
}

// Columns returns the workboard columns of the projects (project.column.search, every page),
// sorted by board and sequence (then id) where the server sends a sequence.
func (c *Client) Columns(ctx context.Context, projects []string) ([]Column, error) {
	cols, err := searchAll(ctx, c, MethodColumnSearch, Query{Constraints: map[string]any{"projects": projects}}, DecodeColumn)
	sort.SliceStable(cols, func(i, j int) bool {
		a, b := cols[i], cols[j]
		if a.BoardPHID != b.BoardPHID {
			return a.BoardPHID < b.BoardPHID
		}
		if a.Sequence != b.Sequence {
			return a.Sequence < b.Sequence
		}
		return a.ID < b.ID
	})
	return cols, err
}

// DecodeColumn decodes one item of project.column.search's data.
func DecodeColumn(raw json.RawMessage) (Column, error) {
	var w struct {
		ID     Int    `json:"id"`
		PHID   string `json:"phid"`
		Fields Dict[struct {
			Name            Str       `json:"name"`
			ProxyPHID       Str       `json:"proxyPHID"`
			Project         Dict[Ref] `json:"project"`
			IsHidden        bool      `json:"isHidden"`
			IsDefaultColumn *bool     `json:"isDefaultColumn"`
			Sequence        Int       `json:"sequence"`
		}] `json:"fields"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return Column{}, err
	}
	f := w.Fields.V
	col := Column{ID: int(w.ID), PHID: w.PHID, Name: string(f.Name), BoardPHID: f.Project.V.PHID, ProxyPHID: string(f.ProxyPHID),
		Hidden: f.IsHidden, Sequence: int(f.Sequence)}
	if f.IsDefaultColumn != nil {
		col.Default, col.DefaultKnown = *f.IsDefaultColumn, true
	}
	return col, nil
}

// UserQuery selects users for SearchUsers.
type UserQuery struct {
	PHIDs     []string
	Usernames []string
}

// SearchUsers returns the users matching q (user.search, every page).
func (c *Client) SearchUsers(ctx context.Context, q UserQuery) ([]User, error) {
	return searchAll(ctx, c, MethodUserSearch, Query{Constraints: constraints("phids", q.PHIDs, "usernames", q.Usernames)}, DecodeUser)
}

// DecodeUser decodes one item of user.search's data.
func DecodeUser(raw json.RawMessage) (User, error) {
	var w struct {
		PHID   string `json:"phid"`
		Fields Dict[struct {
			Username Str     `json:"username"`
			RealName Str     `json:"realName"`
			Roles    Strings `json:"roles"`
		}] `json:"fields"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return User{}, err
	}
	return User{PHID: w.PHID, Username: string(w.Fields.V.Username), RealName: string(w.Fields.V.RealName), Roles: w.Fields.V.Roles}, nil
}
