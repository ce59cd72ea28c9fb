package e2e

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rituals-dev/rituals/infra/faults"
	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/killpoint"
	"github.com/rituals-dev/rituals/shared/store"
)

// The chaos test proves Rituals' two promises under the failures production has: nothing
// acknowledged is lost, and no effect is done twice.
//
// One stack runs every function that has effects, with the team config of
// testdata/chaos.yaml, on a simulated Thursday (and the Monday after). A few hundred mixed
// deliveries go through it: support labels (a share of them urgent), GitHub redeliveries,
// Slack acknowledgements, standup submissions (some with blockers, one late) and reviews,
// Events API messages with Slack's retries, and scheduler ticks fired by hand, each tick twice.
// Meanwhile, from one seed:
//   - the Slack and GitHub stand-ins refuse a share of calls (429 with Retry-After, 5xx, dropped
//     connections) and some webhook deliveries never reach the stack;
//   - DynamoDB throttles or fails a share of writes and slows some reads (the fault proxy);
//   - function instances are SIGKILLed at kill points (an effect claimed but not run; a
//     change committed but its follow-up not yet recorded; an effect run but not recorded done).
//
// Recovery is what production has: the stream mappings retry and dead-letter, Lambda retries
// scheduled invocations, people click again when Slack shows an error, the reconcile asks the
// GitHub stand-in to redeliver failed deliveries, and whatever was dead-lettered is replayed
// through the runner's replay route (what `rituals deadletters replay` calls).
//
// Then, counting only calls the stand-ins acted on:
//   - every expected effect happened (an announcement and a missing-sections comment per
//     support issue, an ack comment per acknowledgement, a page per urgent issue, a nag per
//     standup still empty at nag time, a blocker DM per standup with blockers, a digest per
//     team and day, each submitted standup in one reviewer message, an HR issue per overdue
//     review, closed once reviewed);
//   - no effect happened twice, with one stated exception: an instance killed after an effect's
//     API call succeeded and before its done record (killpoint.EffectRan) may see that one
//     effect redone by the retry — at most once per such kill (store.Effects.Once's window);
//   - no effect record is left pending in the state table.
//
// Every run prints its seed; `go test ./infra/e2e -run TestChaos -chaos.seed N` (or
// RITUALS_CHAOS_SEED=N) replays the same faults in the same order.

var (
	chaosSeed    = flag.Uint64("chaos.seed", 0, "seed of the chaos test's faults and workload (0: a new one; also $RITUALS_CHAOS_SEED)")
	chaosVerbose = flag.Bool("chaos.verbose", false, "log every effect the chaos test counted")
)

const (
	chaosDay     = "2019-05-16" // a Thursday
	chaosIssues  = 40           // support issues labelled (numbers 101..)
	chaosAcked   = 16           // of which the first are acknowledged from Slack
	chaosAsked   = 40           // questions asked in the support channel (Events API), each retried by Slack
	chaosUrgent  = 6            // every sixth issue is p1
	chaosSupport = "C0TRIAGESUP"
	chaosDigest  = "C0OCTODIG1"
	chaosDM      = "U0FRANK001"
	chaosHR      = "/repos/Codertocat/hr/issues"
)

// chaosDevs are the standup team: who submits (and with what blocker) and when.
var chaosDevs = []struct {
	id, slack string
	london    bool
	submit    bool
	blocker   string
}{
	{"octo", "U0OCTOCAT1", true, true, "Waiting for review rights on Codertocat/Hello-World."},
	{"ada", "U0ADA00001", true, true, "Blocked by the staging outage."},
	{"bo", "U0BO000002", true, true, ""},
	{"cy", "U0CY000003", true, false, ""},
	{"di", "U0DI000004", false, true, "Waiting on the client's API keys."},
	{"ed", "U0ED000005", false, false, ""},
}

