package support

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Invoke is the support-triage function's Lambda handler. The function has two triggers: the
// events table's stream (a batch of records, answered with ReportBatchItemFailures) and the
// schedule (an EventBridge Scheduled Event, whose time is the tick's now).
func (p *Processor) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	var probe struct {
		Records    json.RawMessage `json:"Records"`
		DetailType string          `json:"detail-type"`
		Source     string          `json:"source"`
		Time       time.Time       `json:"time"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("support-triage: event is not a JSON object: %w", err)
	}
	switch {
	case len(probe.Records) > 0:
		var ev events.DynamoDBEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, fmt.Errorf("support-triage: decode stream batch: %w", err)
		}
		return p.HandleStream(ctx, ev), nil
	case probe.DetailType == "Scheduled Event" && !probe.Time.IsZero():
		if err := p.Tick(ctx, probe.Time); err != nil {
			return nil, err
		}
		return map[string]string{"status": "ok"}, nil
	}
	return nil, fmt.Errorf("support-triage: neither a stream batch nor a Scheduled Event (detail-type %q, source %q)", probe.DetailType, probe.Source)
}
