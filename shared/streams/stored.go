package streams

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rituals-dev/rituals/shared/store"
)

// HandleEvents is HandleLogged for processors of stored deliveries: each record is decoded
// into the store.Event it carries (split payloads loaded through parts) and given to fn. A
// record that cannot be decoded fails, like one fn fails.
func HandleEvents(ctx context.Context, log *slog.Logger, ev events.DynamoDBEvent, parts PartsLoader, fn func(ctx context.Context, e store.Event) error) events.DynamoDBEventResponse {
	if log == nil {
		log = slog.Default()
	}
	return HandleLogged(ctx, log, ev, func(ctx context.Context, rec events.DynamoDBEventRecord) error {
		e, err := Event(ctx, rec, parts)
		if err != nil {
			return err
		}
		return fn(ctx, e)
	})
}

// Triggers is the Lambda handler of a function with two triggers: the events table's stream
// (a batch of records, answered with ReportBatchItemFailures) and a schedule (an EventBridge
// Scheduled Event, whose time is the run's now).
type Triggers struct {
	// Name names the function in errors.
	Name     string
	Stream   func(ctx context.Context, ev events.DynamoDBEvent) events.DynamoDBEventResponse
	Schedule func(ctx context.Context, now time.Time) (any, error)
}

// Invoke tells the two kinds of event apart and hands each to its handler; anything else is
// an error.
func (t Triggers) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	var probe struct {
		Records    json.RawMessage `json:"Records"`
		DetailType string          `json:"detail-type"`
		Source     string          `json:"source"`
		Time       time.Time       `json:"time"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("%s: event is not a JSON object: %w", t.Name, err)
	}
	switch {
	case len(probe.Records) > 0:
		var ev events.DynamoDBEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, fmt.Errorf("%s: decode stream batch: %w", t.Name, err)
		}
		return t.Stream(ctx, ev), nil
	case probe.DetailType == "Scheduled Event" && !probe.Time.IsZero():
		return t.Schedule(ctx, probe.Time)
	}
	return nil, fmt.Errorf("%s: neither a stream batch nor a Scheduled Event (detail-type %q, source %q)", t.Name, probe.DetailType, probe.Source)
}

// Ticked adapts a tick that returns only an error to Triggers.Schedule, answering
// {"status": "ok"} when it succeeds.
func Ticked(tick func(ctx context.Context, now time.Time) error) func(context.Context, time.Time) (any, error) {
	return func(ctx context.Context, now time.Time) (any, error) {
		if err := tick(ctx, now); err != nil {
			return nil, err
		}
		return map[string]string{"status": "ok"}, nil
	}
}
