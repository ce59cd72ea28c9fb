package localrun

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

type echoBody struct {
	Event events.APIGatewayV2HTTPRequest `json:"event"`
	PID   int                            `json:"pid"`
	Env   map[string]string              `json:"env"`
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func newRequest(t *testing.T, method, url string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestHTTPRoutes(t *testing.T) {
	t.Parallel()
	opts, _ := testOptions(t, "ApiFunction")
	s := startStack(t, opts)

	t.Run("round trip in payload format 2.0", func(t *testing.T) {
		t.Parallel()
		req := newRequest(t, "POST", s.URL+"/echo?a=1&a=2&b=x", []byte(`{"hello":"world"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Add("X-Multi", "one")
		req.Header.Add("X-Multi", "two")
		req.Header.Set("Cookie", "c1=v1; c2=v2")
		resp, body := do(t, req)
		if resp.StatusCode != 201 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		if resp.Header.Get("X-Echo") != "yes" || strings.Join(resp.Header.Values("X-Multi"), ",") != "a,b" || resp.Header.Get("Set-Cookie") != "session=1; Path=/" {
			t.Errorf("response headers not mapped: %v", resp.Header)
		}
		var got echoBody
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		ev := got.Event
		checks := []struct{ name, got, want string }{
			{"version", ev.Version, "2.0"},
			{"routeKey", ev.RouteKey, "ANY /echo"},
			{"rawPath", ev.RawPath, "/echo"},
			{"rawQueryString", ev.RawQueryString, "a=1&a=2&b=x"},
			{"query a", ev.QueryStringParameters["a"], "1,2"},
			{"query b", ev.QueryStringParameters["b"], "x"},
			{"joined header", ev.Headers["x-multi"], "one,two"},
			{"content-type", ev.Headers["content-type"], "application/json"},
			{"cookies", strings.Join(ev.Cookies, "|"), "c1=v1|c2=v2"},
			{"body", ev.Body, `{"hello":"world"}`},
			{"stage", ev.RequestContext.Stage, "$default"},
			{"method", ev.RequestContext.HTTP.Method, "POST"},
			{"path", ev.RequestContext.HTTP.Path, "/echo"},
			{"sourceIp", ev.RequestContext.HTTP.SourceIP, "127.0.0.1"},
			{"context routeKey", ev.RequestContext.RouteKey, "ANY /echo"},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
			}
		}
		if ev.IsBase64Encoded {
			t.Error("a JSON body must not be base64-encoded")
		}
		if _, ok := ev.Headers["cookie"]; ok {
			t.Error("cookies must move out of the headers")
		}
		if ev.RequestContext.TimeEpoch == 0 || ev.RequestContext.RequestID == "" || ev.RequestContext.AccountID == "" {
			t.Errorf("request context incomplete: %+v", ev.RequestContext)
		}
	})

	t.Run("binary bodies are base64 both ways", func(t *testing.T) {
		t.Parallel()
		raw := []byte{0xff, 0x00, 0x10}
		req := newRequest(t, "PUT", s.URL+"/echo?binary=1", raw)
		req.Header.Set("Content-Type", "application/octet-stream")
		resp, body := do(t, req)
		if resp.StatusCode != 201 || !bytes.Equal(body, []byte{0, 1, 2, 'b', 'i', 'n'}) {
			t.Fatalf("status %d body %q, want the decoded binary body", resp.StatusCode, body)
		}
	})

	t.Run("binary request body arrives base64", func(t *testing.T) {
		t.Parallel()
		raw := []byte{0xff, 0x00, 0x10}
		req := newRequest(t, "POST", s.URL+"/echo", raw)
		req.Header.Set("Content-Type", "application/octet-stream")
		_, body := do(t, req)
		var got echoBody
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		if !got.Event.IsBase64Encoded || got.Event.Body != base64.StdEncoding.EncodeToString(raw) {
			t.Errorf("body %q base64 %v", got.Event.Body, got.Event.IsBase64Encoded)
		}
	})

	t.Run("path parameters", func(t *testing.T) {
		t.Parallel()
		_, body := do(t, newRequest(t, "GET", s.URL+"/items/42", nil))
		var got echoBody
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		if got.Event.PathParameters["id"] != "42" || got.Event.RouteKey != "GET /items/{id}" {
			t.Errorf("pathParameters %v routeKey %q", got.Event.PathParameters, got.Event.RouteKey)
		}
	})

	errorCases := []struct {
		name, method, path string
		body               []byte
		status             int
		message            string
	}{
		{"unknown route", "GET", "/nowhere", nil, 404, "Not Found"},
		{"method not routed", "POST", "/items/42", nil, 404, "Not Found"},
		{"function error", "GET", "/echo?fail=1", nil, 500, "Internal Server Error"},
		{"body over 10 MiB", "POST", "/echo", bytes.Repeat([]byte("x"), maxRequestBytes+1), 413, "Request Entity Too Large"},
	}
	for _, c := range errorCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			resp, body := do(t, newRequest(t, c.method, s.URL+c.path, c.body))
			var msg struct{ Message string }
			_ = json.Unmarshal(body, &msg)
			if resp.StatusCode != c.status || msg.Message != c.message {
				t.Errorf("got %d %s, want %d {\"message\":%q}", resp.StatusCode, body, c.status, c.message)
			}
		})
	}

	t.Run("environment", func(t *testing.T) {
		t.Parallel()
		_, body := do(t, newRequest(t, "GET", s.URL+"/echo?env=1", nil))
		var got echoBody
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"GITHUB_WEBHOOK_SECRET":           DefaultSecrets["GITHUB_WEBHOOK_SECRET"],
			"EVENTS_TABLE":                    s.Tables["EventsTable"],
			"WHERE":                           "us-east-1/" + s.Tables["EventsTable"],
			"QUEUE_ARN":                       "arn:aws:sqs:us-east-1:000000000000:" + opts.TablePrefix + "DeadLetterQueue",
			"AWS_LAMBDA_FUNCTION_NAME":        "ApiFunction",
			"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "192",
			"AWS_LAMBDA_LOG_LEVEL":            "DEBUG",
			"AWS_LAMBDA_LOG_FORMAT":           "JSON",
			"AWS_REGION":                      "us-east-1",
			"DYNAMODB_ENDPOINT":               s.FunctionsDynamoDBEndpoint,
			"RITUALS_KILLPOINTS":              "1",
			"SLACK_API_URL":                   s.URL + "/_standins/slack/api/",
			"GITHUB_API_URL":                  s.URL + "/_standins/github/",
			"CONDUIT_API_URL":                 s.URL + "/_standins/conduit/",
			"RITUALS_LOCAL":                   "1",
			"_HANDLER":                        "bootstrap",
		}
		for k, v := range want {
			if got.Env[k] != v {
				t.Errorf("%s = %q, want %q", k, got.Env[k], v)
			}
		}
		if _, ok := got.Env["GITHUB_WEBHOOK_SECRET_PARAM"]; ok {
			t.Error("GITHUB_WEBHOOK_SECRET_PARAM must be replaced by the plaintext secret")
		}
		if _, ok := got.Env["HOME"]; ok {
			t.Error("the runner's own environment must not leak into functions")
		}
	})
}

func TestSchedules(t *testing.T) {
	t.Parallel()
	opts, _ := testOptions(t, "ApiFunction")
	s := startStack(t, opts)
	at := time.Date(2024, 5, 6, 7, 30, 0, 0, time.UTC)

	t.Run("every schedule of a function", func(t *testing.T) {
		t.Parallel()
		res, err := s.FireSchedule(context.Background(), "ApiFunction", "", at)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 2 || res[0].Event != "Nightly" || res[1].Event != "Hourly" {
			t.Fatalf("fired %+v, want Nightly then Hourly", res)
		}
		var ev events.CloudWatchEvent
		if err := json.Unmarshal(res[0].Result, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" || !ev.Time.Equal(at) || ev.Version != "0" ||
			len(ev.Resources) != 1 || !strings.Contains(ev.Resources[0], ":rule/") || string(ev.Detail) != "{}" {
			t.Errorf("scheduled event %+v", ev)
		}
		if string(res[1].Result) != `{"custom":"hourly"}` {
			t.Errorf("Input was not sent as is: %s", res[1].Result)
		}
	})

	t.Run("over HTTP, one event", func(t *testing.T) {
		t.Parallel()
		resp, body := do(t, newRequest(t, "POST", s.URL+"/_local/schedules/ApiFunction?event=Nightly&time=2024-05-06T07:30:00Z", nil))
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		var res struct {
			Function, Event, Time string
			Result                map[string]any
			Error                 *string
		}
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatal(err)
		}
		if res.Function != "ApiFunction" || res.Event != "Nightly" || res.Time != "2024-05-06T07:30:00Z" || res.Error != nil || res.Result["time"] != "2024-05-06T07:30:00Z" {
			t.Errorf("got %s", body)
		}
	})

	t.Run("unknown schedule names the known ones", func(t *testing.T) {
		t.Parallel()
		resp, body := do(t, newRequest(t, "POST", s.URL+"/_local/schedules/NoSuchFunction", nil))
		if resp.StatusCode != 404 || !strings.Contains(string(body), "ApiFunction.Nightly") {
			t.Errorf("got %d %s", resp.StatusCode, body)
		}
		if _, err := s.FireSchedule(context.Background(), "ApiFunction", "Weekly", at); !errors.Is(err, ErrNoSchedule) {
			t.Errorf("err = %v, want ErrNoSchedule", err)
		}
	})

	t.Run("bad time", func(t *testing.T) {
		t.Parallel()
		resp, _ := do(t, newRequest(t, "POST", s.URL+"/_local/schedules/ApiFunction?time=yesterday", nil))
		if resp.StatusCode != 400 {
			t.Errorf("status %d, want 400", resp.StatusCode)
		}
	})
}

func TestTimeoutKillsAndRecovers(t *testing.T) {
	t.Parallel()
	opts, log := testOptions(t, "ApiFunction")
	s := startStack(t, opts)
	// ApiFunction's Timeout is 1 second; this invocation would take 30.
	resp, body := do(t, newRequest(t, "GET", s.URL+"/echo?sleep=30000", nil))
	if resp.StatusCode != 500 {
		t.Fatalf("timed-out invocation: %d %s, want 500", resp.StatusCode, body)
	}
	out, err := s.Invoke(context.Background(), "ApiFunction", []byte(`{"direct":true}`))
	if err != nil || string(out) != `{"direct":true}` {
		t.Fatalf("after the timeout: %s, %v", out, err)
	}
	st := s.Functions()[0]
	if st.Timeouts != 1 || st.Started < 2 {
		t.Errorf("stats %+v: want 1 timeout and a fresh instance started", st)
	}
	if !strings.Contains(log.String(), "timed out after 1s") {
		t.Errorf("the timeout was not reported")
	}
}

func TestScalesOutUpToTheCap(t *testing.T) {
	t.Parallel()
	// PartialFunction has the 10 s Globals timeout, so slow machines do not turn this into a
	// timeout test; it is invoked directly with an HTTP-shaped event the echo binary answers.
	opts, _ := testOptions(t, "PartialFunction")
	opts.MaxInstances = 2
	s := startStack(t, opts)
	payload, _ := json.Marshal(events.APIGatewayV2HTTPRequest{RouteKey: "ANY /echo", QueryStringParameters: map[string]string{"sleep": "400"}})
	const n = 4
	pids := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := s.Invoke(context.Background(), "PartialFunction", payload)
			var resp events.APIGatewayV2HTTPResponse
			var got echoBody
			if err != nil || json.Unmarshal(out, &resp) != nil || json.Unmarshal([]byte(resp.Body), &got) != nil {
				t.Errorf("invocation %d: %s, %v", i, out, err)
			}
			pids[i] = got.PID
		}()
	}
	wg.Wait()
	distinct := map[int]bool{}
	for _, p := range pids {
		distinct[p] = true
	}
	if len(distinct) != 2 {
		t.Errorf("served by %d processes, want exactly 2 (scaled out, capped by MaxInstances)", len(distinct))
	}
	st := s.Functions()[0]
	if st.Invocations != n || st.Instances != 2 || st.BootstrapBytes == 0 || st.ColdStartMS <= 0 {
		t.Errorf("stats %+v", st)
	}
	resp, body := do(t, newRequest(t, "GET", s.URL+"/_local/functions", nil))
	var listed []FunctionStats
	if resp.StatusCode != 200 || json.Unmarshal(body, &listed) != nil || len(listed) != 1 || listed[0].Function != "PartialFunction" {
		t.Errorf("GET /_local/functions: %d %s", resp.StatusCode, body)
	}
}

func TestStartFailures(t *testing.T) {
	t.Parallel()
	t.Run("missing binaries are all named", func(t *testing.T) {
		t.Parallel()
		opts, _ := testOptions(t, "ApiFunction")
		opts.Functions = nil
		_, err := Start(context.Background(), opts)
		var missing *MissingBinaryError
		if !errors.As(err, &missing) || len(missing.Paths) != 2 || !strings.Contains(err.Error(), "make build") {
			t.Fatalf("err = %v, want both missing bootstraps named and `make build` suggested", err)
		}
		for _, p := range missing.Paths {
			if !strings.HasSuffix(p, filepath.Join("PartialFunction", "bootstrap")) && !strings.HasSuffix(p, filepath.Join("BisectFunction", "bootstrap")) {
				t.Errorf("unexpected missing path %s", p)
			}
		}
	})
	t.Run("a function that dies at init fails the start", func(t *testing.T) {
		t.Parallel()
		opts, log := testOptions(t, "ApiFunction")
		opts.Env["FAIL_INIT"] = "1"
		_, err := Start(context.Background(), opts)
		if err == nil || !strings.Contains(err.Error(), "ApiFunction failed to start") {
			t.Fatalf("err = %v", err)
		}
		if !strings.Contains(log.String(), "[ApiFunction] init failed on purpose") {
			t.Errorf("the function's output was not forwarded with its prefix:\n%s", log.String())
		}
	})
	t.Run("unknown function", func(t *testing.T) {
		t.Parallel()
		opts, _ := testOptions(t, "ApiFunction")
		opts.Functions = []string{"Nope"}
		if _, err := Start(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "Nope") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestCloseKillsInstances(t *testing.T) {
	t.Parallel()
	opts, _ := testOptions(t, "ApiFunction")
	ctx := context.Background()
	s, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, fn := range s.fns {
		fn.mu.Lock()
		for in := range fn.instances {
			pids = append(pids, in.pid())
		}
		fn.mu.Unlock()
	}
	s.Close()
	for _, pid := range pids {
		if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid))); err == nil {
			if b, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat")); !strings.Contains(string(b), ") Z ") {
				t.Errorf("instance %d still running after Close", pid)
			}
		}
	}
}
