package slackapp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rituals-dev/rituals/shared/store"
)

// ReplayGuard remembers the signatures of the Slack requests that changed something, for
// longer than Slack's five-minute window. Verify already refuses a request older than the
// window; within it, a captured request could be sent again byte for byte (same timestamp,
// same signature) and would click the same button twice. A legitimate second click or
// submission always has its own timestamp, and so its own signature.
type ReplayGuard struct {
	API   PutItemAPI
	Table string
}

// PutItemAPI is the part of the DynamoDB client ReplayGuard needs.
type PutItemAPI interface {
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

var _ PutItemAPI = (*dynamodb.Client)(nil)

// ErrReplayed says the request was seen before.
var ErrReplayed = errors.New("this exact Slack request was already handled")

// First records signature and reports ErrReplayed when it was recorded before.
func (g ReplayGuard) First(ctx context.Context, signature string, now time.Time) error {
	item := store.Key("SLACKREQ#"+signature, "seen")
	item["expires"] = store.Expires(now, 2*MaxSkew)
	_, err := g.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(g.Table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if store.CondFailed(err) {
		return ErrReplayed
	}
	if err != nil {
		return fmt.Errorf("record Slack request: %w", err)
	}
	return nil
}
