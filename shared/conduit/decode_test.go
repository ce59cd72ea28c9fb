package conduit

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
	"time"
)

// result reads a recorded answer from testdata and returns its result.
func result(t testing.TB, file string) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	r, err := DecodeEnvelope(file, b)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDecodeTask(t *testing.T) {
	t.Parallel()
	var p Page
	if err := json.Unmarshal(result(t, "maniphest.search.json"), &p); err != nil {
		t.Fatal(err)
	}
	a, err := DecodeTask(p.Data[0])
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != 123 || a.Title != "Login broken" || a.OwnerPHID != "" || a.Status != "open" || a.Priority != 100 || a.PriorityName != "Unbreak Now!" ||
		a.Points.String() != "3" || !a.Closed.IsZero() || a.Modified != time.Unix(1700000500, 0).UTC() ||
		!reflect.DeepEqual(a.Projects, []string{"PHID-PROJ-team"}) || a.Columns["PHID-PROJ-team"][0].Name != "New & TBD" {
		t.Errorf("first task %+v", a)
	}
	b, err := DecodeTask(p.Data[1])
	if err != nil {
		t.Fatal(err)
	}
	if b.Points.Set() || b.Closed.IsZero() || b.OwnerPHID != "PHID-USER-b" || len(b.Columns) != 0 || b.Columns == nil || len(b.Projects) != 0 {
		t.Errorf("second task (boards [], points null) %+v", b)
	}
}

func TestDecodeTransactions(t *testing.T) {
	t.Parallel()
	ninety, hundred := 90, 100
	var r struct {
		Data List[Transaction] `json:"data"`
	}
	if err := json.Unmarshal(result(t, "transaction.search.phorge.json"), &r); err != nil {
		t.Fatal(err)
	}
	got := map[string]Xact{}
	for _, tr := range r.Data {
		x, err := tr.Xact()
		if err != nil {
			t.Fatal(err)
		}
		got[x.PHID] = x
	}
	move := got["PHID-XACT-TASK-move"]
	if move.Type != KindColumns || move.Hidden || len(move.Moves) != 1 || move.Moves[0].ColumnPHID != "PHID-PCOL-ready" ||
		move.Moves[0].From() != "PHID-PCOL-new" || move.Moves[0].Reorder() || move.GroupID != "0c3f2a" {
		t.Errorf("move %+v", move)
	}
	if p := got["PHID-XACT-TASK-prio"]; p.Type != KindPriority || *p.PriorityOld != ninety || *p.PriorityNew != hundred {
		t.Errorf("priority %+v", p)
	}
	if p := got["PHID-XACT-TASK-prc0"]; p.PriorityOld != nil || *p.PriorityNew != ninety {
		t.Errorf("priority on create %+v", p)
	}
	if c := got["PHID-XACT-TASK-comm"]; c.Type != KindComment || !c.HasComment || c.Comment != "Edited: on it" {
		t.Errorf("comment (newest version) %+v", c)
	}
	if p := got["PHID-XACT-TASK-proj"]; !reflect.DeepEqual(p.Added, []string{"PHID-PROJ-team"}) || !reflect.DeepEqual(p.Removed, []string{"PHID-PROJ-old"}) {
		t.Errorf("projects %+v", p)
	}
	if s := got["PHID-XACT-TASK-stat"]; s.StatusOld != "" || s.StatusNew != "open" || s.GroupID != "" {
		t.Errorf("status %+v", s)
	}
	if p := got["PHID-XACT-TASK-pnts"]; p.PointsOld.Set() || p.PointsNew.String() != "2.5" {
		t.Errorf("points %+v", p)
	}
	if o := got["PHID-XACT-TASK-ownr"]; o.OwnerOld != "PHID-USER-a" || o.OwnerNew != "" {
		t.Errorf("owner %+v", o)
	}

	// Phabricator hides the same move.
	if err := json.Unmarshal(result(t, "transaction.search.phabricator.json"), &r); err != nil {
		t.Fatal(err)
	}
	hidden, _ := r.Data[0].Xact()
	if !hidden.Hidden || hidden.Type != "" || hidden.Moves != nil {
		t.Errorf("hidden move %+v", hidden)
	}
}

func TestDecodeRawTransactions(t *testing.T) {
	t.Parallel()
	var r Map[List[RawTransaction]]
	if err := json.Unmarshal(result(t, "maniphest.gettasktransactions.json"), &r); err != nil {
		t.Fatal(err)
	}
	got := map[string]Xact{}
	for _, raw := range r["10"] {
		x, err := raw.Xact("PHID-TASK-10")
		if err != nil {
			t.Fatal(err)
		}
		got[x.PHID] = x
	}
	move := got["PHID-XACT-TASK-thuit5jaapizdv3"]
	if move.Type != KindColumns || move.Moves[0].From() != "PHID-PCOL-4hyh" || move.Moves[0].BoardPHID != "PHID-PROJ-we3k" ||
		move.Created != time.Unix(1461852396, 0).UTC() || move.TaskPHID != "PHID-TASK-10" {
		t.Errorf("move %+v", move)
	}
	if e := got["PHID-XACT-TASK-edge"]; e.Type != KindProjects || !reflect.DeepEqual(e.Added, []string{"PHID-PROJ-we3k"}) || len(e.Removed) != 0 {
		t.Errorf("edge %+v", e)
	}
	if p := got["PHID-XACT-TASK-prio"]; p.Type != KindPriority || *p.PriorityOld != 90 || *p.PriorityNew != 100 {
		t.Errorf("priority %+v", p)
	}
	if c := got["PHID-XACT-TASK-comm"]; c.Type != KindComment || c.Comment != "On it" {
		t.Errorf("comment %+v", c)
	}
	if o := got["PHID-XACT-TASK-own"]; o.Type != KindOwner || o.OwnerNew != "PHID-USER-bob" {
		t.Errorf("owner %+v", o)
	}
	if p := got["PHID-XACT-TASK-pts"]; p.Type != KindPoints || p.PointsNew.String() != "5" {
		t.Errorf("points %+v", p)
	}
}