func chaosFaults(seed uint64) faults.Spec {
	kill := func(fn, point string, n int) faults.Kill {
		return faults.Kill{Function: fn, Point: point, Count: n, Rate: 0.25}
	}
	return faults.Spec{
		Seed: int64(seed),
		APIs: []faults.APIFault{
			{Service: faults.ServiceSlack, API: "chat.postMessage", Fault: "429", Rate: 0.05, RetryAfter: 1},
			{Service: faults.ServiceSlack, API: "chat.postMessage", Fault: "503", Rate: 0.04},
			{Service: faults.ServiceSlack, API: "chat.update", Fault: faults.Drop, Rate: 0.05},
			{Service: faults.ServiceSlack, API: "conversations.open", Fault: "500", Rate: 0.05},
			{Service: faults.ServiceGitHub, API: "issues/create-comment", Fault: "502", Rate: 0.08},
			{Service: faults.ServiceGitHub, API: "issues/create", Fault: "429", Rate: 0.2, RetryAfter: 1},
			{Service: faults.ServiceGitHub, API: "issues/update", Fault: faults.Drop, Rate: 0.1},
			{Service: faults.ServiceGitHub, API: "graphql", Fault: "503", Rate: 0.05},
			{Service: faults.ServiceHookshot, Fault: faults.Drop, Rate: 0.06},
		},
		DynamoDB: []faults.DynamoFault{
			{Operation: "PutItem", Fault: faults.ProvisionedThroughputExceeded, Rate: 0.04},
			{Operation: "UpdateItem", Fault: faults.Throttling, Rate: 0.04},
			{Operation: "TransactWriteItems", Fault: faults.InternalServerError, Rate: 0.03},
			{Operation: "Query", Fault: faults.Latency, Rate: 0.1, Delay: faults.Duration(20 * time.Millisecond)},
		},
		Kills: []faults.Kill{
			kill("SupportTriageFunction", killpoint.EffectClaimed, 1),
			kill("SupportTriageFunction", killpoint.EffectRan, 1),
			kill("StandupProcessorFunction", killpoint.EffectClaimed, 1),
			kill("StandupProcessorFunction", killpoint.Committed, 1),
			kill("StandupSchedulerFunction", killpoint.EffectClaimed, 1),
			kill("SlackInteractionsFunction", killpoint.EffectClaimed, 1),
			kill("SlackInteractionsFunction", killpoint.Committed, 1),
		},
	}
}

// chaosFunctions are every function with effects, and the ingestion in front of them.
var chaosFunctions = []string{
	"GitHubWebhookFunction", "SlackCommandsFunction", "SlackInteractionsFunction", "ActivityRecorderFunction",
	"StandupSchedulerFunction", "StandupProcessorFunction", "SupportTriageFunction", "GitHubReconcileFunction",
}

func chaosSeedValue(t *testing.T) uint64 {
	if *chaosSeed != 0 {
		return *chaosSeed
	}
	if s := os.Getenv("RITUALS_CHAOS_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("RITUALS_CHAOS_SEED=%q is not a number", s)
		}
		return n
	}
	return uint64(time.Now().UnixNano()%1_000_000_000) + 1
}

// chaos is one run: the stack, its clock, the seeded workload and what it did.
type chaos struct {
	*harness
	clock *standupClock
	rng   *rand.Rand
	mu    sync.Mutex
	guids []string // every webhook delivery's X-GitHub-Delivery
	// clicksAgain counts what the simulated people had to do again.
	clicksAgain int
	// armed is the fault spec; injected and killedAfterEffect what it did, read before the
	// recovery disarms it.
	armed             faults.Spec
	injected          faults.Counts
	killedAfterEffect int
	// killedMidTick counts the scheduler's instances killed while a tick ran: its nags run
	// side by side (a worker pool), so a kill at one nag's claim can land in another nag's
	// window between its post and its done record — the same window, reached concurrently.
	killedMidTick int
}

