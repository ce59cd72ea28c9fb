package localrun

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	st "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/rituals-dev/rituals/infra/streamrecord"
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

// lambdaRecord converts a DynamoDB Streams record into Lambda's events.DynamoDBEventRecord, with
// what filtering and the dead-letter record need.
func lambdaRecord(r st.Record, region, streamARN string) (streamRecord, error) {
	rec, err := streamrecord.FromStreams(r, region, streamARN)
	if err != nil {
		return streamRecord{}, err
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		return streamRecord{}, fmt.Errorf("encode stream record %s: %w", rec.EventID, err)
	}
	doc, err := decodeJSONObject(raw)
	if err != nil {
		return streamRecord{}, err
	}
	return streamRecord{event: rec, seq: rec.Change.SequenceNumber, arrival: rec.Change.ApproximateCreationDateTime.Time, doc: doc}, nil
}
