package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/standup"
)

// homePath is the signed-in home page; every page is below it.
const homePath = "/app"

// links are the pages' own addresses, root-relative.
var links = standup.Links{Base: homePath}

// App is the web function: standup pages behind Sign in with Slack.
type App struct {
	// Standups gives the pages the standup package's store, config, calendar and activity
	// mirror, and its submit and review paths.
	Standups standup.Deps
	OIDC     *OIDC
	Sessions *Sessions
	Log      *slog.Logger
	// Clock is the time of requests that API Gateway did not stamp (tests); time.Now when nil.
	Clock func() time.Time
}

func (a *App) logger() *slog.Logger {
	if a.Log == nil {
		return slog.Default()
	}
	return a.Log
}

func (a *App) now(r *http.Request) time.Time {
	clock := a.Clock
	if clock == nil {
		clock = time.Now
	}
	return receivedAt(r, clock)
}

// Handler serves every route under /app. Every response carries the security headers;
// state-changing requests must come from this origin (net/http's CrossOriginProtection, on
// top of each form's CSRF token).
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+homePath, a.page(a.home))
	mux.HandleFunc("GET "+homePath+"/{$}", a.page(a.home))
	mux.HandleFunc("GET "+homePath+"/static/{file}", a.static)
	mux.HandleFunc("GET "+homePath+"/signin", a.signinPage)
	mux.HandleFunc("GET "+homePath+"/auth/start", a.authStart)
	mux.HandleFunc("GET "+CallbackPath, a.authCallback)
	mux.HandleFunc("POST "+homePath+"/signout", a.form(a.signout))
	mux.HandleFunc("GET "+homePath+"/people/{person}", a.page(a.person))
	mux.HandleFunc("GET "+homePath+"/standups/{client}/{person}/{date}", a.page(a.standup))
	mux.HandleFunc("GET "+homePath+"/standups/{client}/{person}/{date}/edit", a.page(a.editForm))
	mux.HandleFunc("POST "+homePath+"/standups/{client}/{person}/{date}/edit", a.form(a.editSubmit))
	mux.HandleFunc("GET "+homePath+"/teams/{team}", a.page(a.teamToday))
	mux.HandleFunc("GET "+homePath+"/teams/{team}/{date}", a.page(a.teamDay))
	mux.HandleFunc("GET "+homePath+"/clients/{client}", a.page(a.clientToday))
	mux.HandleFunc("GET "+homePath+"/clients/{client}/{date}", a.page(a.clientDay))
	mux.HandleFunc("GET "+homePath+"/review/{client}", a.page(a.queue))
	mux.HandleFunc("GET "+homePath+"/review/{client}/{person}/{date}", a.page(a.reviewForm))
	mux.HandleFunc("POST "+homePath+"/review/{client}/{person}/{date}", a.form(a.reviewSubmit))
	mux.HandleFunc("/", a.page(func(w http.ResponseWriter, r *http.Request, v *viewer) { a.notFound(w, r, v) }))

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.problem(w, r, nil, http.StatusForbidden, "Forbidden", "This form was sent from another site, so nothing was changed.")
	}))
	return securityHeaders(cop.Handler(mux))
}

// viewer is the signed-in person with the config of the request.
type viewer struct {
	cfg     *config.Config
	me      *config.Person
	session Session
	now     time.Time
}

type pageFunc func(w http.ResponseWriter, r *http.Request, v *viewer)

// page wraps a page for signed-in people: without a valid session (none, tampered, expired,
// or a person no longer in the config) the browser goes to sign-in and comes back after.
func (a *App) page(h pageFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, ok := a.viewer(w, r)
		if !ok {
			return
		}
		h(w, r, v)
	}
}

// form wraps a form submission: a signed-in person, and the form's CSRF token must be the
// session's (403 and nothing changed otherwise).
func (a *App) form(h pageFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		v, ok := a.viewer(w, r)
		if !ok {
			return
		}
		if err := r.ParseForm(); err != nil {
			a.problem(w, r, v, http.StatusBadRequest, "Bad request", "This form could not be read; nothing was changed.")
			return
		}
		if err := checkCSRF(v.session, r.PostForm.Get("csrf")); err != nil {
			logs.For(r.Context(), a.logger()).Warn("form with a bad CSRF token", logs.User, v.me.ID, "path", r.URL.Path)
			a.problem(w, r, v, http.StatusForbidden, "Forbidden", "This form is out of date or did not come from Rituals, so nothing was changed. Reload the page and try again.")
			return
		}
		h(w, r, v)
	}
}

// maxForm bounds a form body: a standup is a few kilobytes.
const maxForm = 256 << 10

func (a *App) viewer(w http.ResponseWriter, r *http.Request) (*viewer, bool) {
	now := a.now(r)
	sess, ok := a.Sessions.Read(r, now)
	if !ok {
		a.toSignin(w, r)
		return nil, false
	}
	cfg, err := a.Standups.Config.Current(r.Context(), now)
	if err != nil {
		a.fail(w, r, err)
		return nil, false
	}
	me := cfg.PersonByID(sess.Person)
	if me == nil || me.Slack != sess.Slack {
		a.Sessions.End(w)
		a.toSignin(w, r)
		return nil, false
	}
	return &viewer{cfg: cfg, me: me, session: sess, now: now}, true
}

// toSignin sends the browser to sign in, to come back to this page (for a form, the page the
// form is on: the same path, as GET).
func (a *App) toSignin(w http.ResponseWriter, r *http.Request) {
	next := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		next = r.URL.Path
	}
	http.Redirect(w, r, homePath+"/signin?next="+urlQueryEscape(safeNext(next)), http.StatusSeeOther)
}

func (a *App) signout(w http.ResponseWriter, r *http.Request, v *viewer) {
	a.Sessions.End(w)
	logs.For(r.Context(), a.logger()).Info("signed out", logs.User, v.me.ID)
	http.Redirect(w, r, homePath+"/signin?out=1", http.StatusSeeOther)
}

// securityHeaders sets the headers every response carries: a CSP that allows only this
// origin's stylesheet (no script at all, no framing, forms only to this origin), no MIME
// sniffing, no referrer beyond this origin, and no caching of private pages.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Strict-Transport-Security", "max-age=31536000")
		hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}
