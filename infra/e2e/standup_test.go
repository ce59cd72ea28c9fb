package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rituals-dev/rituals/infra/localrun"
	"github.com/rituals-dev/rituals/infra/signing"
	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// The standup feature end to end: the real bootstraps behind the local API Gateway, the
// schedule and stream mappings of template.yaml, DynamoDB Local and the stand-ins. Real GitHub
// payloads (events/github: Codertocat in Codertocat/Hello-World, May 2019) build the footprint;
// the team config is shared/standup/testdata/flow.yaml (Octo = Codertocat in London, Mona in
// New York, Frank the delivery manager, Carol the client's reviewer). The stack's clock is set
// to the simulated day, so the Slack requests are signed and stamped at those times.

var standupFunctions = map[string]string{
	"GitHubWebhookFunction":     "github-webhook",
	"ActivityRecorderFunction":  "activity-recorder",
	"SlackInteractionsFunction": "slack-interactions",
	"SlackCommandsFunction":     "slack-commands",
	"StandupSchedulerFunction":  "standup-scheduler",
	"StandupProcessorFunction":  "standup-processor",
}

var (
	standupBuildOnce sync.Once
	standupBuildDir  string
	standupBuildErr  error
)

func standupBuild(t *testing.T) string {
	t.Helper()
	standupBuildOnce.Do(func() {
		standupBuildDir, standupBuildErr = os.MkdirTemp("", "rituals-e2e-standup-")
		if standupBuildErr != nil {
			return
		}
		for id, dir := range standupFunctions {
			cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-buildvcs=false",
				"-o", filepath.Join(standupBuildDir, id, "bootstrap"), "./functions/"+dir)
			cmd.Dir = "../.."
			cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				standupBuildErr = fmt.Errorf("build %s: %v\n%s", id, err, out)
				return
			}
		}
	})
	if standupBuildErr != nil {
		t.Fatal(standupBuildErr)
	}
	return standupBuildDir
}

// standupClock is the stack's settable clock.
type standupClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *standupClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *standupClock) Set(s string) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t, _ = time.Parse(time.RFC3339, s)
	return c.t
}

type standupLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *standupLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

type standupE2E struct {
	t     *testing.T
	st    *localrun.Stack
	clock *standupClock
	seen  int64
}

func standupStart(t *testing.T) *standupE2E {
	t.Helper()
	cfg, err := os.ReadFile("../../shared/standup/testdata/flow.yaml")
	if err != nil {
		t.Fatal(err)
	}
	clock := &standupClock{}
	clock.Set("2019-05-16T04:00:00Z")
	prefix := make([]byte, 4)
	_, _ = rand.Read(prefix)
	log := &standupLog{}
	var ids []string
	for id := range standupFunctions {
		ids = append(ids, id)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := localrun.Start(ctx, localrun.Options{
		Template:         "../../template.yaml",
		BuildDir:         standupBuild(t),
		Addr:             "127.0.0.1:0",
		DynamoDBEndpoint: dynamotest.Endpoint(t),
		TablePrefix:      "sup" + hex.EncodeToString(prefix) + "-",
		Functions:        ids,
		Secrets:          localrun.Secrets(nil),
		DeadLetterFile:   "-",
		Log:              log,
		Now:              clock.Now,
		AfterTables: func(ctx context.Context, db *dynamodb.Client, tables map[string]string) error {
			_, err := config.Push(ctx, db, tables["StateTable"], cfg, "e2e", clock.Now())
			return err
		},
	})
	if err != nil {
		t.Fatalf("start the stack: %v\n%s", err, log.buf.String())
	}
	t.Cleanup(func() {
		_ = st.Close()
		if t.Failed() {
			log.mu.Lock()
			t.Logf("stack output:\n%s", log.buf.String())
			log.mu.Unlock()
		}
	})
	return &standupE2E{t: t, st: st, clock: clock}
}

func (e *standupE2E) wait() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i := 0; i < 2; i++ {
		if err := e.st.WaitStreams(ctx); err != nil {
			e.t.Fatalf("streams: %v", err)
		}
	}
}

