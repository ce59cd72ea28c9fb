package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/infra/localrun"
	"github.com/rituals-dev/rituals/infra/signing"
	"github.com/rituals-dev/rituals/infra/standins"
)

const sendUsage = `usage:
  rituals send github <event> <file> [-delivery ID] [-secret S] [-url URL]
  rituals send phabricator <file> [-secret S] [-url URL]
  rituals send slack command "/rituals help" [-user U] [-channel C] [-secret S] [-url URL]
  rituals send slack interaction <payload.json> [-secret S] [-url URL]
  rituals send slack event <event.json> [-secret S] [-url URL]

Each request is signed the way the real sender signs it, with the same local secrets the
runner gives the functions (GITHUB_WEBHOOK_SECRET, PHABRICATOR_WEBHOOK_HMAC_KEY,
SLACK_SIGNING_SECRET, or their local defaults). The URL defaults to http://127.0.0.1:$PORT
(3000). The answer's status and body are printed; a non-2xx status is an error.
`

// sendEnv is what `rituals send` takes from its surroundings, so that tests can pass their own.
type sendEnv struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	now            time.Time
	client         *http.Client
}

func sendCommand(args []string) error {
	return runSend(context.Background(), args, sendEnv{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, now: time.Now(), client: &http.Client{Timeout: 30 * time.Second}})
}

// sendFlags are the flags every sender takes; each uses the ones that apply.
type sendFlags struct {
	url, secret, delivery, user, channel string
}

// parseInterspersed parses flags placed before, between or after the positional arguments.
func parseInterspersed(fl *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fl.Parse(args); err != nil {
			return nil, err
		}
		args = fl.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func runSend(ctx context.Context, args []string, env sendEnv) error {
	if len(args) == 0 {
		fmt.Fprint(env.stderr, sendUsage)
		return errors.New("send: say what to send: github, phabricator or slack")
	}
	port := env.getenv("PORT")
	if port == "" {
		port = "3000"
	}
	var f sendFlags
	fl := flag.NewFlagSet("send "+args[0], flag.ContinueOnError)
	fl.SetOutput(env.stderr)
	fl.Usage = func() { fmt.Fprint(env.stderr, sendUsage) }
	fl.StringVar(&f.url, "url", "http://127.0.0.1:"+port, "base URL of the local stack")
	fl.StringVar(&f.secret, "secret", "", "signing secret (default: the runner's local secret)")
	fl.StringVar(&f.delivery, "delivery", "", "X-GitHub-Delivery (default: a random UUID)")
	fl.StringVar(&f.user, "user", "U0LOCALUSER", "Slack user id of a slash command")
	fl.StringVar(&f.channel, "channel", "C0LOCALCHAN", "Slack channel id of a slash command")
	pos, err := parseInterspersed(fl, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	secrets := localrun.Secrets(env.getenv)
	secret := func(name string) string {
		if f.secret != "" {
			return f.secret
		}
		return secrets[name]
	}
	base := strings.TrimSuffix(f.url, "/")
	var req *http.Request
	switch args[0] {
	case "github":
		if len(pos) != 2 {
			return errors.New("send github: want <event> <file>")
		}
		req, err = githubRequest(ctx, base, pos[0], pos[1], f.delivery, secret("GITHUB_WEBHOOK_SECRET"))
	case "phabricator":
		if len(pos) != 1 {
			return errors.New("send phabricator: want <file>")
		}
		req, err = phabricatorRequest(ctx, base, pos[0], secret("PHABRICATOR_WEBHOOK_HMAC_KEY"))
	case "slack":
		if len(pos) != 2 {
			return errors.New("send slack: want command \"/cmd text\", interaction <file> or event <file>")
		}
		req, err = slackRequest(ctx, base, pos[0], pos[1], f, secret("SLACK_SIGNING_SECRET"), env.now)
	default:
		fmt.Fprint(env.stderr, sendUsage)
		return fmt.Errorf("send: unknown sender %q (github, phabricator or slack)", args[0])
	}
	if err != nil {
		return err
	}
	return do(env, req)
}

func readPayload(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("send: %w", err)
	}
	return b, nil
}

// githubRequest signs the file's exact bytes as GitHub does.
func githubRequest(ctx context.Context, base, event, path, delivery, secret string) (*http.Request, error) {
	body, err := readPayload(path)
	if err != nil {
		return nil, err
	}
	if delivery == "" {
		delivery = randomUUID()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/webhooks/github", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/rituals-send")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", delivery)
	req.Header.Set("X-GitHub-Hook-ID", "0")
	req.Header.Set("X-Hub-Signature-256", signing.GitHub([]byte(secret), body))
	return req, nil
}

// phabricatorRequest stamps the file with the current epoch and signs its bytes as Herald does
// (bare hex HMAC-SHA256).
func phabricatorRequest(ctx context.Context, base, path, key string) (*http.Request, error) {
	body, err := readPayload(path)
	if err != nil {
		return nil, err
	}
	// Herald stamps action.epoch when it sends; the webhook refuses bodies outside its window.
	body = signing.HeraldAt(body, time.Now())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/webhooks/phabricator", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Phabricator/rituals-send")
	req.Header.Set("X-Phabricator-Webhook-Signature", signing.Phabricator([]byte(key), body))
	return req, nil
}

