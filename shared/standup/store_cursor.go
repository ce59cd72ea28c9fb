package standup

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/store"
)

// Cursor returns the end of the last tick the scheduler finished (zero before the first).
func (st Store) Cursor(ctx context.Context) (time.Time, error) {
	out, err := st.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.Table), Key: store.Key(tickPK, tickSK), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return time.Time{}, fmt.Errorf("read scheduler cursor: %w", err)
	}
	return store.Time(out.Item, "at"), nil
}

// Advance moves the cursor to at unless it is already there or later.
func (st Store) Advance(ctx context.Context, at time.Time) error {
	item := store.Key(tickPK, tickSK)
	item["at"] = store.S(store.TS(at))
	item["unix"] = store.N(at.UnixNano())
	_, err := st.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(st.Table), Item: item,
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR unix < :u"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":u": store.N(at.UnixNano())},
	})
	if err != nil && !store.CondFailed(err) {
		return fmt.Errorf("advance scheduler cursor: %w", err)
	}
	return nil
}