func TestLenientTypes(t *testing.T) {
	t.Parallel()
	phids := []struct {
		in   string
		want PHIDs
	}{
		{`[]`, PHIDs{}}, {`null`, PHIDs{}}, {`{}`, PHIDs{}},
		{`{"PHID-PCOL-b":"PHID-PCOL-b","PHID-PCOL-a":"PHID-PCOL-a"}`, PHIDs{"PHID-PCOL-a", "PHID-PCOL-b"}},
		{`["PHID-PCOL-b","PHID-PCOL-a"]`, PHIDs{"PHID-PCOL-a", "PHID-PCOL-b"}},
	}
	for _, tc := range phids {
		var got PHIDs
		if err := json.Unmarshal([]byte(tc.in), &got); err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("PHIDs %s = %v, %v", tc.in, got, err)
		}
	}
	points := []struct{ in, want string }{{`null`, ""}, {`""`, ""}, {`3`, "3"}, {`"3"`, "3"}, {`0.5`, "0.5"}, {`"13.0"`, "13"}, {`0`, "0"}}
	for _, tc := range points {
		var got Points
		if err := json.Unmarshal([]byte(tc.in), &got); err != nil || got.String() != tc.want {
			t.Errorf("Points %s = %q, %v", tc.in, got.String(), err)
		}
	}
	for _, bad := range []string{`"three"`, `{}`, `[1]`, `"NaN"`} {
		var p Points
		if err := json.Unmarshal([]byte(bad), &p); err == nil {
			t.Errorf("Points %s accepted", bad)
		}
	}
	ints := []struct {
		in   string
		want Int
	}{{`10`, 10}, {`"10"`, 10}, {`null`, 0}, {`""`, 0}, {`1e3`, 1000}}
	for _, tc := range ints {
		var got Int
		if err := json.Unmarshal([]byte(tc.in), &got); err != nil || got != tc.want {
			t.Errorf("Int %s = %d, %v", tc.in, got, err)
		}
	}
	var m Map[int]
	if err := json.Unmarshal([]byte(`[]`), &m); err != nil || len(m) != 0 || m == nil {
		t.Errorf("Map [] = %v, %v", m, err)
	}
	if err := json.Unmarshal([]byte(`[5,6]`), &m); err != nil || m["1"] != 6 {
		t.Errorf("Map list = %v, %v", m, err)
	}
	var d Dict[struct{ A int }]
	if err := json.Unmarshal([]byte(`[]`), &d); err != nil || d.V.A != 0 {
		t.Errorf("Dict [] = %v, %v", d, err)
	}
	var s Strings
	if err := json.Unmarshal([]byte(`"unbreak"`), &s); err != nil || !reflect.DeepEqual(s, Strings{"unbreak"}) {
		t.Errorf("Strings one = %v, %v", s, err)
	}
}

func TestDecodeEnvelope(t *testing.T) {
	t.Parallel()
	cases := []struct {
		body, code string
		ok         bool
	}{
		{`{"result":{"a":1},"error_code":null,"error_info":null}`, "", true},
		{`{"result":null,"error_code":"ERR-CONDUIT-CORE","error_info":"boom"}`, "ERR-CONDUIT-CORE", false},
		{`{"result":[],"error_code":null,"error_info":null}`, "", true},
		{`<html>`, "", false},
		{`{}`, "", false},
		{`{"result":null,"error_code":"","error_info":null}`, "", true},
	}
	for _, tc := range cases {
		_, err := DecodeEnvelope("m", []byte(tc.body))
		if (err == nil) != tc.ok || CodeOf(err) != tc.code {
			t.Errorf("%s: %v", tc.body, err)
		}
	}
}

func TestDecodeRevision(t *testing.T) {
	t.Parallel()
	var p Page
	if err := json.Unmarshal(result(t, "differential.revision.search.json"), &p); err != nil {
		t.Fatal(err)
	}
	a, err := DecodeRevision(p.Data[0])
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != 42 || a.Status != "needs-review" || a.Closed || a.Title != "Fix the <typo> in the installer" || a.AuthorPHID != "PHID-USER-volunteer" ||
		a.Created != time.Unix(1795428000, 0).UTC() || len(a.Reviewers) != 2 || a.Reviewers[1].Status != "commented" || a.Reviewers[1].ActorPHID != "PHID-USER-alice" {
		t.Errorf("revision %+v", a)
	}
	b, err := DecodeRevision(p.Data[1])
	if err != nil || !b.Closed || b.RepositoryPHID != "" || b.Reviewers == nil || len(b.Reviewers) != 0 {
		t.Errorf("closed revision %+v %v", b, err)
	}
}
