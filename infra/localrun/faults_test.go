package localrun

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/infra/faults"
)

func stats(s *Stack, function string) FunctionStats {
	for _, f := range s.Functions() {
		if f.Function == function {
			return f
		}
	}
	return FunctionStats{}
}

func arm(t *testing.T, s *Stack, spec string) {
	t.Helper()
	resp, body := do(t, newRequest(t, http.MethodPost, s.URL+FaultsPath, []byte(spec)))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d %s", FaultsPath, resp.StatusCode, body)
	}
}

// TestKillPointHTTP: an instance killed at a kill point fails its request as a crash does
// behind an HTTP API (500 Internal Server Error; nothing after the point ran), and a fresh
// instance serves the next request.
func TestKillPointHTTP(t *testing.T) {
	t.Parallel()
	opts, _ := testOptions(t, "ApiFunction")
	s := startStack(t, opts)
	arm(t, s, `{"seed":1,"kills":[{"function":"ApiFunction","point":"before-answer","count":1}]}`)

	resp, _ := do(t, newRequest(t, http.MethodGet, s.URL+"/echo?kill=before-answer", nil))
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("killed request answered %d, want 500", resp.StatusCode)
	}
	for i := 0; i < 2; i++ {
		resp, body := do(t, newRequest(t, http.MethodGet, s.URL+"/echo?kill=before-answer", nil))
		if resp.StatusCode != 201 {
			t.Fatalf("request after the kill answered %d %s", resp.StatusCode, body)
		}
	}
	st := stats(s, "ApiFunction")
	if st.Kills != 1 || st.Started < 2 || st.Errors != 1 {
		t.Fatalf("stats after one kill: %+v", st)
	}
	resp, body := do(t, newRequest(t, http.MethodGet, s.URL+FaultsPath, nil))
	var state faultsState
	if resp.StatusCode != 200 || json.Unmarshal(body, &state) != nil || state.Injected.Kills != 1 || state.Spec.Kills[0].Count != 0 {
		t.Fatalf("GET %s: %d %s", FaultsPath, resp.StatusCode, body)
	}
	resp, body = do(t, newRequest(t, http.MethodPost, s.URL+FaultsPath, []byte(`{"kills":[{"point":"x"}]}`)))
	if resp.StatusCode != http.StatusBadRequest || !bytes.Contains(body, []byte("name the function")) {
		t.Fatalf("bad spec: %d %s", resp.StatusCode, body)
	}
}

