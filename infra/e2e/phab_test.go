package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/conduit"
)

// The Phabricator workboard's end-to-end tests: signed Herald deliveries of the real shape
// (events/phabricator) through the webhook, the events stream and PhabricatorProcessorFunction,
// against the Conduit stand-in seeded from shared/workboard/testdata/conduit-seed.json (the
// tasks and transactions the fixtures name) and team "rocket" of
// shared/workboard/testdata/rituals.yaml. Later edits are made through the stand-in with each
// person's own token, as on a real server, and delivered as Herald would.

var phabFunctions = []string{"PhabricatorWebhookFunction", "PhabricatorProcessorFunction", "SlackInteractionsFunction", "SlackCommandsFunction"}

// phabT0 is when the seeded transactions happened (Monday 2026-11-23 10:00 UTC): alice is on
// the support rotation that week.
var phabT0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// clock is the stack's adjustable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// phabStack starts the workboard's functions at phabT0+5s with the stand-in seeded (flavor
// overrides the seed's when not empty).
func phabStack(t *testing.T, flavor string) (*harness, *clock) {
	t.Helper()
	c := &clock{t: phabT0.Add(5 * time.Second)}
	h := startStackWith(t, "../../shared/workboard/testdata/rituals.yaml", stackOptions{Now: c.now, Settle: 2}, phabFunctions...)
	b, err := os.ReadFile("../../shared/workboard/testdata/conduit-seed.json")
	if err != nil {
		t.Fatal(err)
	}
	var seed standins.ConduitSeed
	if err := json.Unmarshal(b, &seed); err != nil {
		t.Fatal(err)
	}
	if flavor != "" {
		seed.Flavor = flavor
	}
	if _, err := h.st.Standins.SeedConduit(seed); err != nil {
		t.Fatal(err)
	}
	return h, c
}

// phabTokens are the seeded users' own Conduit tokens.
var phabTokens = map[string]string{
	"alice": "api-alice00000000000000000000000", "bob": "api-bob0000000000000000000000000", "erin": "api-erin000000000000000000000000",
	"gina": "api-gina000000000000000000000000", "mallory": "api-mallory000000000000000000000",
}

// phabEdit makes an edit as user through the stand-in and returns the task's PHID and the
// transactions it applied (a new task when task is "").
func phabEdit(t *testing.T, h *harness, user, task string, edits ...conduit.Edit) (string, []string) {
	t.Helper()
	c, err := conduit.New(conduit.Options{BaseURL: standins.ConduitAPIURL(h.st.URL), Token: phabTokens[user]})
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]any{"transactions": edits}
	if task != "" {
		params["objectIdentifier"] = task
	}
	var r struct {
		Object struct {
			PHID string `json:"phid"`
		} `json:"object"`
		Transactions []struct {
			PHID string `json:"phid"`
		} `json:"transactions"`
	}
	if err := c.Call(context.Background(), conduit.MethodTaskEdit, params, &r); err != nil {
		t.Fatalf("%s edits %s: %v", user, task, err)
	}
	var phids []string
	for _, x := range r.Transactions {
		phids = append(phids, x.PHID)
	}
	return r.Object.PHID, phids
}

// herald is the real-shaped delivery (events/phabricator/task-edited.json) of transactions of
// task, as Herald sends it after an edit.
func herald(t *testing.T, task string, xacts ...string) []byte {
	return fixture(t, "phabricator/task-edited.json", func(m map[string]any) {
		m["object"].(map[string]any)["phid"] = task
		var list []any
		for _, x := range xacts {
			list = append(list, map[string]any{"phid": x})
		}
		m["transactions"] = list
	})
}

// deliver sends a Herald body and requires it to be accepted.
func deliver(t *testing.T, h *harness, body []byte) {
	t.Helper()
	if code, resp := h.phabricator(body); code != http.StatusAccepted {
		t.Fatalf("webhook answered %d %s", code, resp)
	}
}

func phabTick(h *harness, at time.Time) { h.schedule("PhabricatorProcessorFunction", "Tick", at) }

