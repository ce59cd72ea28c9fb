package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/killpoint"
)

// OnceAPI is the part of the DynamoDB client Once needs.
type OnceAPI interface {
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

var _ OnceAPI = (*dynamodb.Client)(nil)

// Effects records side effects (a message posted, an issue opened, a nag sent) under
// deterministic keys in the state table, so that a retried event or a re-run schedule does each
// of them once.
//
// Leases are timed on a wall clock, never on the event's logical time: a retry of an old event,
// or a dead letter replayed days later, carries the same logical time as the attempt that died,
// and must still be able to take over the claim that attempt abandoned.
type Effects struct {
	API   OnceAPI
	Table string
	// Clock is the wall clock leases are timed on; time.Now when nil. Tests inject one.
	Clock func() time.Time
	// Lease is how long a claim is reserved when the caller's context has no deadline (default
	// 2 minutes). With a deadline — every Lambda invocation has one — the claim lasts until the
	// deadline plus LeaseMargin: Lambda stops the instance at its deadline, so nobody can still be
	// running the effect after that, and nobody else may take it over before.
	Lease time.Duration
	// Retention is how long a done effect is remembered (default 400 days, the longest any
	// standup or support record it protects is kept). An effect that must never repeat while
	// its entity lives longer records its result on the entity too.
	Retention time.Duration
}

// LeaseMargin is added to a caller's deadline to cover clock skew between Lambda and DynamoDB.
const LeaseMargin = 5 * time.Second

// releaseTimeout bounds the release of a failed effect's claim and the done record of one that
// ran, which run on a context that outlives the caller's (a handler that timed out must still
// give its claim back, or record what it did).
const releaseTimeout = 3 * time.Second

// Errors callers branch on.
var (
	// ErrInProgress says another caller holds the effect's lease right now. The effect has not
	// been done (as far as anyone knows): retry later, and never count it as done.
	ErrInProgress = errors.New("effect in progress elsewhere")
	// ErrLeaseLost says the effect ran but its claim had been taken over (or removed) before it
	// could be recorded done, so it may run twice. It only happens when a caller outlived its
	// own deadline; the caller should fail and let the retry find the effect's final state.
	ErrLeaseLost = errors.New("effect's claim was lost before it was recorded done")
)

func (e Effects) now() time.Time {
	if e.Clock != nil {
		return e.Clock()
	}
	return time.Now()
}

func (e Effects) leaseUntil(ctx context.Context, now time.Time) time.Time {
	if dl, ok := ctx.Deadline(); ok {
		return dl.Add(LeaseMargin)
	}
	if e.Lease > 0 {
		return now.Add(e.Lease)
	}
	return now.Add(2 * time.Minute)
}

func (e Effects) retention() time.Duration {
	if e.Retention > 0 {
		return e.Retention
	}
	return 400 * 24 * time.Hour
}

func effectKey(key string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "EFFECT#" + key},
		"sk": &types.AttributeValueMemberS{Value: "effect"},
	}
}

