package standins

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Slack's OpenID Connect provider (Sign in with Slack), standing in for https://slack.com:
// discovery, JWKS, an authorize page that lets you pick who signs in, and a token endpoint
// issuing RS256-signed ID tokens with Slack's claims. It checks what Slack checks (client id and
// secret, redirect URI, the openid scope, single-use codes, PKCE) so the web function's
// sign-in runs offline exactly as it runs against Slack.

// Paths of the OpenID stand-in.
const (
	OIDCPath     = "/_standins/oidc"
	OIDCSeedPath = "/_local/oidc/seed"
)

// OIDCIssuerURL is the OIDC_ISSUER_URL for a stand-in served at base.
func OIDCIssuerURL(base string) string { return strings.TrimSuffix(base, "/") + OIDCPath }

// OIDCTeamID is the Slack workspace the stand-in's ID tokens name.
const OIDCTeamID = "T0LOCAL001"

// OIDCUser is someone the authorize page offers to sign in as.
type OIDCUser struct {
	// ID is the Slack user id (the ID token's sub).
	ID   string `json:"id"`
	Name string `json:"name"`
}

// oidcCodeTTL is how long an authorization code may wait to be exchanged.
const oidcCodeTTL = 5 * time.Minute

type oidcCode struct {
	clientID, redirectURI, nonce, challenge, user string
	expires                                       time.Time
}

type oidcProvider struct {
	s *Server

	keyOnce sync.Once
	key     *rsa.PrivateKey
	kid     string

	mu    sync.Mutex
	users []OIDCUser
	codes map[string]oidcCode
}

func newOIDCProvider(s *Server) *oidcProvider {
	return &oidcProvider{s: s, codes: map[string]oidcCode{}}
}

func (p *oidcProvider) register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+OIDCPath+"/.well-known/openid-configuration", p.serveDiscovery)
	mux.HandleFunc("GET "+OIDCPath+"/keys", p.serveKeys)
	mux.HandleFunc("GET "+OIDCPath+"/authorize", p.serveAuthorize)
	mux.HandleFunc("POST "+OIDCPath+"/authorize", p.serveChoose)
	mux.HandleFunc("POST "+OIDCPath+"/token", p.serveToken)
	mux.HandleFunc("POST "+OIDCSeedPath, p.serveSeed)
}

// signingKey is generated at first use: most stacks never sign anyone in.
func (p *oidcProvider) signingKey() (*rsa.PrivateKey, string) {
	p.keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(fmt.Sprintf("oidc stand-in key: %v", err))
		}
		sum := sha256.Sum256(k.PublicKey.N.Bytes())
		p.key, p.kid = k, base64.RawURLEncoding.EncodeToString(sum[:8])
	})
	return p.key, p.kid
}

// issuer is the stand-in's issuer as the caller reaches it (the functions and the browser use
// the same base URL).
func issuer(r *http.Request) string { return "http://" + r.Host + OIDCPath }

func (p *oidcProvider) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	iss := issuer(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/authorize",
		"token_endpoint":                        iss + "/token",
		"jwks_uri":                              iss + "/keys",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "profile", "email"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
		"claims_supported":                      []string{"sub", "auth_time", "iss", "https://slack.com/user_id", "https://slack.com/team_id", "name"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

func (p *oidcProvider) serveKeys(w http.ResponseWriter, r *http.Request) {
	k, kid := p.signingKey()
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: kid, Algorithm: string(jose.RS256), Use: "sig"}}})
}

// SeedOIDCUsers sets who the authorize page offers, in order.
func (s *Server) SeedOIDCUsers(users []OIDCUser) {
	s.oidc.mu.Lock()
	defer s.oidc.mu.Unlock()
	s.oidc.users = append([]OIDCUser(nil), users...)
}

func (p *oidcProvider) serveSeed(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	var seed struct {
		Users []OIDCUser `json:"users"`
	}
	if err != nil || json.Unmarshal(body, &seed) != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": `want {"users": [{"id": "U...", "name": "..."}]}`})
		return
	}
	p.s.SeedOIDCUsers(seed.Users)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "users": len(seed.Users)})
}

// authorizeRequest is what /authorize checks, as Slack's /openid/connect/authorize does.
func (p *oidcProvider) authorizeRequest(q url.Values) (string, error) {
	switch {
	case q.Get("response_type") != "code":
		return "", fmt.Errorf("response_type must be code")
	case q.Get("client_id") != p.s.opts.OIDCClientID:
		return "", fmt.Errorf("unknown client_id %q", q.Get("client_id"))
	case !hasScope(q.Get("scope"), "openid"):
		return "", fmt.Errorf("scope must include openid")
	case q.Get("code_challenge") != "" && q.Get("code_challenge_method") != "S256":
		return "", fmt.Errorf("code_challenge_method must be S256")
	}
	u, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("redirect_uri must be an absolute http(s) URL")
	}
	return u.String(), nil
}

func hasScope(scopes, want string) bool {
	for _, s := range strings.Fields(scopes) {
		if s == want {
			return true
		}
	}
	return false
}

