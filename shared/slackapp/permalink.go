package slackapp

import "strings"

// Permalink links to the message ts in channel. Slack redirects it to the workspace's own
// address, so it works without knowing the workspace's domain.
func Permalink(channel, ts string) string {
	return "https://slack.com/archives/" + channel + "/p" + strings.ReplaceAll(ts, ".", "")
}
