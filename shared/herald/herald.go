// Package herald verifies and parses Phabricator/Phorge Herald webhooks: the HMAC signature,
// the replay window of action.epoch, and the object and transactions a delivery names. It is
// all the webhook function needs of Phabricator, kept apart from package phab (Conduit, the
// task mirror, the team directory) so that function starts without them.
package herald

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/httpapi"
)

// SignatureHeader carries the bare lowercase hex HMAC-SHA256 of the raw body.
const SignatureHeader = "X-Phabricator-Webhook-Signature"

// Webhook is the part of a Herald webhook body Rituals reads.
type Webhook struct {
	Object struct {
		Type string `json:"type"`
		PHID string `json:"phid"`
	} `json:"object"`
	Triggers []struct {
		PHID string `json:"phid"`
	} `json:"triggers"`
	Action struct {
		Test   bool  `json:"test"`
		Silent bool  `json:"silent"`
		Secure bool  `json:"secure"`
		Epoch  int64 `json:"epoch"`
	} `json:"action"`
	Transactions []struct {
		PHID string `json:"phid"`
	} `json:"transactions"`
}

// Verify checks the signature over the raw bytes (Phabricator pretty-prints its JSON, so the
// body is never re-encoded before checking) and then parses it. Errors are *httpapi.Error:
// 401 for a missing or wrong signature, 400 for a body that is not a Herald webhook.
func Verify(header func(string) string, body, key []byte) (Webhook, error) {
	// An empty key would accept any signature computed with an empty key: refuse to verify.
	if len(bytes.TrimSpace(key)) == 0 {
		return Webhook{}, httpapi.Errorf(http.StatusInternalServerError, "the Herald webhook HMAC key is not configured")
	}
	sig := strings.TrimSpace(header(SignatureHeader))
	if sig == "" {
		return Webhook{}, httpapi.Unauthorized("missing " + SignatureHeader + " header (set the webhook's HMAC key)")
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return Webhook{}, httpapi.Unauthorized(SignatureHeader + " must be lowercase hex")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return Webhook{}, httpapi.Unauthorized("signature does not match the body (check the HMAC key)")
	}
	return Parse(body)
}

// Parse decodes a Herald webhook body that has already been verified.
func Parse(body []byte) (Webhook, error) {
	var w Webhook
	if err := json.Unmarshal(body, &w); err != nil {
		return Webhook{}, httpapi.BadRequest("body is not JSON: " + firstLine(err.Error()))
	}
	if w.Object.PHID == "" || w.Object.Type == "" {
		return Webhook{}, httpapi.BadRequest("body has no object.phid/object.type: not a Herald webhook")
	}
	return w, nil
}

// ReplayWindow bounds how old a delivery's action.epoch may be: Herald retries a failed
// delivery for up to 7 days, so a genuine one is at most that old (plus a day of slack); an
// older signed body is a replay. Epochs from the future beyond clock skew are refused too.
const ReplayWindow = 8 * 24 * time.Hour

// maxFutureSkew is how far ahead of the receipt time action.epoch may be.
const maxFutureSkew = 5 * time.Minute

// CheckEpoch refuses (401) a delivery whose signed action.epoch is outside the replay window
// around now, the receipt time.
func (w Webhook) CheckEpoch(now time.Time) error {
	if w.Action.Epoch <= 0 {
		return httpapi.BadRequest("body has no action.epoch: not a Herald webhook")
	}
	at := time.Unix(w.Action.Epoch, 0)
	switch age := now.Sub(at); {
	case age > ReplayWindow:
		return httpapi.Unauthorized(fmt.Sprintf("action.epoch is %s old, older than Herald retries (%s): a replayed delivery", age.Round(time.Hour), ReplayWindow))
	case age < -maxFutureSkew:
		return httpapi.Unauthorized("action.epoch is in the future (the sender's clock is off, or the body was forged)")
	}
	return nil
}

// DedupeKey identifies a delivery: Herald has no delivery id and retries for days, so the object
// and the set of transactions it reports (order-insensitive) identify the same delivery.
func (w Webhook) DedupeKey() string {
	phids := make([]string, 0, len(w.Transactions))
	for _, t := range w.Transactions {
		phids = append(phids, t.PHID)
	}
	sort.Strings(phids)
	sum := sha256.Sum256([]byte(w.Object.PHID + "|" + strings.Join(phids, ",")))
	return hex.EncodeToString(sum[:16])
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
