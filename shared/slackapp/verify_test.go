package slackapp

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/infra/signing"
	"github.com/rituals-dev/rituals/shared/httpapi"
)

const secret = "slack-signing-secret"

var now = time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)

func signed(body []byte, at time.Time) func(string) string {
	ts, sig := signing.Slack(secret, body, at)
	return func(k string) string {
		switch k {
		case "X-Slack-Request-Timestamp":
			return ts
		case "X-Slack-Signature":
			return sig
		}
		return ""
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	body := []byte("command=%2Frituals&text=help")
	cases := []struct {
		name   string
		header func(string) string
		body   []byte
		want   string
	}{
		{"fresh", signed(body, now), body, ""},
		{"299 s old", signed(body, now.Add(-299*time.Second)), body, ""},
		{"301 s old", signed(body, now.Add(-301*time.Second)), body, "more than 5 minutes"},
		{"301 s ahead", signed(body, now.Add(301*time.Second)), body, "more than 5 minutes"},
		{"one byte changed", signed(body, now), []byte("command=%2Frituals&text=helq"), "does not match"},
		{"no timestamp", func(k string) string {
			if k == "X-Slack-Signature" {
				return "v0=00"
			}
			return ""
		}, body, "missing X-Slack-Request-Timestamp"},
		{"no signature", func(k string) string {
			if k == "X-Slack-Request-Timestamp" {
				return "1"
			}
			return ""
		}, body, "missing X-Slack-Signature"},
		{"timestamp not a number", func(k string) string {
			return map[string]string{"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=1"}[k]
		}, body, "not a Unix time"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := Verify(tc.header, tc.body, secret, now)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var he *httpapi.Error
			if !errors.As(err, &he) || he.Status != 401 || !strings.Contains(he.Reason, tc.want) {
				t.Fatalf("err = %v, want 401 containing %q", err, tc.want)
			}
		})
	}
}

// TestVerifyRefusesAnEmptySecret: with no signing secret configured nothing is accepted, not
// even a request signed with the empty secret.
func TestVerifyRefusesAnEmptySecret(t *testing.T) {
	t.Parallel()
	body := []byte("command=%2Frituals&text=help")
	ts, sig := signing.Slack("", body, now)
	err := Verify(func(k string) string {
		return map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}[k]
	}, body, "", now)
	var he *httpapi.Error
	if !errors.As(err, &he) || he.Status != 500 || !strings.Contains(he.Reason, "not configured") {
		t.Fatalf("err = %v, want 500 not configured", err)
	}
}

func FuzzVerify(f *testing.F) {
	f.Add([]byte("payload=%7B%7D"), "v0=00", int64(0))
	f.Add([]byte{}, "", int64(-400))
	f.Fuzz(func(t *testing.T, body []byte, sig string, offset int64) {
		at := now.Add(time.Duration(offset%1000) * time.Second)
		ts, good := signing.Slack(secret, body, at)
		h := func(k string) string {
			if k == "X-Slack-Request-Timestamp" {
				return ts
			}
			if k == "X-Slack-Signature" {
				return sig
			}
			return ""
		}
		err := Verify(h, body, secret, now)
		if err == nil && (sig != good || now.Sub(at) > MaxSkew || at.Sub(now) > MaxSkew) {
			t.Fatalf("accepted sig=%q offset=%d", sig, offset)
		}
	})
}
