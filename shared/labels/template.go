package labels

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/ghub"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// subject is what a rule's texts are about: the rule, its team and the issue.
type subject struct {
	cfg  *config.Config
	team *config.Team
	rule *config.LabelRule
	is   *Issue
}

// loginRE matches a GitHub login (or an app's "name[bot]"): only such a value is written as an
// @mention; anything else is escaped like any untrusted text.
var loginRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$`)

func githubMention(login string) string {
	if loginRE.MatchString(login) {
		return "@" + login
	}
	return ghub.Escape(login)
}

// slackPerson is a GitHub login as Slack shows it: a mention of the person the config knows
// by that login, else the login itself, escaped.
func (s subject) slackPerson(login string) string {
	if p := s.cfg.PersonByGitHub(login); p != nil && p.Slack != "" {
		return slackapp.Mention(p.Slack)
	}
	return slackapp.Escape(login)
}

func joinOr(items []string, none string) string {
	if len(items) == 0 {
		return none
	}
	return strings.Join(items, ", ")
}

// GitHubText renders a template for a comment: {{author}} and {{assignee}} become @mentions
// (that is what they are for), every other value is escaped with ghub.Escape, and a line
// saying which rule wrote it is added.
func (s subject) GitHubText(tmpl string) string {
	var assignees []string
	for _, a := range s.is.Assignees {
		assignees = append(assignees, githubMention(a))
	}
	body := config.RenderTemplate(tmpl, func(name string) string {
		switch name {
		case "author":
			return githubMention(s.is.Author)
		case "assignee":
			return joinOr(assignees, "nobody yet")
		}
		return ghub.Escape(s.value(name))
	})
	return strings.TrimRight(body, "\n") + "\n\n" + s.githubSignature()
}

// githubSignature says which rule of which team wrote a text on GitHub.
func (s subject) githubSignature() string {
	return fmt.Sprintf("<sub>Written by Rituals for the label rule “%s” of %s.</sub>", ghub.Escape(s.rule.Name), ghub.Escape(s.team.Name))
}

// SlackText renders a template (or the default when tmpl is empty) for a Slack post or DM:
// people the config knows are mentioned, every other value is escaped with slackapp.Escape,
// and a line naming the rule is added.
func (s subject) SlackText(tmpl string) string {
	var text string
	if tmpl == "" {
		verb := "added to"
		if s.rule.When.Removed {
			verb = "removed from"
		}
		kind := "issue"
		if s.is.PR {
			kind = "pull request"
		}
		text = fmt.Sprintf(":label: `%s` %s %s <%s|%s#%d>: %s", slackapp.Escape(s.rule.When.Label), verb, kind,
			slackapp.Escape(s.is.URL), slackapp.Escape(s.is.Repo), s.is.Number, slackapp.Escape(s.is.Title))
	} else {
		var assignees []string
		for _, a := range s.is.Assignees {
			assignees = append(assignees, s.slackPerson(a))
		}
		text = config.RenderTemplate(tmpl, func(name string) string {
			switch name {
			case "author":
				return s.slackPerson(s.is.Author)
			case "assignee":
				return joinOr(assignees, "nobody yet")
			}
			return slackapp.Escape(s.value(name))
		})
	}
	return strings.TrimRight(text, "\n") + "\n_" + fmt.Sprintf("Label rule %s of %s", slackapp.Escape(s.rule.Name), slackapp.Escape(s.team.Name)) + "_"
}

// value is a placeholder's plain value (not yet escaped).
func (s subject) value(name string) string {
	switch name {
	case "label":
		return s.rule.When.Label
	case "team":
		return s.team.Name
	case "title":
		return s.is.Title
	case "url":
		return s.is.URL
	case "repo":
		return s.is.Repo
	case "number":
		return strconv.Itoa(s.is.Number)
	case "rule":
		return s.rule.Name
	}
	return "" // Parse refuses any other name
}
