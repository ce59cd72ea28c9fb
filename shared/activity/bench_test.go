package activity

import (
	"context"
	"testing"
	"time"
)

// BenchmarkRecordPush20 maps and writes a push of 20 commits (the most a push webhook lists) to
// a branch with an open PR, against DynamoDB Local: one Query for the open PR and one
// BatchWriteItem per 25 items (20 footprint + 20 branch-commit items).
func BenchmarkRecordPush20(b *testing.B) {
	m := newMirror(b)
	ctx := context.Background()
	m.record(b, "pull_request.opened", received)
	ev := delivery(b, "push", "bench", fixture(b, "push", pushToPRBranch(20, "beef", time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))...), received)
	b.ReportAllocs()
	for b.Loop() {
		res, err := m.rec.Record(ctx, ev)
		if err != nil {
			b.Fatal(err)
		}
		if res.Items != 20 {
			b.Fatalf("%d items, want 20", res.Items)
		}
	}
}
