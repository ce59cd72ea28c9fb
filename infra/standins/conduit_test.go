package standins

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

type conduitAnswer struct {
	Result    json.RawMessage `json:"result"`
	ErrorCode *string         `json:"error_code"`
	ErrorInfo *string         `json:"error_info"`
}

func conduitCall(t *testing.T, base, method string, form url.Values) conduitAnswer {
	t.Helper()
	resp, err := http.PostForm(ConduitAPIURL(base)+"api/"+method, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("%s: HTTP %d, Conduit always answers 200", method, resp.StatusCode)
	}
	var a conduitAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	return a
}

const seed = `{
 "projects": [{"phid": "PHID-PROJ-team", "name": "Team Rocket", "slug": "team_rocket"}],
 "columns": [
   {"phid": "PHID-PCOL-backlog", "name": "Backlog", "project": "PHID-PROJ-team", "sequence": 0},
   {"phid": "PHID-PCOL-doing", "name": "Doing", "project": "PHID-PROJ-team", "sequence": 1}],
 "tasks": [
   {"id": 101, "phid": "PHID-TASK-101", "name": "Fix login", "priority": 100, "projects": ["PHID-PROJ-team"]},
   {"id": 102, "name": "Untagged", "priority": 50}]
}`

func seedConduit(t *testing.T, base string) {
	t.Helper()
	resp, err := http.Post(base+ConduitSeedPath, "application/json", strings.NewReader(seed))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("seed: %d", resp.StatusCode)
	}
}

func TestConduitAuthAndMethods(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t)
	cases := []struct {
		name, method string
		form         url.Values
		code         string
	}{
		{"no token", "conduit.ping", url.Values{}, "ERR-INVALID-AUTH"},
		{"wrong token", "conduit.ping", url.Values{"api.token": {"api-wrong"}}, "ERR-INVALID-AUTH"},
		{"unknown method", "maniphest.fly", url.Values{"api.token": {conduitToken}}, "ERR-CONDUIT-CALL"},
		{"ping", "conduit.ping", url.Values{"api.token": {conduitToken}}, ""},
		{"token in params", "user.whoami", url.Values{"params": {`{"__conduit__":{"token":"` + conduitToken + `"}}`}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a := conduitCall(t, srv.URL, c.method, c.form)
			switch {
			case c.code == "" && a.ErrorCode != nil:
				t.Errorf("error %s: %s", *a.ErrorCode, *a.ErrorInfo)
			case c.code != "" && (a.ErrorCode == nil || *a.ErrorCode != c.code || string(a.Result) != "null"):
				t.Errorf("got %+v, want %s", a, c.code)
			}
		})
	}
	for _, c := range s.Outbox().Calls(Filter{Service: "conduit"}) {
		if tok, ok := c.Request.(map[string]any)["api.token"]; ok && tok != redacted {
			t.Errorf("token recorded: %v", c.Request)
		}
		if cc, ok := c.Request.(map[string]any)["__conduit__"]; ok && cc.(map[string]any)["token"] != redacted {
			t.Errorf("token recorded: %v", c.Request)
		}
	}
}

