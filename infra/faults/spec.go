// Package faults is the local stack's fault injection: which calls to the Slack, GitHub and
// Conduit stand-ins fail and how (429 with Retry-After, a 5xx, a slow answer, a dropped
// connection), which DynamoDB operations are throttled, fail or slow down (through Proxy, in
// front of DynamoDB Local), and at which kill points (shared/killpoint) a function instance is
// killed. `rituals run -faults` and POST /_local/faults take a Spec; every random choice comes
// from the Spec's seed, so a run can be replayed.
package faults

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Spec says which faults to inject. The zero value injects nothing.
type Spec struct {
	// Seed seeds every random choice; 0 means "pick one" (Injector.Set reports the one it
	// picked, and the runner prints it so that the run can be replayed).
	Seed int64 `json:"seed"`
	// APIs are faults of the stand-ins' APIs (and of the GitHub stand-in's webhook deliveries).
	APIs []APIFault `json:"apis,omitempty"`
	// DynamoDB are faults of DynamoDB operations, injected by Proxy.
	DynamoDB []DynamoFault `json:"dynamodb,omitempty"`
	// Kills arm kill points: an instance of Function reaching Point is killed (SIGKILL).
	Kills []Kill `json:"kills,omitempty"`
}

// Services whose calls can be faulted. Hookshot is the GitHub stand-in delivering webhooks to
// the stack: a fault there means the delivery never reached it (GitHub records it as failed).
const (
	ServiceSlack    = "slack"
	ServiceGitHub   = "github"
	ServiceConduit  = "conduit"
	ServiceHookshot = "hookshot"
)

// Fault kinds of APIFault.Fault besides an HTTP status ("429", "500" ... "599").
const (
	// Slow delays the answer by Delay; a client that gives up meanwhile finds the call not
	// made (the stand-in never acts for a caller that has gone).
	Slow = "slow"
	// Drop closes the connection without answering and without acting.
	Drop = "drop"
)

// APIFault makes a share of one API's calls fail before the stand-in acts on them.
type APIFault struct {
	// Service is slack, github, conduit or hookshot.
	Service string `json:"service"`
	// API is the method or operation to fault: a Slack or Conduit method ("chat.postMessage"),
	// a GitHub operation id ("issues/create-comment") or a webhook event for hookshot
	// ("issues"). Empty faults every call of the service.
	API string `json:"api,omitempty"`
	// Fault is "429", a 5xx status such as "503", "slow" or "drop".
	Fault string `json:"fault"`
	// Rate is the share of matching calls that fail, in (0, 1].
	Rate float64 `json:"rate"`
	// RetryAfter is the Retry-After of a 429, in seconds; 1 when 0.
	RetryAfter int `json:"retry_after,omitempty"`
	// Delay is how long a slow call waits before it is served; 2s when 0.
	Delay Duration `json:"delay,omitempty"`
}

// DynamoDB fault kinds. The first three answer as DynamoDB does (HTTP 400 with the JSON error
// document and x-amzn-ErrorType for the throttles, 500 for the internal error); Latency delays
// the request and then forwards it.
const (
	ProvisionedThroughputExceeded = "ProvisionedThroughputExceededException"
	Throttling                    = "ThrottlingException"
	InternalServerError           = "InternalServerError"
	Latency                       = "latency"
)

// DynamoFault makes a share of one DynamoDB operation's requests fail or slow down.
type DynamoFault struct {
	// Operation is the X-Amz-Target ("DynamoDB_20120810.PutItem") or its operation name
	// ("PutItem", "TransactWriteItems"). Empty faults every operation.
	Operation string `json:"operation,omitempty"`
	// Fault is ProvisionedThroughputExceededException, ThrottlingException,
	// InternalServerError or latency.
	Fault string `json:"fault"`
	// Rate is the share of matching requests affected, in (0, 1].
	Rate float64 `json:"rate"`
	// Delay is the added latency; 100ms when 0.
	Delay Duration `json:"delay,omitempty"`
}

// Kill arms a kill point of one function.
type Kill struct {
	// Function is the logical id ("SupportTriageFunction").
	Function string `json:"function"`
	// Point is the kill point's name (shared/killpoint: "effect-claimed", "effect-ran",
	// "committed", or a feature's own).
	Point string `json:"point"`
	// Count is how many kills are left; 1 when 0 at Set. GET /_local/faults shows what is left.
	Count int `json:"count"`
	// Rate is the chance that one reach of the point kills (while Count lasts); 1 when 0.
	Rate float64 `json:"rate,omitempty"`
}

