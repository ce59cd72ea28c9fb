// Package retry classifies the errors of the APIs Rituals calls — Slack, GitHub (REST and
// GraphQL), Conduit, DynamoDB — as transient (worth retrying) or permanent (the same answer
// however often asked), and retries transient ones within an invocation.
//
// The two questions have separate answers on purpose: an error that is neither (a bug, an
// unknown answer) is not retried in-process, but it is not written off either — the caller
// returns it, and the stream record or the schedule is retried and finally dead-lettered.
package retry

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/aws/smithy-go"
	"github.com/google/go-github/v60/github"
	"github.com/slack-go/slack"
)

// Classifier lets an error of any package answer for itself (Conduit's errors do).
type Classifier interface {
	// Transient reports whether the same call may succeed later.
	Transient() bool
}

// Waiter lets an error say how long the server asked to wait before the next attempt.
type Waiter interface {
	RetryAfter() time.Duration
}

// GraphQLError is a GraphQL answer that lists errors. Type is GitHub's error type
// ("RATE_LIMITED", "NOT_FOUND", "FORBIDDEN"...), Messages the messages.
type GraphQLError struct {
	Types    []string
	Messages []string
}

func (e *GraphQLError) Error() string { return "GraphQL: " + strings.Join(e.Messages, "; ") }

// Transient implements Classifier: only GitHub's rate limit goes away by waiting.
func (e *GraphQLError) Transient() bool {
	for _, t := range e.Types {
		if t == "RATE_LIMITED" {
			return true
		}
	}
	return false
}

// permanentSlack are Slack error codes that no retry will change.
var permanentSlack = map[string]bool{
	"channel_not_found": true, "not_in_channel": true, "is_archived": true, "user_not_found": true,
	"users_not_found": true, "cannot_dm_bot": true, "user_disabled": true, "msg_too_long": true,
	"no_text": true, "invalid_blocks": true, "invalid_blocks_format": true, "message_not_found": true,
	"cant_update_message": true, "edit_window_closed": true, "restricted_action": true,
	"missing_scope": true, "not_authed": true, "invalid_auth": true, "account_inactive": true,
	"token_revoked": true, "no_permission": true, "ekm_access_denied": true, "too_many_attachments": true,
	"invalid_arguments": true, "channel_is_archived": true, "invalid_ts_latest": true,
}

// Transient reports whether err may go away if the same call is made again later: rate limits
// (Slack 429, GitHub primary and secondary limits, GraphQL RATE_LIMITED, DynamoDB throttling),
// server errors (5xx), timeouts and dropped connections.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	var c Classifier
	if errors.As(err, &c) {
		return c.Transient()
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return true
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code >= 500 || sc.Code == http.StatusTooManyRequests || sc.Code == http.StatusRequestTimeout
	}
	var ghRate *github.RateLimitError
	var ghAbuse *github.AbuseRateLimitError
	if errors.As(err, &ghRate) || errors.As(err, &ghAbuse) {
		return true
	}
	var ghErr *github.ErrorResponse
	if errors.As(err, &ghErr) && ghErr.Response != nil {
		code := ghErr.Response.StatusCode
		return code >= 500 || code == http.StatusTooManyRequests || code == http.StatusRequestTimeout
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
			"InternalServerError", "ServiceUnavailable", "TransactionInProgressException", "LimitExceededException":
			return true
		}
		return api.ErrorFault() == smithy.FaultServer
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled)
}

// Permanent reports whether the API will give the same refusal however often it is asked: a
// GitHub 4xx other than rate limits (a deleted issue, a repository that does not exist or that
// the token may not write to, a login that cannot be assigned), a GraphQL error other than
// RATE_LIMITED, a Slack error such as channel_not_found or not_in_channel. A caller may record
// such an effect as failed and move on instead of retrying it until it is dead-lettered.
func Permanent(err error) bool {
	if err == nil || Transient(err) {
		return false
	}
	var c Classifier
	if errors.As(err, &c) {
		return !c.Transient()
	}
	var ghErr *github.ErrorResponse
	if errors.As(err, &ghErr) && ghErr.Response != nil {
		code := ghErr.Response.StatusCode
		return code >= 400 && code < 500
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return permanentSlack[se.Err]
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code >= 400 && sc.Code < 500
	}
	return false
}

