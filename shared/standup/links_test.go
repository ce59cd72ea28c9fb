package standup

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/httpapi"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// testLinks is a deployed stack's web address.
var testLinks = LinksFromEnv("https://abc123.execute-api.eu-west-1.amazonaws.com/app/")

func TestLinksShapes(t *testing.T) {
	t.Parallel()
	id := ID{Client: "acme", Person: "al ice", Date: date("2026-11-23")}
	for _, tt := range []struct{ got, want string }{
		{testLinks.Home(), "https://abc123.execute-api.eu-west-1.amazonaws.com/app"},
		{testLinks.Standup(id), "https://abc123.execute-api.eu-west-1.amazonaws.com/app/standups/acme/al%20ice/2026-11-23"},
		{testLinks.Edit(id), "https://abc123.execute-api.eu-west-1.amazonaws.com/app/standups/acme/al%20ice/2026-11-23/edit"},
		{testLinks.Person("alice", "acme"), "https://abc123.execute-api.eu-west-1.amazonaws.com/app/people/alice?client=acme"},
		{testLinks.TeamDay("core", id.Date), "https://abc123.execute-api.eu-west-1.amazonaws.com/app/teams/core/2026-11-23"},
		{testLinks.ClientDay("acme", id.Date), "https://abc123.execute-api.eu-west-1.amazonaws.com/app/clients/acme/2026-11-23"},
		{testLinks.Queue("acme"), "https://abc123.execute-api.eu-west-1.amazonaws.com/app/review/acme"},
		{testLinks.Review(id), "https://abc123.execute-api.eu-west-1.amazonaws.com/app/review/acme/al%20ice/2026-11-23"},
		{Links{}.Standup(id) + Links{}.Edit(id) + Links{}.Person("a", "b") + Links{}.Home(), ""},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	req := httpapi.Request{Headers: map[string]string{"x-forwarded-proto": "http"}}
	req.RequestContext.DomainName = "127.0.0.1:3000"
	if got := LinksFromRequest(req).Queue("acme"); got != "http://127.0.0.1:3000/app/review/acme" {
		t.Errorf("from a local request: %q", got)
	}
	req.Headers = nil
	req.RequestContext.DomainName = "abc.execute-api.eu-west-1.amazonaws.com"
	ctx := WithLinks(context.Background(), LinksFromRequest(req))
	if got := linksIn(ctx, Links{}).Home(); got != "https://abc.execute-api.eu-west-1.amazonaws.com/app" {
		t.Errorf("from an API Gateway request: %q", got)
	}
	if got := linksIn(context.Background(), testLinks); got != testLinks {
		t.Errorf("without request links: %v", got)
	}
}

// TestSlackMessagesLinkThePages: the digest, the reviewer's message, history, App Home and the
// overdue issue link the matching web pages when the stack has an address, and carry no link
// without one.
func TestSlackMessagesLinkThePages(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	client, tables := dynamotest.New(t)
	st := Store{API: client, Table: tables.State, Events: tables.Events}
	ctx := context.Background()
	c := cfg.Clients[0]
	var d Duty
	for _, x := range Duties(cfg) {
		if x.Client.ID == c.ID {
			d = x
			break
		}
	}
	day := date("2026-03-03")
	sl, _, ok := SlotOn(calendar.NewCalendar(quiet), d, nil, day)
	if !ok {
		t.Fatalf("no standup for %s on %s", d.Person.ID, day)
	}
	sd := Standup{Slot: sl, Entry: &Entry{Submitted: time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC), Revision: 1, Availability: FullDay, Comment: "c"}}
	home := func(web Links) any {
		v, err := HomeView(ctx, st, calendar.NewCalendar(quiet), cfg, d.Person, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), web)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tt := range []struct {
		name  string
		build func(web Links) any
		want  string
	}{
		{"digest", func(web Links) any { return DigestBlocks(d.Team, day, nil, nil, web) }, web(testLinks.TeamDay(d.Team.ID, day))},
		{"reviewer message", func(web Links) any {
			return ReviewerMessage(c, []ReviewerItem{{Standup: sd, Person: d.Person}}, web)
		}, web(testLinks.Queue(c.ID)) + "|" + web(testLinks.Review(sl.ID))},
		{"history", func(web Links) any { return HistoryBlocks(d.Person, c, []Standup{sd}, false, false, web) }, web(testLinks.Person(d.Person.ID, c.ID)) + "|" + web(testLinks.Standup(sl.ID))},
		{"App Home", home, web(testLinks.Home())},
		{"overdue issue", func(web Links) any {
			_, body := ReviewOverdueIssue(sl.ID, d.Person, cfg.PersonByID(c.HR.Reviewer), sd.Entry.Submitted, 2, web)
			return body
		}, "(" + testLinks.Review(sl.ID) + ")"},
	} {
		with, _ := json.Marshal(tt.build(testLinks))
		for _, w := range strings.Split(tt.want, "|") {
			if !strings.Contains(string(with), w) {
				t.Errorf("%s lacks %s:\n%s", tt.name, w, with)
			}
		}
		without, _ := json.Marshal(tt.build(Links{}))
		if strings.Contains(string(without), "/app") {
			t.Errorf("%s links the web without an address:\n%s", tt.name, without)
		}
	}
}

// web is how a link to u appears in a JSON-encoded Slack message.
func web(u string) string {
	b, _ := json.Marshal("<" + u + "|")
	return strings.TrimSuffix(string(b[1:]), "\"")
}
