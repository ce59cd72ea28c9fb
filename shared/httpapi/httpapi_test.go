package httpapi_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/httpapi"
	"github.com/rituals-dev/rituals/shared/httpapi/apitest"
)

func TestPostBody(t *testing.T) {
	at := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	body, answer := httpapi.PostBody(apitest.Request(http.MethodPost, "/x", nil, []byte(`{"a":1}`), at))
	if answer != nil || string(body) != `{"a":1}` {
		t.Fatalf("POST: body %q, answer %+v", body, answer)
	}
	_, answer = httpapi.PostBody(apitest.Request(http.MethodGet, "/x", nil, nil, at))
	if answer == nil || answer.StatusCode != http.StatusMethodNotAllowed || answer.Headers["Allow"] != http.MethodPost {
		t.Fatalf("GET answered %+v, want 405 with Allow: POST", answer)
	}
	_, answer = httpapi.PostBody(apitest.Request(http.MethodPost, "/x", nil, bytes.Repeat([]byte("x"), httpapi.MaxBody+1), at))
	if answer == nil || answer.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized body answered %+v, want 413", answer)
	}
}

func TestHeadersIgnoresCase(t *testing.T) {
	req := apitest.Request(http.MethodPost, "/x", map[string]string{"X-Hub-Signature-256": "sha256=ab"}, nil, time.Now())
	if got := httpapi.Headers(req)("X-HUB-SIGNATURE-256"); got != "sha256=ab" {
		t.Fatalf("got %q", got)
	}
}
