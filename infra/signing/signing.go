// Package signing signs requests the way GitHub, Phabricator and Slack do, so that `rituals
// send`, the end-to-end tests and the benchmarks exercise the real verification path.
package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strconv"
	"time"
)

// GitHub returns the X-Hub-Signature-256 value for body: "sha256=" + hex HMAC-SHA256.
func GitHub(secret, body []byte) string {
	return "sha256=" + hexMAC(secret, body)
}

// Phabricator returns the X-Phabricator-Webhook-Signature value: bare lowercase hex HMAC-SHA256.
func Phabricator(key, body []byte) string {
	return hexMAC(key, body)
}

// Slack returns the X-Slack-Request-Timestamp and X-Slack-Signature values for body sent at t.
func Slack(secret string, body []byte, t time.Time) (timestamp, signature string) {
	timestamp = strconv.FormatInt(t.Unix(), 10)
	base := append([]byte("v0:"+timestamp+":"), body...)
	return timestamp, "v0=" + hexMAC([]byte(secret), base)
}

func hexMAC(key, msg []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil))
}

// heraldEpoch finds a Herald body's action.epoch, whatever Phabricator's pretty-printing.
var heraldEpoch = regexp.MustCompile(`("epoch"\s*:\s*)\d+`)

// HeraldAt returns body with its action.epoch set to t, the way Herald stamps a delivery when
// it sends it; the rest of the bytes (and their pretty-printing) are kept. Saved sample bodies
// carry the epoch of when they were captured, which the webhook's replay window refuses.
func HeraldAt(body []byte, t time.Time) []byte {
	return heraldEpoch.ReplaceAll(body, []byte("${1}"+strconv.FormatInt(t.Unix(), 10)))
}
