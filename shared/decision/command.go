package decision

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/killpoint"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// ConfigSource gives the current team config; *config.Source is one.
type ConfigSource interface {
	Current(ctx context.Context, now time.Time) (*config.Config, error)
}

var _ ConfigSource = (*config.Source)(nil)

// Command is /decision: open a decision record, list and show them. It answers from DynamoDB;
// posting the record and asking people follows from the processor.
type Command struct {
	Config ConfigSource
	Store  Store
}

var _ slackapp.Command = Command{}

// Name implements slackapp.Command.
func (Command) Name() string { return "/decision" }

var (
	usageNew  = slackapp.Usage{Syntax: "/decision new <kind> <title>", Summary: "record a decision: the team's DACI matrix names who drives, approves, is consulted and informed"}
	usageList = slackapp.Usage{Syntax: "/decision list", Summary: "the team's latest decisions and where they stand"}
	usageShow = slackapp.Usage{Syntax: "/decision show <id>", Summary: "one decision (e.g. D12): its people, verdicts and state"}
	usageHelp = slackapp.Usage{Syntax: "/decision help", Summary: "this list; `/daci` lists the kinds of decision"}
)

// Help implements slackapp.Command.
func (Command) Help() []slackapp.Usage {
	return []slackapp.Usage{usageNew, usageList, usageShow, usageHelp}
}

func usage(problem string, u ...slackapp.Usage) error {
	return &slackapp.UsageError{Problem: problem, Usage: u}
}

func cutWord(s string) (string, string) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, " \t\n")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i+1:])
}

// PickTeam finds the team a command is about: the team whose channel it was typed in, else
// the invoker's only team that keeps a DACI matrix.
func PickTeam(cfg *config.Config, cmd slack.SlashCommand, help slackapp.Usage) (*config.Team, error) {
	for _, t := range cfg.Teams {
		if t.Slack.Channel == cmd.ChannelID {
			return t, nil
		}
	}
	var withDACI []*config.Team
	if p := cfg.PersonBySlack(cmd.UserID); p != nil {
		for _, t := range cfg.Teams {
			if len(t.DACI) > 0 && involved(t, p.ID) {
				withDACI = append(withDACI, t)
			}
		}
	}
	if len(withDACI) == 1 {
		return withDACI[0], nil
	}
	return nil, usage("Which team? Use the command in the team's channel.", help)
}

// involved reports whether the person is a member of the team or holds one of its roles.
func involved(t *config.Team, person string) bool {
	for _, role := range t.RoleNames() {
		if t.HasRole(person, role) {
			return true
		}
	}
	return false
}

// Run implements slackapp.Command.
func (c Command) Run(ctx context.Context, cmd slack.SlashCommand, now time.Time) (*slack.Msg, error) {
	sub, rest := cutWord(cmd.Text)
	sub = strings.ToLower(sub)
	if sub == "" || sub == "help" {
		return nil, usage("*/decision*: decisions by DACI.", c.Help()...)
	}
	cfg, err := c.Config.Current(ctx, now)
	if err != nil {
		return nil, err
	}
	team, err := PickTeam(cfg, cmd, usageHelp)
	if err != nil {
		return nil, err
	}
	switch sub {
	case "new":
		return c.create(ctx, cfg, team, cmd, rest, now)
	case "list":
		return c.list(ctx, cfg, team)
	case "show":
		return c.show(ctx, cfg, team, rest, now)
	}
	return nil, usage(fmt.Sprintf("`/decision %s` is not a /decision command.", slackapp.Escape(sub)), c.Help()...)
}

// KindArg finds the team's kind of decision an argument names, or a usage error listing them.
func KindArg(team *config.Team, arg string, u slackapp.Usage) (*config.DecisionKind, error) {
	if len(team.DACI) == 0 {
		return nil, usage(fmt.Sprintf("%s has no DACI matrix yet: add `daci:` to the team in the Rituals config (see infra/config/example.yaml).", slackapp.Escape(team.Name)))
	}
	if k := team.DecisionKind(strings.ToLower(arg)); k != nil {
		return k, nil
	}
	var ids []string
	for _, k := range team.DACI {
		ids = append(ids, "`"+k.ID+"`")
	}
	problem := fmt.Sprintf("%s has no kind of decision %q.", slackapp.Escape(team.Name), slackapp.Escape(arg))
	if arg == "" {
		problem = "Say which kind of decision it is."
	}
	if s := closestKind(team, arg); s != "" {
		problem += fmt.Sprintf(" Did you mean `%s`?", s)
	}
	return nil, usage(problem+" Its kinds: "+strings.Join(ids, ", ")+" (`/daci` says who is who in each).", u)
}

