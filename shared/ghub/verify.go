// Package ghub holds Rituals' GitHub side: webhook verification and the REST client the
// features use.
package ghub

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/rituals-dev/rituals/shared/httpapi"
)

// Delivery is a verified webhook delivery.
type Delivery struct {
	// ID is X-GitHub-Delivery: the same on a redelivery, so it is the idempotency key.
	ID string
	// Event is X-GitHub-Event.
	Event string
	// Payload is the JSON payload (for form-encoded deliveries, the decoded payload field).
	Payload []byte
}

// Verify checks X-Hub-Signature-256 over the raw body before anything is parsed and returns the
// delivery. Errors are *httpapi.Error: 401 when the signature is missing or wrong, 400 when a
// required header is missing or the content type is not one GitHub sends, 500 when secret is
// empty (nothing is accepted then).
func Verify(header func(string) string, body, secret []byte) (Delivery, error) {
	// An empty key would accept any signature computed with an empty key: refuse to verify.
	if len(bytes.TrimSpace(secret)) == 0 {
		return Delivery{}, httpapi.Errorf(http.StatusInternalServerError, "the GitHub webhook secret is not configured")
	}
	sig := header("X-Hub-Signature-256")
	if sig == "" {
		return Delivery{}, httpapi.Unauthorized("missing X-Hub-Signature-256 header (set a secret on the GitHub webhook)")
	}
	if !strings.HasPrefix(sig, "sha256=") {
		return Delivery{}, httpapi.Unauthorized("X-Hub-Signature-256 must be sha256=<hex>")
	}
	ct := header("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	if ct != "application/json" && ct != "application/x-www-form-urlencoded" {
		return Delivery{}, httpapi.Errorf(http.StatusBadRequest, "unsupported Content-Type %q: use application/json", ct)
	}
	payload, err := github.ValidatePayloadFromBody(ct, bytes.NewReader(body), sig, secret)
	if err != nil {
		return Delivery{}, httpapi.Unauthorized("signature does not match the body (check the webhook secret)")
	}
	d := Delivery{ID: header("X-GitHub-Delivery"), Event: header("X-GitHub-Event"), Payload: payload}
	if d.Event == "" {
		return Delivery{}, httpapi.BadRequest("missing X-GitHub-Event header")
	}
	if d.ID == "" {
		return Delivery{}, httpapi.BadRequest("missing X-GitHub-Delivery header")
	}
	if len(d.ID) > 128 {
		return Delivery{}, httpapi.BadRequest("X-GitHub-Delivery longer than 128 characters")
	}
	return d, nil
}