// channelPosts are chat.postMessage calls to the team channel outside threads.
func channelPosts(h *harness, since int64) []standins.Call {
	var out []standins.Call
	for _, c := range supportCalls(h, "slack", "chat.postMessage", since) {
		if c.Arg("channel") == "C0ROCKET01" && c.Arg("thread_ts") == "" {
			out = append(out, c)
		}
	}
	return out
}

// edits are the maniphest.edit calls the bot made.
func edits(h *harness, since int64) []standins.Call {
	return supportCalls(h, "conduit", conduit.MethodTaskEdit, since)
}

// readCalls counts the Conduit reads a delivery made, leaving out the config resolution a
// container does once (whoami, priorities, statuses, users, projects, columns).
func readCalls(h *harness, since int64) int {
	n := 0
	for _, c := range supportCalls(h, "conduit", "", since) {
		switch c.API {
		case conduit.MethodTaskSearch, conduit.MethodTransactions, conduit.MethodTaskTransactions:
			n++
		}
	}
	return n
}

// phabBlocks is a Slack call's blocks as JSON without HTML escaping (slack-go writes < as
// \u003c), so that mrkdwn reads as sent.
func phabBlocks(c standins.Call) string {
	var v any
	_ = json.Unmarshal([]byte(c.Arg("blocks")), &v)
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return b.String()
}

func phabCommand(t *testing.T, h *harness, user, text string) string {
	t.Helper()
	body := []byte(url.Values{"command": {"/phab"}, "text": {text}, "user_id": {user}, "channel_id": {"C0ROCKET01"}}.Encode())
	code, resp := h.slack("/slack/commands", "application/x-www-form-urlencoded", body, h.now())
	if code != 200 {
		t.Fatalf("/phab %s: %d %s", text, code, resp)
	}
	var r struct{ Text string }
	_ = json.Unmarshal([]byte(resp), &r)
	return r.Text
}

// TestPhabUBNPostNagAckEscalate: an Unbreak Now! delivery posts to the channel with the buttons
// and DMs the engineer on duty; the tick nags once per interval and escalates to the EM after
// 2h; Acknowledge by a member stops the nags; /phab ubn shows who responded.
func TestPhabUBNPostNagAckEscalate(t *testing.T) {
	t.Parallel()
	h, clk := phabStack(t, "")
	deliver(t, h, fixture(t, "phabricator/task-ubn.json"))
	posts := channelPosts(h, 0)
	if len(posts) != 1 || !strings.Contains(posts[0].Arg("blocks"), ActionAckID) || !strings.Contains(posts[0].Arg("text"), "Unbreak Now! T201: Checkout returns 500") {
		t.Fatalf("posts %+v", posts)
	}
	if dms := supportDMs(h, 0); len(dms) != 1 || dms[0] != "U0ALICE001" {
		t.Fatalf("duty DMs %v", dms)
	}

	since := h.st.Outbox().Last()
	phabTick(h, phabT0.Add(31*time.Minute))
	phabTick(h, phabT0.Add(32*time.Minute))
	if dms := supportDMs(h, since); len(dms) != 1 || dms[0] != "U0ALICE001" {
		t.Fatalf("one nag to the duty engineer, got %v", dms)
	}
	since = h.st.Outbox().Last()
	phabTick(h, phabT0.Add(2*time.Hour+time.Minute))
	if dms := supportDMs(h, since); len(dms) != 2 || dms[1] != "U0DAVE0005" {
		t.Fatalf("nag and escalation to the EM, got %v", dms)
	}

	clk.set(phabT0.Add(2*time.Hour + 5*time.Minute))
	since = h.st.Outbox().Last()
	if code, body := h.interact("phab.block_actions.ack.json"); code != 200 {
		t.Fatalf("ack: %d %s", code, body)
	}
	updates := supportCalls(h, "slack", "chat.update", since)
	if len(updates) == 0 || !strings.Contains(updates[len(updates)-1].Arg("blocks"), "acknowledged in Slack after 2h 5m") {
		t.Fatalf("post after the ack %+v", updates)
	}
	since = h.st.Outbox().Last()
	phabTick(h, phabT0.Add(2*time.Hour+31*time.Minute))
	if dms := supportDMs(h, since); len(dms) != 0 {
		t.Fatalf("nagged after the ack: %v", dms)
	}
	if out := phabCommand(t, h, "U0BOB00002", "ubn"); !strings.Contains(out, "T201") || !strings.Contains(out, "<@U0BOB00002> acknowledged in Slack after 2h 5m") {
		t.Fatalf("/phab ubn: %s", out)
	}
	// An outsider's click changes nothing.
	since = h.st.Outbox().Last()
	h.interact("phab.block_actions.ack.json", func(m map[string]any) { m["user"].(map[string]any)["id"] = "U0MALL0006" })
	if eph := supportCalls(h, "slack", "chat.postEphemeral", since); len(eph) != 1 || !strings.Contains(eph[0].Arg("text"), "Only Rocket's members") {
		t.Fatalf("outsider: %+v", eph)
	}
}

