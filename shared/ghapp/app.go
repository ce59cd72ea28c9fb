// Package ghapp authenticates as a GitHub App: the app's JWT for the /app endpoints and, for
// everything else, the installation token of the account a request is for. It is apart from
// ghub so that functions that only verify webhooks do not link the JWT and token machinery.
package ghapp

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/golang-jwt/jwt/v4"
	"github.com/google/go-github/v60/github"

	"github.com/rituals-dev/rituals/shared/ghub"
)

// App authenticates as a GitHub App: a JWT signed with the app's private key for the /app
// endpoints, and an installation access token for everything else. Each request goes out as
// the installation on the account that owns what it touches (the owner in /repos/{owner}/...,
// /orgs/{org}/..., /users/{user}/..., or the owner WithOwner put in the context), so one client
// serves every organisation the app is installed on.
//
// Installations are listed once and kept for the life of the App (a Lambda container); an
// owner not among them is looked up again at most once per RelistEvery, so an installation
// made after the container started is found without listing on every call. Installation tokens
// are cached per installation by ghinstallation and renewed a minute before they expire.
type App struct {
	ID int64
	// Now is the wall clock that spaces out re-listing; time.Now when nil.
	Now func() time.Time
	// RelistEvery is the least time between two listings of the installations; one minute
	// when zero.
	RelistEvery time.Duration

	baseURL string
	apps    *ghinstallation.AppsTransport
	base    http.RoundTripper

	mu       sync.Mutex
	installs map[string]Installation // lowercased account login → installation
	listed   time.Time
	tokens   map[int64]*ghinstallation.Transport
}

// Installation is one account the app is installed on.
type Installation struct {
	ID      int64
	Account string
	// AllRepositories is false when the installation covers selected repositories only.
	AllRepositories bool
}

// NotInstalledError says the app has no installation on the account a request is for.
// Installing it is something only a person can do, so it is permanent.
type NotInstalledError struct {
	App   int64
	Owner string
}

func (e *NotInstalledError) Error() string {
	if e.Owner == "" {
		return fmt.Sprintf("GitHub App %d: cannot tell which installation to use (no owner in the request and the app has more than one installation, or none)", e.App)
	}
	return fmt.Sprintf("GitHub App %d is not installed on %s: install it from the app's page (https://github.com/settings/installations), then run `rituals doctor`", e.App, e.Owner)
}

// Transient implements retry.Classifier: waiting will not install the app.
func (e *NotInstalledError) Transient() bool { return false }

// ParsePrivateKey reads the PEM private key GitHub hands out for an app (PKCS#1 or PKCS#8 RSA).
func ParsePrivateKey(pemKey []byte) (*rsa.PrivateKey, error) {
	key, err := jwt.ParseRSAPrivateKeyFromPEM(pemKey)
	if err != nil {
		return nil, fmt.Errorf("GitHub App private key: %w (want the .pem file GitHub generated)", err)
	}
	return key, nil
}

// NewApp returns an App for appID with its private key. baseURL, when not empty, replaces
// https://api.github.com/ as in NewClient.
func NewApp(appID int64, pemKey []byte, baseURL string) (*App, error) {
	if appID <= 0 {
		return nil, fmt.Errorf("GitHub App id %d: want the app's numeric id", appID)
	}
	key, err := ParsePrivateKey(pemKey)
	if err != nil {
		return nil, err
	}
	base := http.DefaultTransport
	apps := ghinstallation.NewAppsTransportFromPrivateKey(base, appID, key)
	u := "https://api.github.com"
	if baseURL != "" {
		u = strings.TrimSuffix(baseURL, "/")
	}
	apps.BaseURL = u
	return &App{ID: appID, baseURL: u, apps: apps, base: base, tokens: map[int64]*ghinstallation.Transport{}}, nil
}

// NewAppClient returns a GitHub REST client that acts as appID's installations (see App).
func NewAppClient(appID int64, pemKey []byte, baseURL string) (*github.Client, error) {
	app, err := NewApp(appID, pemKey, baseURL)
	if err != nil {
		return nil, err
	}
	return app.Client()
}

// Client returns a REST client whose requests go out as the installation of their owner.
func (a *App) Client() (*github.Client, error) {
	return withBase(github.NewClient(&http.Client{Timeout: 8 * time.Second, Transport: a}), a.baseURL)
}

// AppClient returns a REST client authenticated as the app itself (JWT): the /app endpoints.
func (a *App) AppClient() (*github.Client, error) {
	return withBase(github.NewClient(&http.Client{Timeout: 8 * time.Second, Transport: a.apps}), a.baseURL)
}

func withBase(c *github.Client, baseURL string) (*github.Client, error) {
	if baseURL == "https://api.github.com" {
		return c, nil
	}
	return ghub.SetBaseURL(c, baseURL)
}

type ownerKey struct{}

