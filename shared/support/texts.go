package support

import (
	"fmt"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/ghub"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// SectionsComment is the one GitHub comment asking the requester for the missing sections,
// with the template to copy.
func SectionsComment(team *config.Team, missing []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Thanks for the support request! %s will pick it up. To help them triage it, please edit the issue description and add ", team.Name)
	for i, m := range missing {
		switch {
		case i > 0 && i == len(missing)-1:
			b.WriteString(" and ")
		case i > 0:
			b.WriteString(", ")
		}
		b.WriteString("**" + m + "**")
	}
	b.WriteString(".\n\nThe description should follow this template:\n\n```markdown\n")
	b.WriteString(Template(team.Support.RequiredSections))
	b.WriteString("\n```\n\n_Posted by Rituals; this comment is not repeated. The team's Slack channel sees the sections once you add them._")
	return b.String()
}

// personName renders a person for GitHub: their name and @login when they have one.
func personName(cfg *config.Config, id string) string {
	p := cfg.PersonByID(id)
	if p == nil {
		return id
	}
	if p.GitHub != "" {
		return p.Name + " (@" + p.GitHub + ")"
	}
	return p.Name
}

// githubTime renders t for a GitHub comment in the person's time zone, with UTC.
func githubTime(cfg *config.Config, personID string, t time.Time) string {
	loc := time.UTC
	if p := cfg.PersonByID(personID); p != nil {
		loc = p.Location()
	}
	local := t.In(loc).Format("Mon 2 Jan 2006 15:04 MST")
	if loc == time.UTC {
		return local
	}
	return local + " (" + t.UTC().Format("15:04 UTC") + ")"
}

// AckComment is the GitHub comment for an acknowledgement or a new ETA.
func AckComment(cfg *config.Config, r *Request, e Entry) string {
	var b strings.Builder
	if e.Kind == KindAck {
		fmt.Fprintf(&b, "**Acknowledged** by %s.", personName(cfg, e.By))
	} else {
		fmt.Fprintf(&b, "**ETA updated** by %s.", personName(cfg, e.By))
	}
	fmt.Fprintf(&b, "\n\n**ETA:** %s", githubTime(cfg, e.By, e.ETA))
	if e.Questions != "" {
		b.WriteString("\n\n**Follow-up questions:**\n\n")
		for _, l := range strings.Split(strings.TrimSpace(e.Questions), "\n") {
			b.WriteString("> " + ghub.Escape(l) + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// RequesterDM tells the requester in Slack that their request was acknowledged (or its ETA
// changed).
func RequesterDM(cfg *config.Config, r *Request, e Entry) string {
	verb := "was acknowledged by"
	if e.Kind == KindETA {
		verb = "has a new ETA from"
	}
	text := fmt.Sprintf("Your support request %s %s %s %s. ETA: %s.", issueLink(r), slackapp.Escape(r.Title), verb, mention(cfg, e.By), slackDate(e.ETA))
	if e.Questions != "" {
		text += "\nThey have follow-up questions (also on the issue):\n" + quote(e.Questions)
	}
	return clip.Runes(text, maxText)
}

// NagText is the DM to the engineer on rotation about an unacknowledged request; n is the
// nag's number (0 for the page when an urgent request opens).
func NagText(cfg *config.Config, team *config.Team, r *Request, channel, ts string, now time.Time, n int) string {
	where := ""
	if ts != "" {
		where = " in <" + permalink(channel, ts) + "|the channel>"
	}
	if n == 0 {
		return clip.Runes(fmt.Sprintf(":rotating_light: Urgent *%s* support request for %s: %s %s. You are on rotation: please acknowledge it%s.",
			r.Priority, slackapp.Escape(team.Name), issueLink(r), slackapp.Escape(r.Title), where), maxText)
	}
	return clip.Runes(fmt.Sprintf(":bell: Reminder: the *%s* support request %s %s is still not acknowledged (opened %s ago). Please acknowledge it%s.",
		r.Priority, issueLink(r), slackapp.Escape(r.Title), human(now.Sub(r.Created)), where), maxText)
}

// EscalationText is the DM to the EM about an urgent request still unacknowledged.
func EscalationText(cfg *config.Config, team *config.Team, r *Request, engineer, channel, ts string, now time.Time) string {
	where := ""
	if ts != "" {
		where = " (<" + permalink(channel, ts) + "|message>)"
	}
	return clip.Runes(fmt.Sprintf(":rotating_light: Escalation: the urgent *%s* support request %s %s for %s has not been acknowledged in %s%s. %s is on rotation.",
		r.Priority, issueLink(r), slackapp.Escape(r.Title), slackapp.Escape(team.Name), human(now.Sub(r.Created)), where, mention(cfg, engineer)), maxText)
}
