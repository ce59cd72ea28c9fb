package ingest_test

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/infra/signing"
	"github.com/rituals-dev/rituals/shared/herald"
	"github.com/rituals-dev/rituals/shared/httpapi"
	"github.com/rituals-dev/rituals/shared/httpapi/apitest"
	"github.com/rituals-dev/rituals/shared/ingest"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

var hmacKey = []byte("test-phabricator-key")

func phabRequest(body []byte, sig string) httpapi.Request {
	return apitest.Request(http.MethodPost, "/webhooks/phabricator", map[string]string{
		"Content-Type":                    "application/json",
		"X-Phabricator-Webhook-Signature": sig,
	}, body, at)
}

func TestPhabricatorWebhook(t *testing.T) {
	t.Parallel()
	// Herald stamps action.epoch when it sends: the samples are sent at the test's time.
	edited := signing.HeraldAt(fixture(t, "phabricator/task-edited.json"), at)
	testCall := signing.HeraldAt(fixture(t, "phabricator/test-request.json"), at)
	replayed := signing.HeraldAt(edited, at.Add(-herald.ReplayWindow-time.Hour))
	future := signing.HeraldAt(edited, at.Add(time.Hour))
	lastRetry := signing.HeraldAt(edited, at.Add(-7*24*time.Hour))
	// The same delivery retried with its transactions listed in another order.
	reordered := []byte(strings.Replace(strings.Replace(string(edited), "5mkjsyf6hlpclbx", "TMP", 1), "q2fzanesyjwmb3c", "5mkjsyf6hlpclbx", 1))
	reordered = []byte(strings.Replace(string(reordered), "TMP", "q2fzanesyjwmb3c", 1))
	tampered := append([]byte{}, edited...)
	tampered[10] ^= 1
	type step struct {
		body   []byte
		sig    string
		status int
		want   string
	}
	sign := func(b []byte) string { return signing.Phabricator(hmacKey, b) }
	cases := []struct {
		name   string
		steps  []step
		stored int
		test   bool
	}{
		{"new then retried", []step{{edited, sign(edited), 202, "accepted"}, {edited, sign(edited), 200, "duplicate"}}, 1, false},
		{"retry with transactions reordered is a duplicate", []step{{edited, sign(edited), 202, "accepted"}, {reordered, sign(reordered), 200, "duplicate"}}, 1, false},
		{"test call is marked", []step{{testCall, sign(testCall), 202, `"test":true`}}, 1, true},
		{"one byte changed", []step{{tampered, sign(edited), 401, "signature does not match"}}, 0, false},
		{"missing signature", []step{{edited, "", 401, "missing X-Phabricator-Webhook-Signature"}}, 0, false},
		{"signature not hex", []step{{edited, "zz", 401, "hex"}}, 0, false},
		{"signed but not a Herald body", []step{{[]byte(`{"a":1}`), sign([]byte(`{"a":1}`)), 400, "not a Herald webhook"}}, 0, false},
		{"replayed after Herald's retries ended", []step{{replayed, sign(replayed), 401, "a replayed delivery"}}, 0, false},
		{"epoch from the future", []step{{future, sign(future), 401, "in the future"}}, 0, false},
		{"Herald's last retry is accepted", []step{{lastRetry, sign(lastRetry), 202, "accepted"}}, 1, false},
		{"no epoch", []step{{noEpoch(t, edited), sign(noEpoch(t, edited)), 400, "no action.epoch"}}, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client, tables := dynamotest.New(t)
			events := store.Events{API: client, Table: tables.Events}
			h := ingest.Phabricator{Key: hmacKey, Events: events, Log: quiet, Now: func() time.Time { return at }}
			for i, s := range tc.steps {
				resp, _ := h.Handle(context.Background(), phabRequest(s.body, s.sig))
				if resp.StatusCode != s.status || !strings.Contains(resp.Body, s.want) {
					t.Fatalf("step %d: got %d %q, want %d containing %q", i, resp.StatusCode, resp.Body, s.status, s.want)
				}
			}
			if n := countItems(t, client, tables.Events); n != tc.stored {
				t.Fatalf("stored %d, want %d", n, tc.stored)
			}
			if tc.stored == 1 {
				resp, _ := h.Handle(context.Background(), phabRequest(tc.steps[0].body, tc.steps[0].sig))
				key := strings.Split(strings.Split(resp.Body, `"delivery":"`)[1], `"`)[0]
				e, err := events.GetEvent(context.Background(), "phabricator#"+key)
				if err != nil {
					t.Fatal(err)
				}
				if e.Test != tc.test || string(e.Payload) != string(tc.steps[0].body) {
					t.Errorf("stored test=%v payload-equal=%v", e.Test, string(e.Payload) == string(tc.steps[0].body))
				}
			}
		})
	}
}

// noEpoch is body without action.epoch.
func noEpoch(t *testing.T, body []byte) []byte {
	t.Helper()
	out := regexp.MustCompile(`,?\s*"epoch"\s*:\s*\d+`).ReplaceAll(body, nil)
	if bytes.Equal(out, body) {
		t.Fatal("no epoch in the sample")
	}
	return out
}

// TestEmptySecretsVerifyNothing: a function whose secret is empty refuses every request (an
// empty HMAC key would accept signatures anybody can compute).
func TestEmptySecretsVerifyNothing(t *testing.T) {
	t.Parallel()
	body := signing.HeraldAt(fixture(t, "phabricator/task-edited.json"), at)
	h := ingest.Phabricator{Key: []byte(" "), Events: nil, Log: quiet}
	resp, err := h.Handle(context.Background(), phabRequest(body, signing.Phabricator([]byte(" "), body)))
	if err != nil || resp.StatusCode != http.StatusInternalServerError || !strings.Contains(resp.Body, "not configured") {
		t.Fatalf("Herald with an empty key: %d %q %v", resp.StatusCode, resp.Body, err)
	}
	gh := ingest.GitHub{Secret: nil, Events: nil, Log: quiet}
	push := fixture(t, "github/push.json")
	resp, err = gh.Handle(context.Background(), apitest.Request(http.MethodPost, "/webhooks/github", map[string]string{
		"Content-Type": "application/json", "X-GitHub-Event": "push", "X-GitHub-Delivery": "d1",
		"X-Hub-Signature-256": signing.GitHub(nil, push),
	}, push, at))
	if err != nil || resp.StatusCode != http.StatusInternalServerError || !strings.Contains(resp.Body, "not configured") {
		t.Fatalf("GitHub with an empty secret: %d %q %v", resp.StatusCode, resp.Body, err)
	}
}
