package deadletters

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
	"github.com/rituals-dev/rituals/shared/streams"
)

// awsStandIn answers the three AWS protocols the replay speaks, each as AWS does on the wire:
// SQS (AWS JSON 1.0, X-Amz-Target AmazonSQS.*) with visibility timeouts and receipt handles,
// DynamoDB Streams (AWS JSON 1.0) over a shard of records whose older part can be trimmed, and
// Lambda's Invoke (REST JSON, X-Amz-Function-Error on a function error).
type awsStandIn struct {
	mu       sync.Mutex
	messages []*sqsMessage
	receipts int
	shard    []map[string]any // the shard's records, in order
	trimmed  int              // records [0, trimmed) are gone
	invoked  [][]string       // pk of every record of every invocation
	// fail is how the function answers a record whose pk starts with "fail": "partial" or "error".
	fail string
}

type sqsMessage struct {
	id, body, receipt string
	hiddenUntil       time.Time
}

func (a *awsStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	defer a.mu.Unlock()
	if strings.HasPrefix(r.URL.Path, "/2015-03-31/functions/") {
		a.invoke(w, body)
		return
	}
	var in map[string]any
	_ = json.Unmarshal(body, &in)
	target := r.Header.Get("X-Amz-Target")
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	switch target {
	case "AmazonSQS.ReceiveMessage":
		vt := 30 * time.Second // the queue's default, when the request gives none
		if v, ok := in["VisibilityTimeout"].(float64); ok {
			vt = time.Duration(v) * time.Second
		}
		var out []any
		for _, m := range a.messages {
			if time.Now().Before(m.hiddenUntil) || len(out) == 10 {
				continue
			}
			a.receipts++
			m.receipt = "rh-" + strconv.Itoa(a.receipts)
			m.hiddenUntil = time.Now().Add(vt)
			sum := md5.Sum([]byte(m.body))
			out = append(out, map[string]any{"MessageId": m.id, "ReceiptHandle": m.receipt, "Body": m.body, "MD5OfBody": hex.EncodeToString(sum[:])})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"Messages": out})
	case "AmazonSQS.DeleteMessage", "AmazonSQS.ChangeMessageVisibility":
		for i, m := range a.messages {
			if m.receipt != in["ReceiptHandle"] {
				continue
			}
			if target == "AmazonSQS.DeleteMessage" {
				a.messages = append(a.messages[:i], a.messages[i+1:]...)
			} else {
				v, _ := in["VisibilityTimeout"].(float64) // an SDK leaves a zero out
				m.hiddenUntil = time.Now().Add(time.Duration(v) * time.Second)
			}
			_, _ = w.Write([]byte(`{}`))
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"com.amazonaws.sqs#ReceiptHandleIsInvalid","message":"The input receipt handle is invalid."}`))
	case "DynamoDBStreams_20120810.GetShardIterator":
		for i, rec := range a.shard {
			if rec["dynamodb"].(map[string]any)["SequenceNumber"] == in["SequenceNumber"] {
				if i < a.trimmed {
					break
				}
				_ = json.NewEncoder(w).Encode(map[string]any{"ShardIterator": "it-" + strconv.Itoa(i)})
				return
			}
		}
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException","message":"The operation attempted to read past the oldest stream record in a shard."}`))
	case "DynamoDBStreams_20120810.GetRecords":
		from, _ := strconv.Atoi(strings.TrimPrefix(in["ShardIterator"].(string), "it-"))
		to := min(from+2, len(a.shard)) // two a page, so that paging is exercised
		out := map[string]any{"Records": a.shard[from:to]}
		if to < len(a.shard) {
			out["NextShardIterator"] = "it-" + strconv.Itoa(to)
		} else {
			out["NextShardIterator"] = "it-" + strconv.Itoa(to) // an open shard: nothing more yet
		}
		_ = json.NewEncoder(w).Encode(out)
	default:
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, `{"__type":"UnknownOperationException","message":"%s"}`, target)
	}
}

func (a *awsStandIn) invoke(w http.ResponseWriter, body []byte) {
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		_, _ = w.Write([]byte(`{"errorType":"UnmarshalTypeError","errorMessage":"bad event"}`))
		return
	}
	var pks []string
	var resp events.DynamoDBEventResponse
	for _, rec := range ev.Records {
		pk := rec.Change.Keys["pk"].String()
		pks = append(pks, pk)
		if strings.HasPrefix(pk, "fail") {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
		}
	}
	a.invoked = append(a.invoked, pks)
	if len(resp.BatchItemFailures) > 0 && a.fail == "error" {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		_, _ = w.Write([]byte(`{"errorType":"errorString","errorMessage":"boom"}`))
		return
	}
	_ = json.NewEncoder(w).Encode(resp)
}

