package web

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/securecookie"
)

// Cookie names. The __Host- prefix makes browsers refuse them unless Secure, on Path=/ and
// without a Domain: no other host (a sibling subdomain) can set or shadow them.
const (
	sessionCookie = "__Host-rituals"
	signinCookie  = "__Host-rituals-signin"
)

// Lifetimes: a session lasts a working day; a sign-in must come back from Slack within
// ten minutes.
const (
	SessionTTL = 8 * time.Hour
	signinTTL  = 10 * time.Minute
)

// Session is who is signed in. It travels in a cookie that is encrypted and authenticated
// (see Sessions), so the browser can neither read nor change it.
type Session struct {
	// Person is the config id and Slack the Slack user id the person signed in as; both must
	// still match the config on every request.
	Person string `json:"p"`
	Slack  string `json:"s"`
	// CSRF is the token every form of this session carries.
	CSRF string `json:"c"`
	// Expires is when the session ends (Unix seconds).
	Expires int64 `json:"e"`
}

// signin is what the browser carries to Slack and back: the OIDC state, nonce and PKCE
// verifier of one sign-in, and the page to return to.
type signin struct {
	State    string `json:"st"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"x"`
}

// Sessions encodes and decodes the cookies with gorilla/securecookie: an HMAC-SHA256 over the
// cookie's name, a timestamp and the AES-CTR encrypted value. The keys are derived with HKDF
// from the WEB_SESSION_KEY secret; several comma-separated secrets rotate keys (the first
// signs new cookies, all are accepted).
type Sessions struct {
	codecs []securecookie.Codec
	// Insecure drops the Secure attribute; only for plain-HTTP tests with clients that honour
	// it (browsers treat http://127.0.0.1 as secure and accept Secure cookies there).
	Insecure bool
}

// MinSecretBytes is the shortest WEB_SESSION_KEY accepted.
const MinSecretBytes = 32

// NewSessions derives the cookie keys from secrets (comma-separated, newest first).
func NewSessions(secrets string) (*Sessions, error) {
	var codecs []securecookie.Codec
	for _, s := range strings.Split(secrets, ",") {
		s = strings.TrimSpace(s)
		if len(s) < MinSecretBytes {
			return nil, fmt.Errorf("WEB_SESSION_KEY: each key must be at least %d characters (e.g. openssl rand -hex 32)", MinSecretBytes)
		}
		hash, err := hkdf.Key(sha256.New, []byte(s), nil, "rituals web cookie hmac", 32)
		if err != nil {
			return nil, err
		}
		block, err := hkdf.Key(sha256.New, []byte(s), nil, "rituals web cookie aes", 32)
		if err != nil {
			return nil, err
		}
		c := securecookie.New(hash, block)
		c.SetSerializer(securecookie.JSONEncoder{})
		c.MaxAge(int(SessionTTL / time.Second))
		codecs = append(codecs, c)
	}
	return &Sessions{codecs: codecs}, nil
}

func (s *Sessions) cookie(name, value string, maxAge time.Duration) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int(maxAge / time.Second),
		HttpOnly: true, Secure: !s.Insecure, SameSite: http.SameSiteLaxMode,
	}
}

func (s *Sessions) set(w http.ResponseWriter, name string, v any, maxAge time.Duration) error {
	enc, err := securecookie.EncodeMulti(name, v, s.codecs[0])
	if err != nil {
		return fmt.Errorf("encode %s cookie: %w", name, err)
	}
	http.SetCookie(w, s.cookie(name, enc, maxAge))
	return nil
}

func (s *Sessions) get(r *http.Request, name string, v any) bool {
	c, err := r.Cookie(name)
	if err != nil {
		return false
	}
	return securecookie.DecodeMulti(name, c.Value, v, s.codecs...) == nil
}

func (s *Sessions) clear(w http.ResponseWriter, name string) {
	c := s.cookie(name, "", 0)
	c.MaxAge = -1
	http.SetCookie(w, c)
}

// Start writes a new session for person into the response.
func (s *Sessions) Start(w http.ResponseWriter, person, slackID string, now time.Time) (Session, error) {
	sess := Session{Person: person, Slack: slackID, CSRF: randomToken(), Expires: now.Add(SessionTTL).Unix()}
	return sess, s.set(w, sessionCookie, sess, SessionTTL)
}

// Read returns the request's session, or false when there is none, it was tampered with, or
// it expired at now.
func (s *Sessions) Read(r *http.Request, now time.Time) (Session, bool) {
	var sess Session
	if !s.get(r, sessionCookie, &sess) || sess.Person == "" || now.Unix() >= sess.Expires {
		return Session{}, false
	}
	return sess, true
}

// End removes the session cookie.
func (s *Sessions) End(w http.ResponseWriter) { s.clear(w, sessionCookie) }

// Encode returns the cookie value of sess, for tests and tools that sign in without Slack.
func (s *Sessions) Encode(sess Session) (string, error) {
	return securecookie.EncodeMulti(sessionCookie, sess, s.codecs[0])
}

// CookieHeader is the Cookie request header carrying sess.
func (s *Sessions) CookieHeader(sess Session) (string, error) {
	v, err := s.Encode(sess)
	if err != nil {
		return "", err
	}
	return sessionCookie + "=" + v, nil
}

// errCSRF is a form whose token is not the session's.
var errCSRF = errors.New("form token does not match the session")

// checkCSRF compares a form's token with the session's in constant time.
func checkCSRF(sess Session, token string) error {
	if sess.CSRF == "" || subtle.ConstantTimeCompare([]byte(sess.CSRF), []byte(token)) != 1 {
		return errCSRF
	}
	return nil
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
