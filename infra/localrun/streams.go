package localrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	st "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/rituals-dev/rituals/infra/samtemplate"
)

// StreamsAPI is the part of the DynamoDB Streams client a stream mapping needs.
type StreamsAPI interface {
	DescribeStream(context.Context, *dynamodbstreams.DescribeStreamInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error)
	GetShardIterator(context.Context, *dynamodbstreams.GetShardIteratorInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecords(context.Context, *dynamodbstreams.GetRecordsInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error)
}

var _ StreamsAPI = (*dynamodbstreams.Client)(nil)

// streamMapping is a local event source mapping: it polls a table's stream in DynamoDB Local
// and invokes its function with batches, with Lambda's filtering, batching, retry, bisect and
// on-failure semantics.
type streamMapping struct {
	samtemplate.StreamMapping
	fn          *function
	filters     []*FilterPattern
	streamARN   string
	destination string
	api         StreamsAPI
	dlq         *deadLetters
	log         io.Writer
	now         func() time.Time
	region      string
	pollEvery   time.Duration
	backoff     time.Duration

	// idleCycles counts poll rounds that found nothing to do; Stack.WaitStreams watches it.
	idleCycles atomic.Uint64
	stopped    atomic.Bool
}

type shardState struct {
	id, parent string
	startType  st.ShardIteratorType
	iterator   string
	lastSeq    string // last sequence number read from the stream (filtered or not)
	closed     bool   // the stream said there is no more
	done       bool   // closed and everything buffered has been processed
	buffer     []streamRecord
	windowFrom time.Time
}

// run polls until ctx ends. Errors are reported to the log and retried; a stream that no longer
// exists (its table was deleted) stops the mapping.
func (m *streamMapping) run(ctx context.Context) {
	defer m.stopped.Store(true)
	shards := map[string]*shardState{}
	var order []*shardState
	first := true
	var lastDescribe time.Time
	for ctx.Err() == nil {
		if first || time.Since(lastDescribe) > time.Second || allDone(order) {
			found, err := m.describe(ctx)
			lastDescribe = time.Now()
			if err != nil {
				var nf *st.ResourceNotFoundException
				if errors.As(err, &nf) {
					fmt.Fprintf(m.log, "rituals: %s.%s: stream %s is gone; mapping stopped\n", m.Function, m.Event, m.streamARN)
					return
				}
				if ctx.Err() == nil {
					fmt.Fprintf(m.log, "rituals: %s.%s: describe stream: %v\n", m.Function, m.Event, err)
				}
				sleep(ctx, time.Second)
				continue
			}
			for _, sh := range found {
				id := aws.ToString(sh.ShardId)
				if shards[id] != nil {
					continue
				}
				s := &shardState{id: id, parent: aws.ToString(sh.ParentShardId), startType: st.ShardIteratorTypeTrimHorizon}
				if first && m.StartingPosition == "LATEST" {
					s.startType = st.ShardIteratorTypeLatest
				}
				shards[id] = s
				order = append(order, s)
			}
			first = false
		}
		progressed := false
		for _, s := range order {
			if s.done {
				continue
			}
			if p := shards[s.parent]; p != nil && !p.done {
				continue // a child shard waits for its parent, to keep each key's order
			}
			did, err := m.poll(ctx, s)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				var nf *st.ResourceNotFoundException
				if errors.As(err, &nf) {
					fmt.Fprintf(m.log, "rituals: %s.%s: stream %s is gone; mapping stopped\n", m.Function, m.Event, m.streamARN)
					return
				}
				fmt.Fprintf(m.log, "rituals: %s.%s: shard %s: %v\n", m.Function, m.Event, s.id, err)
				sleep(ctx, time.Second)
			}
			progressed = progressed || did
		}
		if !progressed {
			m.idleCycles.Add(1)
			sleep(ctx, m.pollEvery)
		}
	}
}

func allDone(order []*shardState) bool {
	for _, s := range order {
		if !s.done {
			return false
		}
	}
	return true
}

func (m *streamMapping) describe(ctx context.Context) ([]st.Shard, error) {
	var shards []st.Shard
	in := &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(m.streamARN)}
	for {
		out, err := m.api.DescribeStream(ctx, in)
		if err != nil {
			return nil, err
		}
		if out.StreamDescription == nil {
			return shards, nil
		}
		shards = append(shards, out.StreamDescription.Shards...)
		if out.StreamDescription.LastEvaluatedShardId == nil {
			return shards, nil
		}
		in.ExclusiveStartShardId = out.StreamDescription.LastEvaluatedShardId
	}
}