// ActionAckID is the Acknowledge button's action id.
const ActionAckID = "phab:ubn_ack"

// TestPhabUBNResponseAndResolution (Phorge master): a comment by a team member responds, the
// priority lowered resolves, at most 2 Conduit reads per delivery; /phab ubn is then empty.
func TestPhabUBNResponseAndResolution(t *testing.T) {
	t.Parallel()
	h, clk := phabStack(t, standins.FlavorPhorge)
	task, raise := phabEdit(t, h, "erin", "", conduit.Edit{Type: "title", Value: "Search is down"},
		conduit.Edit{Type: "projects.add", Value: []string{"PHID-PROJ-rocket"}}, conduit.Edit{Type: "priority", Value: "unbreak"})
	deliver(t, h, herald(t, task, raise...))
	if posts := channelPosts(h, 0); len(posts) != 2 { // the new task, and the UBN
		t.Fatalf("posts %+v", posts)
	}
	clk.set(phabT0.Add(10 * time.Minute))
	_, comment := phabEdit(t, h, "bob", task, conduit.Edit{Type: "comment", Value: "Looking."})
	since := h.st.Outbox().Last()
	deliver(t, h, herald(t, task, comment...))
	if n := readCalls(h, since); n > 2 {
		t.Errorf("%d Conduit reads for a comment on Phorge master, budget 2 (3 with hidden column moves)", n)
	}
	if ups := supportCalls(h, "slack", "chat.update", since); len(ups) != 1 || !strings.Contains(phabBlocks(ups[0]), "<@U0BOB00002> commented on the task after 10m") {
		t.Fatalf("update %+v", ups)
	}
	since = h.st.Outbox().Last()
	phabTick(h, phabT0.Add(45*time.Minute))
	if dms := supportDMs(h, since); len(dms) != 0 {
		t.Fatalf("nagged after a response: %v", dms)
	}
	clk.set(phabT0.Add(time.Hour))
	_, lower := phabEdit(t, h, "erin", task, conduit.Edit{Type: "priority", Value: "high"})
	since = h.st.Outbox().Last()
	deliver(t, h, herald(t, task, lower...))
	ups := supportCalls(h, "slack", "chat.update", since)
	if len(ups) != 1 || !strings.Contains(ups[0].Arg("blocks"), "Resolved after 1h: priority lowered to High by Erin Walsh") || strings.Contains(ups[0].Arg("blocks"), ActionAckID) {
		t.Fatalf("resolution %+v", ups)
	}
	if out := phabCommand(t, h, "U0ALICE001", "ubn"); !strings.Contains(out, "No open Unbreak Now!") {
		t.Fatalf("/phab ubn: %s", out)
	}
}

