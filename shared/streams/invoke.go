package streams

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Invoke is the Lambda handler of a function with two triggers, the events table's stream (a
// batch of records, answered with ReportBatchItemFailures) and a schedule (an EventBridge
// Scheduled Event, whose time is the tick's now): it decodes raw and calls stream or tick. name
// prefixes its errors.
func Invoke(ctx context.Context, raw json.RawMessage, name string, stream func(context.Context, events.DynamoDBEvent) events.DynamoDBEventResponse, tick func(context.Context, time.Time) error) (any, error) {
	var probe struct {
		Records    json.RawMessage `json:"Records"`
		DetailType string          `json:"detail-type"`
		Source     string          `json:"source"`
		Time       time.Time       `json:"time"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("%s: event is not a JSON object: %w", name, err)
	}
	switch {
	case len(probe.Records) > 0:
		var ev events.DynamoDBEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, fmt.Errorf("%s: decode stream batch: %w", name, err)
		}
		return stream(ctx, ev), nil
	case probe.DetailType == "Scheduled Event" && !probe.Time.IsZero():
		if err := tick(ctx, probe.Time); err != nil {
			return nil, err
		}
		return map[string]string{"status": "ok"}, nil
	}
	return nil, fmt.Errorf("%s: neither a stream batch nor a Scheduled Event (detail-type %q, source %q)", name, probe.DetailType, probe.Source)
}
