package streams_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/streams"
	"github.com/rituals-dev/rituals/shared/streams/streamstest"
)

func TestImage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		item map[string]types.AttributeValue
	}{
		{name: "scalars", item: map[string]types.AttributeValue{
			"s": &types.AttributeValueMemberS{Value: "héllo"},
			"n": &types.AttributeValueMemberN{Value: "-12.5"},
			"b": &types.AttributeValueMemberB{Value: []byte{0, 1, 2, 255}},
			"t": &types.AttributeValueMemberBOOL{Value: true},
			"f": &types.AttributeValueMemberBOOL{Value: false},
			"z": &types.AttributeValueMemberNULL{Value: true},
		}},
		{name: "sets", item: map[string]types.AttributeValue{
			"ss": &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
			"ns": &types.AttributeValueMemberNS{Value: []string{"1", "2"}},
			"bs": &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2, 3}}},
		}},
		{name: "nested", item: map[string]types.AttributeValue{
			"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{
				&types.AttributeValueMemberS{Value: "x"},
				&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
					"deep": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberN{Value: "7"}}},
				}},
			}},
		}},
		{name: "empty", item: map[string]types.AttributeValue{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := streamstest.Record(t, tc.item, 1)
			got, err := streams.Image(rec.Change.NewImage)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.item) {
				t.Errorf("Image = %#v, want %#v", got, tc.item)
			}
		})
	}
}

func TestEventWithoutImage(t *testing.T) {
	t.Parallel()
	_, err := streams.Event(context.Background(), events.DynamoDBEventRecord{EventID: "x", EventName: "REMOVE"}, nil)
	if !errors.Is(err, streams.ErrNoImage) {
		t.Fatalf("err = %v, want ErrNoImage", err)
	}
}
