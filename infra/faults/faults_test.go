package faults

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsretry "github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-github/v60/github"
	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/retry"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

func TestParseRefusesWithWhatToWrite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, spec, want string
	}{
		{"unknown field", `{"seed":1,"api":[]}`, `unknown field "api"`},
		{"service", `{"apis":[{"service":"jira","fault":"429","rate":0.5}]}`, "apis[0]: service must be slack, github, conduit or hookshot"},
		{"fault", `{"apis":[{"service":"slack","fault":"404","rate":0.5}]}`, `apis[0]: fault must be "429", a 5xx status`},
		{"rate", `{"apis":[{"service":"slack","fault":"429","rate":20}]}`, "apis[0]: rate must be in (0, 1], such as 0.2 for 20%"},
		{"no rate", `{"dynamodb":[{"operation":"PutItem","fault":"ThrottlingException"}]}`, "dynamodb[0]: rate must be in (0, 1]"},
		{"dynamo fault", `{"dynamodb":[{"fault":"Throttled","rate":1}]}`, "dynamodb[0]: fault must be ProvisionedThroughputExceededException"},
		{"kill", `{"kills":[{"point":"effect-ran"}]}`, "kills[0]: name the function"},
		{"delay", `{"apis":[{"service":"slack","fault":"slow","rate":1,"delay":"soon"}]}`, `duration "soon": write it like "250ms"`},
		{"two problems", `{"apis":[{"service":"x","fault":"slow","rate":0}]}`, "rate must be in"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tc.spec))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse(%s) = %v, want an error containing %q", tc.spec, err, tc.want)
			}
		})
	}
	s, err := Parse([]byte(`{"seed":7,"apis":[{"service":"slack","api":"chat.postMessage","fault":"slow","rate":0.5,"delay":"250ms"}],"kills":[{"function":"F","point":"p"}]}`))
	if err != nil || time.Duration(s.APIs[0].Delay) != 250*time.Millisecond {
		t.Fatalf("valid spec: %+v %v", s, err)
	}
}

// TestSameSeedSameFaults: a seed replays the same choices, each rule from its own stream, and
// a rate is a share of the matching calls.
func TestSameSeedSameFaults(t *testing.T) {
	t.Parallel()
	spec := Spec{Seed: 42, APIs: []APIFault{
		{Service: ServiceSlack, API: "chat.postMessage", Fault: "429", Rate: 0.3},
		{Service: ServiceGitHub, Fault: "502", Rate: 0.5},
	}}
	run := func() string {
		var in Injector
		if _, err := in.Set(spec); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i := 0; i < 1000; i++ {
			b.WriteString(outcome(in.APIFor(ServiceSlack, "chat.postMessage")))
			b.WriteString(outcome(in.APIFor(ServiceGitHub, "issues/create-comment")))
			b.WriteString(outcome(in.APIFor(ServiceSlack, "chat.update"))) // matches no rule
		}
		return b.String()
	}
	a, b := run(), run()
	if a != b {
		t.Fatal("the same seed gave different faults")
	}
	if n := strings.Count(a, "429"); n < 230 || n > 370 {
		t.Errorf("%d of 1000 calls got a 429 at rate 0.3", n)
	}
	if n := strings.Count(a, "502"); n < 420 || n > 580 {
		t.Errorf("%d of 1000 calls got a 502 at rate 0.5", n)
	}
	var in Injector
	in.NewSeed = func() int64 { return 99 }
	armed, _ := in.Set(Spec{APIs: spec.APIs})
	if armed.Seed != 99 || armed.APIs[0].RetryAfter != 1 {
		t.Fatalf("armed without a seed: %+v", armed)
	}
}

func outcome(f *APIFault) string {
	if f == nil {
		return "."
	}
	return f.Fault
}

func TestKillsAreCounted(t *testing.T) {
	t.Parallel()
	var in Injector
	if _, err := in.Set(Spec{Seed: 1, Kills: []Kill{{Function: "F", Point: "effect-ran", Count: 2}}}); err != nil {
		t.Fatal(err)
	}
	got := []bool{in.KillAt("F", "effect-claimed"), in.KillAt("G", "effect-ran"), in.KillAt("F", "effect-ran"), in.KillAt("F", "effect-ran"), in.KillAt("F", "effect-ran")}
	if want := []bool{false, false, true, true, false}; !equal(got, want) {
		t.Fatalf("kills %v, want %v", got, want)
	}
	spec, counts := in.Spec()
	if spec.Kills[0].Count != 0 || counts.Kills != 2 {
		t.Fatalf("left %+v, counts %+v", spec.Kills, counts)
	}
	in.Clear()
	if in.KillAt("F", "effect-ran") || in.APIFor(ServiceSlack, "x") != nil {
		t.Fatal("cleared injector still injects")
	}
}

