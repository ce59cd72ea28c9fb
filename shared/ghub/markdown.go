package ghub

import (
	"regexp"
	"strings"
)

// mentionRE finds what GitHub would turn into a notification: @login and @org/team, at the
// start of the text or after a character that cannot be part of an e-mail address or a word.
var mentionRE = regexp.MustCompile(`(^|[^A-Za-z0-9_.\-/` + "`" + `])@([A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?)`)

// Escape makes untrusted text (something typed in Slack, a Phabricator task name) safe inside
// a GitHub comment or issue written by Rituals: mentions are neutralised with a zero-width
// joiner after the @ (so nobody is notified by text they did not write), and <, > and & are
// written as entities so that the text cannot open HTML (a <details>, an <img>, a comment that
// hides the rest of the body). Markdown emphasis is left alone; it cannot escape the text.
func Escape(s string) string {
	s = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
	return mentionRE.ReplaceAllString(s, "${1}@\u200d${2}")
}
