package herald

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/rituals-dev/rituals/infra/signing"
	"github.com/rituals-dev/rituals/shared/httpapi"
)

var key = []byte("hmac-key")

func sig(s string) func(string) string {
	return func(k string) string {
		if k == SignatureHeader {
			return s
		}
		return ""
	}
}

func TestVerifyRealFormat(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("../../events/phabricator/task-edited.json")
	if err != nil {
		t.Fatal(err)
	}
	w, err := Verify(sig(signing.Phabricator(key, body)), body, key)
	if err != nil {
		t.Fatal(err)
	}
	if w.Object.Type != "TASK" || w.Object.PHID != "PHID-TASK-hx6dkiz2rxs7tzkpyyq2" || len(w.Transactions) != 2 || w.Action.Test {
		t.Fatalf("parsed %+v", w)
	}
	// Pretty-printed bytes are verified as sent: compacting them breaks the signature.
	compact := []byte(strings.Join(strings.Fields(string(body)), ""))
	if _, err := Verify(sig(signing.Phabricator(key, body)), compact, key); err == nil {
		t.Fatal("re-encoded body accepted with the original signature")
	}
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	body := []byte(`{"object":{"type":"TASK","phid":"PHID-TASK-1"},"transactions":[]}`)
	cases := []struct {
		name, sig string
		body      []byte
		status    int
		want      string
	}{
		{"missing", "", body, 401, "missing"},
		{"not hex", "xyz", body, 401, "hex"},
		{"wrong key", signing.Phabricator([]byte("k2"), body), body, 401, "does not match"},
		{"one byte changed", signing.Phabricator(key, body), append([]byte(`{"object":{"type":"TASK","phid":"PHID-TASK-2"}`), body[len(`{"object":{"type":"TASK","phid":"PHID-TASK-1"}`):]...), 401, "does not match"},
		{"not json", signing.Phabricator(key, []byte("nope")), []byte("nope"), 400, "not JSON"},
		{"no object", signing.Phabricator(key, []byte(`{}`)), []byte(`{}`), 400, "not a Herald webhook"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Verify(sig(tc.sig), tc.body, key)
			var he *httpapi.Error
			if !errors.As(err, &he) || he.Status != tc.status || !strings.Contains(he.Reason, tc.want) {
				t.Fatalf("err = %v, want %d %q", err, tc.status, tc.want)
			}
		})
	}
}

func TestDedupeKey(t *testing.T) {
	t.Parallel()
	parse := func(s string) Webhook {
		w, err := Parse([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	a := parse(`{"object":{"type":"TASK","phid":"P1"},"transactions":[{"phid":"X1"},{"phid":"X2"}]}`)
	b := parse(`{"object":{"type":"TASK","phid":"P1"},"transactions":[{"phid":"X2"},{"phid":"X1"}],"action":{"epoch":99}}`)
	c := parse(`{"object":{"type":"TASK","phid":"P1"},"transactions":[{"phid":"X1"}]}`)
	d := parse(`{"object":{"type":"TASK","phid":"P2"},"transactions":[{"phid":"X1"},{"phid":"X2"}]}`)
	if a.DedupeKey() != b.DedupeKey() {
		t.Error("transaction order changed the key")
	}
	if a.DedupeKey() == c.DedupeKey() || a.DedupeKey() == d.DedupeKey() {
		t.Error("different deliveries share a key")
	}
}

func FuzzVerify(f *testing.F) {
	seed, _ := os.ReadFile("../../events/phabricator/task-edited.json")
	f.Add(seed, "")
	f.Add([]byte(`{"object":{}}`), "00")
	f.Fuzz(func(t *testing.T, body []byte, s string) {
		_, err := Verify(sig(s), body, key)
		if s != signing.Phabricator(key, body) && err == nil {
			t.Fatal("forged signature accepted")
		}
		w, err := Verify(sig(signing.Phabricator(key, body)), body, key)
		if err == nil && (w.Object.PHID == "" || len(w.DedupeKey()) != 32) {
			t.Fatalf("accepted body without an object: %+v", w)
		}
	})
}

func FuzzParse(f *testing.F) {
	seed, _ := os.ReadFile("../../events/phabricator/test-request.json")
	f.Add(seed)
	f.Add([]byte(`{"object":{"type":"TASK","phid":"x"},"transactions":[{"phid":1}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		w, err := Parse(body)
		var he *httpapi.Error
		if err != nil && !errors.As(err, &he) {
			t.Fatalf("error is not an HTTP error: %v", err)
		}
		if err == nil {
			_ = w.DedupeKey()
		}
	})
}
