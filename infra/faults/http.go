package faults

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Outcomes of Apply, as the stand-ins record them on the call (Call.Fault).
const (
	// OutcomeGone is a slow call whose client gave up before it was served: not acted on.
	OutcomeGone = "slow, client gone"
)

// Apply injects f into one call of a stand-in, before the stand-in has acted on it. For a
// status fault it answers as the real service does when it refuses a call (a 429 with
// Retry-After and the service's own rate-limit body; a 5xx); for drop it closes the connection
// without answering; for slow it waits f.Delay. It returns what happened and whether the call
// was refused: a refused call must be neither acted on nor answered again (a slow call whose
// client has gone meanwhile is refused too, so that a call the client gave up on never acts).
func Apply(w http.ResponseWriter, r *http.Request, service string, f *APIFault) (outcome string, refused bool) {
	switch f.Fault {
	case Slow:
		// The server notices a client that has gone only once the body has been read.
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 16<<20))
		t := time.NewTimer(time.Duration(f.Delay))
		defer t.Stop()
		select {
		case <-t.C:
			return Slow, false
		case <-r.Context().Done():
			return OutcomeGone, true
		}
	case Drop:
		DropConnection(w)
		return Drop, true
	}
	status, _ := apiFaultStatus(f.Fault)
	h := w.Header()
	if status == http.StatusTooManyRequests {
		h.Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	switch service {
	case ServiceSlack:
		// Slack answers a rate-limited call with HTTP 429 and {"ok":false,"error":"ratelimited"};
		// its 5xx pages are not JSON.
		if status == http.StatusTooManyRequests {
			writeJSON(w, status, map[string]any{"ok": false, "error": "ratelimited"})
		} else {
			http.Error(w, http.StatusText(status), status)
		}
	case ServiceGitHub:
		if status == http.StatusTooManyRequests {
			// The secondary rate limit: go-github turns this into an AbuseRateLimitError with
			// RetryAfter from the header.
			writeJSON(w, status, map[string]any{
				"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
				"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
			})
		} else {
			writeJSON(w, status, map[string]any{"message": "Server Error"})
		}
	default:
		// Phabricator's rate limit and errors are HTML pages, not Conduit responses.
		http.Error(w, http.StatusText(status), status)
	}
	return f.Fault, true
}

// DropConnection closes the request's connection without writing a response.
func DropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// Not hijackable (HTTP/2): abort the handler, which resets the stream.
	panic(http.ErrAbortHandler)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
