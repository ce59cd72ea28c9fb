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
type Effects struct {
	API   OnceAPI
	Table string
	// Lease is how long a claimed effect is reserved for the caller running it; after that (the
	// caller crashed mid-effect) another caller may take it over. Default 2 minutes.
	Lease time.Duration
	// Retention is how long a done effect is remembered. Default 120 days.
	Retention time.Duration
}

// ErrInProgress says another caller holds the effect's lease right now; retry later.
var ErrInProgress = errors.New("effect in progress elsewhere")

// Once runs fn unless the effect key is already done, and returns the result fn returned then
// or now (a small string such as a message ts or an issue number). When fn fails, the claim is
// released so that a retry can run it again; when fn succeeds it is never run again for key.
// A caller that crashes between fn and recording success leaves a claim that expires after
// Lease, so the effect may then run a second time: effects should be naturally idempotent
// where the API allows it, and Once makes the duplicate window that small.
func (e Effects) Once(ctx context.Context, key string, now time.Time, fn func(ctx context.Context) (string, error)) (result string, ran bool, err error) {
	lease, retention := e.Lease, e.Retention
	if lease == 0 {
		lease = 2 * time.Minute
	}
	if retention == 0 {
		retention = 120 * 24 * time.Hour
	}
	pk := &types.AttributeValueMemberS{Value: "EFFECT#" + key}
	sk := &types.AttributeValueMemberS{Value: "effect"}
	token := randomToken()
	_, err = e.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(e.Table),
		Item: map[string]types.AttributeValue{
			"pk": pk, "sk": sk,
			"state":       &types.AttributeValueMemberS{Value: "pending"},
			"token":       &types.AttributeValueMemberS{Value: token},
			"lease_until": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(lease).Unix(), 10)},
			"expires":     &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(retention).Unix(), 10)},
		},
		ConditionExpression:                 aws.String("attribute_not_exists(pk) OR (#s = :pending AND lease_until < :now)"),
		ExpressionAttributeNames:            map[string]string{"#s": "state"},
		ExpressionAttributeValues:           map[string]types.AttributeValue{":pending": &types.AttributeValueMemberS{Value: "pending"}, ":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)}},
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
	result, err = fn(ctx)
	if err != nil {
		// Release the claim so that the retry of this event can run the effect again.
		_, _ = e.API.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: aws.String(e.Table), Key: map[string]types.AttributeValue{"pk": pk, "sk": sk},
			ConditionExpression:       aws.String("#t = :t"),
			ExpressionAttributeNames:  map[string]string{"#t": "token"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberS{Value: token}},
		})
		return "", false, err
	}
	_, err = e.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(e.Table), Key: map[string]types.AttributeValue{"pk": pk, "sk": sk},
		UpdateExpression:          aws.String("SET #s = :done, #r = :r REMOVE lease_until"),
		ExpressionAttributeNames:  map[string]string{"#s": "state", "#r": "result"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":done": &types.AttributeValueMemberS{Value: "done"}, ":r": &types.AttributeValueMemberS{Value: result}},
	})
	if err != nil {
		return result, true, fmt.Errorf("record effect %s done: %w", key, err)
	}
	return result, true, nil
}

// Done reports whether key's effect has been done, with its result.
func (e Effects) Done(ctx context.Context, key string) (string, bool, error) {
	out, err := e.API.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(e.Table),
		Key:            map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "EFFECT#" + key}, "sk": &types.AttributeValueMemberS{Value: "effect"}},
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

func randomToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
