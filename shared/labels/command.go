package labels

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// Command is /labels: the team's label rules in plain words, and the timers pending. It reads
// the state table only, so it answers well within Slack's 3 seconds.
type Command struct {
	Config ConfigSource
	Timers Timers
}

var _ slackapp.Command = Command{}

// Name implements slackapp.Command.
func (Command) Name() string { return "/labels" }

var (
	usageRules   = slackapp.Usage{Syntax: "/labels rules", Summary: "the team's label rules, in plain words"}
	usagePending = slackapp.Usage{Syntax: "/labels pending [owner/repo#123]", Summary: "timers waiting to fire: the team's, or one issue's (with those that ended)"}
	usageHelp    = slackapp.Usage{Syntax: "/labels help", Summary: "this list; put a team id first (/labels billing rules) to pick a team"}
)

// Help implements slackapp.Command.
func (Command) Help() []slackapp.Usage { return []slackapp.Usage{usageRules, usagePending, usageHelp} }

// pendingShown bounds /labels pending's list, so the answer stays one readable message.
const pendingShown = 25

// Run implements slackapp.Command.
func (c Command) Run(ctx context.Context, cmd slack.SlashCommand, now time.Time) (*slack.Msg, error) {
	args := strings.Fields(cmd.Text)
	cfg, err := c.Config.Current(ctx, now)
	if err != nil {
		return nil, err
	}
	var team *config.Team
	if len(args) > 0 {
		if t := cfg.Team(strings.ToLower(args[0])); t != nil {
			team, args = t, args[1:]
		}
	}
	sub := "help"
	if len(args) > 0 {
		sub, args = strings.ToLower(args[0]), args[1:]
	}
	if sub == "help" {
		var b strings.Builder
		b.WriteString("*/labels* — label rules and their timers")
		for _, u := range c.Help() {
			b.WriteString(u.Line())
		}
		return slackapp.Ephemeral(b.String()), nil
	}
	if sub != "rules" && sub != "pending" {
		return nil, &slackapp.UsageError{Problem: fmt.Sprintf("`/labels %s` is not a /labels command.", slackapp.Escape(sub)), Usage: c.Help()}
	}
	if team == nil {
		if team, err = pickTeam(cfg, cmd); err != nil {
			return nil, err
		}
	}
	if sub == "rules" {
		if len(args) > 0 {
			return nil, &slackapp.UsageError{Problem: "`/labels rules` takes no arguments.", Usage: []slackapp.Usage{usageRules}}
		}
		return slackapp.Ephemeral(rulesText(cfg, team)), nil
	}
	switch len(args) {
	case 0:
		return c.pending(ctx, team)
	case 1:
		repo, number, ok := ParseIssueRef(args[0])
		if !ok {
			return nil, &slackapp.UsageError{Problem: fmt.Sprintf("%q is not an issue: write owner/repo#123, or paste its GitHub link.", slackapp.Escape(args[0])), Usage: []slackapp.Usage{usagePending}}
		}
		return c.issue(ctx, team, repo, number)
	}
	return nil, &slackapp.UsageError{Problem: "`/labels pending` takes at most one issue.", Usage: []slackapp.Usage{usagePending}}
}

// pickTeam finds the team a command is about: the team whose channel it was typed in, else
// the invoker's only team with label rules, else the only team with label rules.
func pickTeam(cfg *config.Config, cmd slack.SlashCommand) (*config.Team, error) {
	var withRules []*config.Team
	var ids []string
	for _, t := range cfg.Teams {
		if len(t.LabelRules) == 0 {
			continue
		}
		if t.ChannelID(cmd.ChannelID) != "" {
			return t, nil
		}
		withRules, ids = append(withRules, t), append(ids, t.ID)
	}
	var mine []*config.Team
	if p := cfg.PersonBySlack(cmd.UserID); p != nil {
		for _, t := range withRules {
			if t.HasMember(p.ID) {
				mine = append(mine, t)
			}
		}
	}
	switch {
	case len(mine) == 1:
		return mine[0], nil
	case len(withRules) == 1:
		return withRules[0], nil
	case len(withRules) == 0:
		return nil, &slackapp.UsageError{Problem: "No team has label rules yet: add them under `label_rules:` in the config (see README, Label rules).", Usage: []slackapp.Usage{usageHelp}}
	}
	return nil, &slackapp.UsageError{Problem: fmt.Sprintf("Which team? Type its id first, e.g. `/labels %s rules` (teams with label rules: %s), or use the command in the team's channel.", ids[0], strings.Join(ids, ", ")), Usage: []slackapp.Usage{usageHelp}}
}

