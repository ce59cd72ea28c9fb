package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/activity"
	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/standup"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type staticConfig struct{ cfg *config.Config }

func (s staticConfig) Current(context.Context, time.Time) (*config.Config, error) { return s.cfg, nil }

// site is the web app over DynamoDB Local with testdata/web.yaml, on a settable clock.
type site struct {
	t      *testing.T
	app    *App
	srv    *httptest.Server
	cfg    *config.Config
	events store.Events
	mu     sync.Mutex
	now    time.Time
}

func (s *site) clock() time.Time { s.mu.Lock(); defer s.mu.Unlock(); return s.now }

func (s *site) setNow(t time.Time) { s.mu.Lock(); s.now = t; s.mu.Unlock() }

func newSite(t *testing.T) *site {
	t.Helper()
	client, tables := dynamotest.New(t)
	data, err := os.ReadFile("testdata/web.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := NewSessions("test-session-key-0123456789abcdef0123456789")
	if err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, cfg: cfg, events: store.Events{API: client, Table: tables.Events}, now: utc("2019-05-17T12:00:00Z")}
	s.app = &App{
		Standups: standup.Deps{
			Store:    standup.Store{API: client, Table: tables.State, Events: tables.Events},
			Config:   staticConfig{cfg},
			Calendar: calendar.NewCalendar(quiet),
			Activity: activity.Reader{API: client, Table: tables.State},
			Log:      quiet,
		},
		OIDC:     &OIDC{Issuer: "http://127.0.0.1:1/unused", ClientID: "cid", ClientSecret: "secret"},
		Sessions: sessions,
		Log:      quiet,
		Clock:    s.clock,
	}
	s.srv = httptest.NewServer(s.app.Handler())
	t.Cleanup(s.srv.Close)
	return s
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func day(s string) config.Date {
	d, err := config.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// csrfOf is the CSRF token of person's test session.
func csrfOf(person string) string { return "csrf-token-of-" + person }

// cookie is the session cookie of person ("" for none), valid for an hour from the site's now.
func (s *site) cookie(person string) string {
	if person == "" {
		return ""
	}
	p := s.cfg.PersonByID(person)
	slackID := "U0NOBODY01"
	if p != nil {
		slackID = p.Slack
	}
	c, err := s.app.Sessions.CookieHeader(Session{Person: person, Slack: slackID, CSRF: csrfOf(person), Expires: s.clock().Add(time.Hour).Unix()})
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

// response is what a request got.
type response struct {
	status int
	body   string
	header http.Header
}

// do sends a request with cookie ("" when signed out) and headers (name, value pairs) without
// following redirects; a non-nil form is the body.
func (s *site) do(method, path, cookie string, form url.Values, headers ...string) response {
	s.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, s.srv.URL+path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, body: string(b), header: resp.Header}
}

func (s *site) get(path, person string) response {
	s.t.Helper()
	return s.do(http.MethodGet, path, s.cookie(person), nil)
}

// Secrets the reviewer writes in the seeded review: no page the developer or the team sees may
// show them.
const (
	reviewNote = "REVIEWER-NOTE-7f3a: talk about estimates"
	reviewFlag = standup.FlagVague
)

// seed submits standups through the standup package, as the pages and Slack do: Octo on
// Thursday 16 and Friday 17 May 2019, Mona on Thursday, Zed (Globex) on Thursday; Carol
// reviews Octo's Thursday with a note and a flag.
func (s *site) seed() {
	s.t.Helper()
	ctx := context.Background()
	d := s.app.Standups
	submit := func(person, client, date, at, comment string) {
		id := standup.ID{Client: client, Person: person, Date: day(date)}
		f := standup.Form{Availability: "full_day", Comment: comment, Blockers: "", Planned: []string{"Codertocat/Hello-World#1"}, Expected: []string{"Codertocat/Hello-World#1"}}
		if _, problems, err := d.Submit(ctx, s.cfg, s.cfg.PersonByID(person), id, f, 0, utc(at)); err != nil || problems != nil {
			s.t.Fatalf("submit %s: %v %v", id, problems, err)
		}
	}
	submit("octo", "hello", "2019-05-16", "2019-05-16T08:35:00Z", "Fix the README spelling")
	submit("mona", "hello", "2019-05-16", "2019-05-16T13:00:00Z", "Review Octo's PR")
	submit("zed", "globex", "2019-05-16", "2019-05-16T07:00:00Z", "Invoices export")
	submit("octo", "hello", "2019-05-17", "2019-05-17T08:00:00Z", "Release the spelling fix")
	id := standup.ID{Client: "hello", Person: "octo", Date: day("2019-05-16")}
	if problems, err := d.Review(ctx, s.cfg, s.cfg.PersonByID("carol"), id, standup.ReviewForm{Notes: reviewNote, Flags: []string{string(reviewFlag)}}, 1, utc("2019-05-17T09:00:00Z")); err != nil || problems != nil {
		s.t.Fatalf("review: %v %v", problems, err)
	}
}

func standupID(s string) standup.ID {
	id, err := standup.ParseID(s)
	if err != nil {
		panic(err)
	}
	return id
}
