// Package signing signs requests the way GitHub, Phabricator and Slack do, so that `rituals
// send`, the end-to-end tests and the benchmarks exercise the real verification path.
package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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
