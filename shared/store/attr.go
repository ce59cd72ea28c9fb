package store

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Item is one DynamoDB item.
type Item = map[string]types.AttributeValue

// S is a string attribute value.
func S(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// N is a number attribute value.
func N(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// Key is the state table's key of (pk, sk).
func Key(pk, sk string) Item { return Item{"pk": S(pk), "sk": S(sk)} }

// Str reads a string attribute ("" when absent or not a string).
func Str(m Item, name string) string { return str(m[name]) }

// Int reads a number attribute as an int64 (0 when absent or not a whole number).
func Int(m Item, name string) int64 {
	if v, ok := m[name].(*types.AttributeValueMemberN); ok {
		i, _ := strconv.ParseInt(v.Value, 10, 64)
		return i
	}
	return 0
}

// Bool reads a boolean attribute (false when absent).
func Bool(m Item, name string) bool {
	b, ok := m[name].(*types.AttributeValueMemberBOOL)
	return ok && b.Value
}

// Time reads a string attribute written with TS (zero when absent or malformed).
func Time(m Item, name string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, str(m[name]))
	return t
}

// TS formats t the way every time attribute of the state table is written: UTC RFC 3339 with
// nanoseconds, which sorts as text in time order.
func TS(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// Expires is the TTL attribute value for an item to be deleted after keep from t.
func Expires(t time.Time, keep time.Duration) types.AttributeValue { return N(t.Add(keep).Unix()) }

// CondFailed reports whether err is a failed condition: of a single write, or of any item of
// a transaction.
func CondFailed(err error) bool {
	var c *types.ConditionalCheckFailedException
	if errors.As(err, &c) {
		return true
	}
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) {
		for _, r := range tc.CancellationReasons {
			if aws.ToString(r.Code) == "ConditionalCheckFailed" {
				return true
			}
		}
	}
	return false
}

// Querier runs queries; *dynamodb.Client is one.
type Querier interface {
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// QueryAll runs q through every page and returns all items. Use it only where the result is
// bounded by design; paths that must stay fast read one page with a Limit.
func QueryAll(ctx context.Context, api Querier, q *dynamodb.QueryInput) ([]Item, error) {
	var items []Item
	for {
		out, err := api.Query(ctx, q)
		if err != nil {
			return nil, err
		}
		items = append(items, out.Items...)
		if len(out.LastEvaluatedKey) == 0 {
			return items, nil
		}
		q.ExclusiveStartKey = out.LastEvaluatedKey
	}
}
