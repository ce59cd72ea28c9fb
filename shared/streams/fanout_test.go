package streams_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
	"github.com/rituals-dev/rituals/shared/streams"
	"github.com/rituals-dev/rituals/shared/streams/streamstest"
)

// seen records the events a processor was given, and fails on one key.
type seen struct {
	keys   []string
	failOn string
}

func (s *seen) Event(_ context.Context, e store.Event) error {
	s.keys = append(s.keys, e.Key)
	if e.Key == s.failOn {
		return errors.New("boom")
	}
	return nil
}

// TestFanout: every processor sees every record, in order; a record fails when one of them
// failed on it, and only that record.
func TestFanout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, tables := dynamotest.New(t)
	evs := store.Events{API: db, Table: tables.Events}
	at := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
	var recs []events.DynamoDBEventRecord
	for i, k := range []string{"a", "b", "c"} {
		recs = append(recs, streamstest.Put(t, ctx, evs, db, store.Event{Key: k, Source: "rituals", Type: "x.y", ReceivedAt: at, Payload: []byte("{}")}, i+1))
	}
	one, two := &seen{}, &seen{failOn: "b"}
	resp, err := streams.Fanout{Processors: []streams.Processor{one, two}, Parts: evs}.Handle(ctx, events.DynamoDBEvent{Records: recs})
	if err != nil {
		t.Fatal(err)
	}
	if len(one.keys) != 3 || len(two.keys) != 3 || one.keys[2] != "c" {
		t.Fatalf("seen %v and %v", one.keys, two.keys)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != recs[1].Change.SequenceNumber {
		t.Fatalf("failures %+v", resp.BatchItemFailures)
	}
}
