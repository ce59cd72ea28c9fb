package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/infra/standins"
)

// Clinic Duty's end-to-end tests: real @octokit/webhooks-examples payloads (events/github, with
// author_association and logins changed as each case needs), signed Slack commands and
// interactions, and the ClinicDutyFunction's schedule, through the local stack. The team config
// is shared/clinic/testdata/rituals.yaml: team rocket owns Codertocat/Hello-World, its Clinic
// Duty turns (bob, alice, cat) are two weeks from Monday 5 January 2026 09:00 London, one
// visitor per sprint, a first response within 2 business days.

var clinicFunctions = []string{"GitHubWebhookFunction", "SlackCommandsFunction", "SlackInteractionsFunction", "ClinicDutyFunction"}

// clinicT0 is Monday 23 November 2026 10:00 UTC: Cat is on Clinic Duty (turn 23, to 7 December).
var clinicT0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func clinicStack(t *testing.T, functions ...string) (*harness, *clock) {
	t.Helper()
	c := &clock{t: clinicT0}
	return startStackWith(t, "../../shared/clinic/testdata/rituals.yaml", stackOptions{Now: c.now, Settle: 2}, functions...), c
}

func clinicPR(assoc string, number int) func(map[string]any) {
	return func(m map[string]any) {
		pr := m["pull_request"].(map[string]any)
		pr["author_association"] = assoc
		pr["number"] = number
		pr["html_url"] = "https://github.com/Codertocat/Hello-World/pull/" + itoa(number)
		m["number"] = number
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func clinicCalls(h *harness, service, api string, since int64) []standins.Call {
	return h.st.Outbox().Calls(standins.Filter{Service: service, API: api, Since: since})
}

// clinicDMs are the users DMs were opened with since.
func clinicDMs(h *harness, since int64) []string {
	var out []string
	for _, c := range clinicCalls(h, "slack", "conversations.open", since) {
		out = append(out, c.Arg("users"))
	}
	return out
}

// clinicCommand runs /clinic as user in channel at the stack's time and returns the answer.
func clinicCommand(h *harness, c *clock, user, channel, text string) string {
	h.t.Helper()
	body := url.Values{"command": {"/clinic"}, "text": {text}, "user_id": {user}, "user_name": {strings.ToLower(user)}, "channel_id": {channel}, "team_id": {"T0LOCAL"}}.Encode()
	code, answer := h.slack("/slack/commands", "application/x-www-form-urlencoded", []byte(body), c.now())
	if code != http.StatusOK {
		h.t.Fatalf("/clinic %s: %d %s", text, code, answer)
	}
	var reply struct{ Text string }
	_ = json.Unmarshal([]byte(answer), &reply)
	return reply.Text
}

// TestClinicOutsidePatches: a member's pull request gets nothing; a first-timer's is routed to
// the engineer on Clinic Duty with one comment to the author, nagged once past the target and
// escalated to the EM after a second one; a review by a team member stops another.
func TestClinicOutsidePatches(t *testing.T) {
	t.Parallel()
	h, c := clinicStack(t, clinicFunctions...)
	// The example as it is: Codertocat is the repository's OWNER.
	h.github("pull_request", "cl-pr-owner", fixture(t, "github/pull_request.opened.json"))
	if calls := clinicCalls(h, "", "", 0); len(calls) != 0 {
		t.Fatalf("a member's pull request caused %d calls: %+v", len(calls), calls[0])
	}
	// Pull request #7 by a first-timer; delivered twice.
	since := h.st.Outbox().Last()
	first := fixture(t, "github/pull_request.opened.json", clinicPR("FIRST_TIMER", 7))
	h.github("pull_request", "cl-pr-7", first)
	h.github("pull_request", "cl-pr-7", first)
	comments := clinicCalls(h, "github", "issues/create-comment", since)
	if len(comments) != 1 || comments[0].Path != "/repos/Codertocat/Hello-World/issues/7/comments" ||
		!strings.Contains(comments[0].Arg("body"), "Cat Ruiz (@catruiz) from Rocket will look at this pull request and give you a first response by **Wed 25 Nov 2026 10:00 UTC**") {
		t.Fatalf("author comments: %+v", comments)
	}
	if dms := clinicDMs(h, since); !slices.Equal(dms, []string{"U0CAT00003"}) {
		t.Fatalf("routed to %v, want Cat (on Clinic Duty)", dms)
	}
	// Pull request #8 by another outsider (NONE): answered by Bob's review the next day.
	h.github("pull_request", "cl-pr-8", fixture(t, "github/pull_request.opened.json", clinicPR("NONE", 8)))
	c.set(clinicT0.Add(26 * time.Hour))
	h.github("pull_request_review", "cl-review-8", fixture(t, "github/pull_request_review.submitted.json", func(m map[string]any) {
		m["pull_request"].(map[string]any)["number"] = 8
		m["review"].(map[string]any)["user"].(map[string]any)["login"] = "bobbyrne"
		m["review"].(map[string]any)["author_association"] = "MEMBER"
	}))
	// The ticks: Wednesday 09:55 nothing; 10:00 one reminder to Cat about #7 only; again
	// nothing; Friday 10:00 Dave (the EM) hears of #7.
	steps := []struct {
		at  time.Time
		dms []string
	}{
		{time.Date(2026, 11, 25, 9, 55, 0, 0, time.UTC), nil},
		{time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), []string{"U0CAT00003"}},
		{time.Date(2026, 11, 25, 10, 5, 0, 0, time.UTC), nil},
		{time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), []string{"U0DAVE0004"}},
		{time.Date(2026, 11, 27, 10, 5, 0, 0, time.UTC), nil},
	}
	for _, s := range steps {
		since := h.st.Outbox().Last()
		c.set(s.at)
		h.schedule("ClinicDutyFunction", "Tick", s.at)
		if got := clinicDMs(h, since); !slices.Equal(got, s.dms) {
			t.Fatalf("tick at %v: DMs %v, want %v", s.at, got, s.dms)
		}
		for _, p := range clinicCalls(h, "slack", "chat.postMessage", since) {
			if strings.Contains(p.Arg("text"), "Hello-World#8") {
				t.Fatalf("answered #8 nagged: %s", p.Arg("text"))
			}
		}
	}
	if n := len(clinicCalls(h, "github", "issues/create-comment", 0)); n != 2 {
		t.Fatalf("%d comments to authors, want one per outside pull request", n)
	}
}

