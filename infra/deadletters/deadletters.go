// Package deadletters lists and replays what the stack's stream mappings gave up on, in AWS:
// Lambda sends an on-failure record for each batch to the SQS dead-letter queue, naming the
// function, the stream and the batch's first and last sequence numbers (DDBStreamBatchInfo), not
// the records themselves. Replay reads those records back from the stream while it still holds
// them (24 hours), invokes the function with them as Lambda would, and deletes the message only
// once every record succeeded. After 24 hours the events table still has every delivery (35
// days): ReplayEvents builds the stream records from its items.
package deadletters

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	st "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rituals-dev/rituals/infra/streamrecord"
)

// SQSAPI, StreamsAPI, LambdaAPI and TableAPI are the parts of the AWS clients Replayer uses.
type SQSAPI interface {
	ReceiveMessage(context.Context, *sqs.ReceiveMessageInput, ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(context.Context, *sqs.DeleteMessageInput, ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
	ChangeMessageVisibility(context.Context, *sqs.ChangeMessageVisibilityInput, ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

type StreamsAPI interface {
	GetShardIterator(context.Context, *dynamodbstreams.GetShardIteratorInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecords(context.Context, *dynamodbstreams.GetRecordsInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error)
}

type LambdaAPI interface {
	Invoke(context.Context, *lambda.InvokeInput, ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

type TableAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

var (
	_ SQSAPI     = (*sqs.Client)(nil)
	_ StreamsAPI = (*dynamodbstreams.Client)(nil)
	_ LambdaAPI  = (*lambda.Client)(nil)
	_ TableAPI   = (*dynamodb.Client)(nil)
)

// Record is Lambda's on-failure record for a stream batch, as the queue holds it.
type Record struct {
	RequestContext struct {
		RequestID              string `json:"requestId"`
		FunctionARN            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	ResponseContext struct {
		StatusCode    int    `json:"statusCode"`
		FunctionError string `json:"functionError"`
	} `json:"responseContext"`
	Timestamp string    `json:"timestamp"`
	Batch     BatchInfo `json:"DDBStreamBatchInfo"`
}

// BatchInfo locates a batch in its stream.
type BatchInfo struct {
	ShardID                         string `json:"shardId"`
	StartSequenceNumber             string `json:"startSequenceNumber"`
	EndSequenceNumber               string `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int    `json:"batchSize"`
	StreamARN                       string `json:"streamArn"`
}

// Message is one dead letter: the SQS message and the record it carries.
type Message struct {
	ID            string `json:"id"`
	ReceiptHandle string `json:"-"`
	Record        Record `json:"record"`
}

// Replayer works on the stack's dead-letter queue.
type Replayer struct {
	SQS      SQSAPI
	Streams  StreamsAPI
	Lambda   LambdaAPI
	QueueURL string
	// Region is written into the records (awsRegion), as Lambda does.
	Region string
	// Events and EventsTable are needed by ReplayEvents and Window only.
	Events      TableAPI
	EventsTable string
}

// ErrNotInStream says the stream no longer holds a batch's records (streams keep them 24
// hours, and a table's stream can be turned off or replaced): they must come from the events
// table instead (ReplayEvents). Its message says how.
var ErrNotInStream = errors.New("the stream no longer holds these records")

// ErrNoMessage is returned for a message id that is not in the queue (or is being handled by
// someone else right now).
var ErrNoMessage = errors.New("no such dead letter in the queue")

// maxMessages bounds how many messages List reads.
const maxMessages = 200

// List reads the queue without taking anything off it: every message read is made visible
// again at once. (SQS cannot receive with a visibility timeout of 0 through the SDK, which
// leaves a zero out; without the release, listing would hide the messages for 30 seconds.)
func (r Replayer) List(ctx context.Context) ([]Message, error) {
	msgs, err := r.receive(ctx, 30, "")
	for _, m := range msgs {
		r.release(ctx, m)
	}
	return msgs, err
}

// receive reads up to maxMessages messages, each hidden for visibility seconds (so that one
// call does not see a message twice), and stops early at the message with id want when want
// is set.
func (r Replayer) receive(ctx context.Context, visibility int32, want string) ([]Message, error) {
	var out []Message
	seen := map[string]bool{}
	for len(out) < maxMessages {
		resp, err := r.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(r.QueueURL), MaxNumberOfMessages: 10, VisibilityTimeout: visibility, WaitTimeSeconds: 1,
		})
		if err != nil {
			return out, fmt.Errorf("read the dead-letter queue %s: %w", r.QueueURL, err)
		}
		fresh, found := 0, false
		for _, m := range resp.Messages {
			id := aws.ToString(m.MessageId)
			if seen[id] {
				continue
			}
			seen[id] = true
			fresh++
			msg := Message{ID: id, ReceiptHandle: aws.ToString(m.ReceiptHandle)}
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &msg.Record); err != nil {
				return out, fmt.Errorf("dead letter %s is not a Lambda on-failure record: %w", id, err)
			}
			out = append(out, msg)
			found = found || (want != "" && id == want)
		}
		// The whole page is returned (its other messages are hidden too, and the caller
		// releases them).
		if fresh == 0 || found {
			return out, nil
		}
	}
	return out, nil
}

// Result is the outcome of one replay.
type Result struct {
	ID       string `json:"id"`
	Function string `json:"function"`
	Records  int    `json:"records"`
	// OK means every record succeeded and the message was deleted.
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// Replay replays the message with the given id, or every message when id is empty. Messages
// are taken off the queue for the time of their replay (a visibility timeout) and deleted only
// when it succeeded; a failed one is made visible again at once. A batch whose records the
// stream no longer holds gets a Result whose Error wraps ErrNotInStream's advice.
func (r Replayer) Replay(ctx context.Context, id string) ([]Result, error) {
	msgs, err := r.receive(ctx, 300, id)
	if err != nil {
		return nil, err
	}
	var results []Result
	for _, m := range msgs {
		if id != "" && m.ID != id {
			r.release(ctx, m)
			continue
		}
		res := r.replayOne(ctx, m)
		if res.OK {
			if _, err := r.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(r.QueueURL), ReceiptHandle: aws.String(m.ReceiptHandle)}); err != nil {
				res.OK, res.Error = false, fmt.Sprintf("replayed, but deleting the message failed (a second replay does nothing twice): %v", err)
			}
		} else {
			r.release(ctx, m)
		}
		results = append(results, res)
	}
	if id != "" && len(results) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoMessage, id)
	}
	return results, nil
}

func (r Replayer) release(ctx context.Context, m Message) {
	_, _ = r.SQS.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(r.QueueURL), ReceiptHandle: aws.String(m.ReceiptHandle), VisibilityTimeout: 0})
}

func (r Replayer) replayOne(ctx context.Context, m Message) Result {
	b := m.Record.Batch
	res := Result{ID: m.ID, Function: m.Record.RequestContext.FunctionARN}
	recs, err := r.Records(ctx, b)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.Records = len(recs)
	if err := r.invoke(ctx, res.Function, recs); err != nil {
		res.Error = err.Error()
		return res
	}
	res.OK = true
	return res
}

// Records reads a batch's records back from its stream: from StartSequenceNumber (inclusive)
// to EndSequenceNumber, on its shard. It returns an error wrapping ErrNotInStream when the
// stream has trimmed them or no longer exists.
func (r Replayer) Records(ctx context.Context, b BatchInfo) ([]events.DynamoDBEventRecord, error) {
	end, ok := new(big.Int).SetString(b.EndSequenceNumber, 10)
	if !ok {
		return nil, fmt.Errorf("dead letter has no end sequence number (%q)", b.EndSequenceNumber)
	}
	it, err := r.Streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
		StreamArn: aws.String(b.StreamARN), ShardId: aws.String(b.ShardID),
		ShardIteratorType: st.ShardIteratorTypeAtSequenceNumber, SequenceNumber: aws.String(b.StartSequenceNumber),
	})
	if err != nil {
		return nil, r.gone(b, err)
	}
	iter := it.ShardIterator
	var out []events.DynamoDBEventRecord
	for empty := 0; iter != nil && empty < 10; {
		page, err := r.Streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(1000)})
		if err != nil {
			return nil, r.gone(b, err)
		}
		if len(page.Records) == 0 {
			empty++
		}
		for _, rec := range page.Records {
			seq, _ := new(big.Int).SetString(aws.ToString(rec.Dynamodb.SequenceNumber), 10)
			if seq != nil && seq.Cmp(end) > 0 {
				return r.check(b, out)
			}
			e, err := streamrecord.FromStreams(rec, r.Region, b.StreamARN)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		iter = page.NextShardIterator
	}
	return r.check(b, out)
}

// check makes sure the batch was read whole: from its first record to its last.
func (r Replayer) check(b BatchInfo, recs []events.DynamoDBEventRecord) ([]events.DynamoDBEventRecord, error) {
	if len(recs) == 0 || recs[0].Change.SequenceNumber != b.StartSequenceNumber || recs[len(recs)-1].Change.SequenceNumber != b.EndSequenceNumber {
		return nil, r.gone(b, fmt.Errorf("read %d of the batch's records", len(recs)))
	}
	return recs, nil
}

// gone explains what to do when the stream cannot give the batch back.
func (r Replayer) gone(b BatchInfo, cause error) error {
	var trimmed *st.TrimmedDataAccessException
	var missing *st.ResourceNotFoundException
	if !errors.As(cause, &trimmed) && !errors.As(cause, &missing) && !strings.HasPrefix(cause.Error(), "read ") {
		return fmt.Errorf("read the batch from %s: %w", b.StreamARN, cause)
	}
	return fmt.Errorf("%w (streams keep records 24 hours; these arrived %s to %s). "+
		"The events table keeps every delivery 35 days: list the ones that arrived then with "+
		"`rituals deadletters events -from %s -to %s`, then replay them with "+
		"`rituals deadletters replay -function <function> -event <key> [-event <key>...]` (%v)",
		ErrNotInStream, b.ApproximateArrivalOfFirstRecord, b.ApproximateArrivalOfLastRecord,
		b.ApproximateArrivalOfFirstRecord, b.ApproximateArrivalOfLastRecord, cause)
}

// invoke calls the function with the records as one batch, as the stream mapping would, and
// reports a function error or any record it reported failed.
func (r Replayer) invoke(ctx context.Context, function string, recs []events.DynamoDBEventRecord) error {
	payload, err := json.Marshal(events.DynamoDBEvent{Records: recs})
	if err != nil {
		return err
	}
	out, err := r.Lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(function), Payload: payload, InvocationType: lambdatypes.InvocationTypeRequestResponse})
	if err != nil {
		return fmt.Errorf("invoke %s: %w", function, err)
	}
	if out.FunctionError != nil {
		return fmt.Errorf("%s failed again (%s): %s", function, aws.ToString(out.FunctionError), out.Payload)
	}
	var resp events.DynamoDBEventResponse
	if json.Unmarshal(out.Payload, &resp) == nil && len(resp.BatchItemFailures) > 0 {
		var ids []string
		for _, f := range resp.BatchItemFailures {
			ids = append(ids, f.ItemIdentifier)
		}
		return fmt.Errorf("%s reported records failed again: %s", function, strings.Join(ids, ", "))
	}
	return nil
}

// ReplayEvents builds the stream records of the events table items with the given keys (as a
// NEW_IMAGE INSERT, which is what every processor's filter selects) and invokes function with
// them as one batch. streamARN, when known, is written into the records. Processors are
// idempotent, so replaying an event that was in fact processed does nothing twice.
func (r Replayer) ReplayEvents(ctx context.Context, function, streamARN string, keys []string) (Result, error) {
	res := Result{Function: function}
	var recs []events.DynamoDBEventRecord
	for i, k := range keys {
		out, err := r.Events.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(r.EventsTable), ConsistentRead: aws.Bool(true),
			Key: map[string]ddb.AttributeValue{"pk": &ddb.AttributeValueMemberS{Value: k}},
		})
		if err != nil {
			return res, fmt.Errorf("read event %s from %s: %w", k, r.EventsTable, err)
		}
		if out.Item == nil {
			return res, fmt.Errorf("event %s is not in %s (the table keeps deliveries 35 days)", k, r.EventsTable)
		}
		at := time.Now()
		if v, ok := out.Item["received"].(*ddb.AttributeValueMemberS); ok {
			if t, err := time.Parse(time.RFC3339Nano, v.Value); err == nil {
				at = t
			}
		}
		recs = append(recs, streamrecord.FromItem(out.Item, []string{"pk"}, r.Region, streamARN, fmt.Sprintf("%021d", i+1), at))
	}
	res.Records = len(recs)
	if err := r.invoke(ctx, function, recs); err != nil {
		res.Error = err.Error()
		return res, nil
	}
	res.OK = true
	return res, nil
}

// Delivery is one item of the events table, as Window lists it.
type Delivery struct {
	Key      string `json:"key"`
	Source   string `json:"source"`
	Event    string `json:"event"`
	Action   string `json:"action,omitempty"`
	Received string `json:"received"`
}

// Window lists the deliveries received between from and to (a second wider on each side, as
// received times are compared as text), oldest first: the candidates for a dead-lettered batch
// the stream no longer holds. It scans the events table.
func (r Replayer) Window(ctx context.Context, from, to time.Time) ([]Delivery, error) {
	from, to = from.Add(-time.Second), to.Add(time.Second)
	in := &dynamodb.ScanInput{
		TableName:                aws.String(r.EventsTable),
		FilterExpression:         aws.String("received BETWEEN :a AND :b"),
		ProjectionExpression:     aws.String("pk, #s, #e, #a, received"),
		ExpressionAttributeNames: map[string]string{"#s": "source", "#e": "event", "#a": "action"},
		ExpressionAttributeValues: map[string]ddb.AttributeValue{
			":a": &ddb.AttributeValueMemberS{Value: from.UTC().Format(time.RFC3339Nano)},
			":b": &ddb.AttributeValueMemberS{Value: to.UTC().Format(time.RFC3339Nano)},
		},
	}
	var out []Delivery
	for {
		page, err := r.Events.Scan(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", r.EventsTable, err)
		}
		for _, it := range page.Items {
			d := Delivery{Key: str(it["pk"]), Source: str(it["source"]), Event: str(it["event"]), Action: str(it["action"]), Received: str(it["received"])}
			out = append(out, d)
		}
		if page.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	at := func(d Delivery) time.Time { t, _ := time.Parse(time.RFC3339Nano, d.Received); return t }
	sort.SliceStable(out, func(i, j int) bool { return at(out[i]).Before(at(out[j])) })
	return out, nil
}

func str(v ddb.AttributeValue) string {
	if s, ok := v.(*ddb.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}
