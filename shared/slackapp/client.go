package slackapp

import (
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
