// Package streams is what every function triggered by the events table's stream shares: it runs
// a batch's records in order with Lambda's ReportBatchItemFailures semantics, and turns a
// record's NewImage back into the store.Event that was written (payload parts included).
//
// # Failures and the dead-letter queue
//
// A record whose processing fails is never dropped or skipped, not even one that can never
// succeed (a payload that cannot be decoded): Handle reports it, and every record after it, as
// batch item failures. Lambda checkpoints the records before it, retries the batch from it
// (MaximumRetryAttempts: 3 and BisectBatchOnFunctionError in template.yaml) and, when the
// retries are spent, sends the record's stream coordinates to the on-failure destination (the
// SQS DeadLetterQueue, whose alarm fires on the first message). From there a person can look
// the event up in the events table, fix the cause and replay it. A poison record therefore
// delays its shard by a few retries but is never silently lost.
//
// Because a record can be processed more than once (a retry after a partial failure, a
// replayed dead letter), the function given to Handle must be idempotent.
package streams

import (
	"context"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rituals-dev/rituals/shared/logs"
)

// Func processes one stream record. A non-nil error makes Handle report the record (and every
// later one) for retry.
type Func func(ctx context.Context, rec events.DynamoDBEventRecord) error

// Handle processes ev's records in order with fn and logs through slog.Default() (main installs
// the JSON logger with slog.SetDefault). See HandleLogged.
func Handle(ctx context.Context, ev events.DynamoDBEvent, fn Func) events.DynamoDBEventResponse {
	return HandleLogged(ctx, slog.Default(), ev, fn)
}

// HandleLogged processes ev's records one at a time, in stream order, with fn. On the first
// failure it stops: that record and every later one are returned as BatchItemFailures
// (identified by their SequenceNumber), so Lambda retries from the failed record and no record
// is ever processed before an earlier one of the same batch has succeeded. Records before the
// failure have been processed exactly once by this call. The failure is logged at ERROR with the
// record's metadata (never its payload). A context that is already done fails the remaining
// records without calling fn.
func HandleLogged(ctx context.Context, log *slog.Logger, ev events.DynamoDBEvent, fn Func) events.DynamoDBEventResponse {
	log = logs.For(ctx, log)
	var resp events.DynamoDBEventResponse
	for i, rec := range ev.Records {
		err := ctx.Err()
		if err == nil {
			err = fn(ctx, rec)
		}
		if err == nil {
			continue
		}
		rest := ev.Records[i:]
		log.LogAttrs(ctx, slog.LevelError, "stream record failed; retrying from it",
			append(recordAttrs(rec),
				slog.String(logs.Err, err.Error()),
				slog.Int("records_retried", len(rest)),
				slog.Int("records_done", i))...)
		resp.BatchItemFailures = make([]events.DynamoDBBatchItemFailure, 0, len(rest))
		for _, r := range rest {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: r.Change.SequenceNumber})
		}
		return resp
	}
	return resp
}

// recordAttrs describes a record for logs: stream coordinates and the events-table metadata
// attributes (key, source, event, action, repo), never the payload.
func recordAttrs(rec events.DynamoDBEventRecord) []slog.Attr {
	attrs := []slog.Attr{
		slog.String("sequence_number", rec.Change.SequenceNumber),
		slog.String("event_id", rec.EventID),
		slog.String("event_name", rec.EventName),
	}
	for _, f := range []struct{ attr, field string }{
		{"pk", logs.Key},
		{"source", "source"},
		{"event", logs.Event},
		{"action", logs.Action},
		{"repo", logs.Repo},
	} {
		if v, ok := rec.Change.NewImage[f.attr]; ok && v.DataType() == events.DataTypeString {
			attrs = append(attrs, slog.String(f.field, v.String()))
		}
	}
	// Event keys are "<source>#<delivery id>" (see store.Event.Key).
	if v, ok := rec.Change.NewImage["pk"]; ok && v.DataType() == events.DataTypeString {
		if _, id, ok := strings.Cut(v.String(), "#"); ok {
			attrs = append(attrs, slog.String(logs.Delivery, id))
		}
	}
	return attrs
}
