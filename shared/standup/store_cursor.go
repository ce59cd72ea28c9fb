package standup

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/store"
)

// The scheduler's cursor item holds the end of the last finished tick ("at", "unix") and the
// lease that serialises ticks ("lease_token", "lease_until", wall-clock Unix milliseconds).

// ErrTickInProgress says another tick holds the scheduler's lease.
var ErrTickInProgress = errors.New("another scheduler tick is running")

// Cursor returns the end of the last tick the scheduler finished (zero before the first).
func (st Store) Cursor(ctx context.Context) (time.Time, error) {
	out, err := st.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.Table), Key: store.Key(tickPK, tickSK), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return time.Time{}, fmt.Errorf("read scheduler cursor: %w", err)
	}
	return store.Time(out.Item, "at"), nil
}

// LeaseTick takes the scheduler's lease until until (wall clock), unless another tick's lease
// is still live at wall. It returns the token ReleaseTick needs, or ErrTickInProgress. A tick
// that dies keeps the lease until until, which is its own deadline: no tick can be running
// after that, and the next one takes over.
func (st Store) LeaseTick(ctx context.Context, wall, until time.Time) (string, error) {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	_, err := st.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(st.Table), Key: store.Key(tickPK, tickSK),
		UpdateExpression:    aws.String("SET lease_token = :t, lease_until = :until"),
		ConditionExpression: aws.String("attribute_not_exists(lease_until) OR lease_until < :wall"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":t": store.S(token), ":until": store.N(until.UnixMilli()), ":wall": store.N(wall.UnixMilli()),
		},
	})
	if store.CondFailed(err) {
		return "", ErrTickInProgress
	}
	if err != nil {
		return "", fmt.Errorf("lease the scheduler: %w", err)
	}
	return token, nil
}

// ReleaseTick gives the lease back and, when advance is not zero, moves the cursor to it in the
// same write — never backwards (a retried older tick only releases). It does nothing when the
// lease is no longer token's.
func (st Store) ReleaseTick(ctx context.Context, token string, advance time.Time) error {
	release := func(set, cond string, vals map[string]types.AttributeValue) error {
		vals[":t"] = store.S(token)
		in := &dynamodb.UpdateItemInput{
			TableName: aws.String(st.Table), Key: store.Key(tickPK, tickSK),
			UpdateExpression:          aws.String(set + "REMOVE lease_token, lease_until"),
			ConditionExpression:       aws.String("lease_token = :t" + cond),
			ExpressionAttributeValues: vals,
		}
		if set != "" {
			in.ExpressionAttributeNames = map[string]string{"#at": "at"}
		}
		_, err := st.API.UpdateItem(ctx, in)
		return err
	}
	if !advance.IsZero() {
		err := release("SET #at = :at, unix = :u ", " AND (attribute_not_exists(unix) OR unix < :u)", map[string]types.AttributeValue{
			":at": store.S(store.TS(advance)), ":u": store.N(advance.UnixNano()),
		})
		if err == nil {
			return nil
		}
		if !store.CondFailed(err) {
			return fmt.Errorf("advance scheduler cursor: %w", err)
		}
	}
	err := release("", "", map[string]types.AttributeValue{})
	if err != nil && !store.CondFailed(err) {
		return fmt.Errorf("release the scheduler: %w", err)
	}
	return nil
}

// Advance moves the cursor to at unless it is already there or later, leaving any lease as it
// is (tests and benchmarks position the cursor with it; ticks use ReleaseTick).
func (st Store) Advance(ctx context.Context, at time.Time) error {
	_, err := st.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(st.Table), Key: store.Key(tickPK, tickSK),
		UpdateExpression:          aws.String("SET #at = :at, unix = :u"),
		ConditionExpression:       aws.String("attribute_not_exists(unix) OR unix < :u"),
		ExpressionAttributeNames:  map[string]string{"#at": "at"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": store.S(store.TS(at)), ":u": store.N(at.UnixNano())},
	})
	if err != nil && !store.CondFailed(err) {
		return fmt.Errorf("advance scheduler cursor: %w", err)
	}
	return nil
}
