package localrun

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
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