// poll reads the shard once and processes what is due. It reports whether anything happened
// (records read or processed), so that an idle mapping sleeps between polls.
func (m *streamMapping) poll(ctx context.Context, s *shardState) (bool, error) {
	progressed := false
	if !s.closed {
		if s.iterator == "" {
			in := &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(m.streamARN), ShardId: aws.String(s.id), ShardIteratorType: s.startType}
			if s.lastSeq != "" {
				in.ShardIteratorType = st.ShardIteratorTypeAfterSequenceNumber
				in.SequenceNumber = aws.String(s.lastSeq)
			}
			out, err := m.api.GetShardIterator(ctx, in)
			if err != nil {
				return false, fmt.Errorf("get shard iterator: %w", err)
			}
			s.iterator = aws.ToString(out.ShardIterator)
		}
		out, err := m.api.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String(s.iterator), Limit: aws.Int32(1000)})
		if err != nil {
			var expired *st.ExpiredIteratorException
			var trimmed *st.TrimmedDataAccessException
			switch {
			case errors.As(err, &expired):
				s.iterator = ""
				return false, nil
			case errors.As(err, &trimmed):
				s.iterator, s.lastSeq, s.startType = "", "", st.ShardIteratorTypeTrimHorizon
				return false, nil
			}
			return false, fmt.Errorf("get records: %w", err)
		}
		for _, r := range out.Records {
			rec, err := lambdaRecord(r, m.region, m.streamARN)
			if err != nil {
				fmt.Fprintf(m.log, "rituals: %s.%s: skipping a record: %v\n", m.Function, m.Event, err)
				continue
			}
			s.lastSeq = rec.seq
			progressed = true
			// Like Lambda, records the filters reject are dropped and the position moves past them.
			if MatchAny(m.filters, rec.doc) {
				if len(s.buffer) == 0 {
					s.windowFrom = time.Now()
				}
				s.buffer = append(s.buffer, rec)
			}
		}
		if out.NextShardIterator == nil {
			s.closed = true
		} else {
			s.iterator = aws.ToString(out.NextShardIterator)
		}
	}
	for len(s.buffer) > 0 && ctx.Err() == nil {
		// The batching window and record ages run on the real clock, like DynamoDB's own
		// arrival times; the injected clock only stamps what the runner reports.
		if len(s.buffer) < m.BatchSize && !s.closed && time.Since(s.windowFrom) < m.MaximumBatchingWindow {
			return true, nil // let the batching window fill
		}
		n := min(m.BatchSize, len(s.buffer))
		m.process(ctx, s.id, s.buffer[:n])
		s.buffer = s.buffer[n:]
		s.windowFrom = time.Now()
		progressed = true
	}
	if s.closed && len(s.buffer) == 0 {
		s.done = true
	}
	return progressed, nil
}

// batchItemFailures is the ReportBatchItemFailures response shape.
type batchItemFailures struct {
	BatchItemFailures []struct {
		ItemIdentifier *string `json:"itemIdentifier"`
	} `json:"batchItemFailures"`
}

type pendingBatch struct {
	records []streamRecord
	retries int
	invokes int
}

// process delivers one batch until it has succeeded or been dead-lettered, following Lambda:
//   - success, or ReportBatchItemFailures with an empty list: done;
//   - ReportBatchItemFailures listing sequence numbers: the records before the lowest one are
//     done, the rest is retried (a retry); an empty, null or unknown identifier fails the batch;
//   - a function error (error, crash, timeout): with BisectBatchOnFunctionError the batch is split
//     in two and each half is tried as a new batch (splitting is not a retry); a single record,
//     or without bisect, is retried;
//   - past MaximumRetryAttempts retries the batch goes to the on-failure destination and
//     processing continues after it, so a poison record never blocks the shard for long.
func (m *streamMapping) process(ctx context.Context, shardID string, batch []streamRecord) {
	work := []pendingBatch{{records: batch}}
	for len(work) > 0 && ctx.Err() == nil {
		b := work[0]
		work = work[1:]
		b.records = m.dropExpired(shardID, b.records)
		if len(b.records) == 0 {
			continue
		}
		payload, err := json.Marshal(events.DynamoDBEvent{Records: eventRecords(b.records)})
		if err != nil {
			fmt.Fprintf(m.log, "rituals: %s.%s: encode batch: %v\n", m.Function, m.Event, err)
			return
		}
		out, err := m.fn.invoke(ctx, payload)
		b.invokes++
		var fe *FunctionError
		if err != nil && !errors.As(err, &fe) {
			return // the stack is closing
		}
		if err == nil {
			idx, failed := 0, []string(nil)
			if m.ReportBatchItemFailures {
				idx, failed = firstFailure(out, b.records)
			} else {
				idx = len(b.records)
			}
			if idx == len(b.records) {
				continue
			}
			rest := b.records[idx:]
			if m.exhausted(b.retries) {
				m.deadLetter(shardID, rest, b.invokes, failed, "", DeadLetterResponseContext{StatusCode: 200, ExecutedVersion: "$LATEST"})
				continue
			}
			sleep(ctx, m.retryDelay(b.retries))
			work = append([]pendingBatch{{records: rest, retries: b.retries + 1, invokes: b.invokes}}, work...)
			continue
		}
		if m.BisectOnError && len(b.records) > 1 {
			h := len(b.records) / 2
			work = append([]pendingBatch{{records: b.records[:h]}, {records: b.records[h:]}}, work...)
			continue
		}
		if m.exhausted(b.retries) {
			m.deadLetter(shardID, b.records, b.invokes, nil, fe.Error(), DeadLetterResponseContext{StatusCode: 200, ExecutedVersion: "$LATEST", FunctionError: "Unhandled"})
			continue
		}
		sleep(ctx, m.retryDelay(b.retries))
		work = append([]pendingBatch{{records: b.records, retries: b.retries + 1, invokes: b.invokes}}, work...)
	}
}

