package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The roles of the authorization table, as testdata/web.yaml makes them.
var roles = []struct{ name, person string }{
	{"developer", "octo"},
	{"teammate", "mona"},
	{"other team's developer", "zed"},
	{"reviewer", "carol"},
	{"management", "dana"},
	{"signed out", ""},
}

// TestEveryRouteForEveryRole holds every route to the status each role gets. Forms are sent
// with the viewer's valid CSRF token and answers that fail validation, so that a 400 proves
// the request got past authorization while nothing is stored. Every 404 must be the very page
// an address that does not exist gets, so nothing tells "not yours" from "not there".
func TestEveryRouteForEveryRole(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.seed()
	const (
		ok, see, bad, missing = http.StatusOK, http.StatusSeeOther, http.StatusBadRequest, http.StatusNotFound
	)
	editForm := func(person string) url.Values {
		return url.Values{"csrf": {csrfOf(person)}, "rev": {"1"}, "availability": {"full_day"}, "comment": {"  "}}
	}
	reviewForm := func(person string) url.Values {
		return url.Values{"csrf": {csrfOf(person)}, "rev": {"1"}, "notes": {strings.Repeat("x", 3001)}}
	}
	tests := []struct {
		route string
		form  func(person string) url.Values
		// want is the status per role, in the order of roles.
		want [6]int
	}{
		{route: "GET /app", want: [6]int{ok, ok, ok, ok, ok, see}},
		{route: "GET /app/", want: [6]int{ok, ok, ok, ok, ok, see}},
		{route: "GET " + cssPath, want: [6]int{ok, ok, ok, ok, ok, ok}},
		{route: "GET /app/static/app-000000000000.css", want: [6]int{missing, missing, missing, missing, missing, missing}},
		{route: "GET /app/signin", want: [6]int{see, see, see, see, see, ok}},
		{route: "GET /app/people/octo", want: [6]int{ok, ok, missing, ok, ok, see}},
		{route: "GET /app/people/octo?client=hello&from=2019-05-01&to=2019-05-31", want: [6]int{ok, ok, missing, ok, ok, see}},
		{route: "GET /app/people/zed", want: [6]int{missing, missing, ok, missing, missing, see}},
		{route: "GET /app/people/frank", want: [6]int{missing, missing, missing, missing, missing, see}},
		{route: "GET /app/people/nobody", want: [6]int{missing, missing, missing, missing, missing, see}},
		{route: "GET /app/standups/hello/octo/2019-05-16", want: [6]int{ok, ok, missing, ok, ok, see}},
		{route: "GET /app/standups/globex/zed/2019-05-16", want: [6]int{missing, missing, ok, missing, missing, see}},
		{route: "GET /app/standups/hello/octo/2019-05-18", want: [6]int{missing, missing, missing, missing, missing, see}},
		{route: "GET /app/standups/hello/octo/not-a-date", want: [6]int{missing, missing, missing, missing, missing, see}},
		{route: "GET /app/standups/hello/octo/2019-05-17/edit", want: [6]int{ok, missing, missing, missing, missing, see}},
		{route: "POST /app/standups/hello/octo/2019-05-17/edit", form: editForm, want: [6]int{bad, missing, missing, missing, missing, see}},
		{route: "GET /app/standups/hello/mona/2019-05-17/edit", want: [6]int{missing, ok, missing, missing, missing, see}},
		{route: "GET /app/standups/hello/octo/2019-05-20/edit", want: [6]int{missing, missing, missing, missing, missing, see}},
		{route: "GET /app/teams/octo-team", want: [6]int{see, see, missing, missing, missing, see}},
		{route: "GET /app/teams/octo-team/2019-05-16", want: [6]int{ok, ok, missing, missing, missing, see}},
		{route: "GET /app/teams/globex-team/2019-05-16", want: [6]int{missing, missing, ok, missing, missing, see}},
		{route: "GET /app/clients/hello", want: [6]int{see, see, missing, see, see, see}},
		{route: "GET /app/clients/hello/2019-05-16", want: [6]int{ok, ok, missing, ok, ok, see}},
		{route: "GET /app/clients/globex/2019-05-16", want: [6]int{missing, missing, ok, missing, missing, see}},
		{route: "GET /app/review/hello", want: [6]int{missing, missing, missing, ok, ok, see}},
		{route: "GET /app/review/hello?person=octo&flag=vague&from=2019-05-01&to=2019-05-31", want: [6]int{missing, missing, missing, ok, ok, see}},
		{route: "GET /app/review/globex", want: [6]int{missing, missing, missing, missing, missing, see}},
		{route: "GET /app/review/hello/octo/2019-05-17", want: [6]int{missing, missing, missing, ok, missing, see}},
		{route: "POST /app/review/hello/octo/2019-05-17", form: reviewForm, want: [6]int{missing, missing, missing, bad, missing, see}},
		{route: "GET /app/review/hello/octo/2019-05-16", want: [6]int{missing, missing, missing, ok, missing, see}},
		{route: "GET /app/nope", want: [6]int{missing, missing, missing, missing, missing, see}},
		{route: "GET /app/review/hello/octo", want: [6]int{missing, missing, missing, missing, missing, see}},
		{route: "POST /app/signout", form: func(p string) url.Values { return url.Values{"csrf": {csrfOf(p)}} }, want: [6]int{see, see, see, see, see, see}},
	}
	notFound := map[string]string{}
	for _, r := range roles {
		if r.person != "" {
			notFound[r.person] = s.get("/app/definitely/not/here", r.person).body
		}
	}
	for i, r := range roles {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			for _, tt := range tests {
				method, path, _ := strings.Cut(tt.route, " ")
				var form url.Values
				if tt.form != nil {
					form = tt.form(r.person)
				}
				got := s.do(method, path, s.cookie(r.person), form)
				if got.status != tt.want[i] {
					t.Errorf("%s as %s (%s): %d, want %d\n%.300s", tt.route, r.name, r.person, got.status, tt.want[i], got.body)
					continue
				}
				if got.status == missing && r.person != "" && !strings.HasPrefix(path, "/app/static/") && got.body != notFound[r.person] {
					t.Errorf("%s as %s: its 404 differs from the 404 of an address that does not exist", tt.route, r.name)
				}
				if got.status == see && r.person == "" && !strings.HasPrefix(got.header.Get("Location"), "/app/signin?next=") && path != "/app/signout" {
					t.Errorf("%s signed out: redirected to %q, want sign-in", tt.route, got.header.Get("Location"))
				}
			}
		})
	}
}

