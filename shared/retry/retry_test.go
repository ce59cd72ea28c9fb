package retry_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-github/v60/github"
	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/retry"
)

func ghStatus(code int) error {
	return fmt.Errorf("comment on o/r#1: %w", &github.ErrorResponse{Response: &http.Response{StatusCode: code}, Message: http.StatusText(code)})
}

type conduitish struct{ transient bool }

func (c conduitish) Error() string   { return "conduit" }
func (c conduitish) Transient() bool { return c.transient }

func TestClassify(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                 string
		err                  error
		transient, permanent bool
		forbidden            bool
	}{
		{name: "nil", err: nil},
		{name: "unknown error is neither", err: errors.New("boom")},
		{name: "slack 429", err: &slack.RateLimitedError{RetryAfter: time.Second}, transient: true},
		{name: "slack 503", err: slack.StatusCodeError{Code: 503, Status: "503 Service Unavailable"}, transient: true},
		{name: "slack 500 wrapped", err: fmt.Errorf("chat.postMessage: %w", slack.StatusCodeError{Code: 500}), transient: true},
		{name: "slack channel_not_found", err: slack.SlackErrorResponse{Err: "channel_not_found"}, permanent: true},
		{name: "slack not_in_channel", err: slack.SlackErrorResponse{Err: "not_in_channel"}, permanent: true, forbidden: true},
		{name: "slack unknown error code", err: slack.SlackErrorResponse{Err: "fatal_error"}},
		{name: "github 502", err: ghStatus(502), transient: true},
		{name: "github 404", err: ghStatus(404), permanent: true},
		{name: "github 422", err: ghStatus(422), permanent: true},
		{name: "github 403", err: ghStatus(403), permanent: true, forbidden: true},
		{name: "github rate limit", err: &github.RateLimitError{Response: &http.Response{StatusCode: 403}}, transient: true},
		{name: "github secondary rate limit", err: &github.AbuseRateLimitError{Response: &http.Response{StatusCode: 403}}, transient: true},
		{name: "graphql rate limited", err: &retry.GraphQLError{Types: []string{"RATE_LIMITED"}, Messages: []string{"API rate limit exceeded"}}, transient: true},
		{name: "graphql not found", err: &retry.GraphQLError{Types: []string{"NOT_FOUND"}, Messages: []string{"Could not resolve"}}, permanent: true},
		{name: "graphql forbidden", err: &retry.GraphQLError{Types: []string{"FORBIDDEN"}}, permanent: true, forbidden: true},
		{name: "dynamodb throttled", err: &types.ProvisionedThroughputExceededException{Message: new(string)}, transient: true},
		{name: "dynamodb condition failed", err: &types.ConditionalCheckFailedException{}},
		{name: "connection reset", err: fmt.Errorf("post: %w", syscall.ECONNRESET), transient: true},
		{name: "deadline", err: context.DeadlineExceeded, transient: true},
		{name: "classifier says transient", err: fmt.Errorf("maniphest.edit: %w", conduitish{true}), transient: true},
		{name: "classifier says permanent", err: conduitish{false}, permanent: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := retry.Transient(tc.err); got != tc.transient {
				t.Errorf("Transient = %v, want %v", got, tc.transient)
			}
			if got := retry.Permanent(tc.err); got != tc.permanent {
				t.Errorf("Permanent = %v, want %v", got, tc.permanent)
			}
			if got := retry.Forbidden(tc.err); got != tc.forbidden {
				t.Errorf("Forbidden = %v, want %v", got, tc.forbidden)
			}
		})
	}
}

func TestDo(t *testing.T) {
	t.Parallel()
	fast := retry.Policy{Backoff: time.Millisecond}
	cases := []struct {
		name  string
		errs  []error // what each call returns, in order; nil afterwards
		calls int
		fails bool
	}{
		{name: "success at once", calls: 1},
		{name: "a 5xx is retried", errs: []error{slack.StatusCodeError{Code: 502}}, calls: 2},
		{name: "a short Retry-After is waited for", errs: []error{&slack.RateLimitedError{RetryAfter: time.Millisecond}}, calls: 2},
		{name: "a long Retry-After is left to the caller", errs: []error{&slack.RateLimitedError{RetryAfter: time.Minute}}, calls: 1, fails: true},
		{name: "a 404 is not retried", errs: []error{ghStatus(404)}, calls: 1, fails: true},
		{name: "attempts run out", errs: []error{ghStatus(500), ghStatus(500), ghStatus(500), ghStatus(500)}, calls: 3, fails: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			err := fast.Do(context.Background(), func() error {
				calls++
				if calls <= len(tc.errs) {
					return tc.errs[calls-1]
				}
				return nil
			})
			if calls != tc.calls || (err != nil) != tc.fails {
				t.Fatalf("calls=%d err=%v; want calls=%d fails=%v", calls, err, tc.calls, tc.fails)
			}
		})
	}
}

// TestDoStopsAtDeadline: no wait is started that would outlast the caller's deadline.
func TestDoStopsAtDeadline(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	calls := 0
	err := retry.Policy{Backoff: time.Second}.Do(ctx, func() error { calls++; return ghStatus(503) })
	if calls != 1 || err == nil {
		t.Fatalf("calls=%d err=%v", calls, err)
	}
}

func TestSkipPermanent(t *testing.T) {
	t.Parallel()
	var reported []error
	report := func(err error) { reported = append(reported, err) }
	for _, tc := range []struct {
		name    string
		err     error
		res     string
		fails   bool
		skipped bool
	}{
		{name: "success", res: "42"},
		{name: "permanent is recorded as skipped", err: ghStatus(404), skipped: true},
		{name: "transient is returned", err: ghStatus(503), fails: true},
		{name: "unknown is returned", err: errors.New("boom"), fails: true},
	} {
		reported = nil
		res, err := retry.SkipPermanent(func(context.Context) (string, error) { return tc.res, tc.err }, report)(context.Background())
		if (err != nil) != tc.fails || retry.Skipped(res) != tc.skipped || (tc.skipped && len(reported) != 1) || (!tc.skipped && len(reported) != 0) {
			t.Errorf("%s: res %q err %v reported %v", tc.name, res, err, reported)
		}
	}
}