func equal(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestApplyAnswersAsTheRealAPIs: the real clients see a refused call as the service's own
// refusal (slack-go a RateLimitedError, go-github a 429, both with Retry-After),
// and the stand-in behind never acts on a refused or dropped call.
func TestApplyAnswersAsTheRealAPIs(t *testing.T) {
	t.Parallel()
	var in Injector
	var acted atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		service := ServiceSlack
		if strings.HasPrefix(r.URL.Path, "/github/") {
			service = ServiceGitHub
		}
		if f := in.APIFor(service, ""); f != nil {
			if _, refused := Apply(w, r, service, f); refused {
				return
			}
		}
		acted.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true,"channel":"C1","ts":"1.2","id":1}`)
	}))
	defer srv.Close()
	ctx := context.Background()
	slackClient := slack.New("xoxb-test", slack.OptionAPIURL(srv.URL+"/slack/"))
	gh, err := github.NewClient(nil).WithEnterpriseURLs(srv.URL+"/github/", srv.URL+"/github/")
	if err != nil {
		t.Fatal(err)
	}

	if _, err := in.Set(Spec{Seed: 1, APIs: []APIFault{{Service: ServiceSlack, Fault: "429", Rate: 1, RetryAfter: 7}, {Service: ServiceGitHub, Fault: "429", Rate: 1, RetryAfter: 3}}}); err != nil {
		t.Fatal(err)
	}
	_, _, err = slackClient.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 7*time.Second {
		t.Fatalf("slack 429: %v", err)
	}
	_, _, err = gh.Issues.CreateComment(ctx, "o", "r", 1, &github.IssueComment{Body: github.String("hi")})
	// GitHub answers a secondary rate limit with 403 or 429; go-github v60 only types the 403,
	// so a 429 is an ErrorResponse that shared/retry treats as transient.
	var ghErr *github.ErrorResponse
	if !errors.As(err, &ghErr) || ghErr.Response.StatusCode != 429 || ghErr.Response.Header.Get("Retry-After") != "3" || !retry.Transient(err) {
		t.Fatalf("github 429: %v", err)
	}

	for _, fault := range []string{"503", Drop} {
		if _, err := in.Set(Spec{Seed: 1, APIs: []APIFault{{Service: ServiceSlack, Fault: fault, Rate: 1}}}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := slackClient.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false)); err == nil {
			t.Fatalf("slack %s: no error", fault)
		}
	}
	if n := acted.Load(); n != 0 {
		t.Fatalf("the stand-in acted on %d refused calls", n)
	}

	// A slow call is served after its delay; one whose client gives up first is not acted on.
	if _, err := in.Set(Spec{Seed: 1, APIs: []APIFault{{Service: ServiceSlack, Fault: Slow, Rate: 1, Delay: Duration(time.Hour)}}}); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, _, err := slackClient.PostMessageContext(short, "C1", slack.MsgOptionText("hi", false)); err == nil {
		t.Fatal("a call slower than its client's deadline succeeded")
	}
	in.Clear()
	if _, _, err := slackClient.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false)); err != nil {
		t.Fatal(err)
	}
	if n := acted.Load(); n != 1 {
		t.Fatalf("acted %d times, want once (the call after Clear)", n)
	}
}

// TestProxyInjectsDynamoDBErrors: through the proxy, DynamoDB Local's client gets the SDK's own
// error types for each fault (so its retryer treats them as in AWS), and nothing of a faulted
// request reaches the table.
func TestProxyInjectsDynamoDBErrors(t *testing.T) {
	t.Parallel()
	_, tables := dynamotest.New(t)
	var in Injector
	p, err := StartProxy("127.0.0.1:0", dynamotest.Endpoint(t), &in)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	db, err := store.NewClient(ctx, p.URL)
	if err != nil {
		t.Fatal(err)
	}
	put := func(key string) error {
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(tables.Events),
			Item:      map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: key}},
		}, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
		return err
	}
	get := func(key string) bool {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tables.Events), Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: key}}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Item != nil
	}
	for _, tc := range []struct {
		fault string
		check func(error) bool
	}{
		{ProvisionedThroughputExceeded, func(err error) bool {
			var e *types.ProvisionedThroughputExceededException
			return errors.As(err, &e) && awsretry.IsErrorThrottles(awsretry.DefaultThrottles).IsErrorThrottle(err).Bool()
		}},
		{Throttling, func(err error) bool {
			var e smithy.APIError
			return errors.As(err, &e) && e.ErrorCode() == "ThrottlingException" && awsretry.IsErrorThrottles(awsretry.DefaultThrottles).IsErrorThrottle(err).Bool()
		}},
		{InternalServerError, func(err error) bool {
			var e *types.InternalServerError
			return errors.As(err, &e)
		}},
	} {
		if _, err := in.Set(Spec{Seed: 3, DynamoDB: []DynamoFault{{Operation: "DynamoDB_20120810.PutItem", Fault: tc.fault, Rate: 1}}}); err != nil {
			t.Fatal(err)
		}
		err := put("k-" + tc.fault)
		if !tc.check(err) {
			t.Errorf("%s: got %T %v", tc.fault, err, err)
		}
		if get("k-" + tc.fault) {
			t.Errorf("%s: the faulted put reached the table", tc.fault)
		}
	}
	// Latency delays and then forwards; other operations pass.
	if _, err := in.Set(Spec{Seed: 3, DynamoDB: []DynamoFault{{Operation: "PutItem", Fault: Latency, Rate: 1, Delay: Duration(time.Millisecond)}}}); err != nil {
		t.Fatal(err)
	}
	if err := put("slow"); err != nil || !get("slow") {
		t.Fatalf("slow put: %v", err)
	}
	in.Clear()
	if err := put("plain"); err != nil || !get("plain") {
		t.Fatalf("put with nothing armed: %v", err)
	}
}
