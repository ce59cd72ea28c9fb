package support

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/rotation"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// Command is /support: the rotation (who is on, swaps, cover) and insight (open requests,
// stats). It reads and writes the state table only, so it answers well within Slack's 3 s.
type Command struct {
	Config ConfigSource
	Store  Store
}

var _ slackapp.Command = Command{}

// Name implements slackapp.Command.
func (Command) Name() string { return "/support" }

var (
	usageOncall   = slackapp.Usage{Syntax: "/support oncall", Summary: "who is on support this week and next"}
	usageSwap     = slackapp.Usage{Syntax: "/support swap @a @b", Summary: "swap @a's and @b's next support weeks"}
	usageOverride = slackapp.Usage{Syntax: "/support override @user <from> [<to>]", Summary: "@user covers support from..to (YYYY-MM-DD, today, tomorrow or mon..sun; inclusive)"}
	usageList     = slackapp.Usage{Syntax: "/support list", Summary: "open support requests: age, priority, owner, ETA"}
	usageStats    = slackapp.Usage{Syntax: "/support stats [weeks]", Summary: "requests and median time to acknowledge / resolve per priority (default 4 weeks)"}
	usageHelp     = slackapp.Usage{Syntax: "/support help", Summary: "this list; put a team id first (/support billing oncall) to pick a team"}
)

// Help implements slackapp.Command.
func (Command) Help() []slackapp.Usage {
	return []slackapp.Usage{usageOncall, usageSwap, usageOverride, usageList, usageStats, usageHelp}
}

func usage(problem string, u ...slackapp.Usage) error {
	return &slackapp.UsageError{Problem: problem, Usage: u}
}

// Run implements slackapp.Command.
func (c Command) Run(ctx context.Context, cmd slack.SlashCommand, now time.Time) (*slack.Msg, error) {
	cfg, err := c.Config.Current(ctx, now)
	if err != nil {
		return nil, err
	}
	team, sub, args := slackapp.TeamArgs(cfg, cmd.Text, takesSupport)
	if sub == "help" {
		return slackapp.Ephemeral(helpText(c.Help())), nil
	}
	if team == nil {
		if team, err = pickTeam(cfg, cmd); err != nil {
			return nil, err
		}
	}
	invoker := cfg.PersonBySlack(cmd.UserID)
	switch sub {
	case "oncall":
		if len(args) > 0 {
			return nil, usage("`/support oncall` takes no arguments.", usageOncall)
		}
		return c.oncall(ctx, cfg, team, now)
	case "swap":
		if len(args) != 2 {
			return nil, usage("`/support swap` needs two people.", usageSwap)
		}
		return c.swap(ctx, cfg, team, invoker, args, now)
	case "override":
		if len(args) < 2 || len(args) > 3 {
			return nil, usage("`/support override` needs a person and one or two dates.", usageOverride)
		}
		return c.override(ctx, cfg, team, invoker, args, now)
	case "list":
		if len(args) > 0 {
			return nil, usage("`/support list` takes no arguments.", usageList)
		}
		return c.list(ctx, cfg, team, now)
	case "stats":
		weeks := 4
		if len(args) > 1 {
			return nil, usage("`/support stats` takes at most a number of weeks.", usageStats)
		}
		if len(args) == 1 {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.ToLower(args[0]), "w"))
			if err != nil || n < 1 || n > 52 {
				return nil, usage(fmt.Sprintf("%q is not a number of weeks from 1 to 52.", args[0]), usageStats)
			}
			weeks = n
		}
		return c.stats(ctx, team, weeks, now)
	}
	return nil, usage(fmt.Sprintf("`/support %s` is not a /support command.", sub), c.Help()...)
}

func takesSupport(t *config.Team) bool { return t.Support != nil }

func helpText(us []slackapp.Usage) string {
	return slackapp.HelpText("*/support* — support rotation and requests", us)
}

// pickTeam finds the team a command is about: the team whose channel it was typed in, else
// the invoker's only team that takes support requests.
func pickTeam(cfg *config.Config, cmd slack.SlashCommand) (*config.Team, error) {
	t, err := slackapp.PickTeam(cfg, cmd, takesSupport,
		func(t *config.Team) []string { return []string{t.Slack.Channel, t.Slack.SupportChannel} }, "oncall", usageHelp)
	if t == nil && err == nil {
		return nil, errors.New("no team in the config takes support requests")
	}
	return t, err
}