func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos end-to-end")
	}
	t.Parallel()
	seed := chaosSeedValue(t)
	start := time.Now()
	t.Logf("chaos seed %d (replay: go test ./infra/e2e -run TestChaos -chaos.seed %d)", seed, seed)
	defer func() { t.Logf("chaos seed %d: %s", seed, time.Since(start).Round(time.Second)) }()

	clock := &standupClock{}
	clock.Set(chaosDay + "T04:00:00Z")
	spec := chaosFaults(seed)
	if os.Getenv("RITUALS_CHAOS_FAULTS") == "0" {
		spec = faults.Spec{} // calibration: the same workload without faults
	}
	h := startStackWith(t, "testdata/chaos.yaml", stackOptions{
		Now: clock.Now, Faults: spec,
		// Short timeouts keep what a killed instance leaves behind short: an effect's lease
		// lasts until its invocation's deadline plus store.LeaseMargin. The stream retries
		// (1 s doubling, 5 retries) then outlast a lease, as they do in AWS.
		// A failed tick is retried after AsyncRetryDelay, past the lease a killed one left.
		Timeouts: map[string]time.Duration{
			"SupportTriageFunction": 6 * time.Second, "StandupProcessorFunction": 6 * time.Second,
			"StandupSchedulerFunction": 5 * time.Second, "SlackInteractionsFunction": 5 * time.Second,
			"ActivityRecorderFunction": 6 * time.Second, "GitHubReconcileFunction": 5 * time.Second,
		},
		StreamRetryBackoff: time.Second,
		AsyncRetryDelay:    11 * time.Second,
	}, chaosFunctions...)
	// A shard waits for a batch through all its retries (about 15 s when a lease is in the way).
	h.passTimeout = 3 * time.Minute
	c := &chaos{harness: h, clock: clock, rng: rand.New(rand.NewPCG(seed, 0x5eed))}
	c.armed, _ = h.st.Faults().Spec()

	for _, phase := range []struct {
		name string
		run  func()
	}{{"standup day", c.standupDay}, {"support day", c.supportDay}, {"monday", c.monday}, {"recovery", c.recover}} {
		began := time.Now()
		phase.run()
		t.Logf("%s: %s", phase.name, time.Since(began).Round(100*time.Millisecond))
	}

	effects := c.effects()
	if *chaosVerbose {
		for _, e := range effects {
			t.Logf("effect %s ×%d", e.key, e.n)
		}
	}
	c.assertOnce(effects)
	c.assertNothingPending()
	t.Logf("injected %d API faults, %d DynamoDB faults, %d kills (%d after an effect ran); %d clicks again",
		c.injected.API, c.injected.DynamoDB, c.injected.Kills, c.killedAfterEffect, c.clicksAgain)
}

// killsAt counts the kills spent at point: armed minus what is left.
func killsAt(armed, left faults.Spec, point string) int { return killsOf(armed, left, "", point) }

// killsOf counts the kills done at point in function ("" for any).
func killsOf(armed, left faults.Spec, function, point string) int {
	n := 0
	for i, k := range armed.Kills {
		if k.Point == point && (function == "" || k.Function == function) {
			n += k.Count - left.Kills[i].Count
		}
	}
	return n
}

// at sets the simulated clock.
func (c *chaos) at(ts string) time.Time { return c.clock.Set(ts) }

// deliver sends a GitHub webhook through the GitHub stand-in's org hook, as GitHub would; a
// failed delivery is left for the reconcile, as GitHub leaves it.
func (c *chaos) deliver(event, guid string, payload []byte) {
	c.t.Helper()
	if _, err := c.st.Standins.Deliver(standins.DeliverRequest{Event: event, GUID: guid, Payload: payload, Org: "Codertocat"}); err != nil {
		c.t.Fatal(err)
	}
	c.mu.Lock()
	c.guids = append(c.guids, guid)
	c.mu.Unlock()
}

// parallel runs fn(0..n-1) from four senders.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// click sends a Slack interaction until Slack would show it as done: people click again when
// Slack shows an error (a 5xx, a timeout, a modal that says something went wrong). It is safe
// to call from several goroutines: a click that never succeeds fails the test with Errorf.
func (c *chaos) click(file string, edits ...func(m map[string]any)) bool {
	for attempt := 0; ; attempt++ {
		code, body := c.interact(file, edits...)
		if code == http.StatusOK && !strings.Contains(body, `"response_action":"errors"`) {
			return true
		}
		if attempt == 8 {
			c.t.Errorf("%s still failing after %d clicks: %d %s", file, attempt+1, code, body)
			return false
		}
		c.mu.Lock()
		c.clicksAgain++
		c.mu.Unlock()
		time.Sleep(time.Duration(1+attempt) * time.Second)
	}
}

// tick fires a schedule twice at the same time (EventBridge may deliver an event twice) and
// waits for what it caused.
func (c *chaos) tick(function string, ts string) {
	c.t.Helper()
	at := c.at(ts)
	for i := 0; i < 2; i++ {
		res, err := c.st.FireSchedule(context.Background(), function, "Tick", at)
		if err != nil {
			c.t.Fatal(err)
		}
		for _, r := range res {
			if r.Error != nil {
				// Lambda gave up after its retries; the next tick picks the work up, as the
				// scheduler's cursor only moves past work that was done.
				c.t.Logf("%s at %s failed after %d attempts: %s", function, ts, r.Attempts, *r.Error)
			}
		}
	}
	c.waitPasses(2)
}

