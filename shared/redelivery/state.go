package redelivery

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/store"
)

// State keeps the reconcile's cursors (per hook) and redelivery attempts (per guid).
type State interface {
	// Cursor returns the id of the newest delivery handled on the hook (0 before the first run).
	Cursor(ctx context.Context, key string) (int64, error)
	SetCursor(ctx context.Context, key string, id int64, now time.Time) error
	// Attempts returns how many redeliveries of guid have been asked for (in the last 4 days).
	Attempts(ctx context.Context, guid string, now time.Time) (int, error)
	AddAttempt(ctx context.Context, guid string, now time.Time) error
}

// StateAPI is the part of the DynamoDB client DynamoState needs.
type StateAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

var _ StateAPI = (*dynamodb.Client)(nil)

// DynamoState is State in the state table: a cursor item per hook and an attempts item per guid
// (kept 4 days: GitHub keeps deliveries 3).
type DynamoState struct {
	API   StateAPI
	Table string
}

var _ State = DynamoState{}

const (
	statePK          = "RECONCILE#github"
	attemptRetention = 4 * 24 * time.Hour
)

func cursorKey(key string) store.Item { return store.Key(statePK, "cursor#"+key) }

func attemptsKey(guid string) store.Item { return store.Key(statePK+"#guid#"+guid, "attempts") }

// Cursor implements State.
func (s DynamoState) Cursor(ctx context.Context, key string) (int64, error) {
	out, err := s.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: cursorKey(key), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return 0, fmt.Errorf("read reconcile cursor %s: %w", key, err)
	}
	return store.Int(out.Item, "last_id"), nil
}

// SetCursor implements State. The cursor only moves forward: a run that raced a newer one
// leaves the newer cursor in place.
func (s DynamoState) SetCursor(ctx context.Context, key string, id int64, now time.Time) error {
	item := cursorKey(key)
	item["last_id"] = store.N(id)
	item["updated"] = store.S(store.TS(now))
	_, err := s.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.Table), Item: item,
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR last_id < :id"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":id": store.N(id)},
	})
	if err != nil && !store.CondFailed(err) {
		return fmt.Errorf("save reconcile cursor %s: %w", key, err)
	}
	return nil
}

// Attempts implements State.
func (s DynamoState) Attempts(ctx context.Context, guid string, now time.Time) (int, error) {
	out, err := s.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: attemptsKey(guid), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return 0, fmt.Errorf("read redelivery attempts of %s: %w", guid, err)
	}
	// TTL deletes lazily: an expired count is no count.
	if out.Item == nil || store.Int(out.Item, "expires") < now.Unix() {
		return 0, nil
	}
	return int(store.Int(out.Item, "attempts")), nil
}

// AddAttempt implements State.
func (s DynamoState) AddAttempt(ctx context.Context, guid string, now time.Time) error {
	_, err := s.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table), Key: attemptsKey(guid),
		UpdateExpression: aws.String("ADD attempts :one SET expires = :exp"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": store.N(1),
			":exp": store.Expires(now, attemptRetention),
		},
	})
	if err != nil {
		return fmt.Errorf("count redelivery of %s: %w", guid, err)
	}
	return nil
}
