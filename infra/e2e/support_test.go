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

// The support feature's end-to-end tests: the real bootstraps behind the local API Gateway,
// stream mappings and schedules of template.yaml, DynamoDB Local and the stand-ins, driven
// with signed real payloads (events/github from @octokit/webhooks-examples, events/slack
// shaped like Slack's documentation). The team config is shared/support/testdata/rituals.yaml:
// team "triage" takes label "bug" in Codertocat/Hello-World, the fixtures' repository.

// supportFunctions are the functions the support flow needs.
var supportFunctions = map[string]string{
	"GitHubWebhookFunction":     "github-webhook",
	"SlackInteractionsFunction": "slack-interactions",
	"SlackCommandsFunction":     "slack-commands",
	"SupportTriageFunction":     "support-triage",
}

var (
	supportBuildOnce sync.Once
	supportBuildDir  string
	supportBuildErr  error
)

// supportBuild builds the bootstraps once per test process, as the Makefile's build targets
// do (for this machine's architecture).
func supportBuild(t *testing.T) string {
	t.Helper()
	supportBuildOnce.Do(func() {
		supportBuildDir, supportBuildErr = os.MkdirTemp("", "rituals-e2e-support-")
		if supportBuildErr != nil {
			return
		}
		for id, dir := range supportFunctions {
			cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-buildvcs=false",
				"-o", filepath.Join(supportBuildDir, id, "bootstrap"), "./functions/"+dir)
			cmd.Dir = "../.."
			cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				supportBuildErr = fmt.Errorf("build %s: %v\n%s", id, err, out)
				return
			}
		}
	})
	if supportBuildErr != nil {
		t.Fatal(supportBuildErr)
	}
	return supportBuildDir
}

