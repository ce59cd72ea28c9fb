package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/rituals-dev/rituals/shared/standup"
)

var hrefs = regexp.MustCompile(`href="(/app[^"]*)"( rel="[a-z]+")?`)

// crawl visits every page reachable from /app by links, as person, and returns them by path.
// Days lead to days forever, so a day page's previous/next links are not followed (the days
// themselves are linked from elsewhere).
func (s *site) crawl(person string) map[string]response {
	s.t.Helper()
	seen := map[string]response{}
	queue := []string{"/app"}
	for len(queue) > 0 && len(seen) < 200 {
		p := queue[0]
		queue = queue[1:]
		if _, ok := seen[p]; ok {
			continue
		}
		r := s.get(p, person)
		if r.status == http.StatusSeeOther {
			queue = append(queue, r.header.Get("Location"))
		}
		seen[p] = r
		day := strings.HasPrefix(p, "/app/teams/") || strings.HasPrefix(p, "/app/clients/")
		for _, m := range hrefs.FindAllStringSubmatch(r.body, -1) {
			if day && m[2] != "" {
				continue
			}
			u := strings.ReplaceAll(m[1], "&amp;", "&")
			if !strings.HasPrefix(u, "/app/static/") {
				queue = append(queue, u)
			}
		}
	}
	return seen
}

// TestReviewerFieldsNeverReachTheTeam crawls every page the developer, a teammate and another
// team's developer can reach (and the URLs the reviewer's pages use, typed by hand): neither
// the reviewer's note nor the flag shows anywhere, in the HTML or the headers, while the
// reviewer and management do see them.
func TestReviewerFieldsNeverReachTheTeam(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.seed()
	secrets := []string{reviewNote, "REVIEWER-NOTE", reviewFlag.Label(), string(reviewFlag)}
	hrPages := []string{"/app/review/hello", "/app/review/hello/octo/2019-05-16", "/app/review/hello?flag=vague"}
	for _, person := range []string{"octo", "mona", "zed"} {
		pages := s.crawl(person)
		t.Logf("%s reaches %d pages: %v", person, len(pages), keys(pages))
		if person == "octo" && len(pages) < 8 {
			t.Fatalf("the crawl as %s reached only %d pages: %v", person, len(pages), keys(pages))
		}
		for _, p := range hrPages {
			pages[p] = s.get(p, person)
		}
		for path, r := range pages {
			for _, secret := range secrets {
				if strings.Contains(r.body, secret) || strings.Contains(headerText(r.header), secret) {
					t.Errorf("%s sees %q on %s", person, secret, path)
				}
			}
		}
	}
	for _, person := range []string{"carol", "dana"} {
		page := s.get("/app/standups/hello/octo/2019-05-16", person).body
		if !strings.Contains(page, reviewNote) || !strings.Contains(page, reviewFlag.Label()) {
			t.Errorf("%s does not see the reviewer's fields:\n%s", person, page)
		}
		queue := s.get("/app/review/hello?flag=vague", person).body
		if !strings.Contains(queue, reviewNote) {
			t.Errorf("%s's queue filtered by the flag lacks the reviewed standup:\n%s", person, queue)
		}
	}
	if q := s.get("/app/review/hello?flag=excellent", "carol").body; strings.Contains(q, reviewNote) {
		t.Error("the flag filter kept a standup without that flag")
	}
}

func keys(m map[string]response) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func headerText(h http.Header) string {
	var b strings.Builder
	for k, vs := range h {
		b.WriteString(k + ": " + strings.Join(vs, ", ") + "\n")
	}
	return b.String()
}

// TestStandupPageLinks: a standup's page links the developer, the client, the team's day and
// the previous and next standup of the same developer and client.
func TestStandupPageLinks(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.seed()
	page := s.get("/app/standups/hello/octo/2019-05-16", "octo").body
	for _, want := range []string{
		`href="/app/people/octo?client=hello"`, `href="/app/clients/hello/2019-05-16"`, `href="/app/teams/octo-team/2019-05-16"`,
		`href="/app/standups/hello/octo/2019-05-17" rel="next"`, "Fix the README spelling", "Full day", "Reviewed",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("Thursday's page lacks %s", want)
		}
	}
	if strings.Contains(page, `rel="prev"`) || strings.Contains(page, "/edit") {
		t.Error("the first, reviewed standup has a previous one or an Edit link")
	}
	next := s.get("/app/standups/hello/octo/2019-05-17", "octo").body
	for _, want := range []string{`href="/app/standups/hello/octo/2019-05-16" rel="prev"`, `href="/app/standups/hello/octo/2019-05-17/edit"`, "Awaiting review"} {
		if !strings.Contains(next, want) {
			t.Errorf("Friday's page lacks %s", want)
		}
	}
	team := s.get("/app/teams/octo-team/2019-05-16", "mona").body
	for _, want := range []string{"Octo Cat", "Mona Lisa", "Review Octo&#39;s PR", "Submitted (2)"} {
		if !strings.Contains(team, want) {
			t.Errorf("the team's day lacks %s:\n%s", want, team)
		}
	}
	// Friday: Octo submitted, Mona (New York) not yet due at 12:00Z... she is due 10:00Z: missing.
	friday := s.get("/app/teams/octo-team/2019-05-17", "octo").body
	if !strings.Contains(friday, "Not submitted (1)") || !strings.Contains(friday, "Release the spelling fix") {
		t.Errorf("Friday's team day:\n%s", friday)
	}
}

