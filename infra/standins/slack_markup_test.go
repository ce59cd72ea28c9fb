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
