package clinic

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/store"
)

var phabTokens = map[string]string{
	"alice": "api-alice00000000000000000000000", "bob": "api-bob0000000000000000000000000", "cat": "api-cat0000000000000000000000000",
	"quinn": "api-quinn00000000000000000000000",
}

func (e *env) conduitAs(user string) *conduit.Client {
	e.t.Helper()
	c, err := conduit.New(conduit.Options{BaseURL: standins.ConduitAPIURL(e.url), Token: phabTokens[user]})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// editTask edits a task as user (a new one when task is "") at at, and returns the task's PHID
// and the transactions applied.
func (e *env) editTask(user, task string, at time.Time, edits ...conduit.Edit) (string, []string) {
	e.t.Helper()
	e.set(at)
	params := map[string]any{"transactions": edits}
	if task != "" {
		params["objectIdentifier"] = task
	}
	var r struct {
		Object       struct{ PHID string }
		Transactions []struct{ PHID string }
	}
	if err := e.conduitAs(user).Call(e.ctx, conduit.MethodTaskEdit, params, &r); err != nil {
		e.t.Fatalf("%s edits %s: %v", user, task, err)
	}
	var out []string
	for _, x := range r.Transactions {
		out = append(out, x.PHID)
	}
	return r.Object.PHID, out
}

// herald delivers a Herald webhook about object (TASK or DREV) and its transactions, received
// at the env's time.
func (e *env) herald(kind, object string, xacts ...string) {
	e.t.Helper()
	var list []map[string]string
	for _, x := range xacts {
		list = append(list, map[string]string{"phid": x})
	}
	body, _ := json.MarshalIndent(map[string]any{
		"object": map[string]string{"type": kind, "phid": object}, "triggers": []map[string]string{{"phid": "PHID-HRUL-test"}},
		"action": map[string]any{"test": false, "silent": false, "secure": false, "epoch": e.clock().Unix()}, "transactions": list,
	}, "", "  ")
	e.seq++
	ev := store.Event{Key: fmt.Sprintf("phabricator#unit%d", e.seq), Source: "phabricator", Type: "herald", ReceivedAt: e.clock(), Payload: body}
	if err := e.phab.Delivery(e.ctx, ev); err != nil {
		e.t.Fatalf("delivery of %s: %v", object, err)
	}
}

// TestOutsideRevisions: a Differential revision by someone outside the team, tagged with the
// team's project, is routed like a pull request (the author's comment goes on the revision);
// a team member's own revision and another team's are not; a team member's comment is the
// first response.
func TestOutsideRevisions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.set(t0)
	e.herald("DREV", "PHID-DREV-quinnfixesparser", "PHID-XACT-DREV-d50create00001")
	e.herald("DREV", "PHID-DREV-quinnfixesparser", "PHID-XACT-DREV-d50create00001") // redelivered
	e.herald("DREV", "PHID-DREV-bobownchange0001", "PHID-XACT-DREV-d51create00001")
	e.herald("DREV", "PHID-DREV-othersteamchange", "PHID-XACT-DREV-d52create00001")
	p, err := e.p.Store.Patch(e.ctx, "rocket", RevisionPatchID(50))
	if err != nil || p.Reviewer != "cat" || p.Author != "quinn" || p.URL != "http://phabricator.local/D50" || !p.Due.Equal(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("patch %+v %v", p, err)
	}
	for _, id := range []int{51, 52} {
		if _, err := e.p.Store.Patch(e.ctx, "rocket", RevisionPatchID(id)); err == nil {
			t.Errorf("D%d became an outside patch", id)
		}
	}
	edits := e.calls("conduit", "differential.revision.edit", 0)
	if len(edits) != 1 || !strings.Contains(edits[0].Arg("transactions"), "Cat Ruiz from Rocket will look at this and give you a first response by Wed 25 Nov 2026 10:00 UTC") {
		t.Fatalf("comments on the revision: %+v", edits)
	}
	dms := e.calls("slack", "chat.postMessage", 0)
	if !slices.Equal(e.dms(0), []string{cat}) || !strings.Contains(dms[0].Arg("text"), "<http://phabricator.local/D50|D50> Fix the &lt;parser&gt; for @everyone by quinn") {
		t.Fatalf("the reviewer's DM: %v %+v", e.dms(0), dms)
	}
	// Quinn's own comment is no answer; Bob's is.
	_, own := e.editRevision("quinn", "D50", t0.Add(time.Hour), conduit.Edit{Type: "comment", Value: "Any news?"})
	e.herald("DREV", "PHID-DREV-quinnfixesparser", own...)
	_, xs := e.editRevision("bob", "D50", t0.Add(3*time.Hour), conduit.Edit{Type: "comment", Value: "Looking"}, conduit.Edit{Type: "accept", Value: true})
	e.herald("DREV", "PHID-DREV-quinnfixesparser", xs...)
	p, _ = e.p.Store.Patch(e.ctx, "rocket", RevisionPatchID(50))
	if p.RespondedBy != "bob" || !p.RespondedAt.Equal(t0.Add(3*time.Hour)) {
		t.Fatalf("first response %+v", p)
	}
	since := e.last()
	e.tick(time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC))
	if dms := e.dms(since); len(dms) != 0 {
		t.Fatalf("answered revision nagged: %v", dms)
	}
}

