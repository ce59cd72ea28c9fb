package e2e

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/config"
)

// The web pages end to end, in a real headless Chromium driven through the local stack: the
// real bootstraps behind the local API Gateway, the OpenID stand-in for Slack's sign-in,
// DynamoDB Local and the stream processors. The team is shared/web/testdata/web.yaml (Octo and
// Mona in Octo Team for Hello World Inc, Carol its reviewer); Octo's footprint comes from the
// real GitHub payloads in events/github. axe-core checks every page for accessibility.
//
// RITUALS_SCREENSHOTS=<dir> saves a PNG of each page there (the README's screenshots are made
// with RITUALS_SCREENSHOTS=infra/docs/screenshots from the repository root).

var webFunctions = []string{
	"GitHubWebhookFunction", "ActivityRecorderFunction", "WebFunction", "StandupSchedulerFunction", "StandupProcessorFunction",
}

const webConfig = "../../shared/web/testdata/web.yaml"

// browser is one headless Chromium with its own profile, recording every URL it requests.
type browser struct {
	t        *testing.T
	ctx      context.Context
	base     string
	axe      string
	shots    string
	mu       sync.Mutex
	requests []string
}

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("Chromium is not installed: apt-get install chromium (.ci/run installs it)")
	return ""
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	axe, err := os.ReadFile("../node_modules/axe-core/axe.min.js")
	if err != nil {
		t.Fatalf("axe-core is not installed (make deps installs infra/package.json): %v", err)
	}
	b := &browser{t: t, base: base, axe: string(axe), shots: os.Getenv("RITUALS_SCREENSHOTS")}
	if b.shots != "" && !filepath.IsAbs(b.shots) {
		b.shots = filepath.Join("../..", b.shots)
	}
	// Without the background-networking flags Chromium keeps trying to reach Google's
	// services, which on a closed network only floods it with refused connections.
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		var u string
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			u = e.Request.URL
		case network.EventRequestWillBeSent:
			u = e.Request.URL
		default:
			return
		}
		b.mu.Lock()
		b.requests = append(b.requests, u)
		b.mu.Unlock()
	}))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	b.ctx = ctx
	return b
}

// step bounds one browser step.
func (b *browser) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v (at %s)", what, err, b.location())
	}
}

// follow clicks sel and waits for the page it leads to (through any redirects); it returns
// the final HTTP status.
func (b *browser) follow(what, sel string) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		b.t.Fatalf("%s (click %s): %v (at %s)", what, sel, err, b.location())
	}
	return resp.Status
}

func (b *browser) open(path string) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	return resp.Status
}

func (b *browser) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

// path is where the browser is, below the stack's URL.
func (b *browser) path() string { return strings.TrimPrefix(b.location(), b.base) }

func (b *browser) html() string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.outerHTML"))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

func (b *browser) expect(what string, wants ...string) {
	b.t.Helper()
	page := b.html()
	for _, w := range wants {
		if !strings.Contains(page, w) {
			b.t.Fatalf("%s (%s) lacks %q:\n%s", what, b.path(), w, page)
		}
	}
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// audit runs axe-core (WCAG 2.x A and AA rules and best practices) on the page: a serious or
// critical violation fails the test. It also saves the page's screenshot when asked to.
func (b *browser) audit(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	// The page's CSP forbids inline script; the DevTools protocol evaluates outside it, the way
	// an extension would, and the page itself stays unchanged.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](b.axe)); err != nil {
		b.t.Fatalf("inject axe-core on %s: %v", name, err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.map(n => n.target.join(" "))})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe on %s: %v", name, err)
	}
	for _, v := range got {
		if v.Impact == "serious" || v.Impact == "critical" {
			b.t.Errorf("%s (%s): %s accessibility violation %s: %s at %v", name, b.path(), v.Impact, v.ID, v.Help, v.Nodes)
		} else {
			b.t.Logf("%s: %s (%s): %s", name, v.ID, v.Impact, v.Help)
		}
	}
	if b.shots != "" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			b.t.Fatal(err)
		}
		if err := os.MkdirAll(b.shots, 0o755); err != nil {
			b.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(b.shots, "web-"+name+".png"), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
}

// signIn signs in through the OpenID stand-in's page as the Slack user, from wherever the
// browser was sent to sign in, and returns the status of the page it comes back to.
func (b *browser) signIn(slackID string) int64 {
	b.t.Helper()
	if !strings.HasPrefix(b.path(), "/app/signin") {
		b.t.Fatalf("not on the sign-in page: %s", b.path())
	}
	if st := b.follow("Sign in with Slack", "a.button"); st != http.StatusOK || !strings.Contains(b.path(), "/_standins/oidc/authorize") {
		b.t.Fatalf("to the provider: %d %s", st, b.path())
	}
	return b.follow("sign in as "+slackID, `button[name=user][value="`+slackID+`"]`)
}

func (b *browser) signOut() {
	b.t.Helper()
	if st := b.follow("sign out", "header form button"); st != http.StatusOK || !strings.HasPrefix(b.path(), "/app/signin?out=1") {
		b.t.Fatalf("sign out: %d %s", st, b.path())
	}
}

