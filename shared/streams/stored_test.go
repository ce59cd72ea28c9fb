package streams_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
	"github.com/rituals-dev/rituals/shared/streams"
	"github.com/rituals-dev/rituals/shared/streams/streamstest"
)

func TestTriggers(t *testing.T) {
	t.Parallel()
	var streamed, ticked int
	var tickAt time.Time
	tr := streams.Triggers{
		Name: "demo",
		Stream: func(_ context.Context, ev events.DynamoDBEvent) events.DynamoDBEventResponse {
			streamed += len(ev.Records)
			return events.DynamoDBEventResponse{}
		},
		Schedule: func(_ context.Context, now time.Time) (any, error) {
			ticked++
			tickAt = now
			return "ok", nil
		},
	}
	tests := []struct {
		name, body string
		wantErr    string
	}{
		{name: "stream batch", body: `{"Records":[{"eventID":"1","eventName":"INSERT","dynamodb":{"SequenceNumber":"1"}}]}`},
		{name: "scheduled event", body: `{"version":"0","detail-type":"Scheduled Event","source":"aws.events","time":"2026-11-23T15:00:00Z","detail":{}}`},
		{name: "neither", body: `{"detail-type":"Something Else","source":"x"}`, wantErr: `demo: neither a stream batch nor a Scheduled Event (detail-type "Something Else", source "x")`},
		{name: "not an object", body: `[1]`, wantErr: "demo: event is not a JSON object"},
	}
	for _, tc := range tests {
		_, err := tr.Invoke(context.Background(), json.RawMessage(tc.body))
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.wantErr)
		}
	}
	if streamed != 1 || ticked != 1 || !tickAt.Equal(time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)) {
		t.Errorf("streamed %d, ticked %d at %v", streamed, ticked, tickAt)
	}
}

// TestHandleEvents hands each record's stored event to fn and reports the records fn failed.
func TestHandleEvents(t *testing.T) {
	t.Parallel()
	client, tables := dynamotest.New(t)
	evs := store.Events{API: client, Table: tables.Events}
	ctx := context.Background()
	var batch events.DynamoDBEvent
	for i, key := range []string{"github#ok", "github#fails"} {
		batch.Records = append(batch.Records, streamstest.Put(t, ctx, evs, client, store.Event{Key: key, Source: "github", Type: "issues",
			ReceivedAt: time.Now().UTC(), Payload: []byte(`{}`)}, i+1))
	}
	var seen []string
	resp := streams.HandleEvents(ctx, nil, batch, evs, func(_ context.Context, e store.Event) error {
		seen = append(seen, e.Key)
		if e.Key == "github#fails" {
			return errors.New("boom")
		}
		return nil
	})
	if strings.Join(seen, ",") != "github#ok,github#fails" || len(resp.BatchItemFailures) != 1 ||
		resp.BatchItemFailures[0].ItemIdentifier != batch.Records[1].Change.SequenceNumber {
		t.Fatalf("seen %v, failures %+v", seen, resp.BatchItemFailures)
	}
}
