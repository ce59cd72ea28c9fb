package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// wallClock is an injectable wall clock for leases.
type wallClock struct{ ns atomic.Int64 }

func newWallClock(t time.Time) *wallClock {
	c := &wallClock{}
	c.ns.Store(t.UnixNano())
	return c
}
func (c *wallClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *wallClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

func TestOnce(t *testing.T) {
	t.Parallel()
	client, tables := dynamotest.New(t)
	clock := newWallClock(time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC))
	fx := store.Effects{API: client, Table: tables.State, Lease: time.Minute, Clock: clock.Now}
	ctx := context.Background()

	// A failing effect is released and can be retried.
	_, ran, err := fx.Once(ctx, "post#1", func(context.Context) (string, error) { return "", errors.New("slack 500") })
	if err == nil || ran {
		t.Fatalf("failing effect: ran=%v err=%v", ran, err)
	}
	res, ran, err := fx.Once(ctx, "post#1", func(context.Context) (string, error) { return "1700000000.000100", nil })
	if err != nil || !ran || res != "1700000000.000100" {
		t.Fatalf("retry: %q %v %v", res, ran, err)
	}
	// Done effects are not run again and give their result back.
	clock.Advance(time.Hour)
	res, ran, err = fx.Once(ctx, "post#1", func(context.Context) (string, error) { t.Fatal("ran twice"); return "", nil })
	if err != nil || ran || res != "1700000000.000100" {
		t.Fatalf("again: %q %v %v", res, ran, err)
	}
	if r, done, err := fx.Done(ctx, "post#1"); err != nil || !done || r != res {
		t.Fatalf("Done = %q %v %v", r, done, err)
	}

	// Concurrent callers: exactly one runs; the others are told it is in progress or done.
	var runs atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := fx.Once(ctx, "nag#2", func(context.Context) (string, error) {
				runs.Add(1)
				time.Sleep(20 * time.Millisecond)
				return "ok", nil
			})
			if err != nil && !errors.Is(err, store.ErrInProgress) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if runs.Load() != 1 {
		t.Fatalf("ran %d times", runs.Load())
	}
}

// TestOnceLeaseIsWallClock: a caller that died after claiming leaves a claim that a retry of
// the same event — same logical time, later wall time — takes over once the lease expires.
// Before the fix the lease was timed on the event's time, so such a retry was refused forever.
func TestOnceLeaseIsWallClock(t *testing.T) {
	t.Parallel()
	client, tables := dynamotest.New(t)
	clock := newWallClock(time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC))
	fx := store.Effects{API: client, Table: tables.State, Lease: time.Minute, Clock: clock.Now}
	ctx := context.Background()

	died := abandon(t, fx, "blockers#1")
	defer died()
	if _, _, err := fx.Once(ctx, "blockers#1", func(context.Context) (string, error) { return "x", nil }); !errors.Is(err, store.ErrInProgress) {
		t.Fatalf("within the lease: %v, want ErrInProgress", err)
	}
	clock.Advance(59 * time.Second)
	if _, _, err := fx.Once(ctx, "blockers#1", func(context.Context) (string, error) { return "x", nil }); !errors.Is(err, store.ErrInProgress) {
		t.Fatalf("just before the lease ends: %v, want ErrInProgress", err)
	}
	clock.Advance(2 * time.Second)
	res, ran, err := fx.Once(ctx, "blockers#1", func(context.Context) (string, error) { return "taken", nil })
	if err != nil || !ran || res != "taken" {
		t.Fatalf("after the lease: %q %v %v", res, ran, err)
	}
}

// TestOnceLeaseFollowsDeadline: with a deadline (every Lambda invocation has one) the claim lasts
// until the deadline plus LeaseMargin, however long Lease is: nobody takes over an effect whose
// claimant may still be running, and anybody may once it cannot be.
func TestOnceLeaseFollowsDeadline(t *testing.T) {
	t.Parallel()
	client, tables := dynamotest.New(t)
	start := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	clock := newWallClock(start)
	fx := store.Effects{API: client, Table: tables.State, Lease: time.Second, Clock: clock.Now}

	// A 5-minute invocation (the scheduler's timeout) claims and dies.
	dctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(5*time.Minute))
	defer cancel()
	deadline, _ := dctx.Deadline()
	// The stored lease is the deadline on the real clock; move the fake clock to the same frame.
	clock.ns.Store(time.Now().UnixNano())
	died := abandonCtx(t, dctx, fx, "digest#1")
	defer died()
	clock.Advance(2 * time.Minute) // well past Lease, well before the deadline
	if _, _, err := fx.Once(context.Background(), "digest#1", func(context.Context) (string, error) { return "x", nil }); !errors.Is(err, store.ErrInProgress) {
		t.Fatalf("before the claimant's deadline: %v, want ErrInProgress", err)
	}
	clock.ns.Store(deadline.Add(store.LeaseMargin + time.Second).UnixNano())
	if _, ran, err := fx.Once(context.Background(), "digest#1", func(context.Context) (string, error) { return "x", nil }); err != nil || !ran {
		t.Fatalf("after the claimant's deadline: ran=%v err=%v", ran, err)
	}
}

