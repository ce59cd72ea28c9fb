package decision

import (
	"strings"
	"testing"
)

// TestUntrustedTitleIsEscaped: a title typed in Slack cannot mention the channel or anyone,
// in the blocks or in the notification text.
func TestUntrustedTitleIsEscaped(t *testing.T) {
	t.Parallel()
	d := &Decision{ID: ID{"t", 3}, Title: "Ship it <!channel> & <@U0BOSS>", KindName: "Roadmap <b>", State: Open}
	for name, got := range map[string]string{"text": Text(d), "headline": Headline(d), "line": Line(nil, &Decision{ID: d.ID, Title: d.Title, KindName: d.KindName, State: Approved})} {
		if strings.Contains(got, "<!channel>") || strings.Contains(got, "<@U0BOSS>") || !strings.Contains(got, "&lt;!channel&gt; &amp; &lt;@U0BOSS&gt;") {
			t.Errorf("%s: %q", name, got)
		}
	}
	if n, ok := ParseLabel("#12"); !ok || n != 12 {
		t.Errorf("#12 → %d %v", n, ok)
	}
	if _, ok := ParseLabel("D-1"); ok {
		t.Error("D-1 parsed")
	}
}