// closestKind is the kind that arg is a prefix of, or that contains it, when exactly one does.
func closestKind(team *config.Team, arg string) string {
	arg = strings.ToLower(strings.TrimSpace(arg))
	if len(arg) < 3 {
		return ""
	}
	var hits []string
	for _, k := range team.DACI {
		if strings.Contains(k.ID, arg) || strings.Contains(strings.ToLower(k.Name), arg) {
			hits = append(hits, k.ID)
		}
	}
	if len(hits) == 1 {
		return hits[0]
	}
	return ""
}

// MaxTitle is the longest decision title, in characters.
const MaxTitle = 200

func (c Command) create(ctx context.Context, cfg *config.Config, team *config.Team, cmd slack.SlashCommand, rest string, now time.Time) (*slack.Msg, error) {
	kindArg, title := cutWord(rest)
	kind, err := KindArg(team, kindArg, usageNew)
	if err != nil {
		return nil, err
	}
	switch n := len([]rune(title)); {
	case n == 0:
		return nil, usage(fmt.Sprintf("Say what is being decided, e.g. `/decision new %s Adopt trunk-based development`.", kind.ID), usageNew)
	case n > MaxTitle:
		return nil, usage(fmt.Sprintf("A decision's title is at most %d characters (yours has %d); the details go in its thread.", MaxTitle, n), usageNew)
	}
	p := cfg.PersonBySlack(cmd.UserID)
	if p == nil || !involved(team, p.ID) {
		return slackapp.Ephemeral(fmt.Sprintf("Only members of %s and the people holding its roles can record its decisions.", slackapp.Escape(team.Name))), nil
	}
	people := kind.People(team)
	d, err := c.Store.Create(ctx, &Decision{
		ID: ID{Team: team.ID}, Kind: kind.ID, KindName: kind.Name, Title: title, OpenedBy: cmd.UserID,
		Drivers: people.Drivers, Approvers: people.Approvers, Consulted: people.Consulted, Informed: people.Informed,
		Channel: team.Slack.Channel, Created: now,
	})
	if err != nil {
		return nil, err
	}
	// The decision.changed event was committed with the decision (Store.put).
	killpoint.Reach(killpoint.Committed)
	return slackapp.Ephemeral(fmt.Sprintf("Recorded *%s* (%s). It is being posted in <#%s>; %s %s, and %s %s asked for input.",
		Headline(d), slackapp.Escape(kind.Name), team.Slack.Channel, who(cfg, d.Approvers), plural(len(d.Approvers), "approves", "approve"),
		who(cfg, d.Consulted), plural(len(d.Consulted), "is", "are"))), nil
}

func (c Command) list(ctx context.Context, cfg *config.Config, team *config.Team) (*slack.Msg, error) {
	list, err := c.Store.List(ctx, team.ID, 15)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return slackapp.Ephemeral(fmt.Sprintf("%s has recorded no decisions yet: `/decision new &lt;kind&gt; &lt;title&gt;`.", slackapp.Escape(team.Name))), nil
	}
	lines := []string{fmt.Sprintf("*Decisions of %s* (latest %d)", slackapp.Escape(team.Name), len(list))}
	for _, d := range list {
		lines = append(lines, Line(cfg, d))
	}
	return slackapp.Ephemeral(strings.Join(lines, "\n")), nil
}

