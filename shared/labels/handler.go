package labels

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Invoke is LabelRulesFunction's Lambda handler. It has two triggers: the events table's
// stream (a batch of records, answered with ReportBatchItemFailures) and the schedule (an
// EventBridge Scheduled Event, whose time is the sweep's now).
func (p *Processor) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	var probe struct {
		Records    json.RawMessage `json:"Records"`
		DetailType string          `json:"detail-type"`
		Source     string          `json:"source"`
		Time       time.Time       `json:"time"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("label-rules: event is not a JSON object: %w", err)
	}
	switch {
	case len(probe.Records) > 0:
		var ev events.DynamoDBEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, fmt.Errorf("label-rules: decode stream batch: %w", err)
		}
		return p.HandleStream(ctx, ev), nil
	case probe.DetailType == "Scheduled Event" && !probe.Time.IsZero():
		st, err := p.Sweep(ctx, probe.Time)
		if err != nil {
			return nil, err
		}
		return map[string]any{"status": "ok", "queries": st.Queries, "due": st.Read, "fired": st.Fired, "cancelled": st.Cancelled}, nil
	}
	return nil, fmt.Errorf("label-rules: neither a stream batch nor a Scheduled Event (detail-type %q, source %q)", probe.DetailType, probe.Source)
}