// Duration is a time.Duration written as "250ms", "2s" in JSON.
type Duration time.Duration

// MarshalJSON writes the duration as a string such as "1.5s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "250ms" or a number of milliseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var ms float64
		if json.Unmarshal(b, &ms) != nil {
			return errors.New(`a duration is a string such as "250ms" or "2s"`)
		}
		*d = Duration(ms * float64(time.Millisecond))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("duration %q: write it like \"250ms\" or \"2s\"", s)
	}
	*d = Duration(v)
	return nil
}

// Parse reads a Spec from JSON, refusing unknown fields and invalid rules with a message that
// says what to write instead.
func Parse(data []byte) (Spec, error) {
	var s Spec
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Spec{}, fmt.Errorf("fault spec: %w", err)
	}
	if dec.More() {
		return Spec{}, errors.New("fault spec: one JSON object, please")
	}
	return s, s.Validate()
}

// Validate checks every rule and reports all problems at once.
func (s Spec) Validate() error {
	var errs []error
	rate := func(where string, r float64) {
		if r <= 0 || r > 1 {
			errs = append(errs, fmt.Errorf("%s: rate must be in (0, 1], such as 0.2 for 20%%, got %v", where, r))
		}
	}
	for i, f := range s.APIs {
		where := fmt.Sprintf("apis[%d]", i)
		switch f.Service {
		case ServiceSlack, ServiceGitHub, ServiceConduit, ServiceHookshot:
		default:
			errs = append(errs, fmt.Errorf("%s: service must be slack, github, conduit or hookshot, got %q", where, f.Service))
		}
		if _, err := apiFaultStatus(f.Fault); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
		rate(where, f.Rate)
		if f.RetryAfter < 0 {
			errs = append(errs, fmt.Errorf("%s: retry_after is a number of seconds, 0 or more", where))
		}
	}
	for i, f := range s.DynamoDB {
		where := fmt.Sprintf("dynamodb[%d]", i)
		switch f.Fault {
		case ProvisionedThroughputExceeded, Throttling, InternalServerError, Latency:
		default:
			errs = append(errs, fmt.Errorf("%s: fault must be %s, %s, %s or %s, got %q", where, ProvisionedThroughputExceeded, Throttling, InternalServerError, Latency, f.Fault))
		}
		rate(where, f.Rate)
	}
	for i, k := range s.Kills {
		where := fmt.Sprintf("kills[%d]", i)
		if k.Function == "" || k.Point == "" {
			errs = append(errs, fmt.Errorf("%s: name the function (a logical id) and the point (such as effect-ran)", where))
		}
		if k.Count < 0 {
			errs = append(errs, fmt.Errorf("%s: count must be 1 or more (0 means 1)", where))
		}
		if k.Rate != 0 {
			rate(where, k.Rate)
		}
	}
	return errors.Join(errs...)
}

// apiFaultStatus returns the HTTP status a fault answers with (0 for slow and drop).
func apiFaultStatus(fault string) (int, error) {
	switch fault {
	case Slow, Drop:
		return 0, nil
	}
	n, err := strconv.Atoi(fault)
	if err != nil || (n != 429 && (n < 500 || n > 599)) {
		return 0, fmt.Errorf(`fault must be "429", a 5xx status such as "503", "slow" or "drop", got %q`, fault)
	}
	return n, nil
}

// String describes the spec in one line, for the runner's log.
func (s Spec) String() string {
	var parts []string
	for _, f := range s.APIs {
		api := f.API
		if api == "" {
			api = "*"
		}
		parts = append(parts, fmt.Sprintf("%s %s %s at %g%%", f.Service, api, f.Fault, f.Rate*100))
	}
	for _, f := range s.DynamoDB {
		op := f.Operation
		if op == "" {
			op = "*"
		}
		parts = append(parts, fmt.Sprintf("dynamodb %s %s at %g%%", op, f.Fault, f.Rate*100))
	}
	for _, k := range s.Kills {
		parts = append(parts, fmt.Sprintf("kill %s at %s ×%d", k.Function, k.Point, k.Count))
	}
	if len(parts) == 0 {
		return "no faults"
	}
	return fmt.Sprintf("seed %d: %s", s.Seed, strings.Join(parts, "; "))
}
