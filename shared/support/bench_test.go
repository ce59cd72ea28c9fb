package support

import (
	"testing"
	"time"
)

// BenchmarkLabelToSlackPost measures the processor's path from a labelled issue's stored
// delivery to the announcement in Slack: config from memory, the request's conditional write
// and stats row in DynamoDB Local, the rotation lookup, the announcement (chat.postMessage),
// the sections comment and the board calls through go-github and slack-go against recording
// servers, and the bookkeeping write. Each iteration is a new issue, so a new request.
func BenchmarkLabelToSlackPost(b *testing.B) {
	h := newHarness(b, testConfig(b))
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	bodies := make([][]byte, b.N)
	for i := range bodies {
		n := i + 1
		bodies[i] = payload(b, "issues.labeled.json", func(m map[string]any) { issueOf(m)["number"] = n })
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := h.issue(b, bodies[i], t0.Add(time.Duration(i)*time.Second)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if got := len(h.fakes.Calls("chat.postMessage")); got != b.N {
		b.Fatalf("%d announcements for %d labels", got, b.N)
	}
}
