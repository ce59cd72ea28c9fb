package ghub_test

import (
	"testing"

	"github.com/rituals-dev/rituals/shared/ghub"
)

func TestEscape(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"plain", "The export times out", "The export times out"},
		{"mention", "ping @alice please", "ping @\u200dalice please"},
		{"mention at start", "@alice", "@\u200dalice"},
		{"team mention", "cc @acme/platform", "cc @\u200dacme/platform"},
		{"email is not a mention", "mail bob@example.com", "mail bob@example.com"},
		{"html", "<img src=x onerror=alert(1)> & <!-- hide -->", "&lt;img src=x onerror=alert(1)&gt; &amp; &lt;!-- hide --&gt;"},
		{"several", "@a and (@b)", "@\u200da and (@\u200db)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := ghub.Escape(tc.in); got != tc.want {
				t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
