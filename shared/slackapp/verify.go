// Package slackapp is Rituals' Slack app: request verification, the slash-command and
// interaction routers that features plug into, and Events API ingestion.
package slackapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/httpapi"
)

// MaxSkew is how far a request's X-Slack-Request-Timestamp may be from now (Slack's guidance:
// five minutes), which bounds replays of a captured request.
const MaxSkew = 5 * time.Minute

// Verify checks a Slack request's timestamp against now and its v0 signature over the raw body,
// before anything is parsed. Errors are *httpapi.Error with status 401 and a one-line reason.
func Verify(header func(string) string, body []byte, secret string, now time.Time) error {
	// An empty secret would accept any signature computed with an empty secret.
	if strings.TrimSpace(secret) == "" {
		return httpapi.Errorf(http.StatusInternalServerError, "the Slack signing secret is not configured")
	}
	ts := header("X-Slack-Request-Timestamp")
	if ts == "" {
		return httpapi.Unauthorized("missing X-Slack-Request-Timestamp header")
	}
	if header("X-Slack-Signature") == "" {
		return httpapi.Unauthorized("missing X-Slack-Signature header")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return httpapi.Unauthorized("X-Slack-Request-Timestamp is not a Unix time")
	}
	if skew := now.Sub(time.Unix(sec, 0)); skew > MaxSkew || skew < -MaxSkew {
		return httpapi.Unauthorized("request timestamp is more than 5 minutes from now (replayed, or the sender's clock is off)")
	}
	// The v0 signature is checked here rather than with slack.SecretsVerifier because that
	// verifier compares the timestamp with the wall clock, and the check above must use the
	// request's receipt time so that it can be tested with an injected clock.
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	want := "v0=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(header("X-Slack-Signature")), []byte(want)) {
		return httpapi.Unauthorized("signature does not match the body (check the signing secret)")
	}
	return nil
}

// verified is the part every Slack route shares: POST only, the size limit, then Verify at the
// request's receipt time. It returns the raw body and that time, or the answer to send instead.
func verified(req httpapi.Request, secret string, fallbackNow func() time.Time) ([]byte, time.Time, *httpapi.Response) {
	body, answer := httpapi.PostBody(req)
	if answer != nil {
		return nil, time.Time{}, answer
	}
	now := httpapi.ReceivedAt(req, fallbackNow)
	if err := Verify(httpapi.Headers(req), body, secret, now); err != nil {
		return nil, now, httpapi.FromError(err)
	}
	return body, now, nil
}
