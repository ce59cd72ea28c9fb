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
	"regexp"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rituals-dev/rituals/infra/faults"
	"github.com/rituals-dev/rituals/infra/localrun"
	"github.com/rituals-dev/rituals/infra/signing"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// makefileFunctions reads LogicalId:directory pairs from the Makefile's FUNCTIONS list, the same
// list `sam build` and `make build` use.
func makefileFunctions() (map[string]string, error) {
	b, err := os.ReadFile("../../Makefile")
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s*(\w+Function):([\w-]+)`).FindAllStringSubmatch(string(b), -1) {
		out[m[1]] = m[2]
	}
	return out, nil
}

// bootstraps builds every function's bootstrap once per test process, with the Makefile's
// flags, for this machine's architecture, and returns the directory holding <LogicalId>/bootstrap.
func bootstraps(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		fns, err := makefileFunctions()
		if err != nil {
			buildErr = err
			return
		}
		if buildDir, buildErr = os.MkdirTemp("", "rituals-e2e-"); buildErr != nil {
			return
		}
		// One go build for all packages compiles them in parallel; binaries are named by directory.
		raw := filepath.Join(buildDir, "raw") + string(filepath.Separator)
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-buildvcs=false", "-o", raw, "./functions/...")
		cmd.Dir = "../.."
		cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build functions: %v\n%s", err, out)
			return
		}
		for id, dir := range fns {
			if err := os.MkdirAll(filepath.Join(buildDir, id), 0o755); err != nil {
				buildErr = err
				return
			}
			if err := os.Rename(filepath.Join(raw, dir), filepath.Join(buildDir, id, "bootstrap")); err != nil {
				buildErr = fmt.Errorf("bootstrap of %s: %w", id, err)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildDir
}

// stackLog keeps the stack's output and shows it when the test fails.
type stackLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *stackLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// harness is one local stack for one test, with its own tables.
type harness struct {
	t  *testing.T
	st *localrun.Stack
	// prefix names this stack's tables: prefix + logical id.
	prefix string
	// now is the stack's clock; Slack requests are signed at its time.
	now func() time.Time
	// settle is how many stream passes each request and schedule firing waits for.
	settle int
	// passTimeout bounds one stream pass; 30s when 0.
	passTimeout time.Duration
	// log is everything the stack and its functions wrote.
	log *stackLog
}

// logText returns what the stack and its functions have logged so far.
func (h *harness) logText() string {
	h.log.mu.Lock()
	defer h.log.mu.Unlock()
	return h.log.buf.String()
}

// stackOptions are what a test may set beyond the config and the functions.
type stackOptions struct {
	// Now is the stack's clock (localrun.Options.Now): the config is pushed, and interactions
	// are signed, at its time. time.Now when nil.
	Now func() time.Time
	// Settle is how many wait passes every request (after its answer) and every schedule
	// firing makes before returning: 0 leaves waiting to the test; 2 also covers the records a
	// function wrote while the first pass ran (an internal event, a chained effect).
	Settle int
	// Faults, Timeouts, StreamRetryBackoff and AsyncRetryDelay go to localrun.Options (the
	// chaos test's).
	Faults             faults.Spec
	Timeouts           map[string]time.Duration
	StreamRetryBackoff time.Duration
	AsyncRetryDelay    time.Duration
	// Secrets are the functions' secrets; localrun.Secrets(nil) when nil.
	Secrets map[string]string
}

// startStack starts the functions named (all when none) with configFile pushed as the team
// config, against the test process's DynamoDB Local.
func startStack(t *testing.T, configFile string, functions ...string) *harness {
	t.Helper()
	return startStackWith(t, configFile, stackOptions{}, functions...)
}

// startStackWith is startStack with opts.
func startStackWith(t *testing.T, configFile string, opts stackOptions, functions ...string) *harness {
	t.Helper()
	cfg, err := os.ReadFile(configFile)
	if err != nil {
		t.Fatal(err)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	secrets := opts.Secrets
	if secrets == nil {
		secrets = localrun.Secrets(nil)
	}
	prefix := make([]byte, 4)
	_, _ = rand.Read(prefix)
	tablePrefix := "e2e" + hex.EncodeToString(prefix) + "-"
	log := &stackLog{}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := localrun.Start(ctx, localrun.Options{
		Template:           "../../template.yaml",
		BuildDir:           bootstraps(t),
		Addr:               "127.0.0.1:0",
		DynamoDBEndpoint:   dynamotest.Endpoint(t),
		TablePrefix:        tablePrefix,
		Functions:          functions,
		Secrets:            secrets,
		DeadLetterFile:     "-",
		Now:                now,
		Log:                log,
		Faults:             opts.Faults,
		Timeouts:           opts.Timeouts,
		StreamRetryBackoff: opts.StreamRetryBackoff,
		AsyncRetryDelay:    opts.AsyncRetryDelay,
		AfterTables: func(ctx context.Context, db *dynamodb.Client, tables map[string]string) error {
			_, err := config.Push(ctx, db, tables["StateTable"], cfg, "e2e", now())
			return err
		},
	})
	if err != nil {
		t.Fatalf("start the stack: %v\n%s", err, log.buf.String())
	}
	// Whatever the test did, no Slack text may carry markup Slack would show wrongly (checked
	// when the test ends, from the outbox, which outlives the stack).
	st.Standins.ExpectCleanSlackText(t)
	t.Cleanup(func() {
		_ = st.Close()
		if t.Failed() {
			log.mu.Lock()
			t.Logf("stack output:\n%s", log.buf.String())
			log.mu.Unlock()
		}
	})
	return &harness{t: t, st: st, prefix: tablePrefix, now: now, settle: opts.Settle, log: log}
}

// post sends body to path with headers and returns the status and body of the answer, after
// the stack's Settle passes of waiting (stackOptions).
func (h *harness) post(path string, headers map[string]string, body []byte) (int, string) {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.st.URL+path, bytes.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	h.waitPasses(h.settle)
	return resp.StatusCode, string(b)
}

// github sends a delivery signed with the local GitHub webhook secret.
func (h *harness) github(event, delivery string, body []byte) (int, string) {
	h.t.Helper()
	return h.post("/webhooks/github", map[string]string{
		"Content-Type": "application/json", "X-GitHub-Event": event, "X-GitHub-Delivery": delivery,
		"X-Hub-Signature-256": signing.GitHub([]byte(localrun.DefaultSecrets["GITHUB_WEBHOOK_SECRET"]), body),
	}, body)
}

// phabricator sends a Herald webhook body, stamped with the stack's time as Herald stamps a
// delivery, signed with the local HMAC key.
func (h *harness) phabricator(body []byte) (int, string) {
	h.t.Helper()
	body = signing.HeraldAt(body, h.now())
	return h.post("/webhooks/phabricator", map[string]string{
		"Content-Type":                    "application/json",
		"X-Phabricator-Webhook-Signature": signing.Phabricator([]byte(localrun.DefaultSecrets["PHABRICATOR_WEBHOOK_HMAC_KEY"]), body),
	}, body)
}

// slack sends a body to a Slack route signed with the local signing secret at time at.
func (h *harness) slack(path, contentType string, body []byte, at time.Time) (int, string) {
	h.t.Helper()
	ts, sig := signing.Slack(localrun.DefaultSecrets["SLACK_SIGNING_SECRET"], body, at)
	return h.post(path, map[string]string{"Content-Type": contentType, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}, body)
}

// interact posts the events/slack interaction fixture file, after edits, as Slack would (a
// form with the payload), signed at the stack's time.
func (h *harness) interact(file string, edits ...func(m map[string]any)) (int, string) {
	h.t.Helper()
	body := url.Values{"payload": {string(fixture(h.t, "slack/"+file, edits...))}}.Encode()
	return h.slack("/slack/interactions", "application/x-www-form-urlencoded", []byte(body), h.now())
}

// schedule fires function's schedule event as if at at, fails the test if an invocation
// failed, and waits as the stack settles.
func (h *harness) schedule(function, event string, at time.Time) {
	h.t.Helper()
	res, err := h.st.FireSchedule(context.Background(), function, event, at)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, r := range res {
		if r.Error != nil {
			h.t.Fatalf("%s %s at %v failed: %s", function, event, at, *r.Error)
		}
	}
	h.waitPasses(h.settle)
}

// wait returns once the stream mappings have processed everything written so far.
func (h *harness) wait() {
	h.t.Helper()
	h.waitPasses(1)
}

// waitPasses waits for the stream mappings n times in a row, each pass within 30 seconds (or
// the harness's passTimeout): a record written while one pass ran is processed by the next.
func (h *harness) waitPasses(n int) {
	h.t.Helper()
	limit := h.passTimeout
	if limit == 0 {
		limit = 30 * time.Second
	}
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		err := h.st.WaitStreams(ctx)
		cancel()
		if err != nil {
			h.t.Fatalf("streams: %v", err)
		}
	}
}

// fixture reads events/<path>, applying edits to its decoded JSON (the file as it is when
// there are none).
func fixture(t *testing.T, path string, edits ...func(m map[string]any)) []byte {
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
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
