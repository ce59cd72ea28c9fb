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

func TestOnce(t *testing.T) {
	t.Parallel()
	client, tables := dynamotest.New(t)
	fx := store.Effects{API: client, Table: tables.State, Lease: time.Minute}
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

	// A failing effect is released and can be retried.
	_, ran, err := fx.Once(ctx, "post#1", now, func(context.Context) (string, error) { return "", errors.New("slack 500") })
	if err == nil || ran {
		t.Fatalf("failing effect: ran=%v err=%v", ran, err)
	}
	res, ran, err := fx.Once(ctx, "post#1", now, func(context.Context) (string, error) { return "1700000000.000100", nil })
	if err != nil || !ran || res != "1700000000.000100" {
		t.Fatalf("retry: %q %v %v", res, ran, err)
	}
	// Done effects are not run again and give their result back.
	res, ran, err = fx.Once(ctx, "post#1", now.Add(time.Hour), func(context.Context) (string, error) { t.Fatal("ran twice"); return "", nil })
	if err != nil || ran || res != "1700000000.000100" {
		t.Fatalf("again: %q %v %v", res, ran, err)
	}
	if r, done, err := fx.Done(ctx, "post#1"); err != nil || !done || r != res {
		t.Fatalf("Done = %q %v %v", r, done, err)
	}

	// Concurrent callers: exactly one runs.
	var runs atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, _ = fx.Once(ctx, "nag#2", now, func(context.Context) (string, error) {
				runs.Add(1)
				time.Sleep(20 * time.Millisecond)
				return "ok", nil
			})
		}()
	}
	wg.Wait()
	if runs.Load() != 1 {
		t.Fatalf("ran %d times", runs.Load())
	}

	// A claim abandoned by a crashed caller is taken over after its lease.
	blocked := make(chan struct{})
	go func() {
		_, _, _ = fx.Once(ctx, "crash#3", now, func(context.Context) (string, error) { <-blocked; return "", errors.New("never recorded") })
	}()
	time.Sleep(50 * time.Millisecond)
	if _, _, err := fx.Once(ctx, "crash#3", now.Add(30*time.Second), func(context.Context) (string, error) { return "x", nil }); !errors.Is(err, store.ErrInProgress) {
		t.Fatalf("within lease: %v, want ErrInProgress", err)
	}
	if res, ran, err := fx.Once(ctx, "crash#3", now.Add(2*time.Minute), func(context.Context) (string, error) { return "taken", nil }); err != nil || !ran || res != "taken" {
		t.Fatalf("after lease: %q %v %v", res, ran, err)
	}
	close(blocked)
}
