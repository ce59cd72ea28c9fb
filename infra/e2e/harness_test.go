package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

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
}

// startStack starts the functions named (all when none) with configFile pushed as the team
// config, against the test process's DynamoDB Local.
func startStack(t *testing.T, configFile string, functions ...string) *harness {
	t.Helper()
	cfg, err := os.ReadFile(configFile)
	if err != nil {
		t.Fatal(err)
	}
	prefix := make([]byte, 4)
	_, _ = rand.Read(prefix)
	tablePrefix := "e2e" + hex.EncodeToString(prefix) + "-"
	log := &stackLog{}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := localrun.Start(ctx, localrun.Options{
		Template:         "../../template.yaml",
		BuildDir:         bootstraps(t),
		Addr:             "127.0.0.1:0",
		DynamoDBEndpoint: dynamotest.Endpoint(t),
		TablePrefix:      tablePrefix,
		Functions:        functions,
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
	return &harness{t: t, st: st, prefix: tablePrefix}
}

// post sends body to path with headers and returns the status and body of the answer.
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

// phabricator sends a Herald webhook body signed with the local HMAC key.
func (h *harness) phabricator(body []byte) (int, string) {
	h.t.Helper()
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

// wait returns once the stream mappings have processed everything written so far.
func (h *harness) wait() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.st.WaitStreams(ctx); err != nil {
		h.t.Fatalf("streams: %v", err)
	}
}

func fixture(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../events/" + path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