// TestPeoplePagesAcrossClients pages through Zed's standups for two clients, newest first,
// ten at a time: every standup exactly once, in order, the same going back; filters keep to a
// client and a date range.
func TestPeoplePagesAcrossClients(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	d := s.app.Standups
	zed := s.cfg.PersonByID("zed")
	var want []string // newest first, then by client
	days := []string{"2019-05-17", "2019-05-16", "2019-05-15", "2019-05-14", "2019-05-13", "2019-05-10", "2019-05-09", "2019-05-08", "2019-05-07", "2019-05-06", "2019-05-03"}
	for _, dd := range days {
		for _, c := range []string{"globex", "initech"} {
			id := standup.ID{Client: c, Person: "zed", Date: day(dd)}
			if _, problems, err := d.Submit(ctx, s.cfg, zed, id, standup.Form{Availability: "full_day", Comment: "work " + id.String()}, 0, utc(dd+"T09:00:00Z")); err != nil || problems != nil {
				t.Fatalf("submit %s: %v %v", id, problems, err)
			}
			want = append(want, id.String())
		}
	}
	rows := regexp.MustCompile(`href="/app/standups/([^"]+)"`)
	var got []string
	var pages []string
	next := "/app/people/zed"
	for next != "" {
		r := s.get(next, "zed")
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d", next, r.status)
		}
		pages = append(pages, next)
		var page []string
		for _, m := range rows.FindAllStringSubmatch(r.body, -1) {
			page = append(page, m[1])
		}
		if len(page) > PageSize {
			t.Fatalf("%s: %d rows", next, len(page))
		}
		got = append(got, page...)
		next = link(r.body, "Older →")
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("pages:\n got %v\nwant %v", got, want)
	}
	if len(pages) != 3 {
		t.Fatalf("%d pages, want 3", len(pages))
	}
	// Back from the last page: Newer shows the second page again.
	last := s.get(pages[2], "zed").body
	back := s.get(link(last, "← Newer"), "zed").body
	var again []string
	for _, m := range rows.FindAllStringSubmatch(back, -1) {
		again = append(again, m[1])
	}
	if strings.Join(again, " ") != strings.Join(want[10:20], " ") {
		t.Fatalf("newer page: %v, want %v", again, want[10:20])
	}
	// One client, a date range.
	f := s.get("/app/people/zed?client=initech&from=2019-05-08&to=2019-05-14", "zed").body
	var filtered []string
	for _, m := range rows.FindAllStringSubmatch(f, -1) {
		filtered = append(filtered, m[1])
	}
	if w := "initech/zed/2019-05-14 initech/zed/2019-05-13 initech/zed/2019-05-10 initech/zed/2019-05-09 initech/zed/2019-05-08"; strings.Join(filtered, " ") != w {
		t.Fatalf("filtered: %v, want %s", filtered, w)
	}
	for _, bad := range []string{"/app/people/zed?from=yesterday", "/app/people/zed?before=garbage", "/app/people/zed?client=hello"} {
		if r := s.get(bad, "zed"); r.status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, r.status)
		}
	}
}

// link returns the href of the link with text in body ("" when none).
func link(body, text string) string {
	m := regexp.MustCompile(`href="([^"]+)"[^>]*>` + regexp.QuoteMeta(text) + `<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.ReplaceAll(m[1], "&amp;", "&")
}

// TestLinksRouteToPages: every address standup.Links builds (the ones Slack messages carry)
// is a page of this app.
func TestLinksRouteToPages(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.seed()
	id := standupID("hello/octo/2019-05-17")
	for _, tt := range []struct {
		url, person string
		want        int
	}{
		{links.Home(), "octo", http.StatusOK},
		{links.Standup(id), "octo", http.StatusOK},
		{links.Edit(id), "octo", http.StatusOK},
		{links.Person("octo", "hello"), "octo", http.StatusOK},
		{links.Person("octo", ""), "octo", http.StatusOK},
		{links.TeamDay("octo-team", id.Date), "octo", http.StatusOK},
		{links.ClientDay("hello", id.Date), "octo", http.StatusOK},
		{links.Queue("hello"), "carol", http.StatusOK},
		{links.Review(id), "carol", http.StatusOK},
	} {
		if r := s.get(tt.url, tt.person); r.status != tt.want {
			t.Errorf("%s as %s: %d, want %d", tt.url, tt.person, r.status, tt.want)
		}
	}
}
