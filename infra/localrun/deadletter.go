package localrun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
)

// DeadLetter is what a stream mapping sends to its on-failure destination when it gives up on
// records: Lambda's invocation record for DynamoDB streams, plus (locally only) the mapping,
// the destination, the records themselves and what failed.
type DeadLetter struct {
	RequestContext     DeadLetterRequestContext  `json:"requestContext"`
	ResponseContext    DeadLetterResponseContext `json:"responseContext"`
	Version            string                    `json:"version"`
	Timestamp          string                    `json:"timestamp"`
	DDBStreamBatchInfo DDBStreamBatchInfo        `json:"DDBStreamBatchInfo"`

	// Local only.
	Function    string `json:"function"`
	Event       string `json:"event"`
	Destination string `json:"destination,omitempty"`
	// Records are the records given up on, as the function received them.
	Records []events.DynamoDBEventRecord `json:"records"`
	// FailedItemIdentifiers are the sequence numbers the last response reported as failed
	// (ReportBatchItemFailures); empty when the whole batch failed.
	FailedItemIdentifiers []string `json:"failedItemIdentifiers,omitempty"`
	// Error is the last invocation's error, when it failed as a whole.
	Error string `json:"error,omitempty"`
}

// DeadLetterRequestContext is the requestContext of Lambda's invocation record.
type DeadLetterRequestContext struct {
	RequestID   string `json:"requestId"`
	FunctionARN string `json:"functionArn"`
	// Condition is RetryAttemptsExhausted or RecordAgeExceeded.
	Condition              string `json:"condition"`
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

// DeadLetterResponseContext is the responseContext of Lambda's invocation record.
type DeadLetterResponseContext struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion"`
	FunctionError   string `json:"functionError,omitempty"`
}

// DDBStreamBatchInfo locates the records given up on in the stream.
type DDBStreamBatchInfo struct {
	ShardID                         string `json:"shardId"`
	StartSequenceNumber             string `json:"startSequenceNumber"`
	EndSequenceNumber               string `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int    `json:"batchSize"`
	StreamARN                       string `json:"streamArn"`
}

// deadLetters is the local stand-in for the on-failure destinations: kept in memory and
// appended to a JSON-lines file so they survive the runner.
type deadLetters struct {
	mu   sync.Mutex
	list []DeadLetter
	file string
}

func (d *deadLetters) add(dl DeadLetter) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.list = append(d.list, dl)
	if d.file == "" {
		return nil
	}
	line, err := json.Marshal(dl)
	if err != nil {
		return fmt.Errorf("encode dead letter: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(d.file), 0o755); err != nil {
		return fmt.Errorf("dead-letter file: %w", err)
	}
	f, err := os.OpenFile(d.file, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("dead-letter file: %w", err)
	}
	defer f.Close()
	if _, err := f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("dead-letter file: %w", err)
	}
	return nil
}

func (d *deadLetters) all() []DeadLetter {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]DeadLetter(nil), d.list...)
}

// take removes the dead letter with the given id (its requestContext.requestId) from the queue
// and returns it, like receiving an SQS message; put gives it back when its replay failed.
func (d *deadLetters) take(id string) (DeadLetter, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, dl := range d.list {
		if dl.RequestContext.RequestID == id {
			d.list = append(d.list[:i:i], d.list[i+1:]...)
			return dl, true
		}
	}
	return DeadLetter{}, false
}

func (d *deadLetters) put(dl DeadLetter) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.list = append(d.list, dl)
	sort.SliceStable(d.list, func(i, j int) bool { return d.list[i].Timestamp < d.list[j].Timestamp })
}

// rewrite writes the file anew with what is left in the queue, after a replay deleted one.
func (d *deadLetters) rewrite() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.file == "" {
		return nil
	}
	var buf bytes.Buffer
	for _, dl := range d.list {
		line, err := json.Marshal(dl)
		if err != nil {
			return fmt.Errorf("encode dead letter: %w", err)
		}
		buf.Write(append(line, '\n'))
	}
	tmp := d.file + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("dead-letter file: %w", err)
	}
	return os.Rename(tmp, d.file)
}

// ReplayResult is the outcome of replaying one dead letter.
type ReplayResult struct {
	ID       string `json:"id"`
	Function string `json:"function"`
	Records  int    `json:"records"`
	// OK is true when the function processed every record; the dead letter is then deleted.
	OK bool `json:"ok"`
	// Error is the function's error, or which records it reported failed; the dead letter
	// stays in the queue.
	Error string `json:"error,omitempty"`
}

// ErrNoDeadLetter is returned (wrapped) by ReplayDeadLetter for an id that is not in the queue.
var ErrNoDeadLetter = errors.New("no such dead letter")

// ReplayDeadLetter invokes the dead letter's function with the same records, as they were
// delivered, and deletes the dead letter when every record succeeded (no function error, no
// batch item failures). The function's processors are idempotent, so a replay after a partial
// success does nothing twice. A dead letter is taken out of the queue while it is replayed, so
// two replays of it never run at once.
func (s *Stack) ReplayDeadLetter(ctx context.Context, id string) (ReplayResult, error) {
	dl, ok := s.dlq.take(id)
	if !ok {
		return ReplayResult{}, fmt.Errorf("%w %q", ErrNoDeadLetter, id)
	}
	res := ReplayResult{ID: id, Function: dl.Function, Records: len(dl.Records)}
	fn := s.fns[dl.Function]
	if fn == nil {
		s.dlq.put(dl)
		return res, fmt.Errorf("dead letter %s: function %s is not in this stack", id, dl.Function)
	}
	payload, err := json.Marshal(events.DynamoDBEvent{Records: dl.Records})
	if err != nil {
		s.dlq.put(dl)
		return res, fmt.Errorf("encode dead letter %s: %w", id, err)
	}
	out, err := fn.invoke(ctx, payload)
	var fe *FunctionError
	switch {
	case errors.As(err, &fe):
		res.Error = fe.Error()
	case err != nil:
		s.dlq.put(dl)
		return res, err
	default:
		recs := make([]streamRecord, len(dl.Records))
		for i, r := range dl.Records {
			recs[i] = streamRecord{seq: r.Change.SequenceNumber}
		}
		if idx, failed := firstFailure(out, recs); idx < len(recs) {
			res.Error = fmt.Sprintf("the function reported records failed: %s", strings.Join(failed, ", "))
		}
	}
	if res.Error != "" {
		s.dlq.put(dl)
		return res, nil
	}
	res.OK = true
	if err := s.dlq.rewrite(); err != nil {
		fmt.Fprintf(s.opts.Log, "rituals: %v\n", err)
	}
	return res, nil
}

// ReplayDeadLetters replays every dead letter in the queue, oldest first.
func (s *Stack) ReplayDeadLetters(ctx context.Context) ([]ReplayResult, error) {
	out := []ReplayResult{}
	for _, dl := range s.dlq.all() {
		res, err := s.ReplayDeadLetter(ctx, dl.RequestContext.RequestID)
		if errors.Is(err, ErrNoDeadLetter) {
			continue // replayed meanwhile by another request
		}
		if err != nil {
			return out, err
		}
		out = append(out, res)
	}
	return out, nil
}