// Forbidden reports whether err is a refusal for lack of permission (GitHub 403 that is not a
// rate limit, Slack missing_scope/not_in_channel/restricted_action, GraphQL FORBIDDEN): the
// team must be told, once, because nothing Rituals does will fix it.
func Forbidden(err error) bool {
	if !Permanent(err) {
		return false
	}
	var ghErr *github.ErrorResponse
	if errors.As(err, &ghErr) && ghErr.Response != nil {
		return ghErr.Response.StatusCode == http.StatusForbidden || ghErr.Response.StatusCode == http.StatusUnauthorized
	}
	var ge *GraphQLError
	if errors.As(err, &ge) {
		for _, t := range ge.Types {
			if t == "FORBIDDEN" || t == "INSUFFICIENT_SCOPES" {
				return true
			}
		}
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "missing_scope", "not_in_channel", "restricted_action", "no_permission", "not_authed", "invalid_auth", "token_revoked":
			return true
		}
	}
	return false
}

// After returns how long the server asked to wait (Slack's Retry-After, GitHub's rate limit
// reset), if it said.
func After(err error, now time.Time) (time.Duration, bool) {
	var w Waiter
	if errors.As(err, &w) {
		return w.RetryAfter(), true
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return rl.RetryAfter, true
	}
	var ghAbuse *github.AbuseRateLimitError
	if errors.As(err, &ghAbuse) && ghAbuse.RetryAfter != nil {
		return *ghAbuse.RetryAfter, true
	}
	var ghRate *github.RateLimitError
	if errors.As(err, &ghRate) {
		return ghRate.Rate.Reset.Sub(now), true
	}
	return 0, false
}

// Policy bounds Do's retries. Its zero value is DefaultPolicy.
type Policy struct {
	// Attempts is the most calls made (default 3).
	Attempts int
	// Backoff is the first wait when the server gave none, doubling per attempt (default 200ms).
	Backoff time.Duration
	// MaxWait is the longest single wait; when the server asks for longer, Do returns the error
	// at once and leaves the wait to the caller's own retry (default 5s).
	MaxWait time.Duration
	// Now is the wall clock waits are computed on (time.Now when nil).
	Now func() time.Time
}

func (p Policy) withDefaults() Policy {
	if p.Attempts <= 0 {
		p.Attempts = 3
	}
	if p.Backoff <= 0 {
		p.Backoff = 200 * time.Millisecond
	}
	if p.MaxWait <= 0 {
		p.MaxWait = 5 * time.Second
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	return p
}

// Do calls fn with DefaultPolicy; see Policy.Do.
func Do(ctx context.Context, fn func() error) error { return Policy{}.Do(ctx, fn) }

// Do calls fn until it succeeds, fails with an error that is not Transient, or the attempts run
// out, waiting between attempts for what the server asked (or an exponential backoff). It
// never waits past ctx's end or longer than MaxWait at once; the last error is returned.
//
// Only calls that are safe to repeat should be retried on a dropped connection: a request that
// reached the server before the connection broke may have acted. Every effect Rituals retries
// runs inside store.Effects.Once, which bounds that to the rare case of a reply lost in transit.
func (p Policy) Do(ctx context.Context, fn func() error) error {
	p = p.withDefaults()
	var err error
	wait := p.Backoff
	for attempt := 1; ; attempt++ {
		if err = fn(); err == nil || !Transient(err) || attempt == p.Attempts {
			return err
		}
		d := wait
		if after, ok := After(err, p.Now()); ok {
			d = after
		}
		if d > p.MaxWait {
			return err
		}
		if dl, ok := ctx.Deadline(); ok && dl.Sub(p.Now()) < d {
			return err
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait *= 2
	}
}

// SkippedPrefix starts the result SkipPermanent records for an effect that can never succeed.
const SkippedPrefix = "skipped: "

// SkipPermanent wraps an effect (the fn of store.Effects.Once) so that a Permanent refusal —
// a repository that does not exist, a channel the bot is not in — becomes the effect's
// recorded result, "skipped: <why>", instead of an error. The effect is then done: it can never
// succeed, and retrying it until it is dead-lettered would only hold back the work around it
// (a whole scheduler tick, the other effects of a request). report hears the error once, when
// the effect is skipped, to log it or tell the team. Any other error is returned unchanged.
func SkipPermanent(fn func(context.Context) (string, error), report func(error)) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		res, err := fn(ctx)
		if err != nil && Permanent(err) {
			if report != nil {
				report(err)
			}
			msg := err.Error()
			if len(msg) > 200 {
				msg = msg[:200]
			}
			return SkippedPrefix + strings.ToValidUTF8(msg, ""), nil
		}
		return res, err
	}
}

// Skipped reports whether an effect's result says SkipPermanent skipped it.
func Skipped(result string) bool { return strings.HasPrefix(result, SkippedPrefix) }