func TestConduitWorkboard(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	seedConduit(t, srv.URL)
	auth := func(v url.Values) url.Values { v.Set("api.token", conduitToken); return v }

	// maniphest.search with PHP-style form constraints and attachments.
	a := conduitCall(t, srv.URL, "maniphest.search", auth(url.Values{
		"constraints[projects][0]": {"PHID-PROJ-team"},
		"attachments[columns]":     {"1"},
		"attachments[projects]":    {"1"},
	}))
	var search struct {
		Data []struct {
			ID     int    `json:"id"`
			Type   string `json:"type"`
			PHID   string `json:"phid"`
			Fields struct {
				Name     string `json:"name"`
				Priority struct {
					Value int    `json:"value"`
					Name  string `json:"name"`
				} `json:"priority"`
				Status struct{ Value string } `json:"status"`
			} `json:"fields"`
			Attachments struct {
				Columns struct {
					Boards map[string]struct {
						Columns []struct{ PHID, Name string }
					} `json:"boards"`
				} `json:"columns"`
				Projects struct {
					ProjectPHIDs []string `json:"projectPHIDs"`
				} `json:"projects"`
			} `json:"attachments"`
		} `json:"data"`
		Cursor map[string]any `json:"cursor"`
	}
	if err := json.Unmarshal(a.Result, &search); err != nil {
		t.Fatalf("%s: %v", a.Result, err)
	}
	if len(search.Data) != 1 {
		t.Fatalf("search: %s", a.Result)
	}
	task := search.Data[0]
	if task.ID != 101 || task.Type != "TASK" || task.Fields.Priority.Name != "Unbreak Now!" || task.Fields.Status.Value != "open" ||
		task.Attachments.Columns.Boards["PHID-PROJ-team"].Columns[0].Name != "Backlog" || task.Attachments.Projects.ProjectPHIDs[0] != "PHID-PROJ-team" {
		t.Errorf("task %+v", task)
	}
	if _, ok := search.Cursor["after"]; !ok {
		t.Errorf("cursor %v", search.Cursor)
	}

	// A task on no board has "boards": [] as PHP encodes an empty array.
	a = conduitCall(t, srv.URL, "maniphest.search", auth(url.Values{"constraints[ids][0]": {"102"}, "attachments[columns]": {"true"}}))
	if !strings.Contains(string(a.Result), `"boards":[]`) {
		t.Errorf("untagged task: %s", a.Result)
	}

	// maniphest.edit through the JSON params form moves the task and comments.
	edit := conduitCall(t, srv.URL, "maniphest.edit", url.Values{"params": {`{"__conduit__":{"token":"` + conduitToken + `"},"objectIdentifier":"T101",
		"transactions":[{"type":"column","value":["PHID-PCOL-doing"]},{"type":"comment","value":"Moving on"},{"type":"priority","value":"high"}]}`}})
	if edit.ErrorCode != nil {
		t.Fatalf("edit: %s", *edit.ErrorInfo)
	}
	var edited struct {
		Object       struct{ ID int }
		Transactions []struct{ PHID string }
	}
	if err := json.Unmarshal(edit.Result, &edited); err != nil || edited.Object.ID != 101 || len(edited.Transactions) != 3 {
		t.Fatalf("edit result %s", edit.Result)
	}
	a = conduitCall(t, srv.URL, "maniphest.search", auth(url.Values{"constraints[columnPHIDs][0]": {"PHID-PCOL-doing"}}))
	if !strings.Contains(string(a.Result), `"id":101`) || !strings.Contains(string(a.Result), `"High"`) {
		t.Errorf("after the move: %s", a.Result)
	}
	a = conduitCall(t, srv.URL, "maniphest.gettasktransactions", auth(url.Values{"ids[0]": {"101"}}))
	var xacts map[string][]map[string]any
	if err := json.Unmarshal(a.Result, &xacts); err != nil {
		t.Fatal(err)
	}
	var move map[string]any
	for _, x := range xacts["101"] {
		if x["transactionType"] == "core:columns" {
			move = x
		}
	}
	nv, _ := move["newValue"].([]any)
	if len(nv) != 1 || nv[0].(map[string]any)["columnPHID"] != "PHID-PCOL-doing" || nv[0].(map[string]any)["fromColumnPHIDs"].(map[string]any)["PHID-PCOL-backlog"] == nil {
		t.Errorf("column transaction %v", move)
	}

	// Creating a task, and the errors Conduit gives.
	created := conduitCall(t, srv.URL, "maniphest.edit", auth(url.Values{"transactions[0][type]": {"title"}, "transactions[0][value]": {"New task"}, "transactions[1][type]": {"projects.add"}, "transactions[1][value][0]": {"PHID-PROJ-team"}}))
	if created.ErrorCode != nil || !strings.Contains(string(created.Result), `"phid":"PHID-TASK-`) {
		t.Errorf("create: %+v %s", created, created.Result)
	}
	for name, form := range map[string]url.Values{
		"unknown task":       {"objectIdentifier": {"T999"}, "transactions[0][type]": {"comment"}, "transactions[0][value]": {"x"}},
		"unknown column":     {"objectIdentifier": {"101"}, "transactions[0][type]": {"column"}, "transactions[0][value]": {"PHID-PCOL-nope"}},
		"unknown type":       {"objectIdentifier": {"101"}, "transactions[0][type]": {"teleport"}, "transactions[0][value]": {"x"}},
		"new without title":  {"transactions[0][type]": {"comment"}, "transactions[0][value]": {"x"}},
		"unknown constraint": {},
	} {
		method := "maniphest.edit"
		if name == "unknown constraint" {
			method, form = "maniphest.search", url.Values{"constraints[fulltext]": {"x"}}
		}
		if a := conduitCall(t, srv.URL, method, auth(form)); a.ErrorCode == nil || *a.ErrorCode != "ERR-CONDUIT-CORE" {
			t.Errorf("%s: %+v", name, a)
		}
	}

	a = conduitCall(t, srv.URL, "project.search", auth(url.Values{"constraints[slugs][0]": {"team_rocket"}}))
	if !strings.Contains(string(a.Result), `"type":"PROJ"`) || !strings.Contains(string(a.Result), `"name":"Team Rocket"`) {
		t.Errorf("project.search: %s", a.Result)
	}
	a = conduitCall(t, srv.URL, "project.column.search", auth(url.Values{"constraints[projects][0]": {"PHID-PROJ-team"}}))
	if strings.Count(string(a.Result), `"type":"PCOL"`) != 2 {
		t.Errorf("project.column.search: %s", a.Result)
	}
}

func TestDecodePHPForm(t *testing.T) {
	t.Parallel()
	got := decodePHPForm(url.Values{
		"constraints[phids][0]": {"A"}, "constraints[phids][1]": {"B"}, "attachments[columns]": {"1"}, "plain": {"x"}, "list[]": {"z"},
	})
	b, _ := json.Marshal(got)
	want := `{"attachments":{"columns":"1"},"constraints":{"phids":["A","B"]},"list":["z"],"plain":"x"}`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}
