package support

import (
	"regexp"
	"strings"

	"github.com/rituals-dev/rituals/shared/config"
)

var (
	// atxHeading is a Markdown ATX heading: up to three spaces, 1-6 #'s, a space, the text and
	// optional closing #'s.
	atxHeading = regexp.MustCompile(`^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$`)
	// boldLabel is a line that starts with a bold label, as people write sections in plain
	// comments: "**Impact:** text", "**Impact**: text", "__Impact__".
	boldLabel = regexp.MustCompile(`^ {0,3}(?:\*\*|__)([^*_]+?)(?:\*\*|__)(?:[ \t]*:)?(.*)$`)
	// setextUnderline turns the line above it into a heading.
	setextUnderline = regexp.MustCompile(`^ {0,3}(?:=+|-+)[ \t]*$`)
	htmlComment     = regexp.MustCompile(`(?s)<!--.*?-->`)
)

// Heading is one heading found in an issue body, with whether any content follows it.
type Heading struct {
	Text string
	// Filled is true when non-blank text (HTML comments aside) follows the heading before the
	// next heading: a template copied with its sections left empty still lacks them.
	Filled bool
	// Bold marks a bold-label line rather than a Markdown heading; one that names no section
	// is ordinary content of the section above it.
	Bold bool
}

// Headings finds the headings of a Markdown body: ATX headings (# to ######), setext headings
// (text underlined with === or ---) and lines starting with a bold label ("**Impact:** ...",
// which counts as filled when text follows it on the line). Fenced code blocks are skipped.
func Headings(body string) []Heading {
	body = htmlComment.ReplaceAllString(strings.ReplaceAll(body, "\r\n", "\n"), "")
	lines := strings.Split(body, "\n")
	var out []Heading
	fence := ""
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimLeft(line, " ")
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			markFilled(out)
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			markFilled(out)
			continue
		}
		if m := atxHeading.FindStringSubmatch(line); m != nil {
			out = append(out, Heading{Text: strings.TrimSpace(m[1])})
			continue
		}
		if m := boldLabel.FindStringSubmatch(line); m != nil {
			rest := strings.TrimSpace(m[2])
			out = append(out, Heading{Text: strings.TrimSpace(m[1]), Filled: rest != "", Bold: true})
			continue
		}
		if strings.TrimSpace(line) != "" && i+1 < len(lines) && setextUnderline.MatchString(lines[i+1]) && !isListOrRule(line) {
			out = append(out, Heading{Text: strings.TrimSpace(line)})
			i++
			continue
		}
		if strings.TrimSpace(line) != "" {
			markFilled(out)
		}
	}
	return out
}

func markFilled(hs []Heading) {
	if len(hs) > 0 {
		hs[len(hs)-1].Filled = true
	}
}

func isListOrRule(line string) bool {
	t := strings.TrimSpace(line)
	return strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* ") || strings.HasPrefix(t, "---")
}

// MissingSections returns the titles of the required (not optional) sections that body does
// not have with some content, in config order.
func MissingSections(body string, sections []config.Section) []string {
	var hs []Heading
	for _, h := range Headings(body) {
		if h.Bold && !matchesAny(sections, h.Text) {
			markFilled(hs)
			continue
		}
		hs = append(hs, h)
	}
	var missing []string
	for _, s := range sections {
		if s.Optional {
			continue
		}
		found := false
		for _, h := range hs {
			if h.Filled && s.Matches(h.Text) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, s.Title)
		}
	}
	return missing
}

func matchesAny(sections []config.Section, heading string) bool {
	for _, s := range sections {
		if s.Matches(heading) {
			return true
		}
	}
	return false
}

// Template renders the sections as the Markdown a requester can paste into the issue.
func Template(sections []config.Section) string {
	var b strings.Builder
	for _, s := range sections {
		b.WriteString("## ")
		b.WriteString(s.Title)
		if s.Optional {
			b.WriteString(" (optional)")
		}
		b.WriteString("\n\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