// TestPhabNewTaskAnnouncedOnce: a newly tagged task is announced once, escaped; the same
// delivery again is a duplicate, and a later delivery about the task announces nothing.
func TestPhabNewTaskAnnouncedOnce(t *testing.T) {
	t.Parallel()
	h, _ := phabStack(t, "")
	created := fixture(t, "phabricator/task-created.json")
	deliver(t, h, created)
	posts := channelPosts(h, 0)
	if len(posts) != 1 {
		t.Fatalf("announcements %+v", posts)
	}
	text := posts[0].Arg("text")
	for _, want := range []string{"New task for *Rocket*", "<https://phabricator.example.org/T202|T202: Dark mode for the &lt;billing&gt; settings page &amp; &lt;!here&gt; exports>", "by Mallory Support", "priority Needs Triage"} {
		if !strings.Contains(text, want) {
			t.Errorf("announcement lacks %q: %s", want, text)
		}
	}
	since := h.st.Outbox().Last()
	if code, _ := h.phabricator(created); code != http.StatusOK {
		t.Fatalf("redelivery answered %d, want 200 duplicate", code)
	}
	_, comment := phabEdit(t, h, "alice", "PHID-TASK-darkmodebilling1", conduit.Edit{Type: "comment", Value: "Triaging."})
	deliver(t, h, herald(t, "PHID-TASK-darkmodebilling1", append([]string{"PHID-XACT-TASK-t202tagged0001"}, comment...)...))
	if posts := channelPosts(h, since); len(posts) != 0 {
		t.Fatalf("announced again: %+v", posts)
	}
}

// TestPhabUnauthorizedMoveMovedBack: a move into Ready by someone other than the PM is moved
// back with a comment naming the rule and who may move, and the mover is told; the bot's own
// move, delivered as Herald would, triggers nothing.
func TestPhabUnauthorizedMoveMovedBack(t *testing.T) {
	t.Parallel()
	h, _ := phabStack(t, "")
	deliver(t, h, fixture(t, "phabricator/task-moved.json"))
	es := edits(h, 0)
	if len(es) != 1 {
		t.Fatalf("edits %+v", es)
	}
	req := es[0].Arg("transactions")
	if !strings.Contains(req, `"columnPHID":"PHID-PCOL-rocketdoing"`) || !strings.Contains(req, "Rituals moved this task back to **In Progress**: only the PM (Erin Walsh) may move tasks into **Ready**") {
		t.Fatalf("edit %s", req)
	}
	if task, _ := h.st.Standins.ConduitTask(203); task.Columns["PHID-PROJ-rocket"] != "PHID-PCOL-rocketdoing" {
		t.Fatalf("task not moved back: %+v", task)
	}
	if dms := supportDMs(h, 0); len(dms) != 1 || dms[0] != "U0BOB00002" {
		t.Fatalf("mover DMs %v", dms)
	}
	var answer struct {
		Result struct {
			Transactions []struct{ PHID string } `json:"transactions"`
		} `json:"result"`
	}
	b, _ := json.Marshal(es[0].Response)
	_ = json.Unmarshal(b, &answer)
	var own []string
	for _, x := range answer.Result.Transactions {
		own = append(own, x.PHID)
	}
	if len(own) != 2 {
		t.Fatalf("the bot's edit applied %v", own)
	}
	since := h.st.Outbox().Last()
	deliver(t, h, herald(t, "PHID-TASK-retrywebhooks01", own...))
	if n := readCalls(h, since); n > 3 {
		t.Errorf("%d Conduit reads for one delivery, budget 3", n)
	}
	for _, c := range supportCalls(h, "", "", since) {
		if c.Service == "slack" || c.API == conduit.MethodTaskEdit {
			t.Errorf("the bot's own move caused %s %s", c.Service, c.API)
		}
	}
}