// Once runs fn unless the effect key is already done, and returns the result fn returned then
// or now (a small string such as a message ts or an issue number) and whether it ran now.
//
// Guarantees:
//   - fn runs at most once at a time per key: a claim (conditional put) is taken first.
//   - When fn fails, the claim is released (on a context that outlives ctx), so a retry runs fn
//     again; the error is returned as is.
//   - When fn succeeds, the done record is written on condition that the claim is still this
//     caller's; fn is then never run again for key (for Retention).
//   - A caller that dies between claiming and recording done leaves a claim that expires at its
//     deadline (plus LeaseMargin), timed on the wall clock; after that another caller may take
//     it over and run fn again. Effects should be naturally idempotent where the API allows it;
//     Once shrinks the duplicate window to "died after fn, before the done record".
//   - ErrInProgress is returned while another caller's claim is live.
func (e Effects) Once(ctx context.Context, key string, fn func(ctx context.Context) (string, error)) (result string, ran bool, err error) {
	now := e.now()
	token := randomToken()
	item := effectKey(key)
	item["state"] = &types.AttributeValueMemberS{Value: "pending"}
	item["token"] = &types.AttributeValueMemberS{Value: token}
	item["lease_until"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(e.leaseUntil(ctx, now).UnixMilli(), 10)}
	item["expires"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(e.retention()).Unix(), 10)}
	_, err = e.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           aws.String(e.Table),
		Item:                                item,
		ConditionExpression:                 aws.String("attribute_not_exists(pk) OR (#s = :pending AND lease_until < :now)"),
		ExpressionAttributeNames:            map[string]string{"#s": "state"},
		ExpressionAttributeValues:           map[string]types.AttributeValue{":pending": &types.AttributeValueMemberS{Value: "pending"}, ":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.UnixMilli(), 10)}},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		if str(cond.Item["state"]) == "done" {
			return str(cond.Item["result"]), false, nil
		}
		return "", false, fmt.Errorf("effect %s: %w", key, ErrInProgress)
	}
	if err != nil {
		return "", false, fmt.Errorf("claim effect %s: %w", key, err)
	}
	killpoint.Reach(killpoint.EffectClaimed)
	result, err = fn(ctx)
	if err != nil {
		e.release(ctx, key, token)
		return "", false, err
	}
	killpoint.Reach(killpoint.EffectRan)
	// The effect has happened: it is recorded done on a context detached from ctx, because a
	// caller whose context ran out while fn finished (a stream handler's deadline reserve, a
	// Retry-After slept through) would otherwise leave it pending, and the retry would do it
	// again. The claim is still this caller's (the lease runs past its deadline), and the
	// write is conditional on the token.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	_, err = e.API.UpdateItem(dctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(e.Table), Key: effectKey(key),
		UpdateExpression:         aws.String("SET #s = :done, #r = :r REMOVE lease_until, #t"),
		ConditionExpression:      aws.String("#t = :t"),
		ExpressionAttributeNames: map[string]string{"#s": "state", "#r": "result", "#t": "token"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":done": &types.AttributeValueMemberS{Value: "done"}, ":r": &types.AttributeValueMemberS{Value: result},
			":t": &types.AttributeValueMemberS{Value: token},
		},
	})
	if errors.As(err, &cond) {
		return result, true, fmt.Errorf("effect %s: %w", key, ErrLeaseLost)
	}
	if err != nil {
		return result, true, fmt.Errorf("record effect %s done: %w", key, err)
	}
	return result, true, nil
}

// release gives a failed effect's claim back so that a retry can run it at once. It runs on a
// context detached from ctx: the usual reason fn failed is that ctx ran out.
func (e Effects) release(ctx context.Context, key, token string) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	// A failed release only delays the retry until the lease expires.
	_, _ = e.API.DeleteItem(rctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(e.Table), Key: effectKey(key),
		ConditionExpression:       aws.String("#t = :t"),
		ExpressionAttributeNames:  map[string]string{"#t": "token"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberS{Value: token}},
	})
}

// Done reports whether key's effect has been done, with its result.
func (e Effects) Done(ctx context.Context, key string) (string, bool, error) {
	out, err := e.API.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(e.Table),
		Key:            effectKey(key),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return "", false, fmt.Errorf("read effect %s: %w", key, err)
	}
	if str(out.Item["state"]) != "done" {
		return "", false, nil
	}
	return str(out.Item["result"]), true, nil
}

// Pending reports whether key's effect is claimed and not done (in progress, or abandoned by a
// caller that died and whose lease has not yet expired by the wall clock).
func (e Effects) Pending(ctx context.Context, key string) (bool, error) {
	out, err := e.API.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(e.Table), Key: effectKey(key), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return false, fmt.Errorf("read effect %s: %w", key, err)
	}
	return str(out.Item["state"]) == "pending", nil
}

func randomToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
