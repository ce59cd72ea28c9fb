package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/rituals-dev/rituals/shared/logs"
)

// SlackIssuer is Slack's OpenID Connect issuer (Sign in with Slack).
const SlackIssuer = "https://slack.com"

// OIDC signs people in with an OpenID Connect provider: Slack in AWS, the local stand-in in
// `make run` and the tests. coreos/go-oidc verifies the ID token (signature against the
// provider's JWKS, issuer, audience, expiry) and x/oauth2 runs the authorization-code flow
// with PKCE. The provider's discovery document is fetched at the first sign-in, not at cold
// start: pages never need it.
type OIDC struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// HTTP calls the provider; a client with a 10 s timeout when nil.
	HTTP *http.Client

	mu       sync.Mutex
	provider *oidc.Provider
}

// slackClaims are the claims of a Sign in with Slack ID token the pages use.
type slackClaims struct {
	Subject string `json:"sub"`
	UserID  string `json:"https://slack.com/user_id"`
}

func (o *OIDC) httpClient() *http.Client {
	if o.HTTP != nil {
		return o.HTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}

func (o *OIDC) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, o.httpClient())
}

// discover returns the provider, fetching its discovery document once (a failure is retried
// by the next sign-in).
func (o *OIDC) discover(ctx context.Context) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	p, err := oidc.NewProvider(o.ctx(ctx), o.Issuer)
	if err != nil {
		return nil, fmt.Errorf("OpenID discovery at %s: %w", o.Issuer, err)
	}
	o.provider = p
	return p, nil
}

func (o *OIDC) oauth(p *oidc.Provider, redirect string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: o.ClientID, ClientSecret: o.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: redirect, Scopes: []string{oidc.ScopeOpenID},
	}
}

// origin is where the browser reached the pages: API Gateway's domain over HTTPS, or the
// local gateway's host over what it says it speaks.
func origin(r *http.Request) string {
	scheme := "https"
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}

// CallbackPath is where the provider sends the browser back (the redirect URL to register).
const CallbackPath = "/app/auth/callback"

// safeNext keeps a return address only when it is a page of the app on this host.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return homePath
	}
	if u.Path != homePath && !strings.HasPrefix(u.Path, homePath+"/") || strings.HasPrefix(u.Path, "/app/auth/") {
		return homePath
	}
	return u.RequestURI()
}

// authStart sends the browser to the provider with a fresh state, nonce and PKCE verifier,
// kept in a short-lived encrypted cookie until it comes back.
func (a *App) authStart(w http.ResponseWriter, r *http.Request) {
	p, err := a.OIDC.discover(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	st := signin{State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(), Next: safeNext(r.URL.Query().Get("next"))}
	if err := a.Sessions.set(w, signinCookie, st, signinTTL); err != nil {
		a.fail(w, r, err)
		return
	}
	u := a.OIDC.oauth(p, origin(r)+CallbackPath).AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier))
	http.Redirect(w, r, u, http.StatusFound)
}

// errSignin is a sign-in that cannot complete; its text is safe to show.
type errSignin struct{ msg string }

func (e errSignin) Error() string { return e.msg }

// authCallback completes a sign-in: the state must be the one this browser was sent with,
// the code is exchanged (with the PKCE verifier), the ID token verified and its nonce
// checked; then the Slack user must be a person of the config.
func (a *App) authCallback(w http.ResponseWriter, r *http.Request) {
	now := a.now(r)
	log := logs.For(r.Context(), a.logger())
	var st signin
	ok := a.Sessions.get(r, signinCookie, &st)
	a.Sessions.clear(w, signinCookie)
	q := r.URL.Query()
	switch {
	case q.Get("error") != "":
		log.Info("sign-in refused at the provider", "reason", q.Get("error"))
		a.signinProblem(w, r, http.StatusBadRequest, "Sign-in was cancelled at Slack. You can try again.")
		return
	case !ok:
		a.signinProblem(w, r, http.StatusBadRequest, "This sign-in took too long or started in another browser. Please sign in again.")
		return
	case q.Get("state") == "" || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(st.State)) != 1:
		a.signinProblem(w, r, http.StatusBadRequest, "This sign-in link is not the one this browser started. Please sign in again.")
		return
	}
	slackID, err := a.exchange(r, st, q.Get("code"), now)
	var bad errSignin
	if errors.As(err, &bad) {
		log.Warn("sign-in rejected", logs.Err, err.Error())
		a.signinProblem(w, r, http.StatusBadRequest, bad.msg)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	cfg, err := a.Standups.Config.Current(r.Context(), now)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	me := cfg.PersonBySlack(slackID)
	if me == nil {
		log.Info("sign-in of someone not in the config", logs.User, slackID)
		a.signinProblem(w, r, http.StatusForbidden, "Your Slack account is not in the Rituals config, so there is nothing here for you yet. Ask your lead to add your Slack member id ("+slackID+").")
		return
	}
	if _, err := a.Sessions.Start(w, me.ID, me.Slack, now); err != nil {
		a.fail(w, r, err)
		return
	}
	log.Info("signed in", logs.User, me.ID)
	http.Redirect(w, r, safeNext(st.Next), http.StatusSeeOther)
}

// exchange trades the code for tokens and returns the Slack user id of the verified ID token.
func (a *App) exchange(r *http.Request, st signin, code string, now time.Time) (string, error) {
	if code == "" {
		return "", errSignin{"Slack sent no sign-in code. Please sign in again."}
	}
	ctx := a.OIDC.ctx(r.Context())
	p, err := a.OIDC.discover(ctx)
	if err != nil {
		return "", err
	}
	tok, err := a.OIDC.oauth(p, origin(r)+CallbackPath).Exchange(ctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return "", errSignin{"Slack did not accept this sign-in (" + re.ErrorCode + "). Please sign in again."}
		}
		return "", fmt.Errorf("exchange the sign-in code: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", errSignin{"Slack sent no ID token. Please sign in again."}
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: a.OIDC.ClientID, Now: func() time.Time { return now }}).Verify(ctx, raw)
	if err != nil {
		return "", errSignin{"The ID token from Slack did not verify (" + err.Error() + "). Please sign in again."}
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return "", errSignin{"The ID token from Slack was not issued for this sign-in. Please sign in again."}
	}
	var c slackClaims
	if err := idt.Claims(&c); err != nil {
		return "", fmt.Errorf("ID token claims: %w", err)
	}
	if c.UserID != "" {
		return c.UserID, nil
	}
	return c.Subject, nil
}

type signinBody struct {
	Start     string
	Problem   string
	SignedOut bool
}

// signinPage offers Sign in with Slack, to come back to next; a signed-in person goes
// straight there.
func (a *App) signinPage(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if _, ok := a.Sessions.Read(r, a.now(r)); ok {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	body := signinBody{Start: homePath + "/auth/start?next=" + url.QueryEscape(next), SignedOut: r.URL.Query().Get("out") != ""}
	a.render(w, r, nil, http.StatusOK, "signin", layout{Title: "Sign in", Body: body})
}

// signinProblem shows the sign-in page with what went wrong.
func (a *App) signinProblem(w http.ResponseWriter, r *http.Request, status int, msg string) {
	body := signinBody{Start: homePath + "/auth/start", Problem: msg}
	a.render(w, r, nil, status, "signin", layout{Title: "Sign in", Body: body})
}