// standupDay: the footprint, due standups, submissions (with blockers), nags, the digest,
// reviewer messages, a late submission into the digest thread and a review.
func (c *chaos) standupDay() {
	t := c.t
	c.at(chaosDay + "T04:30:00Z")
	for _, f := range []string{"issues.opened.json", "issue_comment.created.json", "issues.assigned.json", "pull_request.opened.json", "push.json"} {
		c.deliver(strings.SplitN(f, ".", 2)[0], "chaos-footprint-"+f, fixture(t, "github/"+f))
	}
	c.reconcile(chaosDay + "T04:40:00Z")
	c.tick("StandupSchedulerFunction", chaosDay+"T05:00:00Z") // London due (06:00 BST)
	c.at(chaosDay + "T07:00:00Z")
	parallel(len(chaosDevs), func(i int) {
		d := chaosDevs[i]
		if d.london && d.submit {
			c.click("standup.view_submission.submit.json", submitEdit(d.id, d.slack, d.blocker))
		}
	})
	c.waitPasses(2)
	c.tick("StandupSchedulerFunction", chaosDay+"T08:30:00Z") // London nag (09:30 BST)
	c.tick("StandupSchedulerFunction", chaosDay+"T09:30:00Z") // London digest (10:30 BST), reviewer messages
	c.tick("StandupSchedulerFunction", chaosDay+"T10:00:00Z") // New York due (06:00 EDT)
	c.at(chaosDay + "T11:00:00Z")
	for _, d := range chaosDevs {
		if !d.london && d.submit {
			c.click("standup.view_submission.submit.json", submitEdit(d.id, d.slack, d.blocker)) // after the digest: into its thread
		}
	}
	c.waitPasses(2)
	c.tick("StandupSchedulerFunction", chaosDay+"T13:30:00Z") // New York nag (09:30 EDT)
	c.at(chaosDay + "T15:00:00Z")
	c.click("standup.view_submission.review.json") // Carol reviews Octo's
	c.waitPasses(2)
}

// submitEdit turns the real submission (Octo's) into person's, with blocker (none when empty).
func submitEdit(person, slackID, blocker string) func(m map[string]any) {
	return func(m map[string]any) {
		m["user"].(map[string]any)["id"] = slackID
		view := m["view"].(map[string]any)
		view["private_metadata"] = "hello/" + person + "/" + chaosDay
		values := view["state"].(map[string]any)["values"].(map[string]any)
		if person != "octo" { // only Octo has the assigned issue the real payload plans
			delete(values, "plan")
			delete(values, "done")
		}
		values["comment"].(map[string]any)["value"].(map[string]any)["value"] = "Today: " + person + "'s work."
		values["blockers"].(map[string]any)["value"].(map[string]any)["value"] = blocker
	}
}

// supportDay: labelled issues (every sixth urgent), redeliveries, acknowledgements from Slack,
// Events API questions with Slack's retries, and support ticks past the urgent nag interval.
func (c *chaos) supportDay() {
	t := c.t
	opened := c.at(chaosDay + "T16:00:00Z")
	redeliver := make([]bool, chaosIssues) // a third, chosen by the seed
	for i := range redeliver {
		redeliver[i] = c.rng.IntN(3) == 0
	}
	parallel(chaosIssues, func(i int) {
		n := 101 + i
		payload := supportIssuePayload(t, n)
		guid := fmt.Sprintf("chaos-label-%d", n)
		c.deliver("issues", guid, payload)
		if redeliver[i] { // someone redelivers it from GitHub's settings page
			c.deliver("issues", guid, payload)
		}
	})
	// Slack's Events API: questions in the support channel, each retried once by Slack.
	for i := 0; i < chaosAsked; i++ {
		body := fixture(t, "slack/support.event_callback.message.question.json", func(m map[string]any) {
			m["event_id"] = fmt.Sprintf("Ev0CHAOS%04d", i)
			ev := m["event"].(map[string]any)
			ev["ts"] = fmt.Sprintf("%d.%06d", opened.Unix()+int64(i), i)
			ev["text"] = fmt.Sprintf("Question %d: how do I rotate the deploy key?", i)
		})
		for retry := 0; retry < 2; retry++ {
			c.slack("/slack/events", "application/json", body, c.now())
		}
	}
	c.waitPasses(2)
	c.reconcile(chaosDay + "T16:04:00Z") // GitHub's failed deliveries, redelivered
	c.at(chaosDay + "T16:05:00Z")
	parallel(chaosAcked, func(i int) {
		id := fmt.Sprintf("triage:Codertocat/Hello-World#%d", 101+i)
		c.click("support.block_actions.ack.json", func(m map[string]any) { m["actions"].([]any)[0].(map[string]any)["value"] = id })
		c.click("support.view_submission.ack.json", func(m map[string]any) { m["view"].(map[string]any)["private_metadata"] = id })
	})
	c.waitPasses(2)
	c.tick("SupportTriageFunction", chaosDay+"T16:31:00Z")
	c.tick("SupportTriageFunction", chaosDay+"T16:32:00Z")
}

