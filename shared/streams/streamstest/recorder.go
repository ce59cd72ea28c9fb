package streamstest

import (
	"context"
	"sync"
	"testing"

	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/streams"
)

// Recorder is an events table that remembers, in order, the events put through it, so that a
// test can hand them to processors as the stream mapping would (Drain), without a stream.
type Recorder struct {
	store.Events
	mu      sync.Mutex
	pending []store.Event
}

// PutEvent stores e (see store.Events.PutEvent) and, when it was new, queues it.
func (r *Recorder) PutEvent(ctx context.Context, e store.Event) error {
	if err := r.Events.PutEvent(ctx, e); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending = append(r.pending, e)
	return nil
}

// Take returns the queued events and forgets them.
func (r *Recorder) Take() []store.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.pending
	r.pending = nil
	return out
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
