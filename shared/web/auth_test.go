package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/infra/standins"
)

// withProvider points the site's sign-in at the OpenID stand-in (Slack's provider, locally),
// offering the config's people.
func (s *site) withProvider() *standins.Server {
	s.t.Helper()
	p := standins.New(standins.Options{OIDCClientID: "local.client", OIDCClientSecret: "local-secret", Now: s.clock})
	srv := httptest.NewServer(p)
	s.t.Cleanup(srv.Close)
	var users []standins.OIDCUser
	for _, person := range s.cfg.People {
		users = append(users, standins.OIDCUser{ID: person.Slack, Name: person.Name})
	}
	p.SeedOIDCUsers(users)
	s.app.OIDC = &OIDC{Issuer: standins.OIDCIssuerURL(srv.URL), ClientID: "local.client", ClientSecret: "local-secret"}
	return p
}

func cookies(h http.Header) map[string]*http.Cookie {
	out := map[string]*http.Cookie{}
	for _, c := range (&http.Response{Header: h}).Cookies() {
		out[c.Name] = c
	}
	return out
}

// pendingSignin is one sign-in through the provider's page, up to the provider's redirect back.
type pendingSignin struct {
	cookie   string // the sign-in cookie the browser carries
	callback string // path and query of the redirect back to the app
}

// startSignin starts a sign-in for next and answers the provider's page as user (deny: cancel).
func (s *site) startSignin(next, user string, deny bool) pendingSignin {
	s.t.Helper()
	r := s.do(http.MethodGet, "/app/auth/start?next="+url.QueryEscape(next), "", nil)
	if r.status != http.StatusFound {
		s.t.Fatalf("start: %d\n%s", r.status, r.body)
	}
	c := cookies(r.header)[signinCookie]
	if c == nil || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.MaxAge != 600 {
		s.t.Fatalf("sign-in cookie %+v", c)
	}
	authorize, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		s.t.Fatal(err)
	}
	page, err := http.Get(authorize.String())
	if err != nil || page.StatusCode != http.StatusOK {
		s.t.Fatalf("provider page: %v %v", page, err)
	}
	page.Body.Close()
	form := authorize.Query()
	form.Set("user", user)
	if deny {
		form.Set("deny", "1")
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(authorize.Scheme+"://"+authorize.Host+authorize.Path, form)
	if err != nil || resp.StatusCode != http.StatusFound {
		s.t.Fatalf("provider: %v %v", resp, err)
	}
	resp.Body.Close()
	back, _ := url.Parse(resp.Header.Get("Location"))
	if back.Path != CallbackPath {
		s.t.Fatalf("provider redirected to %s", back)
	}
	return pendingSignin{cookie: c.Name + "=" + c.Value, callback: back.RequestURI()}
}

// TestSignInWithSlack runs the OpenID Connect sign-in against the stand-in: only people in the
// config get a session, which returns them to the page they asked for; every way a sign-in can
// be wrong (cancelled, another browser's, replayed, a foreign return address) ends without one.
func TestSignInWithSlack(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.withProvider()

	r := s.get("/app/people/octo?client=hello", "")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/app/signin?next=%2Fapp%2Fpeople%2Focto%3Fclient%3Dhello" {
		t.Fatalf("signed out: %d %s", r.status, r.header.Get("Location"))
	}
	if r := s.get(r.header.Get("Location"), ""); !strings.Contains(r.body, `href="/app/auth/start?next=%2Fapp%2Fpeople%2Focto%3Fclient%3Dhello"`) {
		t.Fatalf("sign-in page:\n%s", r.body)
	}

	in := s.startSignin("/app/people/octo?client=hello", "U0OCTOCAT1", false)
	r = s.do(http.MethodGet, in.callback, in.cookie, nil)
	sess := cookies(r.header)[sessionCookie]
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/app/people/octo?client=hello" || sess == nil {
		t.Fatalf("callback: %d %s\n%s", r.status, r.header.Get("Location"), r.body)
	}
	if !sess.HttpOnly || !sess.Secure || sess.SameSite != http.SameSiteLaxMode || sess.MaxAge != int(SessionTTL/time.Second) || sess.Path != "/" {
		t.Fatalf("session cookie %+v", sess)
	}
	if c := cookies(r.header)[signinCookie]; c == nil || c.MaxAge >= 0 {
		t.Fatalf("the sign-in cookie was not cleared: %+v", c)
	}
	session := sess.Name + "=" + sess.Value
	if r := s.do(http.MethodGet, "/app/people/octo?client=hello", session, nil); r.status != http.StatusOK || !strings.Contains(r.body, "My standups") || !strings.Contains(r.body, "Signed in as Octo Cat") {
		t.Fatalf("signed in: %d\n%s", r.status, r.body)
	}
	// The same code again (a replayed callback) is refused by the provider.
	if r := s.do(http.MethodGet, in.callback, in.cookie, nil); r.status != http.StatusBadRequest || cookies(r.header)[sessionCookie] != nil {
		t.Fatalf("replayed callback: %d", r.status)
	}

	for _, tt := range []struct {
		name   string
		run    func() response
		status int
		says   string
	}{
		{"not in the config", func() response {
			in := s.startSignin("/app", "U0STRANGER", false)
			return s.do(http.MethodGet, in.callback, in.cookie, nil)
		}, http.StatusForbidden, "not in the Rituals config"},
		{"cancelled at the provider", func() response {
			in := s.startSignin("/app", "U0OCTOCAT1", true)
			return s.do(http.MethodGet, in.callback, in.cookie, nil)
		}, http.StatusBadRequest, "cancelled"},
		{"another sign-in's state", func() response {
			a, b := s.startSignin("/app", "U0OCTOCAT1", false), s.startSignin("/app", "U0OCTOCAT1", false)
			return s.do(http.MethodGet, a.callback, b.cookie, nil)
		}, http.StatusBadRequest, "not the one this browser started"},
		{"no sign-in cookie (another browser)", func() response {
			in := s.startSignin("/app", "U0OCTOCAT1", false)
			return s.do(http.MethodGet, in.callback, "", nil)
		}, http.StatusBadRequest, "another browser"},
	} {
		r := tt.run()
		if r.status != tt.status || !strings.Contains(r.body, tt.says) || cookies(r.header)[sessionCookie] != nil {
			t.Errorf("%s: %d (session cookie %v)\n%s", tt.name, r.status, cookies(r.header)[sessionCookie] != nil, r.body)
		}
	}

	// A foreign return address comes back home.
	in = s.startSignin("https://evil.example/phish", "U0MONA0001", false)
	if r := s.do(http.MethodGet, in.callback, in.cookie, nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/app" {
		t.Fatalf("foreign next: %d %s", r.status, r.header.Get("Location"))
	}
}

