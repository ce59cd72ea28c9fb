package standins

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The Phabricator user the local Conduit token belongs to.
const (
	ConduitBotPHID = "PHID-USER-ritualsbotlocal0"
	ConduitBotName = "rituals-bot"
)

// Maniphest priorities: value → name and color, and the keywords maniphest.edit accepts.
var conduitPriorities = map[int][2]string{
	100: {"Unbreak Now!", "pink"}, 90: {"Needs Triage", "violet"}, 80: {"High", "red"},
	50: {"Normal", "orange"}, 25: {"Low", "yellow"}, 0: {"Wishlist", "sky"},
}

var priorityKeywords = map[string]int{"unbreak": 100, "triage": 90, "high": 80, "normal": 50, "low": 25, "wish": 0}

var conduitStatuses = map[string]string{"open": "Open", "resolved": "Resolved", "wontfix": "Wontfix", "invalid": "Invalid", "duplicate": "Duplicate", "spite": "Spite"}

// ConduitTask is a Maniphest task as seeded; Columns maps a board (project) PHID to the
// task's column on it.
type ConduitTask struct {
	ID          int               `json:"id"`
	PHID        string            `json:"phid"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Status      string            `json:"status"`
	Priority    int               `json:"priority"`
	Points      *float64          `json:"points"`
	OwnerPHID   string            `json:"ownerPHID"`
	AuthorPHID  string            `json:"authorPHID"`
	Projects    []string          `json:"projects"`
	Columns     map[string]string `json:"columns"` // board (project) PHID → column PHID
	Created     int64             `json:"dateCreated"`
	Modified    int64             `json:"dateModified"`
	xacts       []map[string]any  // newest last
}

// ConduitProject is a project (a workboard when it has columns) as seeded.
type ConduitProject struct {
	ID        int    `json:"id"`
	PHID      string `json:"phid"`
	Name      string `json:"name"`
	Slug      string `json:"slug"`
	Parent    string `json:"parent"`
	Milestone *int   `json:"milestone"`
	Color     string `json:"color"`
	Created   int64  `json:"dateCreated"`
}

// ConduitColumn is a workboard column of Project (a project PHID) as seeded.
type ConduitColumn struct {
	ID        int    `json:"id"`
	PHID      string `json:"phid"`
	Name      string `json:"name"`
	Project   string `json:"project"`
	IsHidden  bool   `json:"isHidden"`
	ProxyPHID string `json:"proxyPHID"`
	Sequence  int    `json:"sequence"`
}

// conduitAPI is an in-memory Phabricator: tasks, projects and workboard columns, seeded through
// POST /_local/conduit/seed and changed by maniphest.edit.
type conduitAPI struct {
	s        *Server
	mu       sync.Mutex
	tasks    map[int]*ConduitTask
	projects map[string]*ConduitProject
	columns  map[string]*ConduitColumn
	nextID   int
	xactID   int
}

func newConduitAPI(s *Server) *conduitAPI {
	return &conduitAPI{s: s, tasks: map[int]*ConduitTask{}, projects: map[string]*ConduitProject{}, columns: map[string]*ConduitColumn{}, nextID: 1}
}

// conduitError is a Conduit failure: error_code and error_info.
type conduitError struct{ code, info string }

func (e *conduitError) Error() string { return e.code + ": " + e.info }

func coreErr(format string, args ...any) *conduitError {
	return &conduitError{"ERR-CONDUIT-CORE", fmt.Sprintf(format, args...)}
}

type conduitMethod func(c *conduitAPI, p map[string]any) (any, *conduitError)

var conduitMethods = map[string]conduitMethod{
	"conduit.ping": func(*conduitAPI, map[string]any) (any, *conduitError) { return "rituals-local", nil },
	"user.whoami": func(*conduitAPI, map[string]any) (any, *conduitError) {
		return map[string]any{"phid": ConduitBotPHID, "userName": ConduitBotName, "realName": "Rituals Bot", "image": "", "uri": "http://phabricator.local/p/" + ConduitBotName + "/", "roles": []any{"bot", "verified", "approved", "activated"}, "primaryEmail": ""}, nil
	},
	"maniphest.search":              (*conduitAPI).maniphestSearch,
	"maniphest.edit":                (*conduitAPI).maniphestEdit,
	"maniphest.gettasktransactions": (*conduitAPI).getTaskTransactions,
	"project.search":                (*conduitAPI).projectSearch,
	"project.column.search":         (*conduitAPI).columnSearch,
}

// serveAPI answers POST /_standins/conduit/api/<method>. Conduit always answers HTTP 200 with
// {"result", "error_code", "error_info"}; a missing or wrong token is ERR-INVALID-AUTH.
func (c *conduitAPI) serveAPI(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("method")
	call := Call{Service: "conduit", Method: r.Method, Path: "/" + name, API: name}
	body, _ := readBody(r)
	params, token, perr := parseConduitParams(body, r.URL.Query())
	call.Request = redactConduit(params)
	if c.s.fault(w, r, &call) {
		return
	}
	respond := func(result any, e *conduitError) {
		resp := map[string]any{"result": result, "error_code": nil, "error_info": nil}
		if e != nil {
			resp = map[string]any{"result": nil, "error_code": e.code, "error_info": e.info}
		}
		call.Status, call.Response = http.StatusOK, jsonValue(resp)
		c.s.outbox.Record(call)
		writeJSON(w, http.StatusOK, resp)
	}
	method, known := conduitMethods[name]
	switch {
	case r.Method != http.MethodPost:
		respond(nil, &conduitError{"ERR-CONDUIT-CALL", "Conduit methods must be called with POST."})
	case perr != nil:
		respond(nil, perr)
	case token == "":
		respond(nil, &conduitError{"ERR-INVALID-AUTH", "This method requires authentication: pass api.token."})
	case token != c.s.opts.ConduitToken:
		respond(nil, &conduitError{"ERR-INVALID-AUTH", "API token \"" + redacted + "\" is not valid."})
	case !known:
		call.Authorized = true
		respond(nil, &conduitError{"ERR-CONDUIT-CALL", fmt.Sprintf("Conduit method %q not found.", name)})
	default:
		call.Authorized = true
		c.mu.Lock()
		res, e := method(c, params)
		c.mu.Unlock()
		respond(res, e)
	}
}

// parseConduitParams reads form parameters (PHP bracket syntax) and a JSON "params" field, as
// Phabricator accepts both; the token is api.token or params.__conduit__.token.
func parseConduitParams(body []byte, query url.Values) (map[string]any, string, *conduitError) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, "", &conduitError{"ERR-CONDUIT-CORE", "malformed form body: " + err.Error()}
	}
	for k, v := range query {
		if _, ok := vals[k]; !ok {
			vals[k] = v
		}
	}
	p := decodePHPForm(vals)
	if raw, ok := p["params"].(string); ok {
		var extra map[string]any
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&extra); err != nil {
			return nil, "", &conduitError{"ERR-CONDUIT-CORE", "params is not a JSON object: " + err.Error()}
		}
		delete(p, "params")
		for k, v := range extra {
			p[k] = v
		}
	}
	token, _ := p["api.token"].(string)
	if cc, ok := p["__conduit__"].(map[string]any); ok && token == "" {
		token, _ = cc["token"].(string)
	}
	delete(p, "output")
	return p, token, nil
}

func redactConduit(p map[string]any) map[string]any {
	out := make(map[string]any, len(p))
	for k, v := range p {
		switch k {
		case "api.token":
			v = redacted
		case "__conduit__":
			v = map[string]any{"token": redacted}
		}
		out[k] = v
	}
	return out
}

func (c *conduitAPI) now() int64 { return c.s.now().Unix() }

// ---- value helpers: parameters come as strings (forms) or JSON values.

func asString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func asList(v any) []any {
	switch v := v.(type) {
	case []any:
		return v
	case map[string]any: // {"0": ...} that did not listify, or a PHP map
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]any, 0, len(v))
		for _, k := range keys {
			out = append(out, v[k])
		}
		return out
	case nil:
		return nil
	}
	return []any{v}
}

func asStrings(v any) []string {
	var out []string
	for _, x := range asList(v) {
		out = append(out, asString(x))
	}
	return out
}

func asBool(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return v == "1" || v == "true"
	case json.Number:
		return v.String() != "0"
	}
	return false
}

// ---- objects in Conduit's shapes

func policy() map[string]any {
	return map[string]any{"view": "users", "interact": "users", "edit": "users"}
}

func (c *conduitAPI) taskData(t *ConduitTask, attach map[string]any) map[string]any {
	pr := conduitPriorities[t.Priority]
	if pr[0] == "" {
		pr = [2]string{fmt.Sprintf("Priority %d", t.Priority), "grey"}
	}
	var owner, points, closer, closed any
	if t.OwnerPHID != "" {
		owner = t.OwnerPHID
	}
	if t.Points != nil {
		points = *t.Points
	}
	if t.Status != "open" {
		closer, closed = ConduitBotPHID, t.Modified
	}
	attachments := map[string]any{}
	if asBool(attach["columns"]) {
		boards := map[string]any{}
		for board, col := range t.Columns {
			if cc := c.columns[col]; cc != nil {
				boards[board] = map[string]any{"columns": []any{map[string]any{"id": cc.ID, "phid": cc.PHID, "name": cc.Name}}}
			}
		}
		if len(boards) == 0 {
			attachments["columns"] = map[string]any{"boards": []any{}} // PHP's empty array
		} else {
			attachments["columns"] = map[string]any{"boards": boards}
		}
	}
	if asBool(attach["projects"]) {
		attachments["projects"] = map[string]any{"projectPHIDs": append([]string{}, t.Projects...)}
	}
	if asBool(attach["subscribers"]) {
		attachments["subscribers"] = map[string]any{"subscriberPHIDs": []any{}, "subscriberCount": 0, "viewerIsSubscribed": false}
	}
	return map[string]any{
		"id": t.ID, "type": "TASK", "phid": t.PHID,
		"fields": map[string]any{
			"name": t.Name, "description": map[string]any{"raw": t.Description},
			"authorPHID": t.AuthorPHID, "ownerPHID": owner,
			"status":   map[string]any{"value": t.Status, "name": conduitStatuses[t.Status], "color": nil},
			"priority": map[string]any{"value": t.Priority, "name": pr[0], "color": pr[1], "subpriority": 0},
			"points":   points, "subtype": "default", "closerPHID": closer, "dateClosed": closed,
			"spacePHID": nil, "dateCreated": t.Created, "dateModified": t.Modified, "policy": policy(),
		},
		"attachments": attachments,
	}
}

func (c *conduitAPI) projectData(p *ConduitProject) map[string]any {
	var parent any
	depth := 0
	if pp := c.projects[p.Parent]; pp != nil {
		parent = map[string]any{"id": pp.ID, "phid": pp.PHID, "name": pp.Name}
		depth = 1
	}
	var milestone any
	if p.Milestone != nil {
		milestone = *p.Milestone
	}
	color := p.Color
	if color == "" {
		color = "blue"
	}
	return map[string]any{
		"id": p.ID, "type": "PROJ", "phid": p.PHID,
		"fields": map[string]any{
			"name": p.Name, "slug": p.Slug, "subtype": "default", "milestone": milestone, "depth": depth, "parent": parent,
			"icon":      map[string]any{"key": "project", "name": "Project", "icon": "fa-briefcase"},
			"color":     map[string]any{"key": color, "name": strings.ToUpper(color[:1]) + color[1:]},
			"spacePHID": nil, "dateCreated": p.Created, "dateModified": p.Created, "policy": policy(), "description": "",
		},
		"attachments": map[string]any{},
	}
}

func (c *conduitAPI) columnData(col *ConduitColumn) map[string]any {
	var proxy any
	if col.ProxyPHID != "" {
		proxy = col.ProxyPHID
	}
	var project any
	if p := c.projects[col.Project]; p != nil {
		project = map[string]any{"id": p.ID, "phid": p.PHID, "name": p.Name}
	}
	return map[string]any{
		"id": col.ID, "type": "PCOL", "phid": col.PHID,
		"fields": map[string]any{
			"name": col.Name, "proxyPHID": proxy, "project": project, "isHidden": col.IsHidden,
			"dateCreated": c.now(), "dateModified": c.now(), "policy": policy(),
		},
		"attachments": map[string]any{},
	}
}

// searchResult wraps data the way *.search methods answer, with a simple id cursor.
func searchResult(data []map[string]any, p map[string]any) map[string]any {
	limit := 100
	if n, err := strconv.Atoi(asString(p["limit"])); err == nil && n > 0 && n <= 100 {
		limit = n
	}
	if after, err := strconv.Atoi(asString(p["after"])); err == nil {
		var rest []map[string]any
		for _, d := range data {
			if d["id"].(int) < after {
				rest = append(rest, d)
			}
		}
		data = rest
	}
	var next any
	if len(data) > limit {
		data = data[:limit]
		next = strconv.Itoa(data[limit-1]["id"].(int))
	}
	list := make([]any, len(data))
	for i, d := range data {
		list[i] = d
	}
	return map[string]any{
		"data": list, "maps": map[string]any{}, "query": map[string]any{"queryKey": nil},
		"cursor": map[string]any{"limit": limit, "after": next, "before": nil, "order": nil},
	}
}

func constraintSet(v any) map[string]bool {
	set := map[string]bool{}
	for _, s := range asStrings(v) {
		set[s] = true
	}
	return set
}

// ---- methods

func (c *conduitAPI) maniphestSearch(p map[string]any) (any, *conduitError) {
	cons, _ := p["constraints"].(map[string]any)
	for k := range cons {
		switch k {
		case "ids", "phids", "projects", "statuses", "assigned", "authorPHIDs", "columnPHIDs", "priorities":
		default:
			return nil, coreErr("Constraint %q is not supported by the local Conduit stand-in (supported: ids, phids, projects, statuses, assigned, authorPHIDs, columnPHIDs, priorities).", k)
		}
	}
	var out []map[string]any
	attach, _ := p["attachments"].(map[string]any)
	for _, t := range c.sortedTasks() {
		if !c.taskMatches(t, cons) {
			continue
		}
		out = append(out, c.taskData(t, attach))
	}
	return searchResult(out, p), nil
}

func (c *conduitAPI) sortedTasks() []*ConduitTask {
	list := make([]*ConduitTask, 0, len(c.tasks))
	for _, t := range c.tasks {
		list = append(list, t)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID > list[j].ID }) // newest first
	return list
}

func (c *conduitAPI) taskMatches(t *ConduitTask, cons map[string]any) bool {
	if v, ok := cons["ids"]; ok && !constraintSet(v)[strconv.Itoa(t.ID)] {
		return false
	}
	if v, ok := cons["phids"]; ok && !constraintSet(v)[t.PHID] {
		return false
	}
	if v, ok := cons["statuses"]; ok && !constraintSet(v)[t.Status] {
		return false
	}
	if v, ok := cons["assigned"]; ok && !constraintSet(v)[t.OwnerPHID] {
		return false
	}
	if v, ok := cons["authorPHIDs"]; ok && !constraintSet(v)[t.AuthorPHID] {
		return false
	}
	if v, ok := cons["priorities"]; ok && !constraintSet(v)[strconv.Itoa(t.Priority)] {
		return false
	}
	if v, ok := cons["projects"]; ok {
		// Tasks tagged with every listed project (slugs or PHIDs).
		has := map[string]bool{}
		for _, ph := range t.Projects {
			has[ph] = true
			if pr := c.projects[ph]; pr != nil && pr.Slug != "" {
				has[pr.Slug] = true
			}
		}
		for _, want := range asStrings(v) {
			if !has[want] {
				return false
			}
		}
	}
	if v, ok := cons["columnPHIDs"]; ok {
		want, found := constraintSet(v), false
		for _, col := range t.Columns {
			found = found || want[col]
		}
		if !found {
			return false
		}
	}
	return true
}

func (c *conduitAPI) projectSearch(p map[string]any) (any, *conduitError) {
	cons, _ := p["constraints"].(map[string]any)
	var out []map[string]any
	for _, pr := range c.sortedProjects() {
		if v, ok := cons["ids"]; ok && !constraintSet(v)[strconv.Itoa(pr.ID)] {
			continue
		}
		if v, ok := cons["phids"]; ok && !constraintSet(v)[pr.PHID] {
			continue
		}
		if v, ok := cons["slugs"]; ok && !constraintSet(v)[pr.Slug] {
			continue
		}
		if v, ok := cons["parents"]; ok && !constraintSet(v)[pr.Parent] {
			continue
		}
		if v, ok := cons["isMilestone"]; ok && asBool(v) != (pr.Milestone != nil) {
			continue
		}
		if v, ok := cons["name"]; ok && !strings.Contains(strings.ToLower(pr.Name), strings.ToLower(asString(v))) {
			continue
		}
		out = append(out, c.projectData(pr))
	}
	return searchResult(out, p), nil
}

func (c *conduitAPI) sortedProjects() []*ConduitProject {
	list := make([]*ConduitProject, 0, len(c.projects))
	for _, p := range c.projects {
		list = append(list, p)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID > list[j].ID })
	return list
}

func (c *conduitAPI) columnSearch(p map[string]any) (any, *conduitError) {
	cons, _ := p["constraints"].(map[string]any)
	list := make([]*ConduitColumn, 0, len(c.columns))
	for _, col := range c.columns {
		list = append(list, col)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID > list[j].ID })
	var out []map[string]any
	for _, col := range list {
		if v, ok := cons["ids"]; ok && !constraintSet(v)[strconv.Itoa(col.ID)] {
			continue
		}
		if v, ok := cons["phids"]; ok && !constraintSet(v)[col.PHID] {
			continue
		}
		if v, ok := cons["projects"]; ok && !constraintSet(v)[col.Project] {
			continue
		}
		out = append(out, c.columnData(col))
	}
	return searchResult(out, p), nil
}

func (c *conduitAPI) findTask(id string) *ConduitTask {
	id = strings.TrimPrefix(id, "T")
	if n, err := strconv.Atoi(id); err == nil {
		return c.tasks[n]
	}
	for _, t := range c.tasks {
		if t.PHID == "PHID-TASK-"+id || t.PHID == id || t.PHID == "T"+id {
			return t
		}
	}
	return nil
}

// maniphestEdit applies transactions to a task (objectIdentifier: id, T123 or PHID) or creates
// one, recording each change so that maniphest.gettasktransactions reports it.
func (c *conduitAPI) maniphestEdit(p map[string]any) (any, *conduitError) {
	var t *ConduitTask
	creating := false
	if id := asString(p["objectIdentifier"]); id != "" {
		if t = c.findTask(id); t == nil {
			return nil, coreErr("No object exists with ID %q.", id)
		}
	} else {
		creating = true
		t = &ConduitTask{Status: "open", Priority: 90, AuthorPHID: ConduitBotPHID, Columns: map[string]string{}, Created: c.now()}
	}
	type change struct {
		kind       string
		oldV, newV any
		comment    any
	}
	var changes []change
	work := *t
	work.Columns = map[string]string{}
	for k, v := range t.Columns {
		work.Columns[k] = v
	}
	work.Projects = append([]string{}, t.Projects...)
	for i, raw := range asList(p["transactions"]) {
		x, _ := raw.(map[string]any)
		typ, val := asString(x["type"]), x["value"]
		switch typ {
		case "title":
			changes = append(changes, change{"title", work.Name, asString(val), nil})
			work.Name = asString(val)
		case "description":
			changes = append(changes, change{"description", work.Description, asString(val), nil})
			work.Description = asString(val)
		case "status":
			s := asString(val)
			if conduitStatuses[s] == "" {
				return nil, coreErr("Transaction %d: status %q is not a valid task status.", i, s)
			}
			changes = append(changes, change{"status", work.Status, s, nil})
			work.Status = s
		case "priority":
			pr, ok := priorityKeywords[asString(val)]
			if !ok {
				n, err := strconv.Atoi(asString(val))
				if err != nil || conduitPriorities[n][0] == "" {
					return nil, coreErr("Transaction %d: priority %q is not a valid priority keyword.", i, asString(val))
				}
				pr = n
			}
			changes = append(changes, change{"priority", work.Priority, pr, nil})
			work.Priority = pr
		case "points":
			var old any
			if work.Points != nil {
				old = *work.Points
			}
			if val == nil || asString(val) == "" {
				work.Points = nil
			} else {
				f, err := strconv.ParseFloat(asString(val), 64)
				if err != nil || f < 0 {
					return nil, coreErr("Transaction %d: points must be a non-negative number.", i)
				}
				work.Points = &f
			}
			changes = append(changes, change{"points", old, val, nil})
		case "owner":
			changes = append(changes, change{"reassign", nilIfEmpty(work.OwnerPHID), val, nil})
			work.OwnerPHID = asString(val)
		case "comment":
			changes = append(changes, change{"core:comment", nil, nil, asString(val)})
		case "column":
			for _, cv := range asList(val) {
				colPHID := asString(cv)
				if m, ok := cv.(map[string]any); ok {
					colPHID = asString(m["columnPHID"])
				}
				col := c.columns[colPHID]
				if col == nil {
					return nil, coreErr("Transaction %d: column %q does not exist.", i, colPHID)
				}
				from := work.Columns[col.Project]
				fromMap := map[string]any{}
				if from != "" {
					fromMap[from] = from
				}
				changes = append(changes, change{"core:columns", nil, []any{map[string]any{"columnPHID": col.PHID, "boardPHID": col.Project, "fromColumnPHIDs": fromMap, "beforePHIDs": []any{}, "afterPHIDs": []any{}}}, nil})
				work.Columns[col.Project] = col.PHID
				if !contains(work.Projects, col.Project) {
					work.Projects = append(work.Projects, col.Project)
				}
			}
		case "projects.add", "projects.remove", "projects.set":
			list := asStrings(val)
			for _, ph := range list {
				if c.projects[ph] == nil {
					return nil, coreErr("Transaction %d: project %q does not exist.", i, ph)
				}
			}
			old := append([]string{}, work.Projects...)
			switch typ {
			case "projects.add":
				work.Projects = dedupe(append(work.Projects, list...))
			case "projects.remove":
				work.Projects = without(work.Projects, list)
			default:
				work.Projects = dedupe(list)
			}
			for _, ph := range work.Projects {
				if _, ok := work.Columns[ph]; !ok {
					if first := c.defaultColumn(ph); first != "" {
						work.Columns[ph] = first
					}
				}
			}
			for board := range work.Columns {
				if !contains(work.Projects, board) {
					delete(work.Columns, board)
				}
			}
			changes = append(changes, change{"core:edge", old, append([]string{}, work.Projects...), nil})
		case "subscribers.add", "subscribers.remove", "subscribers.set", "subtype", "parent", "view", "edit", "space":
			changes = append(changes, change{typ, nil, val, nil})
		default:
			return nil, coreErr("Transaction type %q is unknown to the local Conduit stand-in.", typ)
		}
	}
	if creating && work.Name == "" {
		return nil, coreErr("Validation errors:\n  - Tasks must have a title.")
	}
	if creating {
		work.ID = c.nextID
		work.PHID = fmt.Sprintf("PHID-TASK-local%015d", work.ID)
		c.nextID++
		for _, ph := range work.Projects {
			if _, ok := work.Columns[ph]; !ok {
				if first := c.defaultColumn(ph); first != "" {
					work.Columns[ph] = first
				}
			}
		}
	}
	work.Modified = c.now()
	*t = work
	c.tasks[t.ID] = t
	var xacts []any
	for _, ch := range changes {
		c.xactID++
		phid := fmt.Sprintf("PHID-XACT-TASK-local%011d", c.xactID)
		xacts = append(xacts, map[string]any{"phid": phid})
		t.xacts = append(t.xacts, map[string]any{
			"taskID": strconv.Itoa(t.ID), "transactionID": strconv.Itoa(c.xactID), "transactionPHID": phid,
			"transactionType": ch.kind, "oldValue": ch.oldV, "newValue": ch.newV, "comments": ch.comment,
			"authorPHID": ConduitBotPHID, "dateCreated": strconv.FormatInt(c.now(), 10),
		})
	}
	if xacts == nil {
		xacts = []any{}
	}
	return map[string]any{"object": map[string]any{"id": t.ID, "phid": t.PHID}, "transactions": xacts}, nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// defaultColumn is the board's first visible column (Phabricator's default, usually Backlog).
func (c *conduitAPI) defaultColumn(board string) string {
	var best *ConduitColumn
	for _, col := range c.columns {
		if col.Project != board || col.IsHidden {
			continue
		}
		if best == nil || col.Sequence < best.Sequence || (col.Sequence == best.Sequence && col.ID < best.ID) {
			best = col
		}
	}
	if best == nil {
		return ""
	}
	return best.PHID
}

func (c *conduitAPI) getTaskTransactions(p map[string]any) (any, *conduitError) {
	out := map[string]any{}
	for _, id := range asStrings(p["ids"]) {
		t := c.findTask(id)
		if t == nil {
			continue
		}
		list := []any{}
		for i := len(t.xacts) - 1; i >= 0; i-- {
			list = append(list, t.xacts[i])
		}
		out[strconv.Itoa(t.ID)] = list
	}
	return out, nil
}

// ConduitSeed is the body of POST /_local/conduit/seed. Objects without id or phid get them;
// tasks tagged with a project that has columns start in its first column unless Columns says
// otherwise. With Reset, everything is cleared first.
type ConduitSeed struct {
	Reset    bool             `json:"reset"`
	Projects []ConduitProject `json:"projects"`
	Columns  []ConduitColumn  `json:"columns"`
	Tasks    []ConduitTask    `json:"tasks"`
}

func (c *conduitAPI) serveSeed(w http.ResponseWriter, r *http.Request) {
	body, _ := readBody(r)
	var seed ConduitSeed
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&seed); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "bad seed: " + err.Error()})
		return
	}
	out, err := c.seed(seed)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// SeedConduit adds (or, with Reset, replaces) Conduit objects, as POST /_local/conduit/seed
// does, and returns the ids and PHIDs they were given.
func (s *Server) SeedConduit(seed ConduitSeed) (map[string]any, error) { return s.conduit.seed(seed) }

func (c *conduitAPI) seed(seed ConduitSeed) (map[string]any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if seed.Reset {
		c.tasks, c.projects, c.columns = map[int]*ConduitTask{}, map[string]*ConduitProject{}, map[string]*ConduitColumn{}
	}
	ids := func(n int) int {
		if n == 0 {
			n = c.nextID
		}
		if n >= c.nextID {
			c.nextID = n + 1
		}
		return n
	}
	var projects, columns, tasks []any
	for _, p := range seed.Projects {
		p := p
		p.ID = ids(p.ID)
		if p.PHID == "" {
			p.PHID = fmt.Sprintf("PHID-PROJ-local%015d", p.ID)
		}
		if p.Created == 0 {
			p.Created = c.now()
		}
		c.projects[p.PHID] = &p
		projects = append(projects, map[string]any{"id": p.ID, "phid": p.PHID})
	}
	for _, col := range seed.Columns {
		col := col
		if c.projects[col.Project] == nil {
			return nil, fmt.Errorf("column %q: project %q was not seeded", col.Name, col.Project)
		}
		col.ID = ids(col.ID)
		if col.PHID == "" {
			col.PHID = fmt.Sprintf("PHID-PCOL-local%015d", col.ID)
		}
		c.columns[col.PHID] = &col
		columns = append(columns, map[string]any{"id": col.ID, "phid": col.PHID})
	}
	for _, t := range seed.Tasks {
		t := t
		t.ID = ids(t.ID)
		if t.PHID == "" {
			t.PHID = fmt.Sprintf("PHID-TASK-local%015d", t.ID)
		}
		if t.Status == "" {
			t.Status = "open"
		}
		if t.AuthorPHID == "" {
			t.AuthorPHID = ConduitBotPHID
		}
		if t.Created == 0 {
			t.Created = c.now()
		}
		if t.Modified == 0 {
			t.Modified = t.Created
		}
		if t.Columns == nil {
			t.Columns = map[string]string{}
		}
		for _, ph := range t.Projects {
			if _, ok := t.Columns[ph]; !ok {
				if first := c.defaultColumn(ph); first != "" {
					t.Columns[ph] = first
				}
			}
		}
		c.tasks[t.ID] = &t
		tasks = append(tasks, map[string]any{"id": t.ID, "phid": t.PHID})
	}
	return map[string]any{"ok": true, "projects": projects, "columns": columns, "tasks": tasks}, nil
}