var authorizePage = template.Must(template.New("authorize").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in with Slack (local stand-in)</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 2rem auto; padding: 0 1rem">
<main>
<h1>Sign in with Slack</h1>
<p>This is the local stand-in for Slack's OpenID provider. Choose who signs in.</p>
{{range .Users}}
<form method="post" action="authorize">{{template "params" $}}
<p><button type="submit" name="user" value="{{.ID}}">Sign in as {{.Name}} ({{.ID}})</button></p></form>
{{end}}
<form method="post" action="authorize">{{template "params" .}}
<p><label for="user">Another Slack user id</label> <input id="user" name="user" pattern="[UW][A-Z0-9]+" required> <button type="submit">Sign in</button></p></form>
<form method="post" action="authorize">{{template "params" .}}<input type="hidden" name="deny" value="1"><p><button type="submit">Cancel</button></p></form>
</main></body></html>
{{define "params"}}{{range $k, $v := .Params}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}{{end}}`))

func (p *oidcProvider) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	_, err := p.authorizeRequest(q)
	p.s.outbox.Record(Call{Service: "oidc", Method: r.Method, Path: "/authorize", API: "openid.connect.authorize", Authorized: err == nil, Status: statusOf(err), Request: flatten(q)})
	if err != nil {
		http.Error(w, "Sign in with Slack: "+err.Error(), http.StatusBadRequest)
		return
	}
	params := map[string]string{}
	for _, k := range []string{"response_type", "client_id", "scope", "redirect_uri", "state", "nonce", "code_challenge", "code_challenge_method"} {
		if v := q.Get(k); v != "" {
			params[k] = v
		}
	}
	p.mu.Lock()
	users := append([]OIDCUser(nil), p.users...)
	p.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = authorizePage.Execute(w, map[string]any{"Users": users, "Params": params})
}

func statusOf(err error) int {
	if err != nil {
		return http.StatusBadRequest
	}
	return http.StatusFound
}

func flatten(v url.Values) map[string]string {
	out := map[string]string{}
	for k := range v {
		out[k] = v.Get(k)
	}
	for _, k := range []string{"client_secret", "code_verifier", "code"} {
		if _, ok := out[k]; ok {
			out[k] = redacted
		}
	}
	return out
}

// serveChoose completes the authorize page: a code for the chosen user, or access_denied.
func (p *oidcProvider) serveChoose(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	f := r.PostForm
	redirect, err := p.authorizeRequest(f)
	if err != nil {
		http.Error(w, "Sign in with Slack: "+err.Error(), http.StatusBadRequest)
		return
	}
	back, _ := url.Parse(redirect)
	q := back.Query()
	if st := f.Get("state"); st != "" {
		q.Set("state", st)
	}
	user := strings.TrimSpace(f.Get("user"))
	if f.Get("deny") != "" || user == "" {
		q.Set("error", "access_denied")
		back.RawQuery = q.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
		return
	}
	code := randomID()
	p.mu.Lock()
	p.codes[code] = oidcCode{clientID: f.Get("client_id"), redirectURI: redirect, nonce: f.Get("nonce"), challenge: f.Get("code_challenge"), user: user, expires: p.s.now().Add(oidcCodeTTL)}
	p.mu.Unlock()
	q.Set("code", code)
	back.RawQuery = q.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func randomID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// serveToken exchanges a code for tokens, as openid.connect.token does.
func (p *oidcProvider) serveToken(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f := r.PostForm
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = f.Get("client_id"), f.Get("client_secret")
	}
	authorized := id == p.s.opts.OIDCClientID && subtle.ConstantTimeCompare([]byte(secret), []byte(p.s.opts.OIDCClientSecret)) == 1
	status, resp := p.token(r, f, id, authorized)
	p.s.outbox.Record(Call{Service: "oidc", Method: r.Method, Path: "/token", API: "openid.connect.token", Authorized: authorized, Status: status, Request: flatten(f), Response: redactToken(resp)})
	writeJSON(w, status, resp)
}

func redactToken(resp map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range resp {
		if k == "access_token" || k == "id_token" {
			v = redacted
		}
		out[k] = v
	}
	return out
}

func (p *oidcProvider) token(r *http.Request, f url.Values, clientID string, authorized bool) (int, map[string]any) {
	fail := func(status int, code, why string) (int, map[string]any) {
		return status, map[string]any{"ok": false, "error": code, "error_description": why}
	}
	if !authorized {
		return fail(http.StatusUnauthorized, "invalid_client", "client id or secret is wrong")
	}
	if f.Get("grant_type") != "authorization_code" {
		return fail(http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code")
	}
	p.mu.Lock()
	c, ok := p.codes[f.Get("code")]
	delete(p.codes, f.Get("code")) // single use, whatever happens next
	p.mu.Unlock()
	now := p.s.now()
	switch {
	case !ok:
		return fail(http.StatusBadRequest, "invalid_grant", "unknown or already used code")
	case now.After(c.expires):
		return fail(http.StatusBadRequest, "invalid_grant", "code expired")
	case c.clientID != clientID:
		return fail(http.StatusBadRequest, "invalid_grant", "code issued to another client")
	case f.Get("redirect_uri") != c.redirectURI:
		return fail(http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorize request's")
	case c.challenge != "" && pkceChallenge(f.Get("code_verifier")) != c.challenge:
		return fail(http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
	}
	idToken, err := p.idToken(r, c, now)
	if err != nil {
		return fail(http.StatusInternalServerError, "server_error", err.Error())
	}
	return http.StatusOK, map[string]any{"ok": true, "access_token": "xoxp-local-" + randomID(), "token_type": "Bearer", "expires_in": 3600, "id_token": idToken}
}

func pkceChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (p *oidcProvider) idToken(r *http.Request, c oidcCode, now time.Time) (string, error) {
	key, kid := p.signingKey()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	name := c.user
	p.mu.Lock()
	for _, u := range p.users {
		if u.ID == c.user {
			name = u.Name
		}
	}
	p.mu.Unlock()
	claims := map[string]any{
		"iss": issuer(r), "sub": c.user, "aud": c.clientID, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "auth_time": now.Unix(),
		"https://slack.com/user_id": c.user, "https://slack.com/team_id": OIDCTeamID, "name": name,
	}
	if c.nonce != "" {
		claims["nonce"] = c.nonce
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}