// rotation is the shared rotation commands on the support rotation.
func (c Command) rotation() rotation.Commands {
	return rotation.Commands{Engine: c.Store.engine(), SwapUsage: usageSwap, OverrideUsage: usageOverride}
}

func (c Command) oncall(ctx context.Context, cfg *config.Config, team *config.Team, now time.Time) (*slack.Msg, error) {
	return c.rotation().Oncall(ctx, cfg, supportRotation(team), now)
}

func (c Command) swap(ctx context.Context, cfg *config.Config, team *config.Team, invoker *config.Person, args []string, now time.Time) (*slack.Msg, error) {
	return c.rotation().Swap(ctx, cfg, supportRotation(team), invoker, args, now)
}

func (c Command) override(ctx context.Context, cfg *config.Config, team *config.Team, invoker *config.Person, args []string, now time.Time) (*slack.Msg, error) {
	return c.rotation().Override(ctx, cfg, supportRotation(team), invoker, args, now)
}

func (c Command) list(ctx context.Context, cfg *config.Config, team *config.Team, now time.Time) (*slack.Msg, error) {
	open, err := c.Store.ListOpen(ctx, team.ID)
	if err != nil {
		return nil, err
	}
	if len(open) == 0 {
		return slackapp.Ephemeral(fmt.Sprintf("%s has no open support requests.", slackapp.Escape(team.Name))), nil
	}
	lines := make([]string, 0, len(open))
	for _, r := range open {
		lines = append(lines, RequestLine(cfg, r, now))
	}
	return slackapp.Ephemeral(listText(fmt.Sprintf("*Open support requests of %s* (%d, oldest first)", slackapp.Escape(team.Name), len(open)), lines)), nil
}

// PriorityStats is one row of /support stats.
type PriorityStats struct {
	Priority              string
	Count, Acked, Closed  int
	MedianAck, MedianDone time.Duration
}

// Stats summarises rows per priority, in the order of priorities (then any others).
func Stats(priorities []config.Priority, rows []StatRow) []PriorityStats {
	byName := map[string]*PriorityStats{}
	var order []string
	for _, p := range priorities {
		byName[p.Name] = &PriorityStats{Priority: p.Name}
		order = append(order, p.Name)
	}
	acks, dones := map[string][]time.Duration{}, map[string][]time.Duration{}
	for _, r := range rows {
		ps := byName[r.Priority]
		if ps == nil {
			ps = &PriorityStats{Priority: r.Priority}
			byName[r.Priority] = ps
			order = append(order, r.Priority)
		}
		ps.Count++
		if !r.Acked.IsZero() {
			acks[r.Priority] = append(acks[r.Priority], r.Acked.Sub(r.Created))
		}
		if r.State == Resolved && !r.Closed.IsZero() {
			dones[r.Priority] = append(dones[r.Priority], r.Closed.Sub(r.Created))
		}
	}
	out := make([]PriorityStats, 0, len(order))
	for _, name := range order {
		ps := byName[name]
		ps.Acked, ps.MedianAck = len(acks[name]), median(acks[name])
		ps.Closed, ps.MedianDone = len(dones[name]), median(dones[name])
		out = append(out, *ps)
	}
	return out
}

// median of ds (the mean of the middle two for an even count); 0 for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (c Command) stats(ctx context.Context, team *config.Team, weeks int, now time.Time) (*slack.Msg, error) {
	rows, err := c.Store.StatsSince(ctx, team.ID, now.Add(-time.Duration(weeks)*7*24*time.Hour))
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*Support requests of %s in the last %d week(s)*: %d\n```\n%-9s %6s %14s %14s\n", slackapp.Escape(team.Name), weeks, len(rows), "priority", "count", "median ack", "median done")
	for _, ps := range Stats(team.Support.Priorities, rows) {
		ack, done := "-", "-"
		if ps.Acked > 0 {
			ack = fmt.Sprintf("%s (%d)", human(ps.MedianAck), ps.Acked)
		}
		if ps.Closed > 0 {
			done = fmt.Sprintf("%s (%d)", human(ps.MedianDone), ps.Closed)
		}
		fmt.Fprintf(&b, "%-9s %6d %14s %14s\n", ps.Priority, ps.Count, ack, done)
	}
	b.WriteString("```\n(n) = how many were acknowledged / resolved; times count from when the request opened.")
	return slackapp.Ephemeral(b.String()), nil
}
