package slackapp

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/slack-go/slack/slackutilsx"

	"github.com/rituals-dev/rituals/shared/config"
)

// Escape makes untrusted text (an issue title, a task name, what someone typed) safe inside
// Slack mrkdwn and in a message's notification text: &, < and > are the only characters Slack
// treats as control characters, and escaping them stops the text from forming mentions
// (<!channel>, <@U…>), links or dates. Formatting characters (*, _, ~, `) are left alone:
// they can only style the text they are in.
func Escape(s string) string { return slackutilsx.EscapeMessage(s) }

// Mention renders a Slack user id as a mention.
func Mention(userID string) string { return "<@" + userID + ">" }

// mentionRE matches a whole argument that is a user mention as Slack sends it in a slash
// command's text ("<@U0123|alice>" or "<@U0123>").
var mentionRE = regexp.MustCompile(`^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$`)

// ParseMention returns the user id of a mention argument, or false when arg is not one.
func ParseMention(arg string) (string, bool) {
	m := mentionRE.FindStringSubmatch(arg)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// PersonArg finds the person a command argument names: a Slack mention, or the person's id or
// GitHub login with or without a leading @. The error names the argument and says what to type.
func PersonArg(cfg *config.Config, arg string) (*config.Person, error) {
	if id, ok := ParseMention(arg); ok {
		if p := cfg.PersonBySlack(id); p != nil {
			return p, nil
		}
		return nil, fmt.Errorf("<@%s> is not in the Rituals config (people[].slack)", id)
	}
	name := strings.TrimPrefix(arg, "@")
	if p := cfg.PersonByID(strings.ToLower(name)); p != nil {
		return p, nil
	}
	if p := cfg.PersonByGitHub(name); p != nil {
		return p, nil
	}
	return nil, fmt.Errorf("%q is not a person I know: mention them (@name, picked from Slack's list) or give their id from the config", Escape(arg))
}
