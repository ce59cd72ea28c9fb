package streams_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
	"github.com/rituals-dev/rituals/shared/streams"
	"github.com/rituals-dev/rituals/shared/streams/streamstest"
)

// TestEvent stores deliveries the way the webhook functions do and decodes the stream records
// their head items produce, including a payload split into parts.
func TestEvent(t *testing.T) {
	t.Parallel()
	client, tables := dynamotest.New(t)
	evs := store.Events{API: client, Table: tables.Events}
	large := make([]byte, 900*1024) // random bytes do not compress: several parts
	if _, err := rand.Read(large); err != nil {
		t.Fatal(err)
	}
	// Recent, because DynamoDB Local runs TTL on the events table's expires.
	received := time.Now().UTC().Truncate(time.Second).Add(123456789 * time.Nanosecond)
	tests := []struct {
		name string
		ev   store.Event
	}{
		{name: "inline payload", ev: store.Event{Key: "github#small", Source: "github", Type: "issues", Action: "opened",
			Repo: "octo-org/octo-repo", ReceivedAt: received, Payload: []byte(`{"action":"opened"}`)}},
		{name: "payload in parts", ev: store.Event{Key: "github#large", Source: "github", Type: "push",
			Repo: "octo-org/octo-repo", ReceivedAt: received, Payload: large}},
		{name: "test delivery", ev: store.Event{Key: "phabricator#t", Source: "phabricator", Type: "herald", Test: true,
			ReceivedAt: received, Payload: []byte(`{}`)}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			rec := streamstest.Put(t, ctx, evs, client, tc.ev, i+1)
			got, err := streams.Event(ctx, rec, evs)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Payload, tc.ev.Payload) {
				t.Errorf("payload: %d bytes, want %d", len(got.Payload), len(tc.ev.Payload))
			}
			got.Payload, tc.ev.Payload = nil, nil
			if !got.ReceivedAt.Equal(tc.ev.ReceivedAt) {
				t.Errorf("ReceivedAt = %v, want %v", got.ReceivedAt, tc.ev.ReceivedAt)
			}
			got.ReceivedAt, tc.ev.ReceivedAt = time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, tc.ev) {
				t.Errorf("event = %+v, want %+v", got, tc.ev)
			}
		})
	}
}

// TestEventMissingParts fails (and so is retried, then dead-lettered) when a part is gone.
func TestEventMissingParts(t *testing.T) {
	t.Parallel()
	client, tables := dynamotest.New(t)
	evs := store.Events{API: client, Table: tables.Events}
	rec := streamstest.Record(t, nil, 1)
	rec.Change.NewImage = map[string]events.DynamoDBAttributeValue{
		"pk":       events.NewStringAttribute("github#gone"),
		"source":   events.NewStringAttribute("github"),
		"event":    events.NewStringAttribute("push"),
		"received": events.NewStringAttribute("2026-03-02T09:30:00Z"),
		"parts":    events.NewNumberAttribute("2"),
	}
	if _, err := streams.Event(context.Background(), rec, evs); err == nil {
		t.Fatal("want an error for missing parts")
	}
}