// WithOwner names the account a request made with ctx is for, when its path does not say
// (GraphQL): an App then uses that account's installation.
func WithOwner(ctx context.Context, owner string) context.Context {
	return context.WithValue(ctx, ownerKey{}, owner)
}

// RoundTrip implements http.RoundTripper: the request goes out with the installation token of
// its owner's installation.
func (a *App) RoundTrip(req *http.Request) (*http.Response, error) {
	owner := requestOwner(req, a.baseURL)
	inst, err := a.Installation(req.Context(), owner)
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	return a.transport(inst.ID).RoundTrip(req)
}

func (a *App) transport(id int64) *ghinstallation.Transport {
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.tokens[id]
	if t == nil {
		t = ghinstallation.NewFromAppsTransport(a.apps, id)
		t.BaseURL = a.baseURL
		a.tokens[id] = t
	}
	return t
}

// Token returns an installation access token for owner's installation (cached until a minute
// before it expires).
func (a *App) Token(ctx context.Context, owner string) (string, error) {
	inst, err := a.Installation(ctx, owner)
	if err != nil {
		return "", err
	}
	return a.transport(inst.ID).Token(ctx)
}

// Installation returns the installation on owner (any case). With owner "" it returns the
// app's only installation, or a *NotInstalledError when there is not exactly one.
func (a *App) Installation(ctx context.Context, owner string) (Installation, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if inst, ok := a.lookup(owner); ok {
		return inst, nil
	}
	now := a.now()
	relist := a.RelistEvery
	if relist <= 0 {
		relist = time.Minute
	}
	if a.installs == nil || now.Sub(a.listed) >= relist {
		installs, err := a.list(ctx)
		if err != nil {
			return Installation{}, err
		}
		a.installs, a.listed = installs, now
		if inst, ok := a.lookup(owner); ok {
			return inst, nil
		}
	}
	return Installation{}, &NotInstalledError{App: a.ID, Owner: owner}
}

// Installations lists every account the app is installed on, fresh from GitHub.
func (a *App) Installations(ctx context.Context) ([]Installation, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	installs, err := a.list(ctx)
	if err != nil {
		return nil, err
	}
	a.installs, a.listed = installs, a.now()
	out := make([]Installation, 0, len(installs))
	for _, i := range installs {
		out = append(out, i)
	}
	return out, nil
}

func (a *App) lookup(owner string) (Installation, bool) {
	if a.installs == nil {
		return Installation{}, false
	}
	if owner == "" {
		if len(a.installs) == 1 {
			for _, i := range a.installs {
				return i, true
			}
		}
		return Installation{}, false
	}
	i, ok := a.installs[strings.ToLower(owner)]
	return i, ok
}

func (a *App) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// list reads GET /app/installations, every page, as the app.
func (a *App) list(ctx context.Context) (map[string]Installation, error) {
	c, err := a.AppClient()
	if err != nil {
		return nil, err
	}
	out := map[string]Installation{}
	opt := &github.ListOptions{PerPage: 100}
	for {
		page, resp, err := c.Apps.ListInstallations(ctx, opt)
		if err != nil {
			return nil, fmt.Errorf("list the installations of GitHub App %d: %w", a.ID, err)
		}
		for _, i := range page {
			login := i.GetAccount().GetLogin()
			if login == "" {
				continue
			}
			out[strings.ToLower(login)] = Installation{ID: i.GetID(), Account: login, AllRepositories: i.GetRepositorySelection() != "selected"}
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

// requestOwner finds the account a request is for: the context's WithOwner, else the owner in
// the path below the API's base, else (GraphQL) a login/owner/org variable of the query.
func requestOwner(req *http.Request, baseURL string) string {
	if o, _ := req.Context().Value(ownerKey{}).(string); o != "" {
		return o
	}
	path := req.URL.Path
	if i := strings.Index(baseURL, "://"); i >= 0 {
		if j := strings.Index(baseURL[i+3:], "/"); j >= 0 {
			path = strings.TrimPrefix(path, baseURL[i+3+j:])
		}
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) >= 2 {
		switch segs[0] {
		case "repos", "orgs", "users":
			return segs[1]
		}
	}
	if len(segs) == 1 && segs[0] == "graphql" && req.GetBody != nil {
		return graphQLOwner(req)
	}
	return ""
}

func graphQLOwner(req *http.Request) string {
	body, err := req.GetBody()
	if err != nil {
		return ""
	}
	defer body.Close()
	var q struct {
		Variables map[string]any `json:"variables"`
	}
	if json.NewDecoder(body).Decode(&q) != nil {
		return ""
	}
	for _, k := range []string{"owner", "login", "org"} {
		if s, ok := q.Variables[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// ParseAppID reads a GitHub App id as stored in SSM or the environment.
func ParseAppID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0, errors.New("GitHub App id must be the app's number (About → App ID on the app's settings page)")
	}
	return id, nil
}
