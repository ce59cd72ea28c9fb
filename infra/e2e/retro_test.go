package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/infra/localrun"
	"github.com/rituals-dev/rituals/infra/signing"
	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/retro"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// Retros and DACI decisions end to end: the real bootstraps behind the local API Gateway, the
// events stream mapping of RetroDecisionFunction, DynamoDB Local and the stand-ins. Retros use
// shared/retro/testdata/team.yaml (team product in C0PRODUCT1, action items in acme/retros);
// decisions use infra/config/example.yaml, whose repo-management team keeps PROCESSES.md's
// DACI matrix.

var retroFunctions = []string{"GitHubWebhookFunction", "SlackCommandsFunction", "SlackInteractionsFunction", "RetroDecisionFunction"}

const (
	retroChannel = "C0PRODUCT1"
	retroPia     = "U0PIA00001" // the facilitator
)

// retroCommand sends a signed slash command and returns the HTTP status and the answer's text.
// It does not touch t, so goroutines may call it.
// triggers numbers the commands retroCommand sends.
var triggers atomic.Int64

func retroCommand(h *harness, command, user, channel, text string) (int, string, error) {
	// Every invocation has its own trigger_id, as Slack's do: two identical bodies signed in the
	// same second would be one request replayed, which the stack refuses.
	trigger := fmt.Sprintf("1774.%d.abc", triggers.Add(1))
	body := []byte(url.Values{
		"command": {command}, "text": {text}, "user_id": {user}, "channel_id": {channel},
		"team_id": {"T0RITUALS1"}, "trigger_id": {trigger}, "response_url": {"https://hooks.slack.com/commands/T0RITUALS1/1"},
	}.Encode())
	ts, sig := signing.Slack(localrun.DefaultSecrets["SLACK_SIGNING_SECRET"], body, time.Now())
	req, _ := http.NewRequest(http.MethodPost, h.st.URL+"/slack/commands", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var msg struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(raw, &msg)
	return resp.StatusCode, msg.Text, nil
}

// say runs a command that must be answered (200) and returns the text. Commands answer from
// DynamoDB: what they cause later is waited for by the caller (h.waitPasses), only where the
// test looks at it.
func say(h *harness, command, user, channel, text string) string {
	h.t.Helper()
	code, answer, err := retroCommand(h, command, user, channel, text)
	if err != nil || code != http.StatusOK {
		h.t.Fatalf("%s %s: %d %v", command, text, code, err)
	}
	h.waitPasses(h.settle)
	return answer
}

func outboxArg(c standins.Call, k string) string { return c.Arg(k) }

// blocksText joins the texts of a posted message's blocks, one per line.
func blocksText(c standins.Call) string {
	type text struct {
		Text string `json:"text"`
	}
	var blocks []struct {
		Text     *text  `json:"text"`
		Elements []text `json:"elements"`
	}
	_ = json.Unmarshal([]byte(outboxArg(c, "blocks")), &blocks)
	var lines []string
	for _, b := range blocks {
		if b.Text != nil {
			lines = append(lines, b.Text.Text)
		}
		for _, e := range b.Elements {
			lines = append(lines, e.Text)
		}
	}
	return strings.Join(lines, "\n")
}

// TestRetroFiveVotersResultsAndActionItems: five people add items and place three dots each;
// the close posts the ranking in the exact order, opens the top three as issues in acme/retros
// once however often the close is fired again, and the issues webhook mirrors their state.
func TestRetroFiveVotersResultsAndActionItems(t *testing.T) {
	t.Parallel()
	h := startStack(t, "../../shared/retro/testdata/team.yaml", retroFunctions...)
	people := map[string]string{"pia": retroPia, "eli": "U0ELI00002", "ana": "U0ANA00003", "raj": "U0RAJ00004", "kim": "U0KIM00005"}
	if got := say(h, "/retro", "U0ZED00007", "C0RANDOM01", "start Sprint 42"); !strings.HasPrefix(got, "Start a retro in your team's channel") {
		t.Fatalf("start outside the channel: %q", got)
	}
	say(h, "/retro", retroPia, retroChannel, "start Sprint 42")
	for _, a := range []struct{ who, text string }{
		{"pia", "went well Pairing on the release"},
		{"eli", "not working Flaky CI on main"},
		{"ana", "open questions How do we plan for maintenance once a product is in production?"},
		{"raj", "not working Too many meetings"},
		{"kim", "1 Fast code reviews"},
	} {
		if got := say(h, "/retro", people[a.who], retroChannel, "add "+a.text); !strings.HasPrefix(got, "Added to") {
			t.Fatalf("add %q: %q", a.text, got)
		}
	}
	if got := say(h, "/retro", people["eli"], retroChannel, "add kudos Thanks"); !strings.Contains(got, `has no field "kudos"`) {
		t.Fatalf("unknown field: %q", got)
	}
	say(h, "/retro", retroPia, retroChannel, "voting")
	for who, items := range map[string]string{"pia": "3 3 2", "eli": "3 2 4", "ana": "3 1 2", "raj": "2 5 1", "kim": "3 3 5"} {
		if got := say(h, "/retro", people[who], retroChannel, "vote "+items); !strings.HasSuffix(got, "You have 0 of 3 dots left.") {
			t.Fatalf("%s votes: %q", who, got)
		}
	}
	if got := say(h, "/retro", people["eli"], retroChannel, "vote 1"); !strings.HasPrefix(got, "You have no dots left") {
		t.Fatalf("a fourth dot: %q", got)
	}
	since := h.st.Outbox().Last()
	say(h, "/retro", retroPia, retroChannel, "close")
	h.waitPasses(2)

	var results string
	for _, c := range supportCalls(h, "slack", "chat.postMessage", since) {
		if strings.HasPrefix(outboxArg(c, "text"), "Results of the retro Sprint 42") {
			results = blocksText(c)
		}
	}
	want := "Results: Sprint 42\n5 people placed 15 of their dots (3 each).\n" +
		"*Went well*\n• (2) Pairing on the release\n• (2) Fast code reviews\n" +
		"*Not working*\n• (4) Flaky CI on main\n• (1) Too many meetings\n" +
		"*Open questions*\n• (6) How do we plan for maintenance once a product is in production?"
	if results != want {
		t.Fatalf("results:\n%s\nwant:\n%s", results, want)
	}
	issues := supportCalls(h, "github", "issues/create", 0)
	var titles []string
	for _, c := range issues {
		titles = append(titles, outboxArg(c, "title"))
	}
	if strings.Join(titles, " | ") != "Retro action: How do we plan for maintenance once a product is in production? | Retro action: Flaky CI on main | Retro action: Pairing on the release" {
		t.Fatalf("issues: %q", titles)
	}

	// The close fired again: the command, and a retro.closed event put by hand under a new key
	// (a replayed dead letter). Neither opens an issue or posts anything new.
	last := h.st.Outbox().Last()
	if got := say(h, "/retro", retroPia, retroChannel, "close"); !strings.Contains(got, "already closed") {
		t.Fatalf("second close: %q", got)
	}
	h.waitPasses(2)
	db, _ := dynamotest.New(t)
	refire := store.Events{API: db, Table: h.prefix + "EventsTable"}
	if err := refire.PutEvent(context.Background(), store.Event{Key: "rituals#retro.closed#product/1#refired", Source: "rituals", Type: retro.EventClosed, ReceivedAt: time.Now(), Payload: []byte(`{"retro":"product/1"}`)}); err != nil {
		t.Fatal(err)
	}
	h.waitPasses(2)
	for _, c := range h.st.Outbox().Calls(standins.Filter{Since: last}) {
		if c.API != "chat.update" {
			t.Errorf("the re-fired close caused %s %s", c.Service, c.API)
		}
	}
	if n := len(supportCalls(h, "github", "issues/create", 0)); n != 3 {
		t.Fatalf("%d issues after the re-fired close", n)
	}

	// Issue #1 is closed on GitHub; its webhook takes it off the open action items.
	closed := fixture(t, "github/issues.reopened.json", func(m map[string]any) {
		m["action"] = "closed"
		supportIssue(m)["state"] = "closed"
		supportIssue(m)["updated_at"] = time.Now().UTC().Add(time.Minute).Format(time.RFC3339)
		m["repository"].(map[string]any)["full_name"] = "acme/retros"
	})
	if code, _ := h.github("issues", "retro-issue-closed", closed); code != http.StatusAccepted {
		t.Fatalf("issues webhook: %d", code)
	}
	h.waitPasses(2)
	open := say(h, "/retro", people["kim"], retroChannel, "actions")
	if strings.Count(open, "\n•") != 2 || strings.Contains(open, "acme/retros#1>") || !strings.Contains(open, "acme/retros#2>") {
		t.Fatalf("open action items:\n%s", open)
	}
}

// TestRetroThirtyConcurrentVoters: 30 people with 3 dots each send 5 votes at once through the
// whole stack; each gets exactly 3 dots, and the two extra clicks are refused.
func TestRetroThirtyConcurrentVoters(t *testing.T) {
	t.Parallel()
	h := startStack(t, "../../shared/retro/testdata/team.yaml", "SlackCommandsFunction", "RetroDecisionFunction")
	say(h, "/retro", retroPia, retroChannel, "start Thirty")
	for _, text := range []string{"went well a", "not working b", "open questions c"} {
		say(h, "/retro", retroPia, retroChannel, "add "+text)
	}
	say(h, "/retro", retroPia, retroChannel, "voting")
	const voters, clicks = 30, 5
	var mu sync.Mutex
	answers := map[string]int{}
	var wg sync.WaitGroup
	for v := 0; v < voters; v++ {
		for c := 0; c < clicks; c++ {
			wg.Add(1)
			go func(v, c int) {
				defer wg.Done()
				code, text, err := retroCommand(h, "/retro", fmt.Sprintf("U0VOTER%03d", v), retroChannel, fmt.Sprintf("vote %d", 1+(v+c)%3))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil || code != http.StatusOK:
					answers[fmt.Sprintf("failed: %d %v", code, err)]++
				case strings.HasPrefix(text, "Placed a dot"):
					answers["placed"]++
				case strings.HasPrefix(text, "You have no dots left"):
					answers["refused"]++
				default:
					answers[text]++
				}
			}(v, c)
		}
	}
	wg.Wait()
	if answers["placed"] != voters*3 || answers["refused"] != voters*(clicks-3) || len(answers) != 2 {
		t.Fatalf("answers: %v", answers)
	}
	db, _ := dynamotest.New(t)
	b, err := retro.Store{API: db, Table: h.prefix + "StateTable"}.Load(context.Background(), retro.ID{Team: "product", N: 1})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, bl := range b.Ballots {
		if bl.Used != 3 || bl.Placed() != 3 {
			t.Errorf("%s holds %d dots (used %d)", bl.Voter, bl.Placed(), bl.Used)
		}
		total += bl.Placed()
	}
	if len(b.Ballots) != voters || total != voters*3 {
		t.Fatalf("%d ballots, %d dots", len(b.Ballots), total)
	}
}

