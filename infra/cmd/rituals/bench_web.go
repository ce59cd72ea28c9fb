package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/infra/localrun"
	"github.com/rituals-dev/rituals/shared/activity"
	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/standup"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/web"
)

// Budgets of the web pages (the web issue).
const (
	budgetPageP99   = 100 * time.Millisecond
	budgetPageBytes = 60 << 10
)

// webConfig is the web pages' test team: two developers for Hello World Inc (whose GitHub org
// is the one of the sample payloads), a reviewer and management.
const webConfig = "shared/web/testdata/web.yaml"

type staticSource struct{ cfg *config.Config }

func (s staticSource) Current(context.Context, time.Time) (*config.Config, error) { return s.cfg, nil }

// webPages measures every page through the local stack (WebFunction behind the local API
// Gateway, DynamoDB Local), signed in, with two weeks of standups of two developers, their
// GitHub footprint from the sample payloads and reviews: p50 and p99 of request → page from c
// browsers, and the bytes of each page with its stylesheet.
func (b *bench) webPages(ctx context.Context, n, c int) error {
	data, err := os.ReadFile(webConfig)
	if err != nil {
		return err
	}
	cfg, err := config.Parse(data)
	if err != nil {
		return err
	}
	st, err := b.startWith(ctx, data, "WebFunction")
	if err != nil {
		return err
	}
	defer st.Close()
	last, err := seedWeb(ctx, st, cfg)
	if err != nil {
		return fmt.Errorf("seed the web pages: %w", err)
	}
	sessions, err := web.NewSessions(localrun.DefaultSecrets["WEB_SESSION_KEY"])
	if err != nil {
		return err
	}
	cookie := func(person string) (string, error) {
		p := cfg.PersonByID(person)
		return sessions.CookieHeader(web.Session{Person: p.ID, Slack: p.Slack, CSRF: "bench", Expires: time.Now().Add(time.Hour).Unix()})
	}
	// The last standup Octo submitted: not reviewed yet, so its form and review form show.
	prev := standup.ID{Client: "hello", Person: "octo", Date: last}
	l := standup.Links{Base: "/app"}
	pages := []struct{ name, path, person string }{
		{"the floor: sign-in page, no DynamoDB read", "/app/signin", ""},
		{"home", l.Home(), "octo"},
		{"my standups (page 1 of 2)", l.Person("octo", ""), "octo"},
		{"a standup", l.Standup(prev), "octo"},
		{"the standup form", l.Edit(prev), "octo"},
		{"a team's day", l.TeamDay("octo-team", prev.Date), "octo"},
		{"a client's day", l.ClientDay("hello", prev.Date), "carol"},
		{"the review queue", l.Queue("hello"), "carol"},
		{"the review form", l.Review(prev), "carol"},
	}
	css, err := fetch(st.URL+cssOf(st.URL), "")
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "\n## Web pages (%d requests each from %d browsers, after warm-up, signed in; bytes with the %.1f kB stylesheet)\n\n", n, c, float64(len(css))/1024)
	fmt.Fprintln(b.out, "| page | warm-up | p50 | p99 | bytes | budget |")
	fmt.Fprintln(b.out, "|---|---|---|---|---|---|")
	var cpu []scenarioCPU
	for _, p := range pages {
		ck := ""
		if p.person != "" {
			if ck, err = cookie(p.person); err != nil {
				return err
			}
		}
		body, err := fetch(st.URL+p.path, ck)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		build := func(string) (*http.Request, error) {
			req, err := http.NewRequest(http.MethodGet, st.URL+p.path, nil)
			if err == nil {
				req.Header.Set("Cookie", ck)
			}
			return req, err
		}
		m, err := b.latency(ctx, n, c, build, http.StatusOK)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		size := len(body) + len(css)
		ok := m.p99 <= budgetPageP99 && size <= budgetPageBytes
		fmt.Fprintf(b.out, "| %s | %s | %.1f kB | p99 ≤ %v, ≤ 60 kB: %s |\n", p.name, m, float64(size)/1024, budgetPageP99, b.check(ok, "web page "+p.name))
		cpu = append(cpu, scenarioCPU{p.name, m})
	}
	b.cpuReport(n, c, cpu...)
	return nil
}

// cssOf finds the stylesheet's address in the sign-in page.
func cssOf(base string) string {
	page, err := fetch(base+"/app/signin", "")
	if err != nil {
		return ""
	}
	_, rest, _ := strings.Cut(page, `rel="stylesheet" href="`)
	href, _, _ := strings.Cut(rest, `"`)
	return href
}

func fetch(url, cookie string) (string, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	return string(b), err
}

// seedWeb records the sample GitHub payloads (Octo's footprint) and submits two weeks of
// standups of Octo and Mona through the standup package, ending yesterday, with Carol's
// reviews of the first week; it returns the day of Octo's last standup.
func seedWeb(ctx context.Context, st *localrun.Stack, cfg *config.Config) (config.Date, error) {
	state := st.Tables["StateTable"]
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := activity.Recorder{API: st.DB, Table: state}
	now := time.Now().UTC()
	for i, f := range []string{"issues.opened.json", "issues.assigned.json", "issue_comment.created.json", "pull_request.opened.json", "push.json"} {
		payload, err := os.ReadFile("events/github/" + f)
		if err != nil {
			return config.Date{}, err
		}
		at := now.Add(-36*time.Hour + time.Duration(i)*time.Minute)
		if _, err := rec.Record(ctx, store.Event{Key: "github#bench-" + f, Source: "github", Type: strings.SplitN(f, ".", 2)[0], ReceivedAt: at, Payload: payload}); err != nil {
			return config.Date{}, err
		}
	}
	cal := calendar.NewCalendar(quiet)
	d := standup.Deps{
		Store:  standup.Store{API: st.DB, Table: state, Events: st.Tables["EventsTable"]},
		Config: staticSource{cfg}, Calendar: cal, Activity: activity.Reader{API: st.DB, Table: state}, Log: quiet,
	}
	octo := cfg.PersonByID("octo")
	today := standup.Today(octo, now)
	var first []standup.ID
	var last config.Date
	for back := 14; back >= 1; back-- {
		day := today.AddDays(-back)
		for _, person := range []string{"octo", "mona"} {
			id := standup.ID{Client: "hello", Person: person, Date: day}
			f := standup.Form{Availability: "full_day", Planned: []string{"Codertocat/Hello-World#1"}, Expected: []string{"Codertocat/Hello-World#1"},
				Comment: "Fix the README spelling, then review the open pull requests of the week", Blockers: "Waiting for review rights on the repository"}
			_, problems, err := d.Submit(ctx, cfg, cfg.PersonByID(person), id, f, 0, day.In(time.UTC).Add(9*time.Hour))
			if errors.Is(err, store.ErrNotFound) {
				continue // a weekend or holiday
			}
			if err != nil {
				return config.Date{}, err
			}
			if problems != nil {
				return config.Date{}, fmt.Errorf("submit %s: %v", id, problems)
			}
			if back > 7 {
				first = append(first, id)
			}
			if person == "octo" {
				last = day
			}
		}
	}
	for _, id := range first {
		if _, err := d.Review(ctx, cfg, cfg.PersonByID("carol"), id, standup.ReviewForm{Notes: "Good, steady week.", Flags: []string{"excellent"}}, standup.AnyRevision, now); err != nil {
			return config.Date{}, err
		}
	}
	return last, nil
}
