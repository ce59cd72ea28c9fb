package support

import (
	"slices"
	"strings"
	"testing"
)

func TestMissingSections(t *testing.T) {
	t.Parallel()
	sections := testConfig(t).Team("triage").Support.RequiredSections
	all := []string{"Description", "Background", "Impact"}
	cases := []struct {
		name string
		body string
		want []string
	}{
		{"empty body", "", all},
		{"plain text (the octokit fixture)", "It looks like you accidently spelled 'commit' with two 't's.", all},
		{"all ATX headings", "## Description\nx\n## Background\ny\n### Impact\nz", nil},
		{"aliases, any case, trailing colon and closing hashes", "# SUMMARY:\nx\n## context ##\ny\n###### impact\nz", nil},
		{"CRLF line endings", "## Description\r\nx\r\n## Background\r\ny\r\n## Impact\r\nz\r\n", nil},
		{"one missing", "## Description\nx\n## Impact\nz", []string{"Background"}},
		{"empty section counts as missing", "## Description\n\n## Background\ny\n## Impact\nz", []string{"Description"}},
		{"HTML comment is not content", "## Description\n<!-- say what -->\n## Background\ny\n## Impact\nz", []string{"Description"}},
		{"bold labels with text on the line", "**Description:** x\n**Background**: y\n__Impact__ z", nil},
		{"bold label alone, content below", "**Impact**\nit hurts\n## Description\nx\n## Background\ny", nil},
		{"bold text that is no section is content", "## Description\n**Steps:** do this\n## Background\ny\n## Impact\nz", nil},
		{"setext headings", "Description\n===\nx\n\nBackground\n---\ny\n\nImpact\n------\nz", nil},
		{"headings in code fences do not count", "## Description\nx\n```\n## Background\n## Impact\n```", []string{"Background", "Impact"}},
		{"optional section may be missing", "## Description\nx\n## Background\ny\n## Impact\nz\n## Extra information\n", nil},
		{"no space after # is not a heading", "##Description\nx\n## Background\ny\n## Impact\nz", []string{"Description"}},
		{"indented four spaces is code", "    ## Description\n    x\n## Background\ny\n## Impact\nz", []string{"Description"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := MissingSections(tc.body, sections); !slices.Equal(got, tc.want) {
				t.Errorf("MissingSections = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTemplateCoversEverySection(t *testing.T) {
	t.Parallel()
	team := testConfig(t).Team("triage")
	tmpl := Template(team.Support.RequiredSections)
	filled := ""
	for _, line := range []string{"## Description", "## Background", "## Impact"} {
		if !strings.Contains(tmpl, line) {
			t.Errorf("template lacks %q:\n%s", line, tmpl)
		}
		filled += line + "\ntext\n"
	}
	if got := MissingSections(filled, team.Support.RequiredSections); len(got) != 0 {
		t.Errorf("the template's headings, filled in, still miss %v", got)
	}
}
