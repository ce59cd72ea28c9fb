package localrun

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/infra/samtemplate"
)

// batches reads the echo binary's log of the batches function was invoked with.
func batches(t *testing.T, dir, function string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, function+".jsonl"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct{ PKs []string }
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		out = append(out, line.PKs)
	}
	return out
}

func TestStreamMappings(t *testing.T) {
	t.Parallel()
	opts, _ := testOptions(t, "PartialFunction", "BisectFunction")
	logDir := opts.Env["TEST_LOG_DIR"]
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// The items are written before the stack starts, so the first poll reads them all and the
	// batches are the same on every run.
	tmpl, err := samtemplate.Load(opts.Template)
	if err != nil {
		t.Fatal(err)
	}
	db := newTestDB(t, opts.DynamoDBEndpoint)
	names, err := tmpl.CreateTables(ctx, db, func(id string) string { return opts.TablePrefix + id })
	if err != nil {
		t.Fatal(err)
	}
	put := func(pk, kind string, poison bool) {
		t.Helper()
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(names["EventsTable"]), Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: pk}, "kind": &types.AttributeValueMemberS{Value: kind},
			"poison": &types.AttributeValueMemberBOOL{Value: poison},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	put("p1", "partial", false)
	put("p2", "partial", false)
	put("b1", "bisect", false)
	put("p3", "partial", true)
	put("other", "other", false) // no filter matches: skipped
	put("b2", "bisect", false)
	put("p4", "partial", false)
	put("b3", "bisect", true)
	put("p5", "partial", false)
	put("b4", "bisect", false)
	put("p1", "partial", false) // a MODIFY: the filters want INSERT only

	s := startStack(t, opts)
	if err := s.WaitStreams(ctx); err != nil {
		t.Fatal(err)
	}

	// ReportBatchItemFailures: the records before the failure are done; the rest is retried
	// from the failed one, MaximumRetryAttempts (2) times, then dead-lettered.
	wantPartial := [][]string{{"p1", "p2", "p3", "p4", "p5"}, {"p3", "p4", "p5"}, {"p3", "p4", "p5"}}
	if got := batches(t, logDir, "PartialFunction"); !reflect.DeepEqual(got, wantPartial) {
		t.Errorf("PartialFunction batches = %v, want %v", got, wantPartial)
	}
	// Bisect on function error: halves are tried as new batches until the poison record is
	// alone; it is then retried twice and dead-lettered, and b4 still gets processed.
	wantBisect := [][]string{{"b1", "b2", "b3", "b4"}, {"b1", "b2"}, {"b3", "b4"}, {"b3"}, {"b3"}, {"b3"}, {"b4"}}
	if got := batches(t, logDir, "BisectFunction"); !reflect.DeepEqual(got, wantBisect) {
		t.Errorf("BisectFunction batches = %v, want %v", got, wantBisect)
	}

	byFunction := map[string]DeadLetter{}
	dls := s.DeadLetters()
	for _, dl := range dls {
		byFunction[dl.Function] = dl
	}
	if len(dls) != 2 || len(byFunction) != 2 {
		t.Fatalf("dead letters: %+v, want one per function", dls)
	}
	checkDeadLetter(t, byFunction["PartialFunction"], []string{"p3", "p4", "p5"}, 3, "")
	if f := byFunction["PartialFunction"].FailedItemIdentifiers; len(f) != 1 || f[0] != byFunction["PartialFunction"].Records[0].Change.SequenceNumber {
		t.Errorf("failedItemIdentifiers = %v, want p3's sequence number", f)
	}
	checkDeadLetter(t, byFunction["BisectFunction"], []string{"b3"}, 3, "Unhandled")
	if !strings.Contains(byFunction["BisectFunction"].Error, "poison record") {
		t.Errorf("error = %q", byFunction["BisectFunction"].Error)
	}

	// The same list over HTTP and in the JSON-lines file.
	resp, body := do(t, newRequest(t, http.MethodGet, s.URL+"/_local/deadletters", nil))
	var listed []DeadLetter
	if resp.StatusCode != 200 || json.Unmarshal(body, &listed) != nil || len(listed) != 2 {
		t.Errorf("GET /_local/deadletters: %d %s", resp.StatusCode, body)
	}
	file, err := os.ReadFile(opts.DeadLetterFile)
	if err != nil || strings.Count(string(file), "\n") != 2 {
		t.Errorf("dead-letter file: %v\n%s", err, file)
	}

	// The shards are not blocked: later records are delivered.
	put("p6", "partial", false)
	put("b5", "bisect", false)
	if err := s.WaitStreams(ctx); err != nil {
		t.Fatal(err)
	}
	if got := batches(t, logDir, "PartialFunction"); len(got) != 4 || !reflect.DeepEqual(got[3], []string{"p6"}) {
		t.Errorf("after the dead letter, PartialFunction got %v", got)
	}
	if got := batches(t, logDir, "BisectFunction"); len(got) != 8 || !reflect.DeepEqual(got[7], []string{"b5"}) {
		t.Errorf("after the dead letter, BisectFunction got %v", got)
	}
}

func checkDeadLetter(t *testing.T, dl DeadLetter, pks []string, invokes int, functionError string) {
	t.Helper()
	var got []string
	for _, r := range dl.Records {
		got = append(got, r.Change.Keys["pk"].String())
	}
	info := dl.DDBStreamBatchInfo
	switch {
	case !reflect.DeepEqual(got, pks):
		t.Errorf("%s: dead-lettered %v, want %v", dl.Function, got, pks)
	case dl.RequestContext.Condition != "RetryAttemptsExhausted" || dl.RequestContext.ApproximateInvokeCount != invokes:
		t.Errorf("%s: requestContext %+v, want RetryAttemptsExhausted after %d invocations", dl.Function, dl.RequestContext, invokes)
	case !strings.HasSuffix(dl.RequestContext.FunctionARN, ":function:rituals-local-"+dl.Function) && !strings.Contains(dl.RequestContext.FunctionARN, ":function:"):
		t.Errorf("%s: functionArn %q", dl.Function, dl.RequestContext.FunctionARN)
	case dl.ResponseContext.FunctionError != functionError || dl.ResponseContext.ExecutedVersion != "$LATEST":
		t.Errorf("%s: responseContext %+v", dl.Function, dl.ResponseContext)
	case info.BatchSize != len(pks) || info.StartSequenceNumber != dl.Records[0].Change.SequenceNumber || info.EndSequenceNumber != dl.Records[len(pks)-1].Change.SequenceNumber:
		t.Errorf("%s: DDBStreamBatchInfo %+v", dl.Function, info)
	case info.StreamARN == "" || info.StreamARN != dl.Records[0].EventSourceArn || info.ShardID == "" || info.ApproximateArrivalOfFirstRecord == "":
		t.Errorf("%s: DDBStreamBatchInfo %+v", dl.Function, info)
	case dl.Version != "1.0" || dl.Timestamp == "" || !strings.HasSuffix(dl.Destination, "DeadLetterQueue"):
		t.Errorf("%s: version %q timestamp %q destination %q", dl.Function, dl.Version, dl.Timestamp, dl.Destination)
	}
	for _, r := range dl.Records {
		if r.EventName != "INSERT" || r.EventSource != "aws:dynamodb" || r.EventVersion != "1.1" || r.AWSRegion != Region || r.Change.StreamViewType != "NEW_AND_OLD_IMAGES" {
			t.Errorf("%s: record not in Lambda's shape: %+v", dl.Function, r)
		}
	}
}