func (c Command) show(ctx context.Context, cfg *config.Config, team *config.Team, arg string, now time.Time) (*slack.Msg, error) {
	n, ok := ParseLabel(arg)
	if !ok {
		return nil, usage(fmt.Sprintf("%q is not a decision id: write it as on the record, e.g. `/decision show D12`.", slackapp.Escape(arg)), usageShow, usageList)
	}
	d, err := c.Store.Get(ctx, ID{Team: team.ID, N: n})
	if errors.Is(err, store.ErrNotFound) {
		return nil, usage(fmt.Sprintf("%s has no decision D%d. `/decision list` shows the latest.", slackapp.Escape(team.Name), n), usageList)
	}
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* · %s (`%s`), opened by %s %s", Headline(d), slackapp.Escape(d.KindName), d.Kind, slackapp.Mention(d.OpenedBy), slackDate(d.Created))
	fmt.Fprintf(&b, "\n*Drives*: %s\n*Approves*: %s\n*Consulted*: %s\n*Informed*: %s", who(cfg, d.Drivers), who(cfg, d.Approvers), who(cfg, d.Consulted), who(cfg, d.Informed))
	for _, v := range d.Verdicts {
		verb := "approved"
		if !v.Approved {
			verb = "rejected"
		}
		fmt.Fprintf(&b, "\n• %s %s %s", mention(cfg, v.Person), verb, slackDate(v.At))
	}
	b.WriteString("\n" + StateLine(cfg, d))
	return slackapp.Ephemeral(b.String()), nil
}

// DACI is /daci: who drives, approves, is consulted and informed for a kind of decision, from
// the team's matrix (config only).
type DACI struct {
	Config ConfigSource
}

var _ slackapp.Command = DACI{}

// Name implements slackapp.Command.
func (DACI) Name() string { return "/daci" }

var (
	usageDACI     = slackapp.Usage{Syntax: "/daci <kind>", Summary: "who drives, approves, is consulted and informed for that kind of decision"}
	usageDACIList = slackapp.Usage{Syntax: "/daci", Summary: "the team's kinds of decision and who approves each"}
)

// Help implements slackapp.Command.
func (DACI) Help() []slackapp.Usage { return []slackapp.Usage{usageDACI, usageDACIList} }

// Run implements slackapp.Command.
func (c DACI) Run(ctx context.Context, cmd slack.SlashCommand, now time.Time) (*slack.Msg, error) {
	arg := strings.TrimSpace(cmd.Text)
	if strings.EqualFold(arg, "help") {
		return nil, usage("*/daci*: the team's DACI matrix.", c.Help()...)
	}
	cfg, err := c.Config.Current(ctx, now)
	if err != nil {
		return nil, err
	}
	team, err := PickTeam(cfg, cmd, usageDACI)
	if err != nil {
		return nil, err
	}
	if arg == "" {
		if len(team.DACI) == 0 {
			_, err := KindArg(team, "", usageDACI)
			return nil, err
		}
		lines := []string{fmt.Sprintf("*Kinds of decision in %s* (`/daci &lt;kind&gt;` for everyone involved)", slackapp.Escape(team.Name))}
		for _, k := range team.DACI {
			lines = append(lines, fmt.Sprintf("• `%s` %s: %s approves", k.ID, slackapp.Escape(k.Name), who(cfg, k.People(team).Approvers)))
		}
		return slackapp.Ephemeral(strings.Join(lines, "\n")), nil
	}
	k, err := KindArg(team, arg, usageDACI)
	if err != nil {
		return nil, err
	}
	return slackapp.Ephemeral(KindText(cfg, team, k)), nil
}

// KindText says, for one kind of decision, who holds each part and through which role.
func KindText(cfg *config.Config, team *config.Team, k *config.DecisionKind) string {
	people := k.People(team)
	roles := map[config.DACILetter][]string{}
	for _, rp := range k.Roles {
		roles[rp.Letter] = append(roles[rp.Letter], rp.Role)
	}
	for _, l := range roles {
		sort.Strings(l)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* (`%s`) in %s", slackapp.Escape(k.Name), k.ID, slackapp.Escape(team.Name))
	part := func(title string, letter config.DACILetter, ids []string, note string) {
		fmt.Fprintf(&b, "\n*%s*: %s", title, who(cfg, ids))
		if r := roles[letter]; len(r) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(r, ", "))
		}
		if note != "" {
			b.WriteString(" " + note)
		}
	}
	part("Drives", config.Drives, people.Drivers, "")
	approveNote := ""
	if len(roles[config.Approves]) == 0 {
		approveNote = "— no role approves this kind, so its drivers do"
	}
	part("Approves", config.Approves, people.Approvers, approveNote)
	part("Consulted", config.Consulted, people.Consulted, "")
	part("Informed", config.Informed, people.Informed, "")
	fmt.Fprintf(&b, "\n`/decision new %s &lt;title&gt;` records one.", k.ID)
	return b.String()
}
