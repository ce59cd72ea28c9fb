package config

import (
	"fmt"
	"regexp"
	"strings"
)

// Identifier formats. Each check returns an error whose message says what to write instead.

// slugRE: ids end up in DynamoDB keys joined with '#', and in Slack command arguments, so they
// are kept to lowercase words joined by '-' or '_'.
var (
	slugRE    = regexp.MustCompile(`^[a-z0-9]+([-_][a-z0-9]+)*$`)
	nonSlugRE = regexp.MustCompile(`[^a-z0-9]+`)
)

func checkSlug(what, s string) error {
	if len(s) <= 64 && slugRE.MatchString(s) {
		return nil
	}
	fix := strings.Trim(nonSlugRE.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if fix != "" && len(fix) <= 64 {
		return fmt.Errorf("%s %q must be a lowercase slug (letters, digits, - or _): write %q", what, s, fix)
	}
	return fmt.Errorf("%s %q must be a lowercase slug (letters, digits, - or _), e.g. \"alice\"", what, s)
}

// checkGitHubName checks a GitHub login or organisation name: 1–39 letters, digits or single
// inner hyphens.
func checkGitHubName(what, s string) error {
	if strings.HasPrefix(s, "@") {
		return fmt.Errorf("%s %q: write the name without @: %q", what, s, strings.TrimPrefix(s, "@"))
	}
	if validGitHubName(s) {
		return nil
	}
	return fmt.Errorf("%s %q is not a GitHub name (letters, digits and single hyphens, at most 39)", what, s)
}

func validGitHubName(s string) bool {
	if len(s) == 0 || len(s) > 39 || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

var repoNameRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)

// checkRepo checks "owner/name"; a pasted URL is answered with the owner/name in it.
func checkRepo(s string) error {
	trimmed := strings.TrimSuffix(strings.TrimSuffix(s, "/"), ".git")
	for _, prefix := range []string{"https://github.com/", "http://github.com/", "github.com/", "git@github.com:"} {
		if rest, ok := strings.CutPrefix(trimmed, prefix); ok {
			return fmt.Errorf("repo %q must be owner/name: write %q", s, rest)
		}
	}
	owner, name, ok := strings.Cut(s, "/")
	if !ok || !validGitHubName(owner) || !repoNameRE.MatchString(name) || name == "." || name == ".." {
		return fmt.Errorf("repo %q must be owner/name, e.g. acme/api", s)
	}
	return nil
}

// Slack ids: users are U… (W… on Enterprise Grid), channels C… (G… for old private channels).
var (
	slackUserRE    = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)
	slackChannelRE = regexp.MustCompile(`^[CG][A-Z0-9]{2,20}$`)
)

func checkSlackUser(s string) error {
	if slackUserRE.MatchString(s) {
		return nil
	}
	if strings.HasPrefix(s, "@") || !strings.ContainsAny(s, "0123456789") {
		return fmt.Errorf("slack %q is a name, not a Slack user id: write the member id (U… or W…, e.g. U01ABCDEF; in Slack: profile → ⋮ → Copy member ID)", s)
	}
	return fmt.Errorf("slack %q is not a Slack user id (U… or W… in capitals, e.g. U01ABCDEF)", s)
}

func checkSlackChannel(s string) error {
	if slackChannelRE.MatchString(s) {
		return nil
	}
	if strings.HasPrefix(s, "#") || !strings.ContainsAny(s, "0123456789") {
		return fmt.Errorf("channel %q is a name, not a channel id: write its id (C… or G…, e.g. C01ABCDEF; in Slack: channel name → About → Channel ID)", s)
	}
	return fmt.Errorf("channel %q is not a Slack channel id (C… or G… in capitals, e.g. C01ABCDEF)", s)
}
