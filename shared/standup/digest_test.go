package standup

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
)

// TestDigestNamesStaleBlockers: a developer on a public holiday with a blocker from their last
// standup is listed as away, and their blocker is shown with their name. Found by an outside
// check with a team in three unusual time zones: before, the blocker was an unnamed
// "still blocked" line under "Not submitted", as if it were the last missing person's.
func TestDigestNamesStaleBlockers(t *testing.T) {
	t.Parallel()
	team := &config.Team{ID: "core", Name: "Core", Clients: []string{"acme"}}
	client := &config.Client{ID: "acme", Name: "Acme"}
	person := func(id, name string) *config.Person { return &config.Person{ID: id, Name: name} }
	day := date("2026-12-25")
	lines := []Line{
		{Duty: Duty{Person: person("ana", "Ana Tahi"), Client: client, Team: team}, ID: ID{Client: "acme", Person: "ana", Date: day}},
		{Duty: Duty{Person: person("bo", "Bo <@U0SPOOF>"), Client: client, Team: team}, ID: ID{Client: "acme", Person: "bo", Date: day},
			Off: calendar.DayOff("holiday: Christmas Day"), OpenBlockers: "waiting on the VPN <!channel>", OpenBlockersFrom: "2026-12-24"},
	}
	b, _ := json.Marshal(DigestBlocks(team, day, lines, nil, Links{}))
	text := string(b)
	notSubmitted := digestSection(t, text, "*Not submitted*")
	if strings.Contains(notSubmitted, "VPN") || !strings.Contains(notSubmitted, "Ana Tahi") {
		t.Errorf("Not submitted: %s", notSubmitted)
	}
	blocked := digestSection(t, text, "*Still blocked*")
	for _, want := range []string{"Bo \\u0026lt;@U0SPOOF\\u0026gt;", "since 2026-12-24", "waiting on the VPN \\u0026lt;!channel\\u0026gt;"} {
		if !strings.Contains(blocked, want) {
			t.Errorf("Still blocked lacks %q: %s", want, blocked)
		}
	}
	if away := digestSection(t, text, "*Away or on holiday*"); !strings.Contains(away, "Christmas Day") {
		t.Errorf("away: %s", away)
	}
}

// digestSection returns the text of the digest section whose text starts with title.
func digestSection(t *testing.T, digest, title string) string {
	t.Helper()
	i := strings.Index(digest, title)
	if i < 0 {
		t.Fatalf("no %s section in %s", title, digest)
	}
	end := strings.Index(digest[i:], `"}`)
	return digest[i : i+end]
}
