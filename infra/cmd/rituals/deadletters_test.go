package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rituals-dev/rituals/infra/localrun"
)

// TestDeadlettersLocal: list and replay talk to the local stack's routes; a replay that fails
// again is reported (and the command fails) with what the function said.
func TestDeadlettersLocal(t *testing.T) {
	t.Parallel()
	dl := localrun.DeadLetter{Function: "SupportTriageFunction", Error: "Runtime.ExitError: killed", Timestamp: "2026-03-02T10:00:00.000Z"}
	dl.RequestContext.RequestID, dl.RequestContext.Condition = "dl-1", "RetryAttemptsExhausted"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.Path {
		case "GET /_local/deadletters":
			_ = json.NewEncoder(w).Encode([]localrun.DeadLetter{dl})
		case "POST /_local/deadletters/dl-1/replay":
			_ = json.NewEncoder(w).Encode(localrun.ReplayResult{ID: "dl-1", Function: "SupportTriageFunction", Records: 2, OK: true})
		case "POST /_local/deadletters/replay":
			w.WriteHeader(http.StatusBadGateway)
			_ = json.NewEncoder(w).Encode([]localrun.ReplayResult{{ID: "dl-2", Function: "SupportTriageFunction", Records: 1, Error: "still failing"}})
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"no such dead letter \"x\""}`)
		}
	}))
	defer srv.Close()
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := runDeadletters(context.Background(), append(args, "-url", srv.URL), &out, io.Discard, func(string) string { return "" })
		return out.String(), err
	}
	if out, err := run("list"); err != nil || !strings.Contains(out, "dl-1") || !strings.Contains(out, "Runtime.ExitError: killed") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	if out, err := run("replay", "dl-1"); err != nil || !strings.Contains(out, "replayed dl-1: 2 record(s) to SupportTriageFunction; deleted") {
		t.Fatalf("replay dl-1: %v\n%s", err, out)
	}
	if out, err := run("replay"); err == nil || !strings.Contains(out, "not replayed dl-2 (SupportTriageFunction): still failing") {
		t.Fatalf("replay all: %v\n%s", err, out)
	}
	if _, err := run("replay", "x"); err == nil || !strings.Contains(err.Error(), `no such dead letter "x"`) {
		t.Fatalf("unknown id: %v", err)
	}
	if _, err := run("events"); err == nil || !strings.Contains(err.Error(), "works on AWS") {
		t.Fatalf("events locally: %v", err)
	}
	if _, err := run("drop"); err == nil {
		t.Fatal("unknown subcommand accepted")
	}
}