// TestOnceDoneNeedsTheClaim: a caller whose claim was taken over does not overwrite the new
// claimant's record; it learns that its effect may have run twice (ErrLeaseLost).
func TestOnceDoneNeedsTheClaim(t *testing.T) {
	t.Parallel()
	client, tables := dynamotest.New(t)
	clock := newWallClock(time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC))
	fx := store.Effects{API: client, Table: tables.State, Lease: time.Minute, Clock: clock.Now}
	ctx := context.Background()

	slowStarted, slowGo := make(chan struct{}), make(chan struct{})
	slowDone := make(chan error, 1)
	go func() {
		_, _, err := fx.Once(ctx, "late#1", func(context.Context) (string, error) {
			close(slowStarted)
			<-slowGo
			return "slow", nil
		})
		slowDone <- err
	}()
	<-slowStarted
	clock.Advance(2 * time.Minute)
	// The second claimant takes over and is still running when the first one finishes.
	fastStarted, fastGo := make(chan struct{}), make(chan struct{})
	fastDone := make(chan error, 1)
	go func() {
		_, _, err := fx.Once(ctx, "late#1", func(context.Context) (string, error) {
			close(fastStarted)
			<-fastGo
			return "fast", nil
		})
		fastDone <- err
	}()
	<-fastStarted
	close(slowGo)
	if err := <-slowDone; !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("first claimant: %v, want ErrLeaseLost", err)
	}
	if pending, err := fx.Pending(ctx, "late#1"); err != nil || !pending {
		t.Fatalf("the second claim must survive the first's done write: pending=%v err=%v", pending, err)
	}
	close(fastGo)
	if err := <-fastDone; err != nil {
		t.Fatal(err)
	}
	if res, done, err := fx.Done(ctx, "late#1"); err != nil || !done || res != "fast" {
		t.Fatalf("Done = %q %v %v, want the second claimant's result", res, done, err)
	}
}

// TestOnceReleasesAfterTimeout: an effect that failed because its invocation ran out of time
// still gives its claim back, so the retry runs at once instead of waiting for the lease.
func TestOnceReleasesAfterTimeout(t *testing.T) {
	t.Parallel()
	client, tables := dynamotest.New(t)
	clock := newWallClock(time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC))
	fx := store.Effects{API: client, Table: tables.State, Lease: time.Hour, Clock: clock.Now}

	ctx, cancel := context.WithCancel(context.Background())
	_, _, err := fx.Once(ctx, "post#9", func(ctx context.Context) (string, error) {
		cancel() // the handler's context ends while the API call is under way
		return "", ctx.Err()
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if pending, err := fx.Pending(context.Background(), "post#9"); err != nil || pending {
		t.Fatalf("claim not released: pending=%v err=%v", pending, err)
	}
	if _, ran, err := fx.Once(context.Background(), "post#9", func(context.Context) (string, error) { return "ok", nil }); err != nil || !ran {
		t.Fatalf("retry: ran=%v err=%v", ran, err)
	}
}

// abandon claims key and never finishes, like an instance killed mid-effect.
func abandon(t *testing.T, fx store.Effects, key string) func() {
	return abandonCtx(t, context.Background(), fx, key)
}

func abandonCtx(t *testing.T, ctx context.Context, fx store.Effects, key string) func() {
	t.Helper()
	claimed, stop := make(chan struct{}), make(chan struct{})
	go func() {
		_, _, _ = fx.Once(ctx, key, func(context.Context) (string, error) {
			close(claimed)
			<-stop
			return "", errors.New("killed")
		})
	}()
	<-claimed
	return func() { close(stop) }
}

// TestOnceRecordsDoneAfterTheCallersDeadline: an effect that finishes after its caller's
// context ended (a stream handler's reserve reached while Slack's Retry-After was slept
// through) is still recorded done, so that the retry does not do it again.
func TestOnceRecordsDoneAfterTheCallersDeadline(t *testing.T) {
	t.Parallel()
	client, tables := dynamotest.New(t)
	fx := store.Effects{API: client, Table: tables.State}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, ran, err := fx.Once(ctx, "post#late", func(ctx context.Context) (string, error) {
		<-ctx.Done() // the API call returned just as the caller's time ran out
		return "1700000000.000200", nil
	})
	if err != nil || !ran {
		t.Fatalf("late effect: ran=%v err=%v", ran, err)
	}
	if r, done, err := fx.Done(context.Background(), "post#late"); err != nil || !done || r != "1700000000.000200" {
		t.Fatalf("Done = %q %v %v, want the late effect recorded", r, done, err)
	}
}
