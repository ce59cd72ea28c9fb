// Package slackinstall is the Slack app's OAuth redirect route (GET /slack/oauth): when a
// person presses "Allow" on the install link `rituals setup slack` prints, Slack sends the
// browser here with a one-time code, which is exchanged (oauth.v2.access) for the bot token;
// the token is stored in SSM, where the functions read it and `rituals setup slack` waits for it.
//
// The link carries a state signed with the app's client secret and an expiry, so that only a
// link made by someone holding the client secret (the setup command) can install a token, and
// only for an hour.
package slackinstall

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// StateTTL is how long an install link made by SignState is valid.
const StateTTL = time.Hour

// ErrState is wrapped by CheckState's errors.
var ErrState = errors.New("install link not valid")

// SignState returns the OAuth state for an install link valid until expires.
func SignState(clientSecret string, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	return exp + "." + mac(clientSecret, exp)
}

func mac(secret, exp string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("rituals-slack-install:" + exp))
	return hex.EncodeToString(m.Sum(nil))
}

// CheckState verifies a state SignState made with clientSecret, at now.
func CheckState(clientSecret, state string, now time.Time) error {
	exp, sig, ok := strings.Cut(state, ".")
	unix, err := strconv.ParseInt(exp, 10, 64)
	if !ok || err != nil || sig == "" {
		return fmt.Errorf("%w: it has no valid state", ErrState)
	}
	if !hmac.Equal([]byte(sig), []byte(mac(clientSecret, exp))) {
		return fmt.Errorf("%w: it was not made for this app (or the app's client secret changed)", ErrState)
	}
	expires := time.Unix(unix, 0)
	if !now.Before(expires) {
		return fmt.Errorf("%w: it expired at %s", ErrState, expires.UTC().Format(time.RFC3339))
	}
	if expires.Sub(now) > StateTTL+time.Minute {
		return fmt.Errorf("%w: its expiry is too far ahead", ErrState)
	}
	return nil
}
