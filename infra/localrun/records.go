package localrun

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	st "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// streamRecord is one stream record in the shape Lambda delivers it, with what filtering and
// the dead-letter record need.
type streamRecord struct {
	event   events.DynamoDBEventRecord
	seq     string
	arrival time.Time
	// doc is the record as decoded JSON, which filter patterns match against.
	doc map[string]any
}

// lambdaRecord converts a DynamoDB Streams record into Lambda's events.DynamoDBEventRecord:
// eventVersion 1.1, eventSource aws:dynamodb, attribute values as {"S": ...} and so on.
func lambdaRecord(r st.Record, region, streamARN string) (streamRecord, error) {
	if r.Dynamodb == nil {
		return streamRecord{}, fmt.Errorf("stream record %s has no dynamodb part", aws.ToString(r.EventID))
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
	var arrival time.Time
	if d.ApproximateCreationDateTime != nil {
		arrival = d.ApproximateCreationDateTime.UTC()
		rec.Change.ApproximateCreationDateTime = events.SecondsEpochTime{Time: arrival}
	}
	if r.UserIdentity != nil {
		rec.UserIdentity = &events.DynamoDBUserIdentity{Type: aws.ToString(r.UserIdentity.Type), PrincipalID: aws.ToString(r.UserIdentity.PrincipalId)}
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		return streamRecord{}, fmt.Errorf("encode stream record %s: %w", rec.EventID, err)
	}
	doc, err := decodeJSONObject(raw)
	if err != nil {
		return streamRecord{}, err
	}
	return streamRecord{event: rec, seq: rec.Change.SequenceNumber, arrival: arrival, doc: doc}, nil
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