// slackRequest builds a signed slash command, interaction or Events API request.
func slackRequest(ctx context.Context, base, kind, arg string, f sendFlags, secret string, now time.Time) (*http.Request, error) {
	var body []byte
	var path, contentType string
	switch kind {
	case "command":
		cmd, text, _ := strings.Cut(strings.TrimSpace(arg), " ")
		if !strings.HasPrefix(cmd, "/") {
			return nil, fmt.Errorf("send slack command: %q does not start with /", arg)
		}
		form := slashCommandForm(base, cmd, strings.TrimSpace(text), f.user, f.channel)
		body, path, contentType = []byte(form.Encode()), "/slack/commands", "application/x-www-form-urlencoded"
	case "interaction":
		raw, err := readPayload(arg)
		if err != nil {
			return nil, err
		}
		if !json.Valid(raw) {
			return nil, fmt.Errorf("send slack interaction: %s is not JSON", arg)
		}
		body, path, contentType = []byte(url.Values{"payload": {string(raw)}}.Encode()), "/slack/interactions", "application/x-www-form-urlencoded"
	case "event":
		raw, err := readPayload(arg)
		if err != nil {
			return nil, err
		}
		body, path, contentType = raw, "/slack/events", "application/json"
	default:
		return nil, fmt.Errorf("send slack: unknown kind %q (command, interaction or event)", kind)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	ts, sig := signing.Slack(secret, body, now)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	return req, nil
}

// slashCommandForm is the body Slack posts for a slash command, with a response_url served by
// the local Slack stand-in.
func slashCommandForm(base, command, text, user, channel string) url.Values {
	return url.Values{
		"token":                 {"local-verification-token"},
		"team_id":               {standins.SlackTeamID},
		"team_domain":           {"rituals-local"},
		"channel_id":            {channel},
		"channel_name":          {"local-" + strings.ToLower(channel)},
		"user_id":               {user},
		"user_name":             {strings.ToLower(user)},
		"command":               {command},
		"text":                  {text},
		"api_app_id":            {standins.SlackAppID},
		"is_enterprise_install": {"false"},
		"response_url":          {standins.ResponseURL(base, randomHex(8))},
		"trigger_id":            {"13345224609.738474920.8088930838d88f008e0" + randomHex(4)},
	}
}

// do sends req and prints the answer; a non-2xx status is an error (exit status 1).
func do(env sendEnv, req *http.Request) error {
	resp, err := env.client.Do(req)
	if err != nil {
		return fmt.Errorf("send: %w (is `make run` running?)", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	fmt.Fprintf(env.stdout, "%s %s\n", resp.Proto, resp.Status)
	if len(body) > 0 {
		fmt.Fprintln(env.stdout, strings.TrimRight(string(body), "\n"))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("send: %s answered %s", req.URL.Path, resp.Status)
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