func supportIssuePayload(t *testing.T, n int) []byte {
	labels := []string{"bug"}
	if (n-101)%chaosUrgent == chaosUrgent-1 {
		labels = append(labels, "p1")
	}
	return fixture(t, "github/issues.labeled.json", supportLabels(labels...), func(m map[string]any) {
		supportIssue(m)["number"] = n
		supportIssue(m)["html_url"] = fmt.Sprintf("https://github.com/Codertocat/Hello-World/issues/%d", n)
		supportIssue(m)["title"] = fmt.Sprintf("Chaos issue %d", n)
	})
}

// monday: the reviews left undone are overdue after two of Carol's business days; then Carol
// reviews one, which closes its HR issue.
func (c *chaos) monday() {
	c.tick("StandupSchedulerFunction", "2019-05-20T08:40:00Z")
	c.at("2019-05-20T09:00:00Z")
	c.click("standup.view_submission.review.json", func(m map[string]any) {
		m["view"].(map[string]any)["private_metadata"] = "hello/ada/" + chaosDay
	})
	c.waitPasses(2)
}

// recover does what operators and GitHub would: the reconcile redelivers failed webhook
// deliveries, the ticks run again, and the dead letters are replayed; the faults stop first,
// so that what happens now is recovery, not more chaos.
func (c *chaos) recover() {
	left, injected := c.st.Faults().Spec()
	c.injected, c.killedAfterEffect = injected, killsAt(c.armed, left, killpoint.EffectRan)
	c.killedMidTick = killsOf(c.armed, left, "StandupSchedulerFunction", killpoint.EffectClaimed)
	c.st.Faults().Clear()
	// Leases of killed instances run out (deadline + store.LeaseMargin) before the replays.
	time.Sleep(11 * time.Second)
	c.reconcile("2019-05-20T09:10:00Z")
	c.tick("StandupSchedulerFunction", "2019-05-20T09:15:00Z")
	c.tick("SupportTriageFunction", "2019-05-20T09:15:00Z")
	for round := 0; round < 3 && len(c.st.DeadLetters()) > 0; round++ {
		c.t.Logf("replaying %d dead letters", len(c.st.DeadLetters()))
		resp, body := c.adminPost("/_local/deadletters/replay")
		if resp != http.StatusOK {
			c.t.Logf("replay round %d: %d %s", round, resp, body)
		}
		c.waitPasses(2)
	}
	if dl := c.st.DeadLetters(); len(dl) > 0 {
		c.t.Errorf("%d dead letters could not be replayed: %+v", len(dl), dl)
	}
}

// reconcile fires the missed-delivery reconcile (every 10 minutes in AWS) and waits for the
// redeliveries it asked for and what they caused.
func (c *chaos) reconcile(ts string) {
	c.t.Helper()
	c.tick("GitHubReconcileFunction", ts)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.st.Standins.WaitHookDeliveries(ctx); err != nil {
		c.t.Fatal(err)
	}
	c.waitPasses(2)
}

