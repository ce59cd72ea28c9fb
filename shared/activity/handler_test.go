package activity

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/streams/streamstest"
)

// TestHandler drives the Lambda handler with stream records of deliveries stored the way the
// webhook function stores them, including a payload split into parts and a poison record.
func TestHandler(t *testing.T) {
	t.Parallel()
	huge := make([]byte, 700*1024)
	if _, err := rand.Read(huge); err != nil {
		t.Fatal(err)
	}
	bigMessage := "Big change\n\n" + base64.StdEncoding.EncodeToString(huge)

	type input struct {
		event   string
		payload []byte
	}
	tests := []struct {
		name   string
		inputs []input
		failed []int // indexes of records reported as failed
		kinds  []Kind
		split  bool // a payload is stored in parts
	}{
		{name: "batch in order", inputs: []input{
			{"issues", fixture(t, "issues.opened")},
			{"push", fixture(t, "push")},
			{"pull_request", fixture(t, "pull_request.opened")},
		}, kinds: []Kind{KindCommit, KindIssueOpened, KindPROpened}},
		{name: "payload stored in parts", inputs: []input{
			{"push", fixture(t, "push", set("commits.0.message", bigMessage))},
		}, kinds: []Kind{KindCommit}, split: true},
		{name: "poison record is retried, its neighbours are mirrored", inputs: []input{
			{"issues", fixture(t, "issues.opened")},
			{"pull_request", []byte(`{"action": "opened", "pull_request": `)},
			{"push", fixture(t, "push")},
		}, failed: []int{1}, kinds: []Kind{KindCommit, KindIssueOpened}},
		{name: "events it does not handle", inputs: []input{
			{"ping", fixture(t, "ping")},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			m := newMirror(t)
			evs := store.Events{API: m.client, Table: m.tables.Events}
			var batch events.DynamoDBEvent
			for i, in := range tc.inputs {
				e := store.Event{Key: "github#" + tc.name + itoa(i), Source: "github", Type: in.event, Repo: "Codertocat/Hello-World",
					ReceivedAt: received.Add(time.Duration(i) * time.Millisecond), Payload: in.payload}
				batch.Records = append(batch.Records, streamstest.Put(t, ctx, evs, m.client, e, i+1))
			}
			split := slices.ContainsFunc(batch.Records, func(r events.DynamoDBEventRecord) bool {
				_, ok := r.Change.NewImage["parts"]
				return ok
			})
			if split != tc.split {
				t.Fatalf("payload split into parts: %v, want %v", split, tc.split)
			}
			var logBuf bytes.Buffer
			h := Handler{Recorder: m.rec, Parts: evs, Log: slog.New(slog.NewJSONHandler(&logBuf, nil))}

			// Lambda retries a batch (or redelivers one) as a whole: nothing is written twice.
			for range 2 {
				resp, err := h.Handle(ctx, batch)
				if err != nil {
					t.Fatal(err)
				}
				var failed []int
				for _, f := range resp.BatchItemFailures {
					for i, r := range batch.Records {
						if r.Change.SequenceNumber == f.ItemIdentifier {
							failed = append(failed, i)
						}
					}
				}
				if !slices.Equal(failed, tc.failed) {
					t.Errorf("failed records %v, want %v", failed, tc.failed)
				}
			}
			var kinds []Kind
			for _, it := range m.footprint(t, "Codertocat") {
				kinds = append(kinds, it.Kind)
				if it.Kind == KindCommit && len(it.Message) > MaxMessageBytes {
					t.Errorf("commit message of %d bytes stored", len(it.Message))
				}
			}
			if !slices.Equal(kinds, tc.kinds) {
				t.Errorf("footprint kinds %v, want %v", kinds, tc.kinds)
			}
			if len(tc.failed) > 0 && !strings.Contains(logBuf.String(), `"level":"ERROR"`) {
				t.Errorf("failure not logged: %s", logBuf.String())
			}
		})
	}
}
