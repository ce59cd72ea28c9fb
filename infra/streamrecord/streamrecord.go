// Package streamrecord builds DynamoDB stream records in the shape Lambda delivers them
// (events.DynamoDBEventRecord: eventVersion 1.1, eventSource aws:dynamodb, attribute values as
// {"S": ...}), from a DynamoDB Streams record (the local stream mappings, a dead-letter replay)
// or from a table item (a replay from the events table once the stream no longer holds it).
package streamrecord

import (
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	st "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// FromStreams converts a DynamoDB Streams record read from streamARN.
func FromStreams(r st.Record, region, streamARN string) (events.DynamoDBEventRecord, error) {
	if r.Dynamodb == nil {
		return events.DynamoDBEventRecord{}, fmt.Errorf("stream record %s has no dynamodb part", aws.ToString(r.EventID))
	}
	d := r.Dynamodb
	rec := events.DynamoDBEventRecord{
		AWSRegion:      region,
		EventID:        aws.ToString(r.EventID),
		EventName:      string(r.EventName),
		EventSource:    "aws:dynamodb",
		EventVersion:   "1.1",
		EventSourceArn: streamARN,
		Change: events.DynamoDBStreamRecord{
			Keys:           attrMap(d.Keys),
			NewImage:       attrMap(d.NewImage),
			OldImage:       attrMap(d.OldImage),
			SequenceNumber: aws.ToString(d.SequenceNumber),
			SizeBytes:      aws.ToInt64(d.SizeBytes),
			StreamViewType: string(d.StreamViewType),
		},
	}
	if d.ApproximateCreationDateTime != nil {
		rec.Change.ApproximateCreationDateTime = events.SecondsEpochTime{Time: d.ApproximateCreationDateTime.UTC()}
	}
	if r.UserIdentity != nil {
		rec.UserIdentity = &events.DynamoDBUserIdentity{Type: aws.ToString(r.UserIdentity.Type), PrincipalID: aws.ToString(r.UserIdentity.PrincipalId)}
	}
	return rec, nil
}

// FromItem builds the INSERT record a NEW_IMAGE stream would have carried for item: keys are the
// item's key attributes, seq the sequence number to give it (processors report failures by it),
// at its approximate creation time.
func FromItem(item map[string]ddb.AttributeValue, keys []string, region, streamARN, seq string, at time.Time) events.DynamoDBEventRecord {
	image := make(map[string]events.DynamoDBAttributeValue, len(item))
	size := int64(0)
	for k, v := range item {
		image[k] = itemValue(v)
		size += int64(len(k)) + itemSize(v)
	}
	keyAttrs := map[string]events.DynamoDBAttributeValue{}
	for _, k := range keys {
		if v, ok := image[k]; ok {
			keyAttrs[k] = v
		}
	}
	return events.DynamoDBEventRecord{
		AWSRegion: region, EventID: "replay-" + seq, EventName: "INSERT", EventSource: "aws:dynamodb", EventVersion: "1.1",
		EventSourceArn: streamARN,
		Change: events.DynamoDBStreamRecord{
			ApproximateCreationDateTime: events.SecondsEpochTime{Time: at.UTC()},
			Keys:                        keyAttrs, NewImage: image, SequenceNumber: seq, SizeBytes: size,
			StreamViewType: "NEW_IMAGE",
		},
	}
}

func attrMap(m map[string]st.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if m == nil {
		return nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(m))
	for k, v := range m {
		out[k] = attrValue(v)
	}
	return out
}

func attrValue(v st.AttributeValue) events.DynamoDBAttributeValue {
	switch v := v.(type) {
	case *st.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value)
	case *st.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value)
	case *st.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value)
	case *st.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value)
	case *st.AttributeValueMemberNULL:
		return events.NewNullAttribute()
	case *st.AttributeValueMemberM:
		return events.NewMapAttribute(attrMap(v.Value))
	case *st.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, x := range v.Value {
			l[i] = attrValue(x)
		}
		return events.NewListAttribute(l)
	case *st.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value)
	case *st.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value)
	case *st.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value)
	}
	return events.NewNullAttribute()
}

// itemValue is attrValue for the DynamoDB (not Streams) client's attribute values.
func itemValue(v ddb.AttributeValue) events.DynamoDBAttributeValue {
	switch v := v.(type) {
	case *ddb.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value)
	case *ddb.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value)
	case *ddb.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value)
	case *ddb.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value)
	case *ddb.AttributeValueMemberNULL:
		return events.NewNullAttribute()
	case *ddb.AttributeValueMemberM:
		m := make(map[string]events.DynamoDBAttributeValue, len(v.Value))
		for k, x := range v.Value {
			m[k] = itemValue(x)
		}
		return events.NewMapAttribute(m)
	case *ddb.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, x := range v.Value {
			l[i] = itemValue(x)
		}
		return events.NewListAttribute(l)
	case *ddb.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value)
	case *ddb.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value)
	case *ddb.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value)
	}
	return events.NewNullAttribute()
}

// itemSize approximates an attribute value's size as DynamoDB counts it, for SizeBytes.
func itemSize(v ddb.AttributeValue) int64 {
	switch v := v.(type) {
	case *ddb.AttributeValueMemberS:
		return int64(len(v.Value))
	case *ddb.AttributeValueMemberN:
		return int64(len(v.Value))
	case *ddb.AttributeValueMemberB:
		return int64(len(v.Value))
	}
	return 8
}
