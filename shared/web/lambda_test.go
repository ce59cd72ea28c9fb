package web

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/httpapi"
	"github.com/rituals-dev/rituals/shared/httpapi/apitest"
)

// TestLambdaAdapter: an API Gateway request becomes the http.Request the pages expect (path,
// query, cookies, body as sent, the domain as Host, the stamped time) and the response comes
// back with its status, headers and every Set-Cookie.
func TestLambdaAdapter(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	var seen *http.Request
	var body string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
		w.Header().Set("X-Test", "yes")
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte("héllo"))
	})
	req := apitest.Request(http.MethodPost, "/app/people/al%20ice", map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-Proto": "https"}, nil, at)
	req.RawQueryString = "client=acme&from=2026-11-01"
	req.Cookies = []string{"__Host-rituals=abc", "other=def"}
	req.Body, req.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte("comment=hi+there")), true
	req.RequestContext.DomainName = "abc.execute-api.eu-west-1.amazonaws.com"
	resp, err := Lambda(h, func() time.Time { t.Fatal("the fallback clock was read"); return time.Time{} })(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if seen.URL.Path != "/app/people/al ice" || seen.URL.Query().Get("client") != "acme" || seen.Host != "abc.execute-api.eu-west-1.amazonaws.com" || seen.Method != http.MethodPost {
		t.Errorf("request %s %s host %s", seen.Method, seen.URL, seen.Host)
	}
	if c, err := seen.Cookie("__Host-rituals"); err != nil || c.Value != "abc" {
		t.Errorf("cookie: %v %v", c, err)
	}
	if body != "comment=hi+there" {
		t.Errorf("body %q", body)
	}
	if got := receivedAt(seen, nil); !got.Equal(at) {
		t.Errorf("received at %v, want %v", got, at)
	}
	if resp.StatusCode != http.StatusTeapot || resp.Headers["X-Test"] != "yes" || resp.Body != "héllo" || resp.IsBase64Encoded || len(resp.Cookies) != 2 || resp.Cookies[1] != "b=2" {
		t.Errorf("response %+v", resp)
	}
	big := req
	big.Body, big.IsBase64Encoded = string(make([]byte, httpapi.MaxBody+10)), false
	if resp, _ := Lambda(h, time.Now)(context.Background(), big); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d", resp.StatusCode)
	}
}