// TestSecurityHeaders: every answer carries the headers, pages are never cached, and the
// stylesheet is the only thing cached (for a year, under its content hash).
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	for _, tt := range []struct{ path, person, cache string }{
		{"/app", "octo", "no-store"},
		{"/app", "", "no-store"},
		{"/app/signin", "", "no-store"},
		{"/app/nope", "zed", "no-store"},
		{cssPath, "", "public, max-age=31536000, immutable"},
	} {
		got := s.get(tt.path, tt.person)
		h := got.header
		for k, want := range map[string]string{
			"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "same-origin",
			"X-Frame-Options":         "DENY",
			"Cache-Control":           tt.cache,
		} {
			if h.Get(k) != want {
				t.Errorf("%s as %q: %s = %q, want %q", tt.path, tt.person, k, h.Get(k), want)
			}
		}
		if strings.Contains(got.body, "<script") || strings.Contains(got.body, " style=") || strings.Contains(got.body, "<style") {
			t.Errorf("%s: inline script or style, which the CSP forbids", tt.path)
		}
	}
}

// TestBadCSRFChangesNothing: a form with another session's token, or none, or sent from
// another site, is refused with 403 and stores nothing.
func TestBadCSRFChangesNothing(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.seed()
	edit := url.Values{"rev": {"1"}, "availability": {"part_day"}, "comment": {"OVERWRITTEN"}}
	review := url.Values{"rev": {"1"}, "notes": {"OVERWRITTEN"}}
	for _, tt := range []struct {
		name, path, person string
		form               url.Values
		token              string
		origin             string
	}{
		{"edit without a token", "/app/standups/hello/octo/2019-05-17/edit", "octo", edit, "", ""},
		{"edit with another person's token", "/app/standups/hello/octo/2019-05-17/edit", "octo", edit, csrfOf("mona"), ""},
		{"edit from another site", "/app/standups/hello/octo/2019-05-17/edit", "octo", edit, csrfOf("octo"), "https://evil.example"},
		{"review with a forged token", "/app/review/hello/octo/2019-05-17", "carol", review, "forged", ""},
	} {
		f := url.Values{}
		for k, v := range tt.form {
			f[k] = v
		}
		if tt.token != "" {
			f.Set("csrf", tt.token)
		}
		var headers []string
		if tt.origin != "" {
			headers = []string{"Origin", tt.origin, "Sec-Fetch-Site", "cross-site"}
		}
		req := s.do(http.MethodPost, tt.path, s.cookie(tt.person), f, headers...)
		if req.status != http.StatusForbidden || !strings.Contains(req.body, "nothing was changed") {
			t.Errorf("%s: %d\n%.300s", tt.name, req.status, req.body)
		}
	}
	page := s.get("/app/standups/hello/octo/2019-05-17", "carol").body
	if strings.Contains(page, "OVERWRITTEN") || !strings.Contains(page, "Release the spelling fix") || !strings.Contains(page, "Awaiting review") {
		t.Fatalf("a refused form changed the standup:\n%s", page)
	}
	sd, err := s.app.Standups.Store.Standup(t.Context(), standupID("hello/octo/2019-05-17"))
	if err != nil || sd.Entry.Revision != 1 {
		t.Fatalf("revision %v %v", sd.Entry, err)
	}
}