func (a *awsStandIn) addRecord(pk string, seq int) {
	a.shard = append(a.shard, map[string]any{
		"eventID": "ev" + strconv.Itoa(seq), "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": "eu-west-1",
		"dynamodb": map[string]any{
			"ApproximateCreationDateTime": 1.7e9 + float64(seq), "SequenceNumber": fmt.Sprintf("%021d", seq), "SizeBytes": 40, "StreamViewType": "NEW_IMAGE",
			"Keys": map[string]any{"pk": map[string]any{"S": pk}}, "NewImage": map[string]any{"pk": map[string]any{"S": pk}, "source": map[string]any{"S": "github"}},
		},
	})
}

const streamARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/rituals-EventsTable-X/stream/2026-01-01T00:00:00.000"

func (a *awsStandIn) deadLetter(id string, first, last int) {
	rec := map[string]any{
		"requestContext":  map[string]any{"requestId": "req-" + id, "functionArn": "arn:aws:lambda:eu-west-1:123456789012:function:rituals-SupportTriageFunction-X:$LATEST", "condition": "RetryAttemptsExhausted", "approximateInvokeCount": 6},
		"responseContext": map[string]any{"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
		"version":         "1.0", "timestamp": "2026-03-02T10:00:00.000Z",
		"DDBStreamBatchInfo": map[string]any{
			"shardId": "shardId-00000001", "startSequenceNumber": fmt.Sprintf("%021d", first), "endSequenceNumber": fmt.Sprintf("%021d", last),
			"approximateArrivalOfFirstRecord": "2026-03-02T09:00:00Z", "approximateArrivalOfLastRecord": "2026-03-02T09:00:01Z",
			"batchSize": last - first + 1, "streamArn": streamARN,
		},
	}
	b, _ := json.Marshal(rec)
	a.messages = append(a.messages, &sqsMessage{id: id, body: string(b)})
}

func replayer(t *testing.T, a *awsStandIn) Replayer {
	t.Helper()
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	creds := credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")
	return Replayer{
		SQS:      sqs.New(sqs.Options{Region: "eu-west-1", Credentials: creds, BaseEndpoint: aws.String(srv.URL)}),
		Streams:  dynamodbstreams.New(dynamodbstreams.Options{Region: "eu-west-1", Credentials: creds, BaseEndpoint: aws.String(srv.URL)}),
		Lambda:   lambda.New(lambda.Options{Region: "eu-west-1", Credentials: creds, BaseEndpoint: aws.String(srv.URL)}),
		QueueURL: "https://sqs.eu-west-1.amazonaws.com/123456789012/rituals-DeadLetterQueue-X",
		Region:   "eu-west-1",
	}
}

// TestReplayFromTheStream: listing leaves the queue as it was; a replay reads the batch back
// from its shard (across pages, from the first sequence number to the last), invokes the
// function with it and deletes the message; a batch the stream has trimmed is left in the queue
// with the way to recover it from the events table; a batch that fails again stays.
func TestReplayFromTheStream(t *testing.T) {
	t.Parallel()
	a := &awsStandIn{}
	for i, pk := range []string{"a1", "a2", "b1", "b2", "b3", "fail-c", "d1"} {
		a.addRecord(pk, 100+i)
	}
	a.trimmed = 2
	a.deadLetter("m-trimmed", 100, 101)
	a.deadLetter("m-ok", 102, 104)
	a.deadLetter("m-fails", 105, 105)
	r := replayer(t, a)
	ctx := context.Background()

	for i := 0; i < 2; i++ {
		list, err := r.List(ctx)
		if err != nil || len(list) != 3 || list[1].Record.Batch.StartSequenceNumber != fmt.Sprintf("%021d", 102) || list[1].Record.RequestContext.Condition != "RetryAttemptsExhausted" {
			t.Fatalf("list %d: %+v %v", i, list, err)
		}
	}

	res, err := r.Replay(ctx, "m-ok")
	if err != nil || len(res) != 1 || !res[0].OK || res[0].Records != 3 {
		t.Fatalf("replay m-ok: %+v %v", res, err)
	}
	if got := a.invoked[len(a.invoked)-1]; strings.Join(got, ",") != "b1,b2,b3" {
		t.Fatalf("the function got %v, want the batch b1..b3", got)
	}

	res, err = r.Replay(ctx, "m-trimmed")
	if err != nil || len(res) != 1 || res[0].OK || !strings.Contains(res[0].Error, ErrNotInStream.Error()) || !strings.Contains(res[0].Error, "rituals deadletters events -from 2026-03-02T09:00:00Z") {
		t.Fatalf("replay m-trimmed: %+v %v", res, err)
	}
	res, err = r.Replay(ctx, "m-fails")
	if err != nil || len(res) != 1 || res[0].OK || !strings.Contains(res[0].Error, "reported records failed again") {
		t.Fatalf("replay m-fails: %+v %v", res, err)
	}
	a.fail = "error"
	res, _ = r.Replay(ctx, "")
	if len(res) != 2 || res[0].OK || res[1].OK || !strings.Contains(res[1].Error+res[0].Error, "failed again (Unhandled)") {
		t.Fatalf("replay all: %+v", res)
	}
	list, _ := r.List(ctx)
	if len(list) != 2 {
		t.Fatalf("left in the queue: %+v, want the trimmed and the failing one", list)
	}
	if _, err := r.Replay(ctx, "m-gone"); !errors.Is(err, ErrNoMessage) {
		t.Fatalf("unknown id: %v", err)
	}
}

// TestReplayFromTheEventsTable: once the stream has let go, the events table's items become
// stream records again, which the processors' decoder reads back as the stored deliveries.
func TestReplayFromTheEventsTable(t *testing.T) {
	t.Parallel()
	db, tables := dynamotest.New(t)
	ctx := context.Background()
	ev := store.Events{API: db, Table: tables.Events}
	// Recent times: DynamoDB Local deletes items past their TTL (35 days after receipt).
	at := time.Now().UTC().Truncate(time.Second).Add(-2 * time.Hour)
	for i, key := range []string{"github#d-1", "github#d-2", "github#later"} {
		received := at.Add(time.Duration(i) * 500 * time.Millisecond)
		if key == "github#later" {
			received = at.Add(time.Hour)
		}
		if err := ev.PutEvent(ctx, store.Event{Key: key, Source: "github", Type: "issues", Action: "labeled", ReceivedAt: received, Payload: []byte(`{"n":` + strconv.Itoa(i) + `}`)}); err != nil {
			t.Fatal(err)
		}
	}
	a := &awsStandIn{}
	r := replayer(t, a)
	r.Events, r.EventsTable = db, tables.Events

	window, err := r.Window(ctx, at, at.Add(time.Second))
	if err != nil || len(window) != 2 || window[0].Key != "github#d-1" || window[1].Event != "issues" {
		t.Fatalf("window: %+v %v", window, err)
	}
	res, err := r.ReplayEvents(ctx, "rituals-SupportTriageFunction-X", streamARN, []string{"github#d-1", "github#d-2"})
	if err != nil || !res.OK || res.Records != 2 {
		t.Fatalf("replay events: %+v %v", res, err)
	}
	if got := a.invoked[0]; strings.Join(got, ",") != "github#d-1,github#d-2" {
		t.Fatalf("invoked with %v", got)
	}
	if _, err := r.ReplayEvents(ctx, "f", streamARN, []string{"github#nope"}); err == nil || !strings.Contains(err.Error(), "35 days") {
		t.Fatalf("a missing event: %v", err)
	}
}

// TestItemRecordsDecodeAsDeliveries: a record built from an events-table item is what the
// processors decode from a real stream record: the same store.Event.
func TestItemRecordsDecodeAsDeliveries(t *testing.T) {
	t.Parallel()
	db, tables := dynamotest.New(t)
	ctx := context.Background()
	ev := store.Events{API: db, Table: tables.Events}
	want := store.Event{Key: "github#x", Source: "github", Type: "issues", Action: "opened", Repo: "o/r", ReceivedAt: time.Now().UTC().Truncate(time.Second), Payload: []byte(`{"a":1}`)}
	if err := ev.PutEvent(ctx, want); err != nil {
		t.Fatal(err)
	}
	a := &awsStandIn{}
	r := replayer(t, a)
	r.Events, r.EventsTable = db, tables.Events
	var captured events.DynamoDBEvent
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_ = json.NewDecoder(req.Body).Decode(&captured)
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	r.Lambda = lambda.New(lambda.Options{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("A", "S", ""), BaseEndpoint: aws.String(srv.URL)})
	if res, err := r.ReplayEvents(ctx, "f", streamARN, []string{"github#x"}); err != nil || !res.OK {
		t.Fatalf("%+v %v", res, err)
	}
	got, err := streams.Event(ctx, captured.Records[0], ev)
	if err != nil {
		t.Fatal(err)
	}
	if got.Key != want.Key || got.Action != want.Action || got.Repo != want.Repo || string(got.Payload) != string(want.Payload) || !got.ReceivedAt.Equal(want.ReceivedAt) {
		t.Fatalf("decoded %+v, want %+v", got, want)
	}
	if captured.Records[0].EventName != "INSERT" || captured.Records[0].EventSourceArn != streamARN {
		t.Fatalf("record %+v", captured.Records[0])
	}
}