func (m *streamMapping) exhausted(retries int) bool {
	return m.MaximumRetryAttempts >= 0 && retries >= m.MaximumRetryAttempts
}

func (m *streamMapping) retryDelay(retries int) time.Duration {
	d := m.backoff << min(retries, 6)
	return min(d, 5*time.Second)
}

// firstFailure returns the index of the lowest failed record (len(records) when none failed)
// and the identifiers reported. A malformed report fails the whole batch, as in Lambda.
func firstFailure(out []byte, records []streamRecord) (int, []string) {
	if len(out) == 0 || string(out) == "null" {
		return len(records), nil
	}
	var resp batchItemFailures
	if err := json.Unmarshal(out, &resp); err != nil {
		return len(records), nil // not a partial-failure response: treated as success
	}
	if len(resp.BatchItemFailures) == 0 {
		return len(records), nil
	}
	idx := len(records)
	var ids []string
	for _, f := range resp.BatchItemFailures {
		id := aws.ToString(f.ItemIdentifier)
		ids = append(ids, id)
		found := false
		for i, r := range records {
			if r.seq == id {
				found = true
				idx = min(idx, i)
			}
		}
		if !found {
			idx = 0
		}
	}
	return idx, ids
}

// dropExpired dead-letters records older than MaximumRecordAge (condition RecordAgeExceeded).
func (m *streamMapping) dropExpired(shardID string, recs []streamRecord) []streamRecord {
	if m.MaximumRecordAge <= 0 {
		return recs
	}
	now := time.Now()
	var keep, old []streamRecord
	for _, r := range recs {
		if !r.arrival.IsZero() && now.Sub(r.arrival) > m.MaximumRecordAge {
			old = append(old, r)
		} else {
			keep = append(keep, r)
		}
	}
	if len(old) > 0 {
		m.deadLetterCondition(shardID, old, 0, nil, "", DeadLetterResponseContext{ExecutedVersion: "$LATEST"}, "RecordAgeExceeded")
	}
	return keep
}

func (m *streamMapping) deadLetter(shardID string, recs []streamRecord, invokes int, failed []string, errText string, rc DeadLetterResponseContext) {
	m.deadLetterCondition(shardID, recs, invokes, failed, errText, rc, "RetryAttemptsExhausted")
}

func (m *streamMapping) deadLetterCondition(shardID string, recs []streamRecord, invokes int, failed []string, errText string, rc DeadLetterResponseContext, condition string) {
	first, last := recs[0], recs[len(recs)-1]
	dl := DeadLetter{
		RequestContext:  DeadLetterRequestContext{RequestID: newUUID(), FunctionARN: m.fn.arn, Condition: condition, ApproximateInvokeCount: invokes},
		ResponseContext: rc,
		Version:         "1.0",
		Timestamp:       m.now().UTC().Format("2006-01-02T15:04:05.000Z"),
		DDBStreamBatchInfo: DDBStreamBatchInfo{
			ShardID:                         shardID,
			StartSequenceNumber:             first.seq,
			EndSequenceNumber:               last.seq,
			ApproximateArrivalOfFirstRecord: first.arrival.Format(time.RFC3339),
			ApproximateArrivalOfLastRecord:  last.arrival.Format(time.RFC3339),
			BatchSize:                       len(recs),
			StreamARN:                       m.streamARN,
		},
		Function: m.Function, Event: m.Event, Destination: m.destination,
		Records: eventRecords(recs), FailedItemIdentifiers: failed, Error: errText,
	}
	where := m.OnFailure
	if where == "" {
		where = "nowhere (no OnFailure destination: the records are skipped, as in Lambda)"
	}
	fmt.Fprintf(m.log, "rituals: %s.%s: gave up on %d record(s) %s..%s (%s after %d invocation(s)); sent to %s\n",
		m.Function, m.Event, len(recs), first.seq, last.seq, condition, invokes, where)
	if m.OnFailure == "" {
		return
	}
	if err := m.dlq.add(dl); err != nil {
		fmt.Fprintf(m.log, "rituals: %s.%s: %v\n", m.Function, m.Event, err)
	}
}

func eventRecords(recs []streamRecord) []events.DynamoDBEventRecord {
	out := make([]events.DynamoDBEventRecord, len(recs))
	for i, r := range recs {
		out[i] = r.event
	}
	return out
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
