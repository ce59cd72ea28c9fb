package ingest_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
)

// BenchmarkGitHubDelivery is one signed push delivery through the handler into DynamoDB Local:
// verify, decode the head, gzip and conditionally put. Its allocations are what each Lambda
// instance's garbage collector pays per webhook.
func BenchmarkGitHubDelivery(b *testing.B) {
	h, _, _ := newGitHub(b)
	body := fixture(b, "github/push.json")
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		resp, _ := h.Handle(ctx, githubRequest("push", "bench-"+strconv.Itoa(i), body))
		if resp.StatusCode != http.StatusAccepted {
			b.Fatalf("answered %d: %s", resp.StatusCode, resp.Body)
		}
	}
}
