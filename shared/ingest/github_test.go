package ingest_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rituals-dev/rituals/infra/signing"
	"github.com/rituals-dev/rituals/shared/httpapi"
	"github.com/rituals-dev/rituals/shared/httpapi/apitest"
	"github.com/rituals-dev/rituals/shared/ingest"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

var (
	secret = []byte("test-github-secret")
	at     = time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	quiet  = slog.New(slog.NewTextHandler(io.Discard, nil))
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../events/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func githubRequest(event, delivery string, body []byte) httpapi.Request {
	return apitest.Request(http.MethodPost, "/webhooks/github", map[string]string{
		"Content-Type":        "application/json",
		"X-GitHub-Event":      event,
		"X-GitHub-Delivery":   delivery,
		"X-Hub-Signature-256": signing.GitHub(secret, body),
	}, body, at)
}

func newGitHub(t testing.TB) (ingest.GitHub, *dynamodb.Client, store.Tables) {
	client, tables := dynamotest.New(t)
	return ingest.GitHub{Secret: secret, Events: store.Events{API: client, Table: tables.Events}, Log: quiet, Now: func() time.Time { return at }}, client, tables
}

func countItems(t *testing.T, client *dynamodb.Client, table string) int {
	t.Helper()
	out, err := client.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table), Select: "COUNT", ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	return int(out.Count)
}

func TestGitHubWebhook(t *testing.T) {
	t.Parallel()
	opened := fixture(t, "github/issues.opened.json")
	tampered := append([]byte{}, opened...)
	tampered[len(tampered)/2] ^= 1
	big := []byte(`{"action":"x","pad":"` + strings.Repeat("a", httpapi.MaxBody) + `"}`)
	cases := []struct {
		name   string
		req    httpapi.Request
		status int
		body   string
		stored int
	}{
		{"new delivery is stored", githubRequest("issues", "d-1", opened), 202, `"accepted"`, 1},
		{"ping is answered, not stored", githubRequest("ping", "d-ping", fixture(t, "github/ping.json")), 200, `"pong"`, 0},
		{"body changed by one byte", func() httpapi.Request {
			r := githubRequest("issues", "d-2", opened)
			r.Body = string(tampered)
			return r
		}(), 401, "signature does not match", 0},
		{"missing signature", func() httpapi.Request {
			r := githubRequest("issues", "d-3", opened)
			delete(r.Headers, "x-hub-signature-256")
			return r
		}(), 401, "missing X-Hub-Signature-256", 0},
		{"wrong secret", func() httpapi.Request {
			r := githubRequest("issues", "d-4", opened)
			r.Headers["x-hub-signature-256"] = signing.GitHub([]byte("other"), opened)
			return r
		}(), 401, "signature does not match", 0},
		{"missing delivery id", githubRequest("issues", "", opened), 400, "X-GitHub-Delivery", 0},
		{"missing event", githubRequest("", "d-5", opened), 400, "X-GitHub-Event", 0},
		{"signed but not JSON", githubRequest("issues", "d-6", []byte("not json")), 400, "not a JSON object", 0},
		{"over 6 MB", githubRequest("issues", "d-7", big), 413, "larger than", 0},
		{"GET", func() httpapi.Request {
			r := githubRequest("issues", "d-8", opened)
			r.RequestContext.HTTP.Method = http.MethodGet
			return r
		}(), 405, "use POST", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, client, tables := newGitHub(t)
			resp, err := h.Handle(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || !strings.Contains(resp.Body, tc.body) {
				t.Fatalf("got %d %q, want %d containing %q", resp.StatusCode, resp.Body, tc.status, tc.body)
			}
			if strings.Count(strings.TrimSpace(resp.Body), "\n") > 0 {
				t.Errorf("reason is not one line: %q", resp.Body)
			}
			if n := countItems(t, client, tables.Events); n != tc.stored {
				t.Errorf("stored %d items, want %d", n, tc.stored)
			}
		})
	}
}

func TestGitHubRedeliveryStoresOnce(t *testing.T) {
	t.Parallel()
	h, client, tables := newGitHub(t)
	body := fixture(t, "github/issues.labeled.json")
	first, _ := h.Handle(context.Background(), githubRequest("issues", "same", body))
	again, _ := h.Handle(context.Background(), githubRequest("issues", "same", body))
	if first.StatusCode != 202 || again.StatusCode != 200 || !strings.Contains(again.Body, "duplicate") {
		t.Fatalf("first %d %s, again %d %s", first.StatusCode, first.Body, again.StatusCode, again.Body)
	}
	if n := countItems(t, client, tables.Events); n != 1 {
		t.Fatalf("stored %d items, want 1", n)
	}
	e, err := store.Events{API: client, Table: tables.Events}.GetEvent(context.Background(), "github#same")
	if err != nil {
		t.Fatal(err)
	}
	if string(e.Payload) != string(body) || e.Type != "issues" || e.Action != "labeled" || e.Repo == "" || !e.ReceivedAt.Equal(at) {
		t.Errorf("stored event = %+v (payload %d bytes)", e, len(e.Payload))
	}
}

func TestGitHubConcurrentRedeliveriesStoreExactlyOne(t *testing.T) {
	t.Parallel()
	h, client, tables := newGitHub(t)
	body := fixture(t, "github/push.json")
	const n = 200
	var wg sync.WaitGroup
	statuses := make(chan int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := h.Handle(context.Background(), githubRequest("push", "concurrent", body))
			if err != nil {
				t.Error(err)
			}
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[202] != 1 || count[200] != n-1 {
		t.Fatalf("statuses %v: want exactly one 202 and %d 200s", count, n-1)
	}
	if got := countItems(t, client, tables.Events); got != 1 {
		t.Fatalf("stored %d items, want 1", got)
	}
}
