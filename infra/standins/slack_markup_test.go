package standins

import (
	"strings"
	"testing"
)

func TestMarkupProblems(t *testing.T) {
	for _, tt := range []struct {
		text string
		bad  int
	}{
		{"<@U01ALICE01> and <#C01BILLING|billing>, <!here>, <https://example.com/a?b=1|a link>, <!date^1700000000^{date}|today>", 0},
		{"type `/sprint start &lt;milestone&gt;` or <mailto:a@b.c>", 0},
		{"type `/sprint start <milestone> <from> <to>`", 3},
		{"vote with `/retro vote <#item>`", 1},
		{"a < b and c > d", 1},
		{"unclosed <@U01ALICE01", 1},
	} {
		if got := markupProblems(tt.text); len(got) != tt.bad {
			t.Errorf("%q: %d problems %v, want %d", tt.text, len(got), got, tt.bad)
		}
	}
	params := map[string]any{"text": "fine", "blocks": `[{"type":"section","text":{"type":"mrkdwn","text":"see <milestone>"}},{"type":"header","text":{"type":"plain_text","text":"<ok in plain text>"}}]`}
	if got := slackTextProblems(params); len(got) != 1 || !strings.Contains(got[0], "<milestone>") {
		t.Errorf("blocks: %v", got)
	}
}

// TestBlockKitLimits: a message or view past one of Block Kit's limits is refused as Slack
// refuses it, naming each problem with its JSON pointer.
func TestBlockKitLimits(t *testing.T) {
	section := func(n int) map[string]any {
		return map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": strings.Repeat("x", n)}}
	}
	many := make([]any, 51)
	for i := range many {
		many[i] = section(1)
	}
	for _, tt := range []struct {
		name   string
		blocks []any
		want   string
	}{
		{"fine", []any{section(3000)}, ""},
		{"section text", []any{section(3001)}, "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"},
		{"51 blocks", many, "no more than 50 items allowed [json-pointer:/blocks]"},
		{"button text", []any{map[string]any{"type": "actions", "elements": []any{map[string]any{"type": "button", "text": map[string]any{"type": "plain_text", "text": strings.Repeat("b", 76)}}}}}, "/blocks/0/elements/0/text/text"},
		{"header", []any{map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": strings.Repeat("h", 151)}}}, "/blocks/0/text/text"},
	} {
		got := messageRefusal(slackParams{"channel": "C1", "blocks": tt.blocks})
		if tt.want == "" {
			if got != nil {
				t.Errorf("%s: refused %v", tt.name, got)
			}
			continue
		}
		msgs, _ := got["response_metadata"].(map[string]any)["messages"].([]string)
		if got["error"] != "invalid_blocks" || len(msgs) == 0 || !strings.Contains(msgs[0], tt.want) {
			t.Errorf("%s: %v, want invalid_blocks with %q", tt.name, got, tt.want)
		}
	}
	if got := messageRefusal(slackParams{"text": strings.Repeat("t", 40001)}); got["error"] != "msg_too_long" {
		t.Errorf("long text: %v", got)
	}
	if got := viewRefusal(map[string]any{"type": "modal", "title": map[string]any{"type": "plain_text", "text": strings.Repeat("t", 25)}}); got == nil || got["error"] != "invalid_arguments" {
		t.Errorf("a modal title of 25 characters: %v", got)
	}
}