// TestSessions: an expired, tampered or outdated session (the person's Slack id changed in the
// config) sends the browser to sign in and back to the page; signing out ends the session.
func TestSessions(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	cookie := func(sess Session) string {
		c, err := s.app.Sessions.CookieHeader(sess)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	now := s.clock()
	for _, tt := range []struct {
		name   string
		cookie string
	}{
		{"expired", cookie(Session{Person: "octo", Slack: "U0OCTOCAT1", CSRF: "x", Expires: now.Add(-time.Second).Unix()})},
		{"tampered", strings.Replace(cookie(Session{Person: "octo", Slack: "U0OCTOCAT1", CSRF: "x", Expires: now.Add(time.Hour).Unix()}), "=M", "=N", 1)},
		{"Slack id no longer the person's", cookie(Session{Person: "octo", Slack: "U0OLDID001", CSRF: "x", Expires: now.Add(time.Hour).Unix()})},
		{"person no longer in the config", cookie(Session{Person: "ghost", Slack: "U0GHOST001", CSRF: "x", Expires: now.Add(time.Hour).Unix()})},
		{"made with another key", func() string {
			other, _ := NewSessions("another-key-0123456789abcdef0123456789abcdef")
			c, _ := other.CookieHeader(Session{Person: "octo", Slack: "U0OCTOCAT1", CSRF: "x", Expires: now.Add(time.Hour).Unix()})
			return c
		}()},
	} {
		r := s.do(http.MethodGet, "/app/teams/octo-team/2019-05-16", tt.cookie, nil)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/app/signin?next=%2Fapp%2Fteams%2Focto-team%2F2019-05-16" {
			t.Errorf("%s: %d %s", tt.name, r.status, r.header.Get("Location"))
		}
	}
	// A form sent after the session expired: sign in, then back to the form's page.
	expired := cookie(Session{Person: "octo", Slack: "U0OCTOCAT1", CSRF: "x", Expires: now.Add(-time.Minute).Unix()})
	r := s.do(http.MethodPost, "/app/standups/hello/octo/2019-05-17/edit", expired, url.Values{"csrf": {"x"}, "rev": {"0"}, "comment": {"c"}, "availability": {"full_day"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/app/signin?next=%2Fapp%2Fstandups%2Fhello%2Focto%2F2019-05-17%2Fedit" {
		t.Fatalf("expired form: %d %s", r.status, r.header.Get("Location"))
	}
	if sd, err := s.app.Standups.Store.Standup(t.Context(), standupID("hello/octo/2019-05-17")); err == nil && sd.Entry != nil {
		t.Fatal("a form with an expired session was stored")
	}
	// Sign out: the cookie is removed, and the sign-in page says so.
	r = s.do(http.MethodPost, "/app/signout", s.cookie("octo"), url.Values{"csrf": {csrfOf("octo")}})
	if c := cookies(r.header)[sessionCookie]; r.status != http.StatusSeeOther || r.header.Get("Location") != "/app/signin?out=1" || c == nil || c.MaxAge >= 0 {
		t.Fatalf("sign out: %d %s %+v", r.status, r.header.Get("Location"), c)
	}
	if r := s.get("/app/signin?out=1", ""); !strings.Contains(r.body, "You are signed out.") {
		t.Fatalf("after sign out:\n%s", r.body)
	}
	// Keys rotate: a cookie made with the old key still reads while the new one signs.
	rotated, err := NewSessions("new-key-0123456789abcdef0123456789abcdef, test-session-key-0123456789abcdef0123456789")
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/app", nil)
	req.Header.Set("Cookie", s.cookie("octo"))
	if got, ok := rotated.Read(req, now); !ok || got.Person != "octo" {
		t.Fatal("a cookie of the previous key no longer reads")
	}
	if _, err := NewSessions("short"); err == nil {
		t.Fatal("a short key was accepted")
	}
}

func TestSafeNext(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/app/people/octo?client=hello": "/app/people/octo?client=hello",
		"/app":                          "/app",
		"":                              "/app",
		"https://evil.example/app":      "/app",
		"//evil.example/app":            "/app",
		"/\\evil.example":               "/app",
		"/webhooks/github":              "/app",
		"/application":                  "/app",
		"/app/auth/callback?code=x":     "/app",
		"javascript:alert(1)":           "/app",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