func (e *env) editRevision(user, rev string, at time.Time, edits ...conduit.Edit) (string, []string) {
	e.t.Helper()
	e.set(at)
	xs, err := e.conduitAs(user).EditRevision(e.ctx, rev, edits...)
	if err != nil {
		e.t.Fatalf("%s edits %s: %v", user, rev, err)
	}
	return rev, xs
}

// TestLedgerAndHandover: task deliveries keep the duty ledger (a new task's stay in New & TBD,
// the task closed by the engineer on Clinic Duty); the handover names the new engineer on duty,
// what is open and the report of the turn that ended, once.
func TestLedgerAndHandover(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	task, xs := e.editTask("alice", "", t0, conduit.Edit{Type: "title", Value: "Export <fails> for *everyone*"}, conduit.Edit{Type: "projects.add", Value: []string{"PHID-PROJ-rocket"}})
	e.herald("TASK", task, xs...)
	stay, found, err := e.p.Store.TriageOf(e.ctx, "rocket", task)
	if err != nil || !found || !stay.In.Equal(t0) || !stay.Out.IsZero() {
		t.Fatalf("stay %+v %v %v", stay, found, err)
	}
	// A second task stays untriaged; the first is picked up and closed by Cat (on duty).
	other, xs2 := e.editTask("bob", "", t0.Add(time.Hour), conduit.Edit{Type: "title", Value: "Slow search"}, conduit.Edit{Type: "projects.add", Value: []string{"PHID-PROJ-rocket"}})
	e.herald("TASK", other, xs2...)
	_, xs = e.editTask("cat", task, time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), conduit.Edit{Type: "column", Value: []string{"PHID-PCOL-rocketdoing"}}, conduit.Edit{Type: "owner", Value: "PHID-USER-cat"})
	e.herald("TASK", task, xs...)
	_, xs = e.editTask("cat", task, time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC), conduit.Edit{Type: "status", Value: "resolved"})
	e.herald("TASK", task, xs...)
	if stay, _, _ := e.p.Store.TriageOf(e.ctx, "rocket", task); !stay.Out.Equal(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("stay after the move %+v", stay)
	}
	done, err := e.p.Store.DoneBetween(e.ctx, "rocket", t0, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(done) != 1 || done[0].By != "cat" || done[0].Owner != "cat" || done[0].Duty != "cat" || !done[0].ByDuty() {
		t.Fatalf("done %+v %v", done, err)
	}
	// An outside pull request still waiting.
	e.github("pull_request", "pull_request.opened.json", time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC), association("FIRST_TIMER"))
	// Monday 7 December 09:00: Bob takes over (turn 24).
	since := e.last()
	e.tick(time.Date(2026, 12, 7, 8, 55, 0, 0, time.UTC))
	if posts := e.posts("C0ROCKCLIN", since); len(posts) != 0 {
		t.Fatalf("handover before 09:00: %q", posts)
	}
	e.tick(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	e.tick(time.Date(2026, 12, 7, 9, 5, 0, 0, time.UTC))
	posts := e.posts("C0ROCKCLIN", since)
	if len(posts) != 1 {
		t.Fatalf("%d handovers: %q", len(posts), posts)
	}
	for _, w := range []string{
		"*Clinic Duty handover for Rocket:* <@U0BOB00002> is on Clinic Duty until Mon 21 Dec 09:00 GMT.",
		"• Unbreak Now! tasks: 0",
		"• Untriaged in New &amp; TBD: 1 — <https://phabricator.example.org/T",
		"Slow search (13d 22h)",
		"• Outside patches waiting for a first response: 1 — <https://github.com/Codertocat/Hello-World/pull/2|Codertocat/Hello-World#2>",
		"*Last sprint* — Sprint Mon 23 Nov – Mon 7 Dec (on duty: Cat Ruiz): 1 task(s) completed by the duty engineers · 1 outside patch(es) received, 0 reviewed (no first responses) · 1 untriaged (avg open 13d 22h) · 0 Unbreak Now!",
	} {
		if !strings.Contains(posts[0], w) {
			t.Errorf("handover lacks %q:\n%s", w, posts[0])
		}
	}
}