// TestDecisionCreationToApproval: a technical-approach decision from the example's matrix: the
// record names the tech lead as driver and the EM as approver, the consulted are asked in its
// thread, a non-approver's click is refused, the EM's approval tells the four informed.
func TestDecisionCreationToApproval(t *testing.T) {
	t.Parallel()
	h := startStackWith(t, "../../infra/config/example.yaml", stackOptions{Settle: 2}, retroFunctions...)
	const channel, alice, dave = "C01REPOMGMT", "U01ALICE01", "U01DAVE005"
	help := say(h, "/rituals", alice, channel, "help")
	for _, cmd := range []string{"/retro start [title]", "/retro vote &lt;#item&gt;", "/decision new &lt;kind&gt; &lt;title&gt;", "/daci &lt;kind&gt;"} {
		if !strings.Contains(help, cmd) {
			t.Errorf("/rituals help does not list %s", cmd)
		}
	}
	if got := say(h, "/daci", alice, channel, "technical-approach"); !strings.Contains(got, "*Approves*: <@U01DAVE005> (em)") {
		t.Fatalf("/daci: %q", got)
	}
	if got := say(h, "/decision", alice, channel, "new technical Use Postgres"); !strings.Contains(got, "Did you mean `technical-approach`?") {
		t.Fatalf("unknown kind: %q", got)
	}
	if got := say(h, "/decision", alice, channel, "new technical-approach Adopt trunk-based development"); !strings.HasPrefix(got, "Recorded *D1 · Adopt trunk-based development*") {
		t.Fatalf("new: %q", got)
	}
	posts := supportCalls(h, "slack", "chat.postMessage", 0)
	if len(posts) < 2 || outboxArg(posts[0], "channel") != channel || !strings.Contains(outboxArg(posts[0], "blocks"), "decision:approve") {
		t.Fatalf("record: %+v", posts)
	}
	if consult := outboxArg(posts[1], "text"); !strings.HasPrefix(consult, "<@U01GINA008>, <@U01YUKI011>, <@U01BOB0002>, <@U01PRIYA03>: you are consulted") {
		t.Fatalf("consult: %q", consult)
	}
	if dms := supportDMs(h, 0); len(dms) != 1 || dms[0] != dave {
		t.Fatalf("approver asked: %v", dms)
	}
	// events/slack/decision.block_actions.approve.json is dave's click on D1's Approve.
	click := func(user string) {
		h.interact("decision.block_actions.approve.json", func(m map[string]any) { m["user"].(map[string]any)["id"] = user })
	}
	since := h.st.Outbox().Last()
	click(alice)
	if eph := supportCalls(h, "slack", "chat.postEphemeral", since); len(eph) != 1 || !strings.HasPrefix(outboxArg(eph[0], "text"), "Only <@U01DAVE005> can approve or reject") {
		t.Fatalf("non-approver: %+v", eph)
	}
	since = h.st.Outbox().Last()
	click(dave)
	if dms := supportDMs(h, since); strings.Join(dms, " ") != "U01ERIN006 U01TOMAS10 U01NADIA12 U01OSCAR13" {
		t.Fatalf("informed: %v", dms)
	}
	if got := say(h, "/decision", alice, channel, "list"); !strings.Contains(got, "D1 · Adopt trunk-based development* · Determine technical approach · approved") {
		t.Fatalf("list: %q", got)
	}
}