func (c *chaos) adminPost(path string) (int, string) {
	req, _ := http.NewRequest(http.MethodPost, c.st.URL+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// effect is one kind of external effect, keyed by what it is about, with how often it
// happened.
type effect struct {
	key   string
	n     int
	calls []standins.Call
}

// effects groups every call the stand-ins acted on into effects, keyed by what they are about
// where the test knows (an issue's announcement, a standup's nag), else by their content and
// where they went. Reads, view updates and idempotent calls (chat.update, conversations.open,
// reactions, views.*, GraphQL project moves, closing an issue) are not effects that could be
// doubled.
func (c *chaos) effects() []*effect {
	by := map[string]*effect{}
	var order []string
	for _, call := range c.st.Outbox().Calls(standins.Filter{NoFaults: true}) {
		if !call.Authorized || call.Status >= 300 {
			continue
		}
		if r, ok := call.Response.(map[string]any); ok && r["ok"] == false {
			continue
		}
		key := effectKey(call)
		if key == "" {
			continue
		}
		e := by[key]
		if e == nil {
			e = &effect{key: key}
			by[key] = e
			order = append(order, key)
		}
		e.n++
		e.calls = append(e.calls, call)
	}
	out := make([]*effect, 0, len(order))
	for _, k := range order {
		out = append(out, by[k])
	}
	return out
}

var (
	issueLink = regexp.MustCompile(`Hello-World/issues/(\d+)`)
	standupID = regexp.MustCompile(`hello/[a-z]+/\d{4}-\d{2}-\d{2}`)
)

// effectKey names the effect a call had, or "" for a call that is not one.
func effectKey(call standins.Call) string {
	b, _ := json.Marshal(call.Request)
	req := string(b)
	switch call.API {
	case "chat.postMessage":
		ch := call.Arg("channel")
		switch {
		case ch == chaosSupport && threadOf(call) == "top" && strings.Contains(req, "support:ack"):
			if m := issueLink.FindStringSubmatch(req); m != nil {
				return "announcement of issue " + m[1]
			}
		case strings.Contains(req, "standup:open"):
			if id := standupID.FindString(req); id != "" {
				return "nag for " + id
			}
		}
		return "post to " + ch + " " + threadOf(call) + " " + fingerprint(call.Arg("text")+call.Arg("blocks"))
	case "issues/create-comment":
		return "comment on " + call.Path + " " + fingerprint(call.Arg("body"))
	case "issues/create":
		return "issue in " + call.Path + ": " + call.Arg("title")
	}
	return ""
}

// threadOf is "top" for a top-level message, else "thread:<parent ts>".
func threadOf(c standins.Call) string {
	if ts := c.Arg("thread_ts"); ts != "" {
		return "thread:" + ts
	}
	return "top"
}

func fingerprint(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:6])
}

