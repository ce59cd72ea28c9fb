package streams_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rituals-dev/rituals/shared/streams"
)

func batch(n int) events.DynamoDBEvent {
	var ev events.DynamoDBEvent
	for i := 1; i <= n; i++ {
		ev.Records = append(ev.Records, events.DynamoDBEventRecord{
			EventID:   fmt.Sprintf("id-%d", i),
			EventName: "INSERT",
			Change: events.DynamoDBStreamRecord{
				SequenceNumber: fmt.Sprintf("seq-%d", i),
				NewImage: map[string]events.DynamoDBAttributeValue{
					"pk":      events.NewStringAttribute(fmt.Sprintf("github#delivery-%d", i)),
					"source":  events.NewStringAttribute("github"),
					"event":   events.NewStringAttribute("issues"),
					"action":  events.NewStringAttribute("opened"),
					"repo":    events.NewStringAttribute("octo-org/octo-repo"),
					"payload": events.NewBinaryAttribute([]byte("SECRET-PAYLOAD")),
				},
			},
		})
	}
	return ev
}

func TestHandle(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	tests := []struct {
		name      string
		records   int
		failOn    []string // sequence numbers whose processing fails
		cancel    bool
		processed []string
		failed    []string
	}{
		{name: "all succeed", records: 3, processed: []string{"seq-1", "seq-2", "seq-3"}},
		{name: "empty batch", records: 0},
		{name: "first fails, the rest still run", records: 3, failOn: []string{"seq-1"}, processed: []string{"seq-1", "seq-2", "seq-3"}, failed: []string{"seq-1"}},
		{name: "middle fails", records: 4, failOn: []string{"seq-2"}, processed: []string{"seq-1", "seq-2", "seq-3", "seq-4"}, failed: []string{"seq-2"}},
		{name: "last fails", records: 3, failOn: []string{"seq-3"}, processed: []string{"seq-1", "seq-2", "seq-3"}, failed: []string{"seq-3"}},
		{name: "two fail", records: 4, failOn: []string{"seq-2", "seq-4"}, processed: []string{"seq-1", "seq-2", "seq-3", "seq-4"}, failed: []string{"seq-2", "seq-4"}},
		{name: "context done", records: 2, cancel: true, failed: []string{"seq-1", "seq-2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				cancel()
			}
			var buf bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&buf, nil))
			var processed []string
			resp := streams.HandleLogged(ctx, log, batch(tc.records), func(_ context.Context, rec events.DynamoDBEventRecord) error {
				processed = append(processed, rec.Change.SequenceNumber)
				if slices.Contains(tc.failOn, rec.Change.SequenceNumber) {
					return fmt.Errorf("record %s: %w", rec.EventID, boom)
				}
				return nil
			})
			if !slices.Equal(processed, tc.processed) {
				t.Errorf("processed %v, want %v (in order, once each)", processed, tc.processed)
			}
			var failed []string
			for _, f := range resp.BatchItemFailures {
				failed = append(failed, f.ItemIdentifier)
			}
			if !slices.Equal(failed, tc.failed) {
				t.Errorf("BatchItemFailures %v, want %v", failed, tc.failed)
			}
			if len(tc.failed) == 0 {
				if buf.Len() != 0 {
					t.Errorf("logged on success: %s", buf.String())
				}
				return
			}
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if len(lines) != len(tc.failed) {
				t.Fatalf("want one log line per failed record, got %q", buf.String())
			}
			var line map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &line); err != nil {
				t.Fatalf("log line %q: %v", lines[0], err)
			}
			for field, want := range map[string]any{
				"level": "ERROR", "sequence_number": tc.failed[0], "key": "github#delivery-" + strings.TrimPrefix(tc.failed[0], "seq-"),
				"delivery_id": "delivery-" + strings.TrimPrefix(tc.failed[0], "seq-"), "event": "issues", "action": "opened", "repo": "octo-org/octo-repo",
			} {
				if line[field] != want {
					t.Errorf("log field %s = %v, want %v", field, line[field], want)
				}
			}
			if line["error"] == nil {
				t.Error("log line has no error field")
			}
			if strings.Contains(buf.String(), "SECRET-PAYLOAD") || strings.Contains(buf.String(), "U0VDUkVU") {
				t.Errorf("log line contains the payload: %s", buf.String())
			}
		})
	}
}

func TestHandleUsesDefaultLogger(t *testing.T) {
	t.Parallel()
	resp := streams.Handle(context.Background(), batch(2), func(context.Context, events.DynamoDBEventRecord) error { return nil })
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures: %v", resp.BatchItemFailures)
	}
}

// TestHandleKeepsReserve: a slow batch stops taking records Reserve before the deadline and
// returns its failures while the invocation is still alive; before the fix it ran until Lambda
// killed it and reported nothing, so the whole batch was retried.
func TestHandleKeepsReserve(t *testing.T) {
	t.Parallel()
	deadline := time.Now().Add(streams.Reserve + 300*time.Millisecond)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	var processed []string
	resp := streams.HandleLogged(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), batch(6), func(ctx context.Context, rec events.DynamoDBEventRecord) error {
		select {
		case <-time.After(200 * time.Millisecond):
			processed = append(processed, rec.Change.SequenceNumber)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	if left := time.Until(deadline); left < streams.Reserve/2 {
		t.Fatalf("returned %v before the deadline; want about Reserve (%v) in hand", left, streams.Reserve)
	}
	if len(processed) == 0 || len(processed) >= 6 {
		t.Fatalf("processed %v; want the first records only", processed)
	}
	if got := len(resp.BatchItemFailures); got != 6-len(processed) {
		t.Fatalf("%d failures for %d unprocessed records", got, 6-len(processed))
	}
	if resp.BatchItemFailures[0].ItemIdentifier != fmt.Sprintf("seq-%d", len(processed)+1) {
		t.Fatalf("first failure %s, want the first unprocessed record", resp.BatchItemFailures[0].ItemIdentifier)
	}
}
