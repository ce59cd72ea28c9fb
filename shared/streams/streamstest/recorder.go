package streamstest

import (
	"context"
	"sort"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/streams"
)

// Recorder is an events table that remembers, in order, the events put through it, so that a
// test can hand them to processors as the stream mapping would (Drain), without a stream.
// Events that a store wrote into the table in a transaction with its change (store.EventPut)
// never pass through PutEvent; Take finds them in the table, as the stream would.
type Recorder struct {
	store.Events
	mu      sync.Mutex
	pending []store.Event
	seen    map[string]bool
}

// PutEvent stores e (see store.Events.PutEvent) and, when it was new, queues it.
func (r *Recorder) PutEvent(ctx context.Context, e store.Event) error {
	if err := r.Events.PutEvent(ctx, e); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending = append(r.pending, e)
	r.markSeen(e.Key)
	return nil
}

func (r *Recorder) markSeen(key string) {
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	r.seen[key] = true
}

// scanner is the events table's Scan, which *dynamodb.Client has.
type scanner interface {
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// Take returns the queued events, then those written into the table by transactions since
// the last Take (in the order they were received), and forgets them.
func (r *Recorder) Take() []store.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.pending
	r.pending = nil
	return append(out, r.written()...)
}

// written reads the table for event heads not seen yet. r.mu is held.
func (r *Recorder) written() []store.Event {
	sc, ok := r.Events.API.(scanner)
	if !ok {
		return nil
	}
	ctx := context.Background()
	var found []store.Event
	in := &dynamodb.ScanInput{TableName: aws.String(r.Table), ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String("pk"), FilterExpression: aws.String("attribute_exists(#source)"),
		ExpressionAttributeNames: map[string]string{"#source": "source"}}
	for {
		page, err := sc.Scan(ctx, in)
		if err != nil {
			return found // the test's own calls will show what is wrong with the table
		}
		for _, it := range page.Items {
			key := store.Str(it, "pk")
			if r.seen[key] {
				continue
			}
			if e, err := r.Events.GetEvent(ctx, key); err == nil {
				found = append(found, e)
				r.markSeen(key)
			}
		}
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].ReceivedAt.Before(found[j].ReceivedAt) })
	return found
}

// Drain hands every queued event to p, in order, until processing queues no more; it fails
// the test on the first error.
func (r *Recorder) Drain(t testing.TB, p streams.Processor) {
	t.Helper()
	for evs := r.Take(); len(evs) > 0; evs = r.Take() {
		for _, e := range evs {
			if err := p.Event(context.Background(), e); err != nil {
				t.Fatalf("process %s: %v", e.Key, err)
			}
		}
	}
}
