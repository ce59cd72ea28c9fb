package slackapp

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// NewClient returns a Slack Web API client for the bot token. apiURL, when not empty, replaces
// https://slack.com/api/ (the local runner points it at its stand-in).
func NewClient(token, apiURL string) *slack.Client {
	opts := []slack.Option{slack.OptionHTTPClient(&http.Client{Timeout: 5 * time.Second})}
	if apiURL != "" {
		if !strings.HasSuffix(apiURL, "/") {
			apiURL += "/"
		}
		opts = append(opts, slack.OptionAPIURL(apiURL))
	}
	return slack.New(token, opts...)
}

// maxRateLimitWait bounds how long Retry waits for Slack's Retry-After within one invocation;
// past it the error is returned and the event's own retry takes over.
const maxRateLimitWait = 5 * time.Second

// Retry calls fn, and again after Slack's Retry-After when Slack answers 429 (chat.postMessage
// allows about one message per second per channel), up to three attempts.
func Retry(ctx context.Context, fn func() error) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		err = fn()
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) || rl.RetryAfter > maxRateLimitWait {
			return err
		}
		t := time.NewTimer(rl.RetryAfter)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return err
}
