package ghub

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/rituals-dev/rituals/infra/signing"
	"github.com/rituals-dev/rituals/shared/httpapi"
)

var secret = []byte("s3cret")

func headers(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestVerify(t *testing.T) {
	t.Parallel()
	body := []byte(`{"action":"opened"}`)
	form := []byte("payload=" + url.QueryEscape(string(body)))
	good := map[string]string{"Content-Type": "application/json", "X-GitHub-Event": "issues", "X-GitHub-Delivery": "d1", "X-Hub-Signature-256": signing.GitHub(secret, body)}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range good {
			m[a] = b
		}
		m[k] = v
		return m
	}
	cases := []struct {
		name   string
		h      map[string]string
		body   []byte
		status int
		want   string
	}{
		{"valid", good, body, 0, ""},
		{"valid with charset", with("Content-Type", "application/json; charset=utf-8"), body, 0, ""},
		{"form encoded", with("Content-Type", "application/x-www-form-urlencoded"), form, 0, ""},
		{"missing signature", with("X-Hub-Signature-256", ""), body, 401, "missing"},
		{"sha1 only", with("X-Hub-Signature-256", "sha1=abc"), body, 401, "sha256="},
		{"wrong", with("X-Hub-Signature-256", signing.GitHub([]byte("x"), body)), body, 401, "does not match"},
		{"one byte changed", good, []byte(`{"action":"openeD"}`), 401, "does not match"},
		{"bad content type", with("Content-Type", "text/plain"), body, 400, "Content-Type"},
		{"no event", with("X-GitHub-Event", ""), body, 400, "X-GitHub-Event"},
		{"long delivery", with("X-GitHub-Delivery", strings.Repeat("x", 129)), body, 400, "128"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := tc.h
			if tc.name == "form encoded" {
				h = with("Content-Type", "application/x-www-form-urlencoded")
				h["X-Hub-Signature-256"] = signing.GitHub(secret, form)
			}
			d, err := Verify(headers(h), tc.body, secret)
			if tc.status == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if string(d.Payload) != string(body) || d.ID != "d1" || d.Event != "issues" {
					t.Fatalf("delivery = %+v", d)
				}
				return
			}
			var he *httpapi.Error
			if !errors.As(err, &he) || he.Status != tc.status || !strings.Contains(he.Reason, tc.want) {
				t.Fatalf("err = %v, want %d containing %q", err, tc.status, tc.want)
			}
		})
	}
}

// FuzzVerify: arbitrary bodies and signatures never panic, a correct signature always verifies
// and any other signature never does.
func FuzzVerify(f *testing.F) {
	f.Add([]byte(`{"zen":"Keep it logically awesome."}`), "sha256=00")
	f.Add([]byte{}, "")
	f.Add([]byte("payload=%7B%7D"), "sha256=zz")
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		h := map[string]string{"Content-Type": "application/json", "X-GitHub-Event": "push", "X-GitHub-Delivery": "d"}
		h["X-Hub-Signature-256"] = sig
		_, err := Verify(headers(h), body, secret)
		if sig != signing.GitHub(secret, body) && err == nil {
			t.Fatalf("forged signature %q accepted", sig)
		}
		h["X-Hub-Signature-256"] = signing.GitHub(secret, body)
		if _, err := Verify(headers(h), body, secret); err != nil {
			t.Fatalf("valid signature rejected: %v", err)
		}
	})
}
