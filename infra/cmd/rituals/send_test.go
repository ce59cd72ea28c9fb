package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/infra/localrun"
	"github.com/rituals-dev/rituals/infra/signing"
)

type received struct {
	path   string
	header http.Header
	body   []byte
}

func sendServer(t *testing.T, status int) (*httptest.Server, *received) {
	t.Helper()
	got := &received{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.path, got.header = r.URL.Path, r.Header.Clone()
		got.body, _ = io.ReadAll(r.Body)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "payload.json")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func testEnv(stdout io.Writer, getenv map[string]string, now time.Time) sendEnv {
	return sendEnv{stdout: stdout, stderr: io.Discard, getenv: func(k string) string { return getenv[k] }, now: now, client: http.DefaultClient}
}

func TestSendGitHub(t *testing.T) {
	t.Parallel()
	srv, got := sendServer(t, 202)
	// Pretty-printed on purpose: the exact bytes are signed and sent.
	payload := "{\n  \"action\": \"opened\"\n}\n"
	file := writeFile(t, payload)
	var out bytes.Buffer
	err := runSend(context.Background(), []string{"github", "issues", file, "-url", srv.URL, "-delivery", "d-1"}, testEnv(&out, nil, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	secret := localrun.DefaultSecrets["GITHUB_WEBHOOK_SECRET"]
	checks := map[string]string{
		"path":                got.path,
		"X-GitHub-Event":      got.header.Get("X-GitHub-Event"),
		"X-GitHub-Delivery":   got.header.Get("X-GitHub-Delivery"),
		"Content-Type":        got.header.Get("Content-Type"),
		"User-Agent":          got.header.Get("User-Agent"),
		"X-Hub-Signature-256": got.header.Get("X-Hub-Signature-256"),
		"body":                string(got.body),
	}
	want := map[string]string{
		"path": "/webhooks/github", "X-GitHub-Event": "issues", "X-GitHub-Delivery": "d-1", "Content-Type": "application/json",
		"User-Agent": "GitHub-Hookshot/rituals-send", "X-Hub-Signature-256": signing.GitHub([]byte(secret), []byte(payload)), "body": payload,
	}
	for k, v := range want {
		if checks[k] != v {
			t.Errorf("%s = %q, want %q", k, checks[k], v)
		}
	}
	if !strings.Contains(out.String(), "202 Accepted") || !strings.Contains(out.String(), `{"ok":true}`) {
		t.Errorf("printed %q", out.String())
	}

	// Without -delivery a random UUID is used; -secret and the environment override the default.
	err = runSend(context.Background(), []string{"github", "-secret", "s3cret", "ping", file, "-url", srv.URL}, testEnv(io.Discard, nil, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.header.Get("X-GitHub-Delivery")) != 36 || got.header.Get("X-Hub-Signature-256") != signing.GitHub([]byte("s3cret"), []byte(payload)) {
		t.Errorf("delivery %q signature %q", got.header.Get("X-GitHub-Delivery"), got.header.Get("X-Hub-Signature-256"))
	}
}

func TestSendPhabricator(t *testing.T) {
	t.Parallel()
	srv, got := sendServer(t, 202)
	payload := `{"object":{"type":"TASK","phid":"PHID-TASK-1"}}`
	env := map[string]string{"PHABRICATOR_WEBHOOK_HMAC_KEY": "from-env"}
	if err := runSend(context.Background(), []string{"phabricator", writeFile(t, payload), "-url", srv.URL}, testEnv(io.Discard, env, time.Now())); err != nil {
		t.Fatal(err)
	}
	if got.path != "/webhooks/phabricator" || got.header.Get("X-Phabricator-Webhook-Signature") != signing.Phabricator([]byte("from-env"), []byte(payload)) {
		t.Errorf("path %s signature %q", got.path, got.header.Get("X-Phabricator-Webhook-Signature"))
	}
}

func TestSendSlack(t *testing.T) {
	t.Parallel()
	now := time.Unix(1700000000, 0)
	secret := localrun.DefaultSecrets["SLACK_SIGNING_SECRET"]
	cases := []struct {
		name     string
		args     func(file string) []string
		file     string
		path, ct string
		check    func(t *testing.T, body []byte)
	}{
		{
			name: "slash command",
			args: func(string) []string {
				return []string{"slack", "command", "/rituals help me", "-user", "U123", "-channel", "C9"}
			},
			path: "/slack/commands", ct: "application/x-www-form-urlencoded",
			check: func(t *testing.T, body []byte) {
				form, err := url.ParseQuery(string(body))
				if err != nil {
					t.Fatal(err)
				}
				if form.Get("command") != "/rituals" || form.Get("text") != "help me" || form.Get("user_id") != "U123" || form.Get("channel_id") != "C9" ||
					form.Get("team_id") == "" || form.Get("trigger_id") == "" || !strings.Contains(form.Get("response_url"), "/_standins/slack/response/") {
					t.Errorf("form %v", form)
				}
			},
		},
		{
			name: "interaction",
			args: func(f string) []string { return []string{"slack", "interaction", f} },
			file: `{"type":"block_actions","user":{"id":"U1"}}`,
			path: "/slack/interactions", ct: "application/x-www-form-urlencoded",
			check: func(t *testing.T, body []byte) {
				form, _ := url.ParseQuery(string(body))
				if form.Get("payload") != `{"type":"block_actions","user":{"id":"U1"}}` {
					t.Errorf("payload %q", form.Get("payload"))
				}
			},
		},
		{
			name: "event",
			args: func(f string) []string { return []string{"slack", "event", f} },
			file: `{"type":"event_callback","event":{"type":"app_home_opened"}}`,
			path: "/slack/events", ct: "application/json",
			check: func(t *testing.T, body []byte) {
				if string(body) != `{"type":"event_callback","event":{"type":"app_home_opened"}}` {
					t.Errorf("body %s", body)
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv, got := sendServer(t, 200)
			file := ""
			if c.file != "" {
				file = writeFile(t, c.file)
			}
			args := append(c.args(file), "-url", srv.URL)
			if err := runSend(context.Background(), args, testEnv(io.Discard, nil, now)); err != nil {
				t.Fatal(err)
			}
			ts, sig := signing.Slack(secret, got.body, now)
			if got.path != c.path || got.header.Get("Content-Type") != c.ct || got.header.Get("X-Slack-Request-Timestamp") != ts || got.header.Get("X-Slack-Signature") != sig {
				t.Errorf("path %s content-type %s ts %s sig %s", got.path, got.header.Get("Content-Type"), got.header.Get("X-Slack-Request-Timestamp"), got.header.Get("X-Slack-Signature"))
			}
			c.check(t, got.body)
		})
	}
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	srv, _ := sendServer(t, 401)
	file := writeFile(t, `{}`)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"nothing", nil, "say what to send"},
		{"unknown sender", []string{"gitlab", file}, "unknown sender"},
		{"github needs two arguments", []string{"github", file}, "want <event> <file>"},
		{"missing file", []string{"phabricator", "/nonexistent.json"}, "no such file"},
		{"command without slash", []string{"slack", "command", "rituals help"}, "does not start with /"},
		{"unknown slack kind", []string{"slack", "shortcut", file}, "unknown kind"},
		{"interaction not JSON", []string{"slack", "interaction", writeFile(t, "nope")}, "is not JSON"},
		{"non-2xx is an error", []string{"github", "issues", file, "-url", srv.URL}, "401"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := runSend(context.Background(), c.args, testEnv(io.Discard, nil, time.Now()))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
}