// TestWebInTheBrowser: Octo signs in with Slack (the stand-in), fills in Thursday's standup on
// the web, signs in again on Friday when the session expired and submits Friday's, then walks
// detail → previous → client → developer. Carol reviews Thursday's overdue standup with a note
// and a flag, which closes its HR issue. Octo, signed in again, finds neither anywhere.
func TestWebInTheBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	clock := &standupClock{}
	clock.Set("2019-05-16T08:00:00Z")
	h := startStackWith(t, webConfig, stackOptions{Now: clock.Now}, webFunctions...)
	data, err := os.ReadFile(webConfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	h.st.SeedSignIn(cfg)
	for _, f := range []string{"issues.opened.json", "issues.assigned.json", "pull_request.opened.json", "push.json"} {
		if code, _ := h.github(strings.SplitN(f, ".", 2)[0], "web-e2e-"+f, fixture(t, "github/"+f)); code != http.StatusAccepted {
			t.Fatalf("github %s: %d", f, code)
		}
	}
	h.waitPasses(2)
	b := newBrowser(t, h.st.URL)

	// Signed out, the home page sends Octo to sign in, and back.
	b.open("/app")
	b.expect("sign-in page", "Sign in with Slack")
	b.audit("signin")
	if st := b.signIn("U0OCTOCAT1"); st != http.StatusOK || b.path() != "/app" {
		t.Fatalf("after sign-in: %d %s", st, b.path())
	}
	if c, err := chromedp.Run(b.ctx, chromedp.Evaluate[string]("document.cookie")); err != nil || strings.Contains(c, "rituals") {
		t.Fatalf("the session cookie is readable by script: %q %v", c, err)
	}
	b.expect("home", "Today's standups", "Hello World Inc", "Fill in")
	b.audit("home")

	// Thursday: fill in the standup on the web, with the plan from the assigned issue.
	b.follow("fill in", `a.button[href$="/2019-05-16/edit"]`)
	b.expect("the form", "Codertocat/Hello-World", "Spelling error in the README file", "opened PR", "By the next business day")
	b.audit("edit")
	b.step("fill in",
		chromedp.Click(chromedp.CSS(`input[name=plan][value="Codertocat/Hello-World#1"]`)),
		chromedp.Click(chromedp.CSS(`input[name=done][value="Codertocat/Hello-World#1"]`)),
		chromedp.Click(chromedp.CSS(`input[name=availability][value=full_day]`)),
		chromedp.SendKeys(chromedp.CSS("#comment"), "Fix the README spelling & <ship it>"),
		chromedp.SendKeys(chromedp.CSS("#blockers"), "Waiting for review rights"),
	)
	clock.Set("2019-05-16T08:35:00Z")
	if st := b.follow("submit", `form button[type=submit]:not(header button)`); st != http.StatusOK || b.path() != "/app/standups/hello/octo/2019-05-16?saved=1" {
		t.Fatalf("submit: %d %s", st, b.path())
	}
	b.expect("Thursday's standup", "Saved.", "Fix the README spelling &amp; &lt;ship it&gt;", "Waiting for review rights", "Awaiting review", "expects done")
	b.audit("standup")
	h.waitPasses(2)
	standupExpect(t, "blocker escalation from the web submission", h.st.Outbox().Calls(standinsFilter("chat.postMessage")), "chat.postMessage", "U0FRANK001", "Waiting for review rights")

	// Friday: the eight-hour session has expired; the edit page sends Octo to sign in and back.
	clock.Set("2019-05-17T09:00:00Z")
	b.open("/app/standups/hello/octo/2019-05-17/edit")
	if !strings.HasPrefix(b.path(), "/app/signin?next=") {
		t.Fatalf("expired session: at %s", b.path())
	}
	if st := b.signIn("U0OCTOCAT1"); st != http.StatusOK || b.path() != "/app/standups/hello/octo/2019-05-17/edit" {
		t.Fatalf("back after sign-in: %d %s", st, b.path())
	}
	b.expect("Friday's form", "Since my last standup", "Fix the README spelling")
	b.step("fill in Friday",
		chromedp.Click(chromedp.CSS(`input[name=availability][value=part_day]`)),
		chromedp.SendKeys(chromedp.CSS("#comment"), "Release the spelling fix"),
	)
	if st := b.follow("submit Friday", `form button[type=submit]:not(header button)`); st != http.StatusOK {
		t.Fatalf("submit Friday: %d", st)
	}

	// Detail → previous → client → developer.
	b.follow("previous", `a[rel=prev]`)
	b.expect("previous standup", "Thu 16 May 2019", "Fix the README spelling")
	b.follow("client", `.crumbs a[href^="/app/clients/hello/"]`)
	b.expect("the client's day", "Hello World Inc · Thu 16 May 2019", "Octo Cat", "Mona Lisa")
	b.audit("client-day")
	b.follow("developer", `a[href="/app/people/octo?client=hello"]`)
	b.expect("the developer's standups", "Fri 17 May 2019", "Thu 16 May 2019", "Release the spelling fix")
	b.audit("standups")
	b.follow("team", `nav a[href="/app/teams/octo-team"]`)
	b.expect("the team's day", "Octo Team · Fri 17 May 2019", "Release the spelling fix")
	b.audit("team-day")

	// On a phone: nothing wider than the screen.
	b.step("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	b.open("/app/standups/hello/octo/2019-05-16")
	if w, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth <= window.innerWidth")); err != nil || !w {
		t.Errorf("the standup page scrolls sideways on a phone (%v)", err)
	}
	b.audit("standup-phone")
	b.step("desktop", chromedp.EmulateViewport(1280, 900))
	b.signOut()

	// Monday: Thursday's review is overdue; the scheduler opens the HR issue.
	// (The first tick brings the standups to Carol; the next finds the one now overdue.)
	h.schedule("StandupSchedulerFunction", "Tick", clock.Set("2019-05-20T10:00:00Z"))
	h.schedule("StandupSchedulerFunction", "Tick", clock.Set("2019-05-20T10:05:00Z"))
	h.waitPasses(2)
	standupExpect(t, "overdue HR issue", h.st.Outbox().Calls(standinsFilter("issues/create")), "issues/create", "Standup review overdue: Octo Cat, 2019-05-16")

	// Carol reviews from her queue, with a note and a flag.
	b.open("/app/review/hello")
	if st := b.signIn("U0CAROL001"); st != http.StatusOK || b.path() != "/app/review/hello" {
		t.Fatalf("carol: %d %s", st, b.path())
	}
	b.expect("the review queue", "To review (2)", "Overdue", "Codertocat/hr#1", "Octo Cat")
	b.audit("review-queue")
	b.follow("review Thursday", `a[href="/app/review/hello/octo/2019-05-16"]`)
	b.expect("the review form", "Mark reviewed", "Reviewer only", "Fix the README spelling")
	const note = "Talk about estimates - REVIEWER NOTE 91c4"
	b.step("review", chromedp.SendKeys(chromedp.CSS("#notes"), note), chromedp.Click(chromedp.CSS(`input[name=flag][value=plan_missed]`)))
	b.audit("review")
	if st := b.follow("mark reviewed", `form button[type=submit]:not(header button)`); st != http.StatusOK || !strings.HasPrefix(b.path(), "/app/review/hello?done=") {
		t.Fatalf("mark reviewed: %d %s", st, b.path())
	}
	b.expect("the queue after review", "Marked reviewed: Octo Cat, Thu 16 May 2019.", "To review (1)", note, "Plan missed")
	h.waitPasses(2)
	standupExpect(t, "HR issue closed by the web review", h.st.Outbox().Calls(standinsFilter("issues/update")), "issues/update", "closed")
	b.signOut()

	// Octo again: neither the note nor the flag on any page Octo can reach, nor on the
	// reviewer's pages typed by hand.
	b.open("/app")
	if st := b.signIn("U0OCTOCAT1"); st != http.StatusOK {
		t.Fatalf("octo again: %d", st)
	}
	visited := b.crawl(12)
	for _, p := range []string{"/app/review/hello", "/app/review/hello/octo/2019-05-16"} {
		if st := b.open(p); st != http.StatusNotFound {
			t.Errorf("%s as the developer: %d, want 404", p, st)
		}
		visited[p] = b.html()
	}
	if len(visited) < 8 {
		t.Fatalf("only %d pages reached: %v", len(visited), keysOf(visited))
	}
	for p, page := range visited {
		for _, secret := range []string{"REVIEWER NOTE", "Talk about estimates", "Plan missed", "plan_missed"} {
			if strings.Contains(page, secret) {
				t.Errorf("the developer sees %q on %s", secret, p)
			}
		}
	}

	// Nothing but the stack itself was ever asked for anything.
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, u := range b.requests {
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "about" && pu.Scheme != "data" && pu.Host != strings.TrimPrefix(h.st.URL, "http://")) {
			t.Errorf("request to another host: %s", u)
		}
	}
	if dl := h.st.DeadLetters(); len(dl) > 0 {
		t.Fatalf("dead letters: %+v", dl)
	}
}

var pageLinks = regexp.MustCompile(`href="(/app[^"]*)"( rel="[a-z]+")?`)

// crawl visits the pages linked from the current one, breadth first (at most n), as the
// browser; days lead to days forever, so a day page's previous/next are not followed.
func (b *browser) crawl(n int) map[string]string {
	b.t.Helper()
	seen := map[string]string{}
	queue := []string{b.path()}
	for len(queue) > 0 && len(seen) < n {
		p := queue[0]
		queue = queue[1:]
		if _, ok := seen[p]; ok || strings.HasPrefix(p, "/app/static/") {
			continue
		}
		b.open(p)
		page := b.html()
		seen[p] = page
		day := strings.HasPrefix(p, "/app/teams/") || strings.HasPrefix(p, "/app/clients/")
		for _, m := range pageLinks.FindAllStringSubmatch(page, -1) {
			if !(day && m[2] != "") {
				queue = append(queue, strings.ReplaceAll(m[1], "&amp;", "&"))
			}
		}
	}
	return seen
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func standinsFilter(api string) standins.Filter { return standins.Filter{API: api} }