// TestKillPointSchedule: a scheduled invocation whose instance is killed is retried with the
// same event, as Lambda retries an asynchronous invocation, and succeeds on a fresh instance.
func TestKillPointSchedule(t *testing.T) {
	t.Parallel()
	opts, _ := testOptions(t, "ApiFunction")
	opts.Env["ECHO_KILLPOINT"] = "tick"
	opts.AsyncRetryDelay = 10 * time.Millisecond
	s := startStack(t, opts)
	arm(t, s, `{"kills":[{"function":"ApiFunction","point":"tick","count":1}]}`)
	res, err := s.FireSchedule(context.Background(), "ApiFunction", "Nightly", time.Date(2024, 5, 6, 7, 30, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Error != nil || res[0].Attempts != 2 {
		t.Fatalf("schedule after a kill: attempts %d, error %v", res[0].Attempts, res[0].Error)
	}
	// Killed every time: two retries, then the failure is reported.
	arm(t, s, `{"kills":[{"function":"ApiFunction","point":"tick","count":5}]}`)
	res, err = s.FireSchedule(context.Background(), "ApiFunction", "Nightly", time.Date(2024, 5, 7, 7, 30, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Error == nil || res[0].Attempts != 3 {
		t.Fatalf("schedule killed every time: attempts %d, error %v", res[0].Attempts, res[0].Error)
	}
}

// TestKillPointStreamAndReplay: a batch whose instance is killed is retried by the mapping; one
// killed on every attempt is dead-lettered, and replaying the dead letter once the fault is
// gone delivers the same records and deletes it.
func TestKillPointStreamAndReplay(t *testing.T) {
	t.Parallel()
	opts, _ := testOptions(t, "PartialFunction")
	logDir := opts.Env["TEST_LOG_DIR"]
	s := startStack(t, opts)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	put := func(pk string) {
		t.Helper()
		_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Tables["EventsTable"]), Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: pk}, "kind": &types.AttributeValueMemberS{Value: "partial"},
			"kill": &types.AttributeValueMemberS{Value: "mid-batch"},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	arm(t, s, `{"kills":[{"function":"PartialFunction","point":"mid-batch","count":1}]}`)
	put("k1")
	if err := s.WaitStreams(ctx); err != nil {
		t.Fatal(err)
	}
	if got := batches(t, logDir, "PartialFunction"); !reflect.DeepEqual(got, [][]string{{"k1"}}) {
		t.Fatalf("after one kill, batches %v, want k1 once (the killed attempt did nothing)", got)
	}

	arm(t, s, `{"kills":[{"function":"PartialFunction","point":"mid-batch","count":100}]}`)
	put("k2")
	if err := s.WaitStreams(ctx); err != nil {
		t.Fatal(err)
	}
	dls := s.DeadLetters()
	if len(dls) != 1 || len(dls[0].Records) != 1 || dls[0].Records[0].Change.Keys["pk"].String() != "k2" {
		t.Fatalf("dead letters: %+v", dls)
	}
	id := dls[0].RequestContext.RequestID
	resp, body := do(t, newRequest(t, http.MethodPost, s.URL+DeadLettersPath+"/"+id+"/replay", nil))
	if resp.StatusCode != http.StatusBadGateway || len(s.DeadLetters()) != 1 {
		t.Fatalf("replay while still killed: %d %s", resp.StatusCode, body)
	}
	do(t, newRequest(t, http.MethodDelete, s.URL+FaultsPath, nil))
	resp, body = do(t, newRequest(t, http.MethodPost, s.URL+DeadLettersPath+"/"+id+"/replay", nil))
	var res ReplayResult
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &res) != nil || !res.OK || res.Records != 1 {
		t.Fatalf("replay: %d %s", resp.StatusCode, body)
	}
	if got := batches(t, logDir, "PartialFunction"); !reflect.DeepEqual(got[len(got)-1], []string{"k2"}) {
		t.Fatalf("replayed batch: %v", got)
	}
	if len(s.DeadLetters()) != 0 {
		t.Fatal("a replayed dead letter is still queued")
	}
	resp, _ = do(t, newRequest(t, http.MethodPost, s.URL+DeadLettersPath+"/"+id+"/replay", nil))
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("second replay answered %d, want 404", resp.StatusCode)
	}
}

// TestFaultSpecAtStart: Options.Faults is armed before the first request, and DynamoDB faults
// reach the functions through the proxy while the runner's own client bypasses it.
func TestFaultSpecAtStart(t *testing.T) {
	t.Parallel()
	opts, _ := testOptions(t, "ApiFunction")
	opts.Faults = faults.Spec{Seed: 5, DynamoDB: []faults.DynamoFault{{Operation: "PutItem", Fault: faults.Throttling, Rate: 1}}}
	s := startStack(t, opts)
	if s.FunctionsDynamoDBEndpoint == s.DynamoDBEndpoint {
		t.Fatal("functions are not behind the fault proxy")
	}
	// The runner's client is not faulted.
	if _, err := s.DB.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(s.Tables["EventsTable"]), Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "direct"}}}); err != nil {
		t.Fatal(err)
	}
	proxied := newTestDB(t, s.FunctionsDynamoDBEndpoint)
	_, err := proxied.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(s.Tables["EventsTable"]), Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "proxied"}}}, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	if err == nil {
		t.Fatal("a put through the proxy was not throttled")
	}
	spec, counts := s.Faults().Spec()
	if spec.Seed != 5 || counts.DynamoDB != 1 {
		t.Fatalf("armed %+v, injected %+v", spec, counts)
	}
}
