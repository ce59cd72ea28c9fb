package labels

import (
	"strings"
	"testing"

	"github.com/rituals-dev/rituals/shared/config"
)

func TestTemplatesEscapeEveryValue(t *testing.T) {
	t.Parallel()
	cfg := newRigConfig(t)
	team := cfg.Team("triage")
	rule := team.LabelRule("needs-info")
	tests := []struct {
		name             string
		is               Issue
		tmpl             string
		github, slack    []string // substrings
		notGitHub, notSl []string
	}{
		{
			name:   "a known author is a mention in both",
			is:     Issue{Repo: "Codertocat/Hello-World", Number: 3, Author: "Codertocat", Title: "Crash", URL: "https://github.com/Codertocat/Hello-World/issues/3"},
			tmpl:   "Hi {{author}} re {{title}} ({{repo}}#{{number}}) {{url}} in {{team}} for {{label}} by {{rule}}",
			github: []string{"Hi @Codertocat re Crash (Codertocat/Hello-World#3) https://github.com/Codertocat/Hello-World/issues/3 in Triage for needs-info by needs-info"},
			slack:  []string{"Hi <@U0OCTO0006> re Crash"},
		},
		{
			name:      "an untrusted title cannot mention, link or open HTML",
			is:        Issue{Repo: "Codertocat/Hello-World", Number: 3, Author: "stranger", Title: "<img src=x onerror=alert(1)> @everyone <!channel> & co"},
			tmpl:      "{{author}}: {{title}}",
			github:    []string{"@stranger: &lt;img src=x onerror=alert(1)&gt; @\u200deveryone &lt;!channel&gt; &amp; co"},
			slack:     []string{"stranger: &lt;img src=x onerror=alert(1)&gt; @everyone &lt;!channel&gt; &amp; co"},
			notGitHub: []string{"<img", " @everyone"},
			notSl:     []string{"<!channel>", "<img"},
		},
		{
			name:   "assignees, and nobody",
			is:     Issue{Assignees: []string{"ann-lee", "zed"}},
			tmpl:   "{{assignee}}",
			github: []string{"@ann-lee, @zed"},
			slack:  []string{"<@U0ANN00001>, zed"},
		},
		{
			name:   "no assignee",
			is:     Issue{},
			tmpl:   "{{assignee}}, please",
			github: []string{"nobody yet, please"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := subject{cfg: cfg, team: team, rule: rule, is: &tc.is}
			gh, sl := s.GitHubText(tc.tmpl), s.SlackText(tc.tmpl)
			if !strings.HasSuffix(gh, "<sub>Written by Rituals for the label rule “needs-info” of Triage.</sub>") {
				t.Errorf("GitHub text does not say which rule wrote it: %q", gh)
			}
			if !strings.HasSuffix(sl, "_Label rule needs-info of Triage_") {
				t.Errorf("Slack text does not name the rule: %q", sl)
			}
			for _, want := range tc.github {
				if !strings.Contains(gh, want) {
					t.Errorf("GitHub text %q lacks %q", gh, want)
				}
			}
			for _, want := range tc.slack {
				if !strings.Contains(sl, want) {
					t.Errorf("Slack text %q lacks %q", sl, want)
				}
			}
			for _, bad := range tc.notGitHub {
				if strings.Contains(gh, bad) {
					t.Errorf("GitHub text %q has %q", gh, bad)
				}
			}
			for _, bad := range tc.notSl {
				if strings.Contains(sl, bad) {
					t.Errorf("Slack text %q has %q", sl, bad)
				}
			}
		})
	}
}

func newRigConfig(t *testing.T) *config.Config {
	t.Helper()
	return loadConfig(t, "testdata/rituals.yaml")
}