// TestPhabOutOfOrder: deliveries processed in the opposite order of their edits, and a
// delivery repeating transactions already processed, each have their effect once: a move into
// Ready whose delivery arrives after the task moved on is only commented on (never moved back
// over the later move), and an acknowledgement delivered before its Unbreak Now! shows on the
// one post with no DM to the engineer on duty.
func TestPhabOutOfOrder(t *testing.T) {
	t.Parallel()
	h, clk := phabStack(t, standins.FlavorPhorge)
	task, created := phabEdit(t, h, "erin", "", conduit.Edit{Type: "title", Value: "Rotate the API keys"}, conduit.Edit{Type: "projects.add", Value: []string{"PHID-PROJ-rocket"}})
	deliver(t, h, herald(t, task, created...))

	clk.set(phabT0.Add(5 * time.Minute))
	_, m1 := phabEdit(t, h, "mallory", task, conduit.Edit{Type: "column", Value: []string{"PHID-PCOL-rocketready"}})
	clk.set(phabT0.Add(10 * time.Minute))
	_, m2 := phabEdit(t, h, "erin", task, conduit.Edit{Type: "column", Value: []string{"PHID-PCOL-rocketdoing"}})
	since := h.st.Outbox().Last()
	deliver(t, h, herald(t, task, m2...))
	deliver(t, h, herald(t, task, m1...))
	es := edits(h, since)
	if len(es) != 1 || strings.Contains(es[0].Arg("transactions"), "columnPHID") || !strings.Contains(es[0].Arg("transactions"), "Heads-up from Rituals") {
		t.Fatalf("late unauthorized move: %+v", es)
	}
	if dms := supportDMs(h, since); len(dms) != 1 || dms[0] != "U0MALL0006" {
		t.Fatalf("mover DMs %v", dms)
	}
	since = h.st.Outbox().Last()
	deliver(t, h, herald(t, task, append(m1, m2...)...))
	if calls := supportCalls(h, "slack", "", since); len(calls) != 0 || len(edits(h, since)) != 0 {
		t.Fatalf("repeated transactions had effects again: %+v", calls)
	}

	clk.set(phabT0.Add(20 * time.Minute))
	_, raise := phabEdit(t, h, "erin", task, conduit.Edit{Type: "priority", Value: "unbreak"})
	clk.set(phabT0.Add(25 * time.Minute))
	_, ack := phabEdit(t, h, "alice", task, conduit.Edit{Type: "comment", Value: "On it."})
	since = h.st.Outbox().Last()
	deliver(t, h, herald(t, task, ack...))
	deliver(t, h, herald(t, task, raise...))
	posts := channelPosts(h, since)
	if len(posts) != 1 || !strings.Contains(phabBlocks(posts[0]), "<@U0ALICE001> commented on the task after 5m") {
		t.Fatalf("UBN post %+v", posts)
	}
	if dms := supportDMs(h, since); len(dms) != 0 {
		t.Fatalf("duty DMed about an acknowledged UBN: %v", dms)
	}
}

// TestPhabIgnoredDeliveries: a test request is never processed; a delivery for a task outside
// every team's project is stored and ignored after one read.
func TestPhabIgnoredDeliveries(t *testing.T) {
	t.Parallel()
	h, _ := phabStack(t, "")
	if code, body := h.phabricator(fixture(t, "phabricator/test-request.json")); code != http.StatusAccepted || !strings.Contains(body, `"test":true`) {
		t.Fatalf("test request: %d %s", code, body)
	}
	if calls := supportCalls(h, "conduit", "", 0); len(calls) != 0 {
		t.Fatalf("a test request was processed: %+v", calls)
	}
	deliver(t, h, fixture(t, "phabricator/task-other-project.json"))
	if n, edits, posts := readCalls(h, 0), edits(h, 0), supportCalls(h, "slack", "", 0); n != 1 || len(edits) != 0 || len(posts) != 0 {
		t.Fatalf("another team's task: %d reads, %d edits, %d Slack calls", n, len(edits), len(posts))
	}
}

// TestPhabConduitErrorDeadLettered: a delivery whose Conduit read keeps failing is retried and
// then dead-lettered, and the log names the method and the error code.
func TestPhabConduitErrorDeadLettered(t *testing.T) {
	t.Parallel()
	h, _ := phabStack(t, "")
	if _, err := h.st.Standins.SeedConduit(standins.ConduitSeed{Fail: map[string]string{conduit.MethodTransactions: "ERR-CONDUIT-CALL"}}); err != nil {
		t.Fatal(err)
	}
	deliver(t, h, fixture(t, "phabricator/task-ubn.json"))
	dead := h.st.DeadLetters()
	if len(dead) != 1 {
		t.Fatalf("dead letters %+v", dead)
	}
	if !strings.Contains(h.logText(), "conduit transaction.search: ERR-CONDUIT-CALL") {
		t.Fatal("the log does not name the method and code")
	}
	if posts := channelPosts(h, 0); len(posts) != 0 {
		t.Fatalf("posted despite the failure: %+v", posts)
	}
}