// assertOnce checks that each expected effect happened, and none twice (but for the
// effect-ran window, bounded by the kills there).
func (c *chaos) assertOnce(effects []*effect) {
	t := c.t
	// Done twice: only within store.Effects.Once's window (killed after the API call, before
	// the done record), at most once per such kill. Such an effect then counts once below.
	redone, redoneNags, allowed := 0, 0, map[string]bool{}
	for _, e := range effects {
		switch {
		case e.n == 2 && redone < c.killedAfterEffect:
			redone++
			allowed[e.key] = true
			t.Logf("done twice after a kill at %s (the window store.Effects.Once documents): %s", killpoint.EffectRan, e.key)
		case e.n == 2 && strings.HasPrefix(e.key, "nag for ") && redoneNags < c.killedMidTick:
			redoneNags++
			allowed[e.key] = true
			t.Logf("done twice after the scheduler was killed mid-tick (a concurrent nag in the same window): %s", e.key)
		case e.n > 1:
			t.Errorf("done %d times: %s\n%s", e.n, e.key, callsText(e.calls))
		}
	}
	count := func(pred func(standins.Call) bool) int {
		n := 0
		for _, e := range effects {
			for i, call := range e.calls {
				if pred(call) && !(allowed[e.key] && i > 0) {
					n++
				}
			}
		}
		return n
	}
	has := func(call standins.Call, subs ...string) bool {
		b, _ := json.Marshal(call.Request)
		for _, s := range subs {
			if !strings.Contains(string(b), s) {
				return false
			}
		}
		return true
	}
	key := func(k string) func(standins.Call) bool {
		return func(call standins.Call) bool { return effectKey(call) == k }
	}
	type want struct {
		what string
		pred func(standins.Call) bool
		n    int
	}
	var wants []want
	for i := 0; i < chaosIssues; i++ {
		n := 101 + i
		path := fmt.Sprintf("/repos/Codertocat/Hello-World/issues/%d/comments", n)
		wants = append(wants,
			want{"announcement of issue " + strconv.Itoa(n), key("announcement of issue " + strconv.Itoa(n)), 1},
			want{"missing-sections comment on issue " + strconv.Itoa(n), func(call standins.Call) bool {
				return call.API == "issues/create-comment" && call.Path == path && has(call, "Description")
			}, 1})
		if i < chaosAcked {
			wants = append(wants, want{"ack comment on issue " + strconv.Itoa(n), func(call standins.Call) bool {
				return call.API == "issues/create-comment" && call.Path == path && has(call, "Acknowledged")
			}, 1})
		}
	}
	for _, d := range chaosDevs {
		id := "hello/" + d.id + "/" + chaosDay
		nags := 0
		if !d.submit {
			nags = 1
		}
		wants = append(wants, want{"nag for " + id, key("nag for " + id), nags})
		if d.submit && d.blocker != "" {
			wants = append(wants, want{"blocker DM for " + id, func(call standins.Call) bool {
				return call.API == "chat.postMessage" && call.Arg("channel") == chaosDM && has(call, id)
			}, 1})
		}
		if d.submit {
			wants = append(wants, want{"reviewer message listing " + id, func(call standins.Call) bool {
				return call.API == "chat.postMessage" && has(call, "standup:review", id)
			}, 1})
		}
		// Reviews still open on Monday 08:40Z are overdue after two of Carol's business days
		// for London's Thursday-morning submissions; Di's (11:00Z) is not yet.
		title := chaosNames[d.id] + ", " + chaosDay
		overdue := 0
		if d.submit && d.london && d.id != "octo" {
			overdue = 1
		}
		wants = append(wants, want{"HR issue for " + id, func(call standins.Call) bool {
			return call.API == "issues/create" && call.Path == chaosHR && call.Arg("title") == "Standup review overdue: "+title
		}, overdue})
	}
	wants = append(wants, want{"Thursday's digest", func(call standins.Call) bool {
		return call.API == "chat.postMessage" && call.Arg("channel") == chaosDigest && threadOf(call) == "top" && has(call, "Thu")
	}, 1})
	for _, w := range wants {
		if got := count(w.pred); got != w.n {
			t.Errorf("%s: %d, want %d", w.what, got, w.n)
		}
	}
	closes := 0
	for _, call := range c.st.Outbox().Calls(standins.Filter{Service: "github", API: "issues/update", NoFaults: true}) {
		if strings.HasPrefix(call.Path, chaosHR+"/") && call.Arg("state") == "closed" && call.Status < 300 {
			closes++
		}
	}
	if closes == 0 {
		t.Errorf("no HR issue closed; want Ada's, reviewed on Monday")
	}
}

var chaosNames = map[string]string{"octo": "Octo Cat", "ada": "Ada Byron", "bo": "Bo Chen", "cy": "Cy Young", "di": "Di Prince", "ed": "Ed Norton"}

func callsText(calls []standins.Call) string {
	var b strings.Builder
	for _, c := range calls {
		req, _ := json.Marshal(c.Request)
		s := string(req)
		if len(s) > 300 {
			s = s[:300] + "…"
		}
		fmt.Fprintf(&b, "  #%d %s %s %s\n", c.Seq, c.API, c.Path, s)
	}
	return b.String()
}

// assertNothingPending: every effect claimed was recorded done or released; none is stuck.
func (c *chaos) assertNothingPending() {
	var stuck []string
	in := &dynamodb.ScanInput{TableName: aws.String(c.st.Tables["StateTable"]), ConsistentRead: aws.Bool(true)}
	for {
		out, err := c.st.DB.Scan(context.Background(), in)
		if err != nil {
			c.t.Fatal(err)
		}
		for _, it := range out.Items {
			if strings.HasPrefix(store.Str(it, "pk"), "EFFECT#") && store.Str(it, "state") == "pending" {
				stuck = append(stuck, store.Str(it, "pk"))
			}
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	sort.Strings(stuck)
	if len(stuck) > 0 {
		c.t.Errorf("%d effects stuck pending: %v", len(stuck), stuck)
	}
}