func rulesText(cfg *config.Config, team *config.Team) string {
	if len(team.LabelRules) == 0 {
		return fmt.Sprintf("%s has no label rules. Add them under `label_rules:` in the team's config (see README, Label rules).", slackapp.Escape(team.Name))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*%s's label rules* (business days are the team's, in %s)", slackapp.Escape(team.Name), team.TimeZone)
	for _, r := range team.LabelRules {
		b.WriteString("\n")
		b.WriteString(DescribeRule(cfg, team, r))
	}
	return b.String()
}

func (c Command) pending(ctx context.Context, team *config.Team) (*slack.Msg, error) {
	timers, more, err := c.Timers.PendingOfTeam(ctx, team.ID, pendingShown)
	if err != nil {
		return nil, err
	}
	if len(timers) == 0 {
		return slackapp.Ephemeral(fmt.Sprintf("No label-rule timers are pending for %s.", slackapp.Escape(team.Name))), nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*Pending label-rule timers of %s*", slackapp.Escape(team.Name))
	for _, t := range timers {
		b.WriteString("\n• ")
		b.WriteString(timerLine(team, t))
	}
	if more {
		fmt.Fprintf(&b, "\n…and more; `/labels pending owner/repo#123` shows one issue's.")
	}
	return slackapp.Ephemeral(b.String()), nil
}

func (c Command) issue(ctx context.Context, team *config.Team, repo string, number int) (*slack.Msg, error) {
	timers, err := c.Timers.OfIssue(ctx, team.ID, repo, number)
	if err != nil {
		return nil, err
	}
	if len(timers) == 0 {
		return slackapp.Ephemeral(fmt.Sprintf("No label rule of %s has set a timer on %s#%d.", slackapp.Escape(team.Name), slackapp.Escape(repo), number)), nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*Label-rule timers on %s#%d*", slackapp.Escape(repo), number)
	for _, t := range timers {
		b.WriteString("\n• ")
		b.WriteString(timerLine(team, t))
	}
	return slackapp.Ephemeral(b.String()), nil
}

// timerLine describes one timer: the issue, the rule, when it fires or how it ended.
func timerLine(team *config.Team, t Timer) string {
	issue := fmt.Sprintf("<https://github.com/%s/issues/%d|%s#%d>", slackapp.Escape(t.Repo), t.Number, slackapp.Escape(t.Repo), t.Number)
	if t.Title != "" {
		issue += " " + slackapp.Escape(t.Title)
	}
	what := "timer"
	if r := team.LabelRule(t.Rule); r != nil && t.Index < len(r.Timers) {
		tm := r.Timers[t.Index]
		what = "after " + describeSpan(tm.After)
		if tm.Limit > 1 {
			what += fmt.Sprintf(", fired %d of %d", t.Fired, tm.Limit)
		}
	}
	line := fmt.Sprintf("%s — *%s* (%s): ", issue, slackapp.Escape(t.Rule), what)
	switch t.State {
	case Pending:
		line += "due " + describeDue(t.Due, team)
		if t.Attempts > 0 {
			line += fmt.Sprintf(" (retrying after %d failed attempts: %s)", t.Attempts, slackapp.Escape(t.Error))
		}
	case Done:
		line += "done"
	default:
		line += slackapp.Escape(t.Error)
	}
	return line
}

var (
	issueRefRE = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+)#([0-9]+)$`)
	issueURLRE = regexp.MustCompile(`^<?https://github\.com/([A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+)/(?:issues|pull)/([0-9]+)(?:[/?#][^|>]*)?(?:\|[^>]*)?>?$`)
)

// ParseIssueRef reads "owner/repo#123" or an issue's or pull request's GitHub link (as Slack
// sends it, in angle brackets or not).
func ParseIssueRef(s string) (string, int, bool) {
	m := issueRefRE.FindStringSubmatch(s)
	if m == nil {
		m = issueURLRE.FindStringSubmatch(s)
	}
	if m == nil {
		return "", 0, false
	}
	n, err := strconv.Atoi(m[2])
	if err != nil || n <= 0 {
		return "", 0, false
	}
	return m[1], n, true
}
