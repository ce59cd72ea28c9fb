package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	// Go's html/template, as DataDog keeps it patched to never call methods by name: the
	// standard one makes the linker keep every exported method of every type (see
	// TestTheFunctionKeepsDeadCodeElimination). Same escaping, same template language.
	template "github.com/DataDog/datadog-agent/pkg/template/html"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/app.css
var stylesheet []byte

// cssPath is the stylesheet's address: named by its content hash, so it can be cached for a
// year and a new deployment is never mixed with an old cached one.
var cssPath = func() string {
	sum := sha256.Sum256(stylesheet)
	return homePath + "/static/app-" + hex.EncodeToString(sum[:6]) + ".css"
}()

// pages are the parsed templates, one set per page file (each with the layout and parts).
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	base := template.Must(template.New("").ParseFS(templateFS, "templates/layout.html", "templates/parts.html"))
	names, err := fs.Glob(templateFS, "templates/page_*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		t := template.Must(template.Must(base.Clone()).ParseFS(templateFS, n))
		out[strings.TrimSuffix(strings.TrimPrefix(n, "templates/page_"), ".html")] = t
	}
	return out
}()

// nav is one link of the header's navigation.
type nav struct {
	Text, URL string
	Current   bool
}

// layout is what every page's frame shows; Body is the page's own data.
type layout struct {
	Title  string
	CSS    string
	Me     *config.Person
	CSRF   string
	Nav    []nav
	Notice string
	// NoticeKind is "", "ok" or "bad".
	NoticeKind string
	Body       any
}

// render writes page with status, the frame filled in for the viewer (nil on the sign-in
// pages). It renders into memory first, so that a template error is a clean 500.
func (a *App) render(w http.ResponseWriter, r *http.Request, v *viewer, status int, page string, l layout) {
	t, ok := pages[page]
	if !ok {
		a.fail(w, r, fmt.Errorf("no page template %q", page))
		return
	}
	l.CSS = cssPath
	if v != nil {
		// A problem page marks no place as current: it must look the same whatever address
		// was asked for (see notFound).
		current := r.URL.Path
		if page == "problem" {
			current = ""
		}
		l.Me, l.CSRF, l.Nav = v.me, v.session.CSRF, a.navFor(v, current)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", l); err != nil {
		a.fail(w, r, fmt.Errorf("render %s: %w", page, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// navFor lists the viewer's places: home, their standups, their teams' days, the review
// queues they read.
func (a *App) navFor(v *viewer, path string) []nav {
	out := []nav{{Text: "Home", URL: homePath}}
	if len(dutiesOf(v)) > 0 {
		out = append(out, nav{Text: "My standups", URL: links.Person(v.me.ID, "")})
	}
	for _, t := range v.cfg.Teams {
		if t.Standup != nil && v.inTeam(t) {
			out = append(out, nav{Text: t.Name, URL: homePath + "/teams/" + url.PathEscape(t.ID)})
		}
	}
	for _, c := range v.cfg.Clients {
		if v.readsHR(c) {
			out = append(out, nav{Text: "Reviews · " + c.Name, URL: links.Queue(c.ID)})
		}
	}
	for i := range out {
		u := out[i].URL
		out[i].Current = path == u || (u != homePath && strings.HasPrefix(path, strings.SplitN(u, "?", 2)[0]+"/"))
	}
	return out
}

// static serves the stylesheet under its hashed name.
func (a *App) static(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != cssPath {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(stylesheet)
}

// problem renders a page that explains what went wrong and what to do, with status.
func (a *App) problem(w http.ResponseWriter, r *http.Request, v *viewer, status int, title, msg string) {
	a.render(w, r, v, status, "problem", layout{Title: title, Body: problemBody{Title: title, Message: msg}})
}

type problemBody struct{ Title, Message string }

// notFound is the one answer to anything a viewer may not see or that does not exist: the
// same page and status either way, so nothing tells the two apart.
func (a *App) notFound(w http.ResponseWriter, r *http.Request, v *viewer) {
	a.problem(w, r, v, http.StatusNotFound, "Not found", "There is no such page here. Check the address, or start from the home page.")
}

// badRequest answers a malformed address or form with what to do instead.
func (a *App) badRequest(w http.ResponseWriter, r *http.Request, v *viewer, msg string) {
	a.problem(w, r, v, http.StatusBadRequest, "Bad request", msg)
}

// fail logs err and answers 500 without saying anything about it.
func (a *App) fail(w http.ResponseWriter, r *http.Request, err error) {
	logs.For(r.Context(), a.logger()).Error("page failed", "path", r.URL.Path, logs.Err, err.Error())
	const title, msg = "Something went wrong", "Rituals could not answer this time; nothing was changed. Please try again in a minute."
	var buf bytes.Buffer
	if pages["problem"].ExecuteTemplate(&buf, "layout", layout{Title: title, CSS: cssPath, Body: problemBody{Title: title, Message: msg}}) != nil {
		http.Error(w, msg, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write(buf.Bytes())
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
