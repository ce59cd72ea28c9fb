package standins

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Slack reads <, > and & in message text as markup: a mention (<@U…>), a channel (<#C…>), a
// special mention or date (<!here>, <!date^…>), or a link (<https://…|text>). Any other "<" is
// shown wrongly — "<milestone>" becomes a link to nowhere, "<#item>" a broken channel — so text
// meant literally must carry &lt; and &gt;. Slack does not refuse such a message; the stand-in
// records what it would have shown wrongly (Call.Problems) so that tests can.
var slackControl = regexp.MustCompile(`^<(?:[@][UW][A-Z0-9]+|#[CG][A-Z0-9]+|!(?:here|channel|everyone|subteam\^[A-Z0-9]+|date\^[0-9]+\^[^|>]*)|(?:https?|mailto|slack):[^|>\s]+)(?:\|[^<>]*)?>`)

// markupProblems lists the places in text where a "<" does not start a control sequence.
func markupProblems(text string) []string {
	var out []string
	for i := 0; i < len(text); i++ {
		if text[i] != '<' {
			continue
		}
		m := slackControl.FindString(text[i:])
		if m == "" {
			end := min(len(text), i+24)
			out = append(out, fmt.Sprintf("a literal %q in the text (write &lt; and &gt;)", text[i:end]))
			continue
		}
		i += len(m) - 1
	}
	return out
}

// slackTextProblems checks every text Slack would render as mrkdwn in a message's or view's
// parameters: the top-level text, and each text object of its blocks and attachments that is
// mrkdwn (plain_text is shown as it is).
func slackTextProblems(params map[string]any) []string {
	var out []string
	if t, ok := params["text"].(string); ok {
		out = append(out, markupProblems(t)...)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["type"] == "mrkdwn" {
				if t, ok := x["text"].(string); ok {
					out = append(out, markupProblems(t)...)
				}
			}
			for k, c := range x {
				if k != "text" || x["type"] != "mrkdwn" {
					walk(c)
				}
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		case string: // blocks and attachments of a form-encoded call are JSON in a string
			if s := strings.TrimSpace(x); strings.HasPrefix(s, "[") || strings.HasPrefix(s, "{") {
				var decoded any
				if json.Unmarshal([]byte(s), &decoded) == nil {
					walk(decoded)
				}
			}
		}
	}
	for _, k := range []string{"blocks", "attachments", "view"} {
		walk(params[k])
	}
	return out
}

// TB is the part of testing.TB that ExpectCleanSlackText needs.
type TB interface {
	Cleanup(func())
	Errorf(format string, args ...any)
}

// ExpectCleanSlackText makes t fail, when it ends, for each Slack call whose text carries
// markup Slack would show wrongly (Call.Problems): an unescaped "<" from a title or a hint.
func (s *Server) ExpectCleanSlackText(t TB) {
	t.Cleanup(func() {
		for _, c := range s.outbox.Calls(Filter{Service: "slack"}) {
			for _, p := range c.Problems {
				t.Errorf("Slack %s #%d: %s", c.API, c.Seq, p)
			}
		}
	})
}
