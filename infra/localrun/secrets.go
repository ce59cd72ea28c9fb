package localrun

import "sort"

// DefaultSecrets are the plaintext secrets a local stack uses, by environment variable name.
// A function whose template environment names X_PARAM (an SSM parameter) gets X set to one of
// these instead; `rituals send`, the stand-ins and the tests sign and authorise with the same
// values. Each can be overridden by setting the variable of the same name in the runner's
// environment (see Secrets).
var DefaultSecrets = map[string]string{
	"GITHUB_WEBHOOK_SECRET":        "local-github-webhook-secret",
	"SLACK_SIGNING_SECRET":         "local-slack-signing-secret",
	"PHABRICATOR_WEBHOOK_HMAC_KEY": "local-phabricator-hmac-key",
	"SLACK_BOT_TOKEN":              "xoxb-local-bot-token",
	"GITHUB_TOKEN":                 "ghp_localstandintoken",
	"CONDUIT_API_TOKEN":            "api-localstandintoken",
	"SLACK_CLIENT_ID":              "local.slack-client-id",
	"SLACK_CLIENT_SECRET":          "local-slack-client-secret",
	"WEB_SESSION_KEY":              "local-web-session-key-not-secret-0123456789abcdef",
}

// Secrets returns DefaultSecrets with every value that getenv returns non-empty for its name
// taking precedence. The result is a fresh map the caller may change.
func Secrets(getenv func(string) string) map[string]string {
	out := make(map[string]string, len(DefaultSecrets))
	for k, v := range DefaultSecrets {
		if getenv != nil {
			if e := getenv(k); e != "" {
				v = e
			}
		}
		out[k] = v
	}
	return out
}

// SecretNames lists the names of DefaultSecrets, sorted.
func SecretNames() []string {
	names := make([]string, 0, len(DefaultSecrets))
	for k := range DefaultSecrets {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