// TestClinicSignupAccepted: a visitor's sign-up reaches the EM with buttons; Accept schedules
// it into the next sprint, and a second accepted visit goes to the sprint after (one visitor
// per sprint); the requester and the team are told; /clinic queue shows them.
func TestClinicSignupAccepted(t *testing.T) {
	t.Parallel()
	h, c := clinicStack(t, clinicFunctions...)
	out := clinicCommand(h, c, "U0VERA0005", "D0VERA0001", "rocket signup 2 T123 https://example.org/patch/1")
	if !strings.Contains(out, "Sign-up #1 with Rocket queued") || !strings.Contains(out, "expected start Mon 7 Dec 09:00 GMT if accepted") {
		t.Fatalf("signup: %s", out)
	}
	asks := clinicCalls(h, "slack", "chat.postMessage", 0)
	if len(asks) != 1 || !strings.Contains(asks[0].Arg("blocks"), "clinic:accept") || !slices.Equal(clinicDMs(h, 0), []string{"U0DAVE0004"}) {
		t.Fatalf("approval request: %+v", asks)
	}
	out = clinicCommand(h, c, "U0WALT0006", "C0ROCKCLIN", "signup 2 pairing on exports")
	if !strings.Contains(out, "You are #2 in the queue; expected start Mon 21 Dec 09:00 GMT if accepted") {
		t.Fatalf("second signup: %s", out)
	}
	// Bad input: no team, in a DM; nothing is stored.
	if out := clinicCommand(h, c, "U0XENA0007", "D0XENA0001", "signup 2"); !strings.Contains(out, "Which team would you like to join?") {
		t.Fatalf("signup with no team: %s", out)
	}
	// Dave accepts #2 first, then #1 (the real block_actions shape, the value edited).
	since := h.st.Outbox().Last()
	h.interact("clinic.block_actions.accept.json", func(m map[string]any) {
		m["actions"].([]any)[0].(map[string]any)["value"] = "rocket|2"
	})
	c.set(clinicT0.Add(time.Minute))
	h.interact("clinic.block_actions.accept.json")
	team := []string{}
	for _, p := range clinicCalls(h, "slack", "chat.postMessage", since) {
		if p.Arg("channel") == "C0ROCKCLIN" {
			team = append(team, p.Arg("text"))
		}
	}
	if len(team) != 2 || !strings.Contains(team[0], "<@U0WALT0006> (Payments) for 2 week(s) joins Rocket's Clinic Duty sprint Mon 7 Dec 09:00 GMT – Mon 21 Dec 09:00 GMT") ||
		!strings.Contains(team[1], "<@U0VERA0005> (Payments) for 2 week(s) joins Rocket's Clinic Duty sprint Mon 21 Dec 09:00 GMT – Mon 4 Jan 09:00 GMT") {
		t.Fatalf("the team is told: %q", team)
	}
	if eph := clinicCalls(h, "slack", "chat.postEphemeral", since); len(eph) != 2 || !strings.Contains(eph[1].Arg("text"), "Accepted: sign-up #1 joins the sprint Mon 21 Dec") {
		t.Fatalf("the approver's confirmations: %+v", eph)
	}
	if n := len(clinicCalls(h, "slack", "chat.update", since)); n != 2 {
		t.Fatalf("%d approval requests updated", n)
	}
	q := clinicCommand(h, c, "U0ALICE001", "C0ROCKET01", "queue")
	for _, w := range []string{"Nobody is waiting for a decision.", "• Mon 7 Dec – Mon 21 Dec (1/1): #2 <@U0WALT0006>", "• Mon 21 Dec – Mon 4 Jan (1/1): #1 <@U0VERA0005>"} {
		if !strings.Contains(q, w) {
			t.Errorf("queue lacks %q:\n%s", w, q)
		}
	}
	if help := clinicCommand(h, c, "U0ALICE001", "C0ROCKET01", "help"); !strings.Contains(help, "/clinic &lt;team&gt; signup [weeks] [tasks or links…]") {
		t.Fatalf("help: %s", help)
	}
}

