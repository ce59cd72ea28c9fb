package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// BatchWriter is the part of the DynamoDB client BatchWrite needs.
type BatchWriter interface {
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// BatchGetter is the part of the DynamoDB client BatchGet needs.
type BatchGetter interface {
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
}

// maxBatchAttempts bounds retries of UnprocessedItems/Keys (throttling), with backoff.
const maxBatchAttempts = 8

// BatchWrite writes reqs to table in batches of 25, retrying UnprocessedItems with backoff
// until every request is written or the attempts run out (then it returns an error naming how
// many were left).
func BatchWrite(ctx context.Context, api BatchWriter, table string, reqs []types.WriteRequest) error {
	for start := 0; start < len(reqs); start += 25 {
		end := min(start+25, len(reqs))
		pending := map[string][]types.WriteRequest{table: reqs[start:end]}
		for attempt := 0; len(pending[table]) > 0; attempt++ {
			if attempt == maxBatchAttempts {
				return fmt.Errorf("batch write to %s: %d items unprocessed after %d attempts", table, len(pending[table]), attempt)
			}
			if attempt > 0 {
				if err := sleep(ctx, backoff(attempt)); err != nil {
					return err
				}
			}
			out, err := api.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return fmt.Errorf("batch write to %s: %w", table, err)
			}
			pending = out.UnprocessedItems
		}
	}
	return nil
}

// BatchGet reads keys from table in batches of 100 (consistently), retrying UnprocessedKeys.
// Items that do not exist are simply absent from the result.
func BatchGet(ctx context.Context, api BatchGetter, table string, keys []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	var out []map[string]types.AttributeValue
	consistent := true
	for start := 0; start < len(keys); start += 100 {
		end := min(start+100, len(keys))
		pending := map[string]types.KeysAndAttributes{table: {Keys: keys[start:end], ConsistentRead: &consistent}}
		for attempt := 0; len(pending[table].Keys) > 0; attempt++ {
			if attempt == maxBatchAttempts {
				return nil, fmt.Errorf("batch get from %s: %d keys unprocessed after %d attempts", table, len(pending[table].Keys), attempt)
			}
			if attempt > 0 {
				if err := sleep(ctx, backoff(attempt)); err != nil {
					return nil, err
				}
			}
			res, err := api.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending})
			if err != nil {
				return nil, fmt.Errorf("batch get from %s: %w", table, err)
			}
			out = append(out, res.Responses[table]...)
			pending = res.UnprocessedKeys
		}
	}
	return out, nil
}

func backoff(attempt int) time.Duration { return time.Duration(25<<attempt) * time.Millisecond }

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