func (e *standupE2E) github(file string) {
	e.t.Helper()
	body, err := os.ReadFile("../../events/github/" + file)
	if err != nil {
		e.t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, e.st.URL+"/webhooks/github", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", strings.SplitN(file, ".", 2)[0])
	req.Header.Set("X-GitHub-Delivery", "standup-e2e-"+file)
	req.Header.Set("X-Hub-Signature-256", signing.GitHub([]byte(localrun.DefaultSecrets["GITHUB_WEBHOOK_SECRET"]), body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		e.t.Fatalf("github %s: %d", file, resp.StatusCode)
	}
	e.wait()
}

// slack posts a signed Slack interaction (payload from a fixture, optionally edited) at the
// stack's current time and returns the answer.
func (e *standupE2E) slack(file string, edit func(map[string]any)) (int, string) {
	e.t.Helper()
	data, err := os.ReadFile("../../events/slack/" + file)
	if err != nil {
		e.t.Fatal(err)
	}
	if edit != nil {
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			e.t.Fatal(err)
		}
		edit(m)
		data, _ = json.Marshal(m)
	}
	body := []byte(url.Values{"payload": {string(data)}}.Encode())
	req, _ := http.NewRequest(http.MethodPost, e.st.URL+"/slack/interactions", bytes.NewReader(body))
	ts, sig := signing.Slack(localrun.DefaultSecrets["SLACK_SIGNING_SECRET"], body, e.clock.Now())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	e.wait()
	return resp.StatusCode, string(b)
}

// fire fires the standup schedule as if at at (and sets the clock there).
func (e *standupE2E) fire(at string) {
	e.t.Helper()
	when := e.clock.Set(at)
	res, err := e.st.FireSchedule(context.Background(), "StandupSchedulerFunction", "Tick", when)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, r := range res {
		if r.Error != nil {
			e.t.Fatalf("tick at %s failed: %s", at, *r.Error)
		}
	}
	e.wait()
}

// calls returns the outbox calls since the previous calls().
func (e *standupE2E) calls() []standins.Call {
	all := e.st.Outbox().Calls(standins.Filter{Since: e.seen})
	if n := len(all); n > 0 {
		e.seen = all[n-1].Seq
	}
	return all
}

func standupJSON(c standins.Call) string {
	b, _ := json.Marshal(c.Request)
	return string(b)
}

func standupExpect(t *testing.T, what string, calls []standins.Call, api string, subs ...string) standins.Call {
	t.Helper()
	for _, c := range calls {
		if c.API != api {
			continue
		}
		body := standupJSON(c)
		ok := true
		for _, s := range subs {
			if !strings.Contains(body, s) {
				ok = false
			}
		}
		if ok {
			if c.Status >= 300 || !c.Authorized {
				t.Fatalf("%s: %s answered %d (authorized %v): %v", what, api, c.Status, c.Authorized, c.Response)
			}
			if r, _ := c.Response.(map[string]any); r != nil && r["ok"] == false {
				t.Fatalf("%s: %s refused: %v", what, api, r)
			}
			return c
		}
	}
	var seen []string
	for _, c := range calls {
		seen = append(seen, c.API+" "+standupJSON(c))
	}
	t.Fatalf("%s: no %s call with %q among:\n%s", what, api, subs, strings.Join(seen, "\n"))
	return standins.Call{}
}

func standupNone(t *testing.T, what string, calls []standins.Call) {
	t.Helper()
	if len(calls) > 0 {
		var seen []string
		for _, c := range calls {
			seen = append(seen, c.API)
		}
		t.Fatalf("%s: want no calls, got %v", what, seen)
	}
}

func TestStandupEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	e := standupStart(t)

	// Octo's footprint, from real GitHub payloads.
	for _, f := range []string{"issues.opened.json", "issue_comment.created.json", "issues.assigned.json", "pull_request.opened.json", "push.json"} {
		e.github(f)
	}
	e.calls()

	// Due time: 06:00 in London (BST) = 05:00Z. The standup is created silently; the same
	// tick again changes nothing.
	e.fire("2019-05-16T05:00:00Z")
	e.fire("2019-05-16T05:00:00Z")
	standupNone(t, "due tick", e.calls())

	// Nag time, 09:30 BST: one DM with a Fill in button; the same tick again sends nothing.
	e.fire("2019-05-16T08:30:00Z")
	standupExpect(t, "nag", e.calls(), "chat.postMessage", "U0OCTOCAT1", "standup:open", "hello/octo/2019-05-16", "Fill in")
	e.fire("2019-05-16T08:30:00Z")
	standupNone(t, "repeated nag tick", e.calls())

	// Fill in opens the modal pre-filled from the footprint.
	e.clock.Set("2019-05-16T08:31:00Z")
	if code, _ := e.slack("standup.block_actions.open.json", nil); code != http.StatusOK {
		t.Fatalf("open: %d", code)
	}
	standupExpect(t, "modal", e.calls(), "views.open", "standup:submit", "Codertocat/Hello-World", "Spelling error in the README file", "opened PR")

	// Submit through the real view_submission payload: the blocker goes to Frank at once.
	e.clock.Set("2019-05-16T08:35:00Z")
	if code, body := e.slack("standup.view_submission.submit.json", nil); code != http.StatusOK || strings.Contains(body, "errors") {
		t.Fatalf("submit: %d %s", code, body)
	}
	standupExpect(t, "blocker escalation", e.calls(), "chat.postMessage", "U0FRANK001", "Waiting for review rights", "standup:view")

	// Digest at 10:30 BST and the reviewer's message with a Review button.
	e.fire("2019-05-16T09:30:00Z")
	calls := e.calls()
	standupExpect(t, "digest", calls, "chat.postMessage", "C0OCTODIG1", "Fix the README spelling", "Waiting for review rights", "Mona Lisa")
	standupExpect(t, "reviewer message", calls, "chat.postMessage", "U0CAROL001", "standup:review", "hello/octo/2019-05-16")
	e.fire("2019-05-16T09:30:00Z")
	standupNone(t, "repeated digest tick", e.calls())

	// Mona (New York) submits after the digest: her standup goes to the digest's thread.
	e.fire("2019-05-16T10:00:00Z")
	e.calls()
	e.clock.Set("2019-05-16T10:05:00Z")
	if code, body := e.slack("standup.view_submission.submit.json", func(m map[string]any) {
		m["user"].(map[string]any)["id"] = "U0MONA0001"
		m["view"].(map[string]any)["private_metadata"] = "hello/mona/2019-05-16"
	}); code != http.StatusOK || strings.Contains(body, "errors") {
		t.Fatalf("late submit: %d %s", code, body)
	}
	standupExpect(t, "late standup in the digest thread", e.calls(), "chat.postMessage", "C0OCTODIG1", "thread_ts", "Mona Lisa")

	// Octo's review is overdue after two of Carol's business days (Monday 08:35Z): one issue
	// in the HR repo, assigned to Carol; the same tick again opens none.
	e.fire("2019-05-20T08:40:00Z")
	issue := standupExpect(t, "overdue HR issue", e.calls(), "issues/create", "Standup review overdue: Octo Cat, 2019-05-16", "carol-hr")
	if !strings.Contains(issue.Path, "/repos/Codertocat/hr/issues") {
		t.Fatalf("issue opened at %s", issue.Path)
	}
	e.fire("2019-05-20T08:40:00Z")
	standupNone(t, "repeated overdue tick", e.calls())

	// Review: the reviewer's modal, Mark reviewed, and the issue closes itself.
	e.clock.Set("2019-05-20T09:00:00Z")
	e.slack("standup.block_actions.review.json", nil)
	standupExpect(t, "review modal", e.calls(), "views.open", "standup:review_submit", "Mark reviewed")
	if code, body := e.slack("standup.view_submission.review.json", nil); code != http.StatusOK || strings.Contains(body, "errors") {
		t.Fatalf("review: %d %s", code, body)
	}
	standupExpect(t, "issue closed", e.calls(), "issues/update", "closed")

	if dl := e.st.DeadLetters(); len(dl) > 0 {
		t.Fatalf("dead letters: %+v", dl)
	}
}
