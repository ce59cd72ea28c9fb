package localrun

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// testFunctions are the functions of testdata/template.yaml; each runs the echo binary.
var testFunctions = []string{"ApiFunction", "PartialFunction", "BisectFunction"}

var (
	buildOnce sync.Once
	binDir    string
	echoBin   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// echoBinary builds testdata/echo once per test process, the way the Makefile builds a
// bootstrap.
func echoBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "localrun-echo-")
		if buildErr != nil {
			return
		}
		echoBin = filepath.Join(binDir, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", echoBin, "./testdata/echo")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build testdata/echo: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return echoBin
}

// buildDir lays out <dir>/<LogicalId>/bootstrap for the given functions.
func buildDir(t *testing.T, functions ...string) string {
	t.Helper()
	bin := echoBinary(t)
	dir := t.TempDir()
	for _, f := range functions {
		if err := os.MkdirAll(filepath.Join(dir, f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(bin, filepath.Join(dir, f, "bootstrap")); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// testLog keeps the stack's output and shows it only when the test failed.
type testLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *testLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func randomPrefix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "lr" + hex.EncodeToString(b) + "-"
}

// testOptions are Options for testdata/template.yaml with its own tables and logs.
func testOptions(t *testing.T, functions ...string) (Options, *testLog) {
	t.Helper()
	if len(functions) == 0 {
		functions = testFunctions
	}
	log := &testLog{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("stack output:\n%s", log.String())
		}
	})
	return Options{
		Template:           "testdata/template.yaml",
		BuildDir:           buildDir(t, functions...),
		Addr:               "127.0.0.1:0",
		DynamoDBEndpoint:   dynamotest.Endpoint(t),
		TablePrefix:        randomPrefix(),
		Functions:          functions,
		Log:                log,
		DeadLetterFile:     filepath.Join(t.TempDir(), "deadletter.jsonl"),
		StreamPollInterval: 20 * time.Millisecond,
		StreamRetryBackoff: 5 * time.Millisecond,
		Env:                map[string]string{"TEST_LOG_DIR": t.TempDir()},
	}, log
}

// startStack starts a stack and closes it (and drops its tables) when the test ends.
func startStack(t *testing.T, opts Options) *Stack {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		s.Close()
		for _, name := range s.Tables {
			_, _ = s.DB.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &name})
		}
	})
	return s
}

func newTestDB(t *testing.T, endpoint string) *dynamodb.Client {
	t.Helper()
	db, err := store.NewClient(context.Background(), endpoint)
	if err != nil {
		t.Fatal(err)
	}
	return db
}
