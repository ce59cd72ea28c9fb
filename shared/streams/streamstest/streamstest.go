// Package streamstest builds DynamoDB stream records for tests of stream-triggered functions,
// from items as they are stored (for example read back after store.Events.PutEvent).
package streamstest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/store"
)

// Record returns an INSERT record carrying item as its NewImage, with sequence number seq. The
// record goes through JSON, as Lambda delivers it, so binary attributes take the base64 path.
func Record(t testing.TB, item map[string]types.AttributeValue, seq int) events.DynamoDBEventRecord {
	t.Helper()
	rec := record(t, item, seq)
	data, err := json.Marshal(events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{rec}})
	if err != nil {
		t.Fatalf("marshal record: %v", err)
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatalf("unmarshal record: %v", err)
	}
	return ev.Records[0]
}

func record(t testing.TB, item map[string]types.AttributeValue, seq int) events.DynamoDBEventRecord {
	t.Helper()
	img := make(map[string]events.DynamoDBAttributeValue, len(item))
	for k, v := range item {
		av, err := attributeValue(v)
		if err != nil {
			t.Fatalf("attribute %s: %v", k, err)
		}
		img[k] = av
	}
	return events.DynamoDBEventRecord{
		EventID:     "test-" + strconv.Itoa(seq),
		EventName:   "INSERT",
		EventSource: "aws:dynamodb",
		Change: events.DynamoDBStreamRecord{
			NewImage:       img,
			SequenceNumber: fmt.Sprintf("%021d", seq),
			StreamViewType: "NEW_IMAGE",
		},
	}
}

// Put stores e with store.Events.PutEvent and returns the record its head item's INSERT
// produces in the stream.
func Put(t testing.TB, ctx context.Context, evs store.Events, api *dynamodb.Client, e store.Event, seq int) events.DynamoDBEventRecord {
	t.Helper()
	if err := evs.PutEvent(ctx, e); err != nil {
		t.Fatalf("put event %s: %v", e.Key, err)
	}
	out, err := api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(evs.Table),
		Key:            map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: e.Key}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil || out.Item == nil {
		t.Fatalf("read back event %s: %v", e.Key, err)
	}
	return Record(t, out.Item, seq)
}

func attributeValue(v types.AttributeValue) (events.DynamoDBAttributeValue, error) {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value), nil
	case *types.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value), nil
	case *types.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value), nil
	case *types.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value), nil
	case *types.AttributeValueMemberNULL:
		return events.NewNullAttribute(), nil
	case *types.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value), nil
	case *types.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value), nil
	case *types.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value), nil
	case *types.AttributeValueMemberL:
		list := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, e := range v.Value {
			av, err := attributeValue(e)
			if err != nil {
				return av, err
			}
			list[i] = av
		}
		return events.NewListAttribute(list), nil
	case *types.AttributeValueMemberM:
		m := make(map[string]events.DynamoDBAttributeValue, len(v.Value))
		for k, e := range v.Value {
			av, err := attributeValue(e)
			if err != nil {
				return av, err
			}
			m[k] = av
		}
		return events.NewMapAttribute(m), nil
	default:
		return events.DynamoDBAttributeValue{}, fmt.Errorf("unsupported attribute type %T", v)
	}
}