// supportLog keeps the stack's output and shows it when the test failed.
type supportLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *supportLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// supportStack starts a stack with the support functions and the test team config pushed.
func supportStack(t *testing.T) *localrun.Stack {
	t.Helper()
	cfg, err := os.ReadFile("../../shared/support/testdata/rituals.yaml")
	if err != nil {
		t.Fatal(err)
	}
	prefix := make([]byte, 4)
	_, _ = rand.Read(prefix)
	log := &supportLog{}
	ids := make([]string, 0, len(supportFunctions))
	for id := range supportFunctions {
		ids = append(ids, id)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := localrun.Start(ctx, localrun.Options{
		Template:         "../../template.yaml",
		BuildDir:         supportBuild(t),
		Addr:             "127.0.0.1:0",
		DynamoDBEndpoint: dynamotest.Endpoint(t),
		TablePrefix:      "sup" + hex.EncodeToString(prefix) + "-",
		Functions:        ids,
		Secrets:          localrun.Secrets(nil),
		DeadLetterFile:   "-",
		Log:              log,
		AfterTables: func(ctx context.Context, db *dynamodb.Client, tables map[string]string) error {
			_, err := config.Push(ctx, db, tables["StateTable"], cfg, "e2e", time.Now())
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
	return st
}

// supportSendGitHub posts a signed GitHub delivery and waits until the streams processed it.
func supportSendGitHub(t *testing.T, st *localrun.Stack, event, delivery string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, st.URL+"/webhooks/github", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", delivery)
	req.Header.Set("X-Hub-Signature-256", signing.GitHub([]byte(localrun.DefaultSecrets["GITHUB_WEBHOOK_SECRET"]), body))
	return supportDo(t, st, req)
}

// supportSendSlack posts a signed Slack request (interaction payload or command form).
func supportSendSlack(t *testing.T, st *localrun.Stack, path string, form url.Values) (int, string) {
	t.Helper()
	body := []byte(form.Encode())
	req, _ := http.NewRequest(http.MethodPost, st.URL+path, bytes.NewReader(body))
	ts, sig := signing.Slack(localrun.DefaultSecrets["SLACK_SIGNING_SECRET"], body, time.Now())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	supportWait(t, st)
	return resp.StatusCode, string(b)
}

func supportDo(t *testing.T, st *localrun.Stack, req *http.Request) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	supportWait(t, st)
	return resp.StatusCode
}

func supportWait(t *testing.T, st *localrun.Stack) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := st.WaitStreams(ctx); err != nil {
		t.Fatalf("streams: %v", err)
	}
	// A record an interactive handler wrote while the first wait ran is processed by now too.
	if err := st.WaitStreams(ctx); err != nil {
		t.Fatalf("streams: %v", err)
	}
}

// supportTick fires the support function's schedule as if at at.
func supportTick(t *testing.T, st *localrun.Stack, at time.Time) {
	t.Helper()
	res, err := st.FireSchedule(context.Background(), "SupportTriageFunction", "Tick", at)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Error != nil {
			t.Fatalf("tick at %v failed: %s", at, *r.Error)
		}
	}
	supportWait(t, st)
}

// supportFixture reads a fixture file, applying edits to its decoded JSON (values only).
func supportFixture(t *testing.T, path string, edits ...func(m map[string]any)) []byte {
	t.Helper()
	b, err := os.ReadFile("../../events/" + path)
	if err != nil {
		t.Fatal(err)
	}
	if len(edits) == 0 {
		return b
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		e(m)
	}
	out, _ := json.Marshal(m)
	return out
}

func supportIssue(m map[string]any) map[string]any { return m["issue"].(map[string]any) }

// supportLabels replaces the issue's labels, in the shape of its first one.
func supportLabels(names ...string) func(map[string]any) {
	return func(m map[string]any) {
		proto := supportIssue(m)["labels"].([]any)[0].(map[string]any)
		var ls []any
		for _, n := range names {
			l := map[string]any{}
			for k, v := range proto {
				l[k] = v
			}
			l["name"] = n
			ls = append(ls, l)
		}
		supportIssue(m)["labels"] = ls
	}
}

// supportClosed derives the "closed" delivery from the real reopened one: @octokit's package
// has no issues.closed example (see events/README.md).
func supportClosed(t *testing.T) []byte {
	return supportFixture(t, "github/issues.reopened.json", func(m map[string]any) {
		m["action"] = "closed"
		supportIssue(m)["state"] = "closed"
		supportIssue(m)["updated_at"] = "2021-10-12T09:00:00Z"
		supportIssue(m)["closed_at"] = "2021-10-12T09:00:00Z"
	})
}

// supportCalls returns the outbox calls to service/api after since.
func supportCalls(st *localrun.Stack, service, api string, since int64) []standins.Call {
	return st.Outbox().Calls(standins.Filter{Service: service, API: api, Since: since})
}

func supportArg(c standins.Call, k string) string {
	m, _ := c.Request.(map[string]any)
	switch v := m[k].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// supportTopLevel are chat.postMessage calls to the support channel outside any thread.
func supportTopLevel(cs []standins.Call) []standins.Call {
	var out []standins.Call
	for _, c := range cs {
		if supportArg(c, "channel") == "C0TRIAGESUP" && supportArg(c, "thread_ts") == "" && !strings.Contains(supportArg(c, "text"), "handover") {
			out = append(out, c)
		}
	}
	return out
}

func supportDMs(st *localrun.Stack, since int64) []string {
	var users []string
	for _, c := range supportCalls(st, "slack", "conversations.open", since) {
		users = append(users, supportArg(c, "users"))
	}
	return users
}

// supportInteraction posts an events/slack interaction fixture with edits.
func supportInteraction(t *testing.T, st *localrun.Stack, fixture string, edits ...func(m map[string]any)) (int, string) {
	t.Helper()
	return supportSendSlack(t, st, "/slack/interactions", url.Values{"payload": {string(supportFixture(t, "slack/"+fixture, edits...))}})
}

// TestSupportLabelAnnouncesOnce: the label gives one channel post and one missing-sections
// comment; the same delivery again, and a second delivery of the same state, give nothing new.
func TestSupportLabelAnnouncesOnce(t *testing.T) {
	t.Parallel()
	st := supportStack(t)
	labeled := supportFixture(t, "github/issues.labeled.json")
	if code := supportSendGitHub(t, st, "issues", "sup-label-1", labeled); code != http.StatusAccepted {
		t.Fatalf("webhook answered %d", code)
	}
	posts := supportTopLevel(supportCalls(st, "slack", "chat.postMessage", 0))
	comments := supportCalls(st, "github", "issues/create-comment", 0)
	if len(posts) != 1 || !strings.Contains(supportArg(posts[0], "blocks"), "support:ack") {
		t.Fatalf("announcements: %+v", posts)
	}
	if len(comments) != 1 || comments[0].Path != "/repos/Codertocat/Hello-World/issues/1/comments" ||
		!strings.Contains(supportArg(comments[0], "body"), "**Description**, **Background** and **Impact**") {
		t.Fatalf("sections comments: %+v", comments)
	}
	last := st.Outbox().Last()
	supportSendGitHub(t, st, "issues", "sup-label-1", labeled)                                         // redelivery
	supportSendGitHub(t, st, "issues", "sup-opened-1", supportFixture(t, "github/issues.opened.json")) // same state, same second
	for _, c := range supportCalls(st, "", "", last) {
		t.Errorf("redelivery caused %s %s", c.Service, c.API)
	}
}

// TestSupportAckCommentsAndUpdates: Acknowledge (real block_actions shape) opens the modal;
// the submission (real view_submission shape) gives a GitHub comment, a message update, a
// thread line and a DM to the requester.
func TestSupportAckCommentsAndUpdates(t *testing.T) {
	t.Parallel()
	st := supportStack(t)
	supportSendGitHub(t, st, "issues", "sup-ack-1", supportFixture(t, "github/issues.labeled.json"))
	since := st.Outbox().Last()
	if code, body := supportInteraction(t, st, "support.block_actions.ack.json"); code != 200 {
		t.Fatalf("block_actions: %d %s", code, body)
	}
	views := supportCalls(st, "slack", "views.open", since)
	if len(views) != 1 || !strings.Contains(supportArg(views[0], "view"), `"callback_id":"support:ack_modal"`) {
		t.Fatalf("views.open: %+v", views)
	}
	// A bad ETA keeps the modal open with the field's error.
	code, body := supportInteraction(t, st, "support.view_submission.ack.json", func(m map[string]any) {
		m["view"].(map[string]any)["state"].(map[string]any)["values"].(map[string]any)["eta"].(map[string]any)["eta"].(map[string]any)["value"] = "whenever"
	})
	if code != 200 || !strings.Contains(body, `"response_action":"errors"`) || !strings.Contains(body, `"eta"`) {
		t.Fatalf("bad ETA: %d %s", code, body)
	}
	since = st.Outbox().Last()
	if code, body := supportInteraction(t, st, "support.view_submission.ack.json"); code != 200 || strings.Contains(body, "errors") {
		t.Fatalf("view_submission: %d %s", code, body)
	}
	comments := supportCalls(st, "github", "issues/create-comment", since)
	if len(comments) != 1 || !strings.Contains(supportArg(comments[0], "body"), "**Acknowledged** by Ann Lee (@ann-lee)") ||
		!strings.Contains(supportArg(comments[0], "body"), "> Which README did you read") {
		t.Fatalf("ack comment: %+v", comments)
	}
	updates := supportCalls(st, "slack", "chat.update", since)
	if len(updates) != 1 || !strings.Contains(supportArg(updates[0], "blocks"), "Acknowledged by") {
		t.Fatalf("chat.update: %+v", updates)
	}
	if dms := supportDMs(st, since); len(dms) != 1 || dms[0] != "U0OCTO0006" {
		t.Fatalf("requester DM: %v", dms)
	}
	// An outsider clicking gets the ephemeral refusal.
	since = st.Outbox().Last()
	supportInteraction(t, st, "support.block_actions.ack.json", func(m map[string]any) { m["user"].(map[string]any)["id"] = "U0ZED00007" })
	if eph := supportCalls(st, "slack", "chat.postEphemeral", since); len(eph) != 1 || supportArg(eph[0], "text") != "Only Triage can acknowledge this support request." {
		t.Fatalf("outsider: %+v", eph)
	}
}

// TestSupportCloseResolves: closing the issue resolves the request; its buttons then say it no
// longer exists.
func TestSupportCloseResolves(t *testing.T) {
	t.Parallel()
	st := supportStack(t)
	supportSendGitHub(t, st, "issues", "sup-close-1", supportFixture(t, "github/issues.labeled.json"))
	since := st.Outbox().Last()
	supportSendGitHub(t, st, "issues", "sup-close-2", supportClosed(t))
	updates := supportCalls(st, "slack", "chat.update", since)
	if len(updates) != 1 || !strings.Contains(supportArg(updates[0], "blocks"), "Resolved") || strings.Contains(supportArg(updates[0], "blocks"), "support:ack") {
		t.Fatalf("update on close: %+v", updates)
	}
	var resolved int
	for _, c := range supportCalls(st, "slack", "chat.postMessage", since) {
		if supportArg(c, "thread_ts") != "" && strings.Contains(supportArg(c, "text"), "request resolved") {
			resolved++
		}
	}
	if resolved != 1 {
		t.Fatalf("%d resolved thread lines", resolved)
	}
	since = st.Outbox().Last()
	supportInteraction(t, st, "support.block_actions.ack.json")
	if eph := supportCalls(st, "slack", "chat.postEphemeral", since); len(eph) != 1 || !strings.Contains(supportArg(eph[0], "text"), "no longer exists") {
		t.Fatalf("stale button: %+v", eph)
	}
}

// TestSupportUrgentNagsStopAfterAck: a p1 DMs the engineer on rotation at once and at each
// interval (schedule fired with a chosen time), and no more once acknowledged.
func TestSupportUrgentNagsStopAfterAck(t *testing.T) {
	t.Parallel()
	st := supportStack(t)
	opened := time.Now()
	supportSendGitHub(t, st, "issues", "sup-p1-1", supportFixture(t, "github/issues.labeled.json", supportLabels("bug", "p1")))
	if dms := supportDMs(st, 0); len(dms) != 1 {
		t.Fatalf("p1 did not page at once: %v", dms)
	}
	since := st.Outbox().Last()
	supportTick(t, st, opened.Add(31*time.Minute))
	supportTick(t, st, opened.Add(32*time.Minute))
	if dms := supportDMs(st, since); len(dms) != 1 {
		t.Fatalf("nags after 31 and 32 minutes: %v", dms)
	}
	supportInteraction(t, st, "support.view_submission.ack.json")
	since = st.Outbox().Last()
	for _, after := range []time.Duration{61 * time.Minute, 3 * time.Hour} {
		supportTick(t, st, opened.Add(after))
	}
	if dms := supportDMs(st, since); len(dms) != 0 {
		t.Fatalf("nagged after the ack: %v", dms)
	}
}

// TestSupportHandoverAcrossDST: the handover is posted once, at 09:00 Europe/London on the
// Monday after the clocks go forward (08:00 UTC), naming that week's engineer.
func TestSupportHandoverAcrossDST(t *testing.T) {
	t.Parallel()
	st := supportStack(t)
	handovers := func(since int64) []standins.Call {
		var out []standins.Call
		for _, c := range supportCalls(st, "slack", "chat.postMessage", since) {
			if strings.Contains(supportArg(c, "text"), "Support handover") {
				out = append(out, c)
			}
		}
		return out
	}
	supportTick(t, st, time.Date(2026, 3, 30, 7, 55, 0, 0, time.UTC))
	if got := handovers(0); len(got) != 0 {
		t.Fatalf("handover before 09:00 BST: %s", supportArg(got[0], "text"))
	}
	supportTick(t, st, time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC))
	supportTick(t, st, time.Date(2026, 3, 30, 8, 5, 0, 0, time.UTC))
	got := handovers(0)
	if len(got) != 1 || supportArg(got[0], "channel") != "C0TRIAGESUP" || !strings.Contains(supportArg(got[0], "text"), "<@U0ANN00001> is on support until Mon 6 Apr 09:00 BST") {
		t.Fatalf("handovers: %+v", got)
	}
}
