// Command echo is the tiny Lambda the localrun tests drive through the Runtime API. HTTP events
// are echoed back (with ?sleep=ms, ?fail=1, ?env=1, ?binary=1 switches); stream batches are
// logged to $TEST_LOG_DIR/<function>.jsonl and fail on items with poison=true, either as a
// partial batch response (STREAM_MODE=partial) or as a function error (STREAM_MODE=error);
// anything else (scheduled events, direct invokes) is returned as it came. Kill points: an HTTP
// request's ?kill=<point>, a stream item's kill attribute and $ECHO_KILLPOINT for anything else
// are reached (killpoint.Reach) before the function does its work.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/killpoint"
)

func main() {
	if os.Getenv("FAIL_INIT") == "1" {
		os.Stderr.WriteString("init failed on purpose\n")
		os.Exit(3)
	}
	lambda.Start(handle)
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var probe map[string]json.RawMessage
	_ = json.Unmarshal(raw, &probe)
	switch {
	case probe["routeKey"] != nil:
		var req events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(raw, &req); err != nil {
			return nil, err
		}
		return handleHTTP(ctx, req)
	case probe["Records"] != nil:
		var ev events.DynamoDBEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		return handleStream(ev)
	}
	if p := os.Getenv("ECHO_KILLPOINT"); p != "" {
		killpoint.Reach(p)
	}
	return raw, nil
}

func handleHTTP(_ context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	q := req.QueryStringParameters
	if ms, err := strconv.Atoi(q["sleep"]); err == nil {
		// Deliberately deaf to ctx: a stuck function is what the timeout is for.
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	if q["kill"] != "" {
		killpoint.Reach(q["kill"])
	}
	if q["fail"] != "" {
		return events.APIGatewayV2HTTPResponse{}, errors.New("failing on purpose")
	}
	out := map[string]any{"event": req, "pid": os.Getpid()}
	if q["env"] != "" {
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		out["env"] = env
	}
	body, _ := json.Marshal(out)
	resp := events.APIGatewayV2HTTPResponse{
		StatusCode:        201,
		Headers:           map[string]string{"Content-Type": "application/json", "X-Echo": "yes"},
		MultiValueHeaders: map[string][]string{"X-Multi": {"a", "b"}},
		Cookies:           []string{"session=1; Path=/"},
		Body:              string(body),
	}
	if q["binary"] != "" {
		resp.Headers["Content-Type"] = "application/octet-stream"
		resp.Body = base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 'b', 'i', 'n'})
		resp.IsBase64Encoded = true
	}
	return resp, nil
}

type batchResponse struct {
	BatchItemFailures []map[string]string `json:"batchItemFailures"`
}

func handleStream(ev events.DynamoDBEvent) (batchResponse, error) {
	var pks []string
	var failures []map[string]string
	for _, r := range ev.Records {
		if k, ok := r.Change.NewImage["kill"]; ok {
			killpoint.Reach(k.String())
		}
	}
	for _, r := range ev.Records {
		pks = append(pks, r.Change.Keys["pk"].String())
		if p, ok := r.Change.NewImage["poison"]; ok && p.Boolean() {
			failures = append(failures, map[string]string{"itemIdentifier": r.Change.SequenceNumber})
		}
	}
	line, _ := json.Marshal(map[string]any{"pks": pks, "failed": len(failures) > 0})
	name := os.Getenv("AWS_LAMBDA_FUNCTION_NAME")
	if f, err := os.OpenFile(filepath.Join(os.Getenv("TEST_LOG_DIR"), name+".jsonl"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
		_, _ = f.Write(append(line, '\n'))
		_ = f.Close()
	}
	if len(failures) > 0 && os.Getenv("STREAM_MODE") == "error" {
		return batchResponse{}, errors.New("poison record in batch")
	}
	return batchResponse{BatchItemFailures: failures}, nil
}
