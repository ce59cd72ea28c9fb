package standup

import (
	"context"
	"errors"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"

	"github.com/rituals-dev/rituals/shared/store"
)

// batchParallel bounds the BatchGetItem/BatchWriteItem requests in flight.
const batchParallel = 8

// batchGet reads keys in batches of 100, up to batchParallel batches at a time.
func (st Store) batchGet(ctx context.Context, keys []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	if len(keys) <= 100 {
		return store.BatchGet(ctx, st.API, st.Table, keys)
	}
	var mu sync.Mutex
	var out []map[string]types.AttributeValue
	err := bounded(ctx, batchParallel, chunkRanges(len(keys), 100), func(ctx context.Context, r [2]int) error {
		items, err := store.BatchGet(ctx, st.API, st.Table, keys[r[0]:r[1]])
		mu.Lock()
		out = append(out, items...)
		mu.Unlock()
		return err
	})
	return out, err
}

// batchWrite writes reqs in batches of 25, up to batchParallel batches at a time.
func (st Store) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	return bounded(ctx, batchParallel, chunkRanges(len(reqs), 25), func(ctx context.Context, r [2]int) error {
		return store.BatchWrite(ctx, st.API, st.Table, reqs[r[0]:r[1]])
	})
}

// chunkRanges splits [0, n) into [lo, hi) ranges of at most size.
func chunkRanges(n, size int) [][2]int {
	var out [][2]int
	for lo := 0; lo < n; lo += size {
		out = append(out, [2]int{lo, min(lo+size, n)})
	}
	return out
}

// bounded calls fn for every item, at most limit at a time, and joins every error: one failed
// call does not stop the others (each is an independent batch, nag or issue, and the caller
// retries only what failed).
func bounded[T any](ctx context.Context, limit int, items []T, fn func(context.Context, T) error) error {
	var g errgroup.Group
	g.SetLimit(limit)
	var mu sync.Mutex
	var errs []error
	for _, it := range items {
		g.Go(func() error {
			if err := fn(ctx, it); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	return errors.Join(errs...)
}
