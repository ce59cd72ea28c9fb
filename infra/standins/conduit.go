package standins

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"os"
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

// Conduit flavors: which server the stand-in answers like.
const (
	// FlavorPhabricator answers like Phabricator (the last Phacility release) and Phorge stable:
	// transaction.search hides column moves ("type": null) and project.column.search sends
	// only name, proxyPHID and project.
	FlavorPhabricator = "phabricator"
	// FlavorPhorge answers like Phorge master since 2026-07 (commit 8c29873398):
	// transaction.search reports column moves as "core:columns" (and policy changes), and
	// project.column.search sends isHidden, isDefaultColumn and sequence.
	FlavorPhorge = "phorge"
)

// Maniphest priorities as the upstream default config has them: value → name, short name,
// color and keywords (the first keyword is the one maniphest.edit takes).
var conduitPriorities = map[int]struct {
	name, short, color string
	keywords           []string
}{
	100: {"Unbreak Now!", "Unbreak!", "pink", []string{"unbreak"}},
	90:  {"Needs Triage", "Triage", "violet", []string{"triage"}},
	80:  {"High", "High", "red", []string{"high"}},
	50:  {"Normal", "Normal", "orange", []string{"normal"}},
	25:  {"Low", "Low", "yellow", []string{"low"}},
	0:   {"Wishlist", "Wish", "sky", []string{"wish", "wishlist"}},
}

func priorityKeyword(word string) (int, bool) {
	for v, p := range conduitPriorities {
		for _, k := range p.keywords {
			if k == word {
				return v, true
			}
		}
	}
	return 0, false
}

// Maniphest statuses as the upstream default config has them ("spite" is the silly one).
var conduitStatuses = []struct {
	value, name, special string
	closed               bool
}{
	{"open", "Open", "default", false},
	{"resolved", "Resolved", "closed", true},
	{"wontfix", "Wontfix", "", true},
	{"invalid", "Invalid", "", true},
	{"duplicate", "Duplicate", "duplicate", true},
	{"spite", "Spite", "", true},
}

func statusName(v string) string {
	for _, s := range conduitStatuses {
		if s.value == v {
			return s.name
		}
	}
	return ""
}

func statusClosed(v string) bool {
	for _, s := range conduitStatuses {
		if s.value == v {
			return s.closed
		}
	}
	return false
}

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
	// Locked tasks refuse edits by the Rituals bot (it lacks Can Edit), as a task with a
	// restrictive edit policy does.
	Locked bool `json:"locked"`
	// Transactions are seeded history, in maniphest.gettasktransactions' raw shape; they do
	// not change the task's fields (which are seeded as they are now).
	Transactions []ConduitXact  `json:"transactions"`
	xacts        []*ConduitXact // oldest first
}

