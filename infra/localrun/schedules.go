package localrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rituals-dev/rituals/infra/samtemplate"
)

// schedule is a Schedule/ScheduleV2 event bound to its function.
type schedule struct {
	samtemplate.Schedule
	expr    ScheduleExpr
	fn      *function
	ruleARN string
	// retryDelay is the wait before the first retry of a failed invocation, doubling after.
	retryDelay time.Duration
}

// ScheduleResult is the outcome of firing one schedule.
type ScheduleResult struct {
	Function string `json:"function"`
	Event    string `json:"event"`
	// Time is the scheduled time the event carried (RFC 3339, UTC).
	Time string `json:"time"`
	// Result is the function's response, or null.
	Result json.RawMessage `json:"result"`
	// Error is the function's error, or null.
	Error *string `json:"error"`
	// Attempts is how many times the function was invoked: a failed invocation is retried as
	// Lambda retries an asynchronous one (Schedule.Retries, within Schedule.MaxEventAge).
	Attempts int `json:"attempts"`
}

// ErrNoSchedule is returned (wrapped, naming the known schedules) by FireSchedule when no
// schedule matches.
var ErrNoSchedule = errors.New("no such schedule")

func newSchedule(s samtemplate.Schedule, fn *function, anchor time.Time, region string, retryDelay time.Duration) (*schedule, error) {
	loc := time.UTC
	if s.Timezone != "" {
		l, err := time.LoadLocation(s.Timezone)
		if err != nil {
			return nil, fmt.Errorf("function %s event %s: ScheduleExpressionTimezone: %w", s.Function, s.Event, err)
		}
		loc = l
	}
	expr, err := ParseSchedule(s.Expression, loc, anchor)
	if err != nil {
		return nil, fmt.Errorf("function %s event %s: %w", s.Function, s.Event, err)
	}
	if s.Input != "" && !json.Valid([]byte(s.Input)) {
		return nil, fmt.Errorf("function %s event %s: Input is not valid JSON", s.Function, s.Event)
	}
	kind := "rule/"
	if s.Type == samtemplate.EventScheduleV2 {
		kind = "schedule/default/"
	}
	service := "events"
	if s.Type == samtemplate.EventScheduleV2 {
		service = "scheduler"
	}
	arn := fmt.Sprintf("arn:aws:%s:%s:000000000000:%srituals-local-%s-%s", service, region, kind, s.Function, s.Event)
	return &schedule{Schedule: s, expr: expr, fn: fn, ruleARN: arn, retryDelay: retryDelay}, nil
}

// payload is what EventBridge sends: the constant Input when there is one, else a Scheduled
// Event whose time is the scheduled time.
func (s *schedule) payload(at time.Time, region string) ([]byte, error) {
	if s.Input != "" {
		return []byte(s.Input), nil
	}
	return json.Marshal(events.CloudWatchEvent{
		Version:    "0",
		ID:         newUUID(),
		DetailType: "Scheduled Event",
		Source:     "aws.events",
		AccountID:  "000000000000",
		Time:       at.UTC().Truncate(time.Second),
		Region:     region,
		Resources:  []string{s.ruleARN},
		Detail:     json.RawMessage(`{}`),
	})
}

// fire invokes the function with the event for at and, when the invocation fails, retries it
// with the same event (as Lambda retries an asynchronous invocation) up to s.Retries times while
// the event is younger than s.MaxEventAge on the real clock. The result is the last attempt's.
func (s *schedule) fire(ctx context.Context, at time.Time, region string) (ScheduleResult, error) {
	res := ScheduleResult{Function: s.Function, Event: s.Event, Time: at.UTC().Truncate(time.Second).Format(time.RFC3339), Result: json.RawMessage("null")}
	payload, err := s.payload(at, region)
	if err != nil {
		return res, err
	}
	sent := time.Now()
	for {
		res.Attempts++
		out, err := s.fn.invoke(ctx, payload)
		var fe *FunctionError
		switch {
		case errors.As(err, &fe):
			msg := fe.Error()
			res.Error = &msg
		case err != nil:
			return res, err
		case json.Valid(out) && len(out) > 0:
			res.Result, res.Error = json.RawMessage(out), nil
			return res, nil
		case len(out) > 0:
			b, _ := json.Marshal(string(out))
			res.Result, res.Error = b, nil
			return res, nil
		default:
			res.Error = nil
			return res, nil
		}
		delay := s.retryDelay << (res.Attempts - 1)
		if res.Attempts > s.Retries || time.Since(sent)+delay > s.MaxEventAge {
			return res, nil
		}
		sleep(ctx, delay)
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
	}
}

// runClock fires s on the real clock until ctx ends. EventBridge invokes asynchronously, so a
// failure is only logged.
func (s *schedule) runClock(ctx context.Context, now func() time.Time, region string, log io.Writer) {
	for {
		next := s.expr.Next(now())
		if next.IsZero() {
			return
		}
		t := time.NewTimer(next.Sub(now()))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		res, err := s.fire(ctx, next, region)
		switch {
		case err != nil:
			if ctx.Err() == nil {
				fmt.Fprintf(log, "rituals: schedule %s.%s at %s: %v\n", s.Function, s.Event, res.Time, err)
			}
		case res.Error != nil:
			fmt.Fprintf(log, "rituals: schedule %s.%s at %s: function error: %s\n", s.Function, s.Event, res.Time, *res.Error)
		}
	}
}

func scheduleNames(list []*schedule) string {
	if len(list) == 0 {
		return "none"
	}
	var names []string
	for _, s := range list {
		names = append(names, s.Function+"."+s.Event+" "+s.Expression)
	}
	return strings.Join(names, ", ")
}