// TestClinicRotationSharedWithSupport: the support and Clinic Duty handovers come from the one
// rotation engine: both hand over at 09:00 London across the spring DST change, and both skip
// Alice, away over Christmas (with the public holidays, all of her support week and of her
// Clinic Duty turn).
func TestClinicRotationSharedWithSupport(t *testing.T) {
	t.Parallel()
	h, c := clinicStack(t, "SupportTriageFunction", "ClinicDutyFunction")
	tick := func(at time.Time) (support, clinic []string) {
		since := h.st.Outbox().Last()
		c.set(at)
		h.schedule("SupportTriageFunction", "Tick", at)
		h.schedule("ClinicDutyFunction", "Tick", at)
		for _, p := range clinicCalls(h, "slack", "chat.postMessage", since) {
			switch text := p.Arg("text"); {
			case p.Arg("channel") == "C0ROCKSUP1" && strings.Contains(text, "Support handover"):
				support = append(support, text)
			case p.Arg("channel") == "C0ROCKCLIN" && strings.Contains(text, "Clinic Duty handover"):
				clinic = append(clinic, text)
			}
		}
		return support, clinic
	}
	// Monday 30 March 2026, the day after the clocks went forward: 09:00 BST is 08:00 UTC.
	if s, cl := tick(time.Date(2026, 3, 30, 7, 55, 0, 0, time.UTC)); len(s)+len(cl) != 0 {
		t.Fatalf("handovers before 09:00 BST: %q %q", s, cl)
	}
	s, cl := tick(time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC))
	if len(s) != 1 || !strings.Contains(s[0], "<@U0ALICE001> is on support until Mon 6 Apr 09:00 BST") ||
		len(cl) != 1 || !strings.Contains(cl[0], "<@U0BOB00002> is on Clinic Duty until Mon 13 Apr 09:00 BST") {
		t.Fatalf("spring handovers: support %q, Clinic Duty %q", s, cl)
	}
	// Monday 21 December 09:00 GMT: Alice's Clinic Duty turn goes to Cat.
	if _, cl := tick(time.Date(2026, 12, 21, 9, 0, 0, 0, time.UTC)); len(cl) != 1 ||
		!strings.Contains(cl[0], "<@U0CAT00003> is on Clinic Duty until Mon 4 Jan 09:00 GMT. (<@U0ALICE001> skipped: away or on holiday throughout.)") {
		t.Fatalf("Christmas Clinic Duty handover: %q", cl)
	}
	// Monday 28 December 09:00 GMT: Alice's support week goes to Bob.
	if s, _ := tick(time.Date(2026, 12, 28, 9, 0, 0, 0, time.UTC)); len(s) != 1 || !strings.Contains(s[0], "<@U0BOB00002> is on support until Mon 4 Jan 09:00 GMT") {
		t.Fatalf("Christmas support handover: %q", s)
	}
}