// ConduitXact is a task transaction in maniphest.gettasktransactions' raw shape: the raw
// type (priority, status, reassign, points, title, core:create, core:comment, core:edge,
// core:columns, core:subscribers, core:view-policy...) and raw values. For core:edge the
// values may be seeded as lists of project PHIDs; they are kept as Phabricator does, maps
// keyed by PHID.
type ConduitXact struct {
	ID          int            `json:"transactionID"`
	PHID        string         `json:"transactionPHID"`
	Type        string         `json:"transactionType"`
	OldValue    any            `json:"oldValue"`
	NewValue    any            `json:"newValue"`
	Meta        map[string]any `json:"meta"`
	Comment     string         `json:"comments"`
	AuthorPHID  string         `json:"authorPHID"`
	DateCreated int64          `json:"dateCreated"`
	GroupID     string         `json:"groupID"`
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

// ConduitColumn is a workboard column of Project (a project PHID) as seeded. The board's
// default column (where newly tagged tasks land) is the one marked Default, else the first
// visible one by Sequence.
type ConduitColumn struct {
	ID        int    `json:"id"`
	PHID      string `json:"phid"`
	Name      string `json:"name"`
	Project   string `json:"project"`
	IsHidden  bool   `json:"isHidden"`
	ProxyPHID string `json:"proxyPHID"`
	Sequence  int    `json:"sequence"`
	Default   bool   `json:"default"`
}

// ConduitUser is a user as seeded. Calls made with Token act as the user: their edits are
// authored by PHID, as each person's own API token makes them on a real server.
type ConduitUser struct {
	PHID     string `json:"phid"`
	Username string `json:"username"`
	RealName string `json:"realName"`
	Token    string `json:"token"`
}

// conduitAPI is an in-memory Phabricator: users, tasks with their transactions, projects and
// workboard columns, seeded through POST /_local/conduit/seed and changed by maniphest.edit.
type conduitAPI struct {
	s         *Server
	mu        sync.Mutex
	flavor    string
	tasks     map[int]*ConduitTask
	revisions map[int]*ConduitRevision
	projects  map[string]*ConduitProject
	columns   map[string]*ConduitColumn
	users     map[string]*ConduitUser // by PHID
	fail      map[string]string       // method → error code it answers with (seeded)
	nextID    int
	xactID    int
	groupID   int
}

func newConduitAPI(s *Server) *conduitAPI {
	c := &conduitAPI{s: s, flavor: s.opts.ConduitFlavor, nextID: 1}
	if c.flavor == "" {
		c.flavor = FlavorPhabricator
	}
	c.reset()
	return c
}

func (c *conduitAPI) reset() {
	c.tasks, c.projects, c.columns = map[int]*ConduitTask{}, map[string]*ConduitProject{}, map[string]*ConduitColumn{}
	c.revisions = map[int]*ConduitRevision{}
	c.users = map[string]*ConduitUser{ConduitBotPHID: {PHID: ConduitBotPHID, Username: ConduitBotName, RealName: "Rituals Bot", Token: c.s.opts.ConduitToken}}
	c.fail = map[string]string{}
}

// conduitError is a Conduit failure: error_code and error_info.
type conduitError struct{ code, info string }

func (e *conduitError) Error() string { return e.code + ": " + e.info }

// coreErr is what an uncaught exception gives: ERR-CONDUIT-CORE with the exception's message.
func coreErr(format string, args ...any) *conduitError {
	return &conduitError{"ERR-CONDUIT-CORE", fmt.Sprintf(format, args...)}
}

// callErr is what invalid input (a ConduitException, missing or extra parameters) gives.
func callErr(format string, args ...any) *conduitError {
	return &conduitError{"ERR-CONDUIT-CALL", fmt.Sprintf(format, args...)}
}

// conduitMethod answers one method for the calling user (a PHID).
type conduitMethod func(c *conduitAPI, p map[string]any, viewer string) (any, *conduitError)

var conduitMethods = map[string]conduitMethod{
	"conduit.ping": func(*conduitAPI, map[string]any, string) (any, *conduitError) { return "rituals-local", nil },
	"user.whoami": func(c *conduitAPI, _ map[string]any, viewer string) (any, *conduitError) {
		u := c.users[viewer]
		return map[string]any{"phid": u.PHID, "userName": u.Username, "realName": u.RealName, "image": "", "uri": "http://phabricator.local/p/" + u.Username + "/",
			"roles": []any{"verified", "approved", "activated"}, "primaryEmail": ""}, nil
	},
	"user.search":                   (*conduitAPI).userSearch,
	"maniphest.search":              (*conduitAPI).maniphestSearch,
	"maniphest.edit":                (*conduitAPI).maniphestEdit,
	"maniphest.gettasktransactions": (*conduitAPI).getTaskTransactions,
	"maniphest.priority.search":     (*conduitAPI).prioritySearch,
	"maniphest.status.search":       (*conduitAPI).statusSearch,
	"transaction.search":            (*conduitAPI).transactionSearch,
	"project.search":                (*conduitAPI).projectSearch,
	"project.column.search":         (*conduitAPI).columnSearch,
	"differential.revision.search":  (*conduitAPI).revisionSearch,
	"differential.revision.edit":    (*conduitAPI).revisionEdit,
}

// serveAPI answers POST /_standins/conduit/api/<method>. Conduit always answers HTTP 200 with
// {"result", "error_code", "error_info"}; a missing or wrong token is ERR-INVALID-AUTH, and a
// JSON body is refused as PhabricatorConduitAPIController refuses it.
func (c *conduitAPI) serveAPI(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("method")
	call := Call{Service: "conduit", Method: r.Method, Path: "/" + name, API: name}
	body, _ := readBody(r)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var params map[string]any
	var token string
	var perr *conduitError
	if ct == "application/json" {
		perr = coreErr("Use form-encoded data to submit parameters to Conduit endpoints. Sending a JSON-encoded body and setting 'Content-Type': 'application/json' is not currently supported.")
		call.Request = map[string]any{"body": "(JSON body refused)"}
	} else {
		params, token, perr = parseConduitParams(body, r.URL.Query())
		call.Request = redactConduit(params)
	}
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
	c.mu.Lock()
	viewer := c.userByToken(token)
	c.mu.Unlock()
	switch {
	case r.Method != http.MethodPost:
		respond(nil, callErr("Conduit methods must be called with POST."))
	case perr != nil:
		respond(nil, perr)
	case token == "":
		respond(nil, &conduitError{"ERR-INVALID-AUTH", "This method requires authentication: pass api.token."})
	case viewer == "":
		respond(nil, &conduitError{"ERR-INVALID-AUTH", "API token \"" + redacted + "\" is not valid."})
	case !known:
		call.Authorized = true
		respond(nil, callErr("Conduit method %q not found.", name))
	default:
		call.Authorized = true
		c.mu.Lock()
		code, failing := c.fail[name]
		var res any
		var e *conduitError
		if failing {
			e = &conduitError{code, "Simulated failure of " + name + " (seeded with \"fail\")."}
		} else {
			res, e = method(c, params, viewer)
		}
		c.mu.Unlock()
		respond(res, e)
	}
}

func (c *conduitAPI) userByToken(token string) string {
	if token == "" {
		return ""
	}
	for _, u := range c.users {
		if u.Token != "" && u.Token == token {
			return u.PHID
		}
	}
	return ""
}

// parseConduitParams reads form parameters (PHP bracket syntax) and a JSON "params" field, as
// Phabricator accepts both; the token is api.token or params.__conduit__.token.
func parseConduitParams(body []byte, query url.Values) (map[string]any, string, *conduitError) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, "", coreErr("malformed form body: %s", err)
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
			return nil, "", coreErr("Invalid parameter information was passed to method: %s", err)
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
			if _, ok := v.(map[string]any); ok {
				v = map[string]any{"token": redacted}
			}
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
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func asList(v any) []any {
	switch v := v.(type) {
	case []any:
		return v
	case []string:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out
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

// passes reports whether an object whose fields have these values passes every constraint of
// a *.search call that names one of them: a constraint is a set of values, and an absent one
// lets everything through.
func passes(cons map[string]any, fields map[string]string) bool {
	for k, value := range fields {
		if v, ok := cons[k]; ok && !constraintSet(v)[value] {
			return false
		}
	}
	return true
}

func constraintSet(v any) map[string]bool {
	set := map[string]bool{}
	for _, s := range asStrings(v) {
		set[s] = true
	}
	return set
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

// ConduitSeed is the body of POST /_local/conduit/seed. Objects without id or phid get them;
// tasks tagged with a project that has columns start in its default column unless Columns
// says otherwise. With Reset, everything is cleared first; Flavor, when set, switches the
// shapes the stand-in answers in; Fail makes methods answer with an error code (method → code,
// e.g. "ERR-CONDUIT-CORE"; an empty code stops the failure).
type ConduitSeed struct {
	Reset    bool              `json:"reset"`
	Flavor   string            `json:"flavor"`
	Fail     map[string]string `json:"fail"`
	Users    []ConduitUser     `json:"users"`
	Projects []ConduitProject  `json:"projects"`
	Columns  []ConduitColumn   `json:"columns"`
	Tasks    []ConduitTask     `json:"tasks"`
	// Revisions are Differential revisions (conduit_differential.go).
	Revisions []ConduitRevision `json:"revisions"`
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

// SeedConduitFile seeds the Conduit stand-in from a JSON file of a ConduitSeed (the testdata
// seeds of the Phabricator features).
func (s *Server) SeedConduitFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var seed ConduitSeed
	if err := json.Unmarshal(b, &seed); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	_, err = s.SeedConduit(seed)
	return err
}

func (c *conduitAPI) seed(seed ConduitSeed) (map[string]any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch seed.Flavor {
	case "":
	case FlavorPhabricator, FlavorPhorge:
		c.flavor = seed.Flavor
	default:
		return nil, fmt.Errorf("flavor %q: want %q or %q", seed.Flavor, FlavorPhabricator, FlavorPhorge)
	}
	if seed.Reset {
		c.reset()
	}
	for method, code := range seed.Fail {
		if code == "" {
			delete(c.fail, method)
		} else {
			c.fail[method] = code
		}
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
	var users, projects, columns, tasks []any
	for _, u := range seed.Users {
		u := u
		if u.Username == "" {
			return nil, fmt.Errorf("user %q: username is required", u.PHID)
		}
		if u.PHID == "" {
			u.PHID = "PHID-USER-" + u.Username
		}
		if u.RealName == "" {
			u.RealName = u.Username
		}
		c.users[u.PHID] = &u
		users = append(users, map[string]any{"phid": u.PHID, "username": u.Username})
	}
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
		for i := range t.Transactions {
			x := t.Transactions[i]
			if x.PHID == "" || x.Type == "" {
				return nil, fmt.Errorf("task %d: transaction %d needs transactionPHID and transactionType", t.ID, i)
			}
			c.xactID++
			if x.ID == 0 {
				x.ID = c.xactID
			}
			if x.DateCreated == 0 {
				x.DateCreated = t.Modified
			}
			if x.AuthorPHID == "" {
				x.AuthorPHID = t.AuthorPHID
			}
			if x.Type == "core:edge" {
				x.OldValue, x.NewValue = edgeMap(t.PHID, asStrings(x.OldValue)), edgeMap(t.PHID, asStrings(x.NewValue))
				if x.Meta == nil {
					x.Meta = map[string]any{"edge:type": 41}
				}
			}
			t.xacts = append(t.xacts, &x)
		}
		sort.SliceStable(t.xacts, func(i, j int) bool { return t.xacts[i].DateCreated < t.xacts[j].DateCreated })
		t.Transactions = nil
		c.tasks[t.ID] = &t
		tasks = append(tasks, map[string]any{"id": t.ID, "phid": t.PHID})
	}
	var revisions []any
	for _, r := range seed.Revisions {
		out, err := c.seedRevision(r)
		if err != nil {
			return nil, err
		}
		revisions = append(revisions, out)
	}
	return map[string]any{"ok": true, "flavor": c.flavor, "users": users, "projects": projects, "columns": columns, "tasks": tasks, "revisions": revisions}, nil
}

// ConduitTask returns a copy of a seeded or edited task's fields (without its transactions).
func (s *Server) ConduitTask(id int) (ConduitTask, bool) {
	c := s.conduit
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.tasks[id]
	if !ok {
		return ConduitTask{}, false
	}
	out := *t
	out.Projects = append([]string{}, t.Projects...)
	out.Columns = map[string]string{}
	for k, v := range t.Columns {
		out.Columns[k] = v
	}
	out.xacts, out.Transactions = nil, nil
	return out, true
}
