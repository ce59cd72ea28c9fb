// Package streams is what every function triggered by the events table's stream shares: it runs
// a batch's records in order with Lambda's ReportBatchItemFailures semantics, and turns a
// record's NewImage back into the store.Event that was written (payload parts included).
//
// # Failures and the dead-letter queue
//
// A record whose processing fails is never dropped or skipped, not even one that can never
// succeed (a payload that cannot be decoded): Handle reports it as a batch item failure, and
// goes on with the records after it. Lambda checkpoints before the lowest failed record,
// retries from there (MaximumRetryAttempts: 3 and BisectBatchOnFunctionError in template.yaml)
// and, when the retries are spent, sends the batch's stream coordinates to the on-failure
// destination (the SQS DeadLetterQueue, whose alarm fires on the first message). From there a
// person can look the event up in the events table, fix the cause and replay it.
//
// Records after a failed one are processed in the same invocation rather than held back: a
// retry restarts at the failed record anyway, so holding them back would only mean that a
// poison record takes its neighbours to the dead-letter queue with it. The price is that a
// later record may be applied before an earlier one that failed; every processor is written
// for that already (webhooks arrive out of order: state carries versions such as the issue's
// updated_at, and writes are conditional on them).
//
// Because a record can be processed more than once (a retry after a partial failure, a
// replayed dead letter), the function given to Handle must be idempotent.
package streams

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rituals-dev/rituals/shared/logs"
)

// Func processes one stream record. A non-nil error makes Handle report the record for retry.
type Func func(ctx context.Context, rec events.DynamoDBEventRecord) error

// Handle processes ev's records in order with fn and logs through slog.Default() (main installs
// the JSON logger with slog.SetDefault). See HandleLogged.
func Handle(ctx context.Context, ev events.DynamoDBEvent, fn Func) events.DynamoDBEventResponse {
	return HandleLogged(ctx, slog.Default(), ev, fn)
}

// Reserve is the time kept back before the invocation's deadline: records are no longer
// started, and the record in progress sees its context end, this long before Lambda would kill
// the instance, so that the batch's failures are still returned. A batch killed at its deadline
// reports nothing, and Lambda then retries the whole batch, records already done included.
const Reserve = 3 * time.Second

// HandleLogged calls fn for each of ev's records, one at a time in stream order, and returns
// every record whose call failed as a BatchItemFailure (identified by its SequenceNumber);
// each failure is logged at ERROR with the record's metadata (never its payload). A record
// that succeeds has been processed exactly once by this call. fn's context ends Reserve before
// ctx's deadline; from then on (or once ctx is done) the remaining records are reported as
// failures without calling fn, so the answer always reaches Lambda in time.
func HandleLogged(ctx context.Context, log *slog.Logger, ev events.DynamoDBEvent, fn Func) events.DynamoDBEventResponse {
	log = logs.For(ctx, log)
	work := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		work, cancel = context.WithDeadline(ctx, dl.Add(-Reserve))
		defer cancel()
	}
	var resp events.DynamoDBEventResponse
	for _, rec := range ev.Records {
		err := work.Err()
		if err == nil {
			err = fn(work, rec)
		}
		if err == nil {
			continue
		}
		log.LogAttrs(ctx, slog.LevelError, "stream record failed; it will be retried",
			append(recordAttrs(rec), slog.String(logs.Err, err.Error()))...)
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
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
