package workboard

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/phab"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// Command is /phab: open Unbreak Now! tasks, the triage column, and the rules in force. It
// reads the config and the state table only, so it answers well within Slack's 3 seconds.
type Command struct {
	Config   phab.ConfigSource
	Store    Store
	Mirror   phab.Mirror
	Calendar *calendar.Calendar
}

var _ slackapp.Command = Command{}

// Name implements slackapp.Command.
func (Command) Name() string { return "/phab" }

var (
	usageUBN    = slackapp.Usage{Syntax: "/phab ubn", Summary: "open Unbreak Now! tasks: age and who responded"}
	usageTriage = slackapp.Usage{Syntax: "/phab triage", Summary: "tasks waiting in the triage column, in business days"}
	usageRules  = slackapp.Usage{Syntax: "/phab rules", Summary: "the workboard's column and priority rules, and UBN timings"}
	usageHelp   = slackapp.Usage{Syntax: "/phab help", Summary: "this list; put a team id first (/phab billing ubn) to pick a team"}
)

// Help implements slackapp.Command.
func (Command) Help() []slackapp.Usage {
	return []slackapp.Usage{usageUBN, usageTriage, usageRules, usageHelp}
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
	team, sub, args := slackapp.TeamArgs(cfg, cmd.Text, hasBoard)
	if sub == "help" {
		return slackapp.Ephemeral(helpText(c.Help())), nil
	}
	if len(args) > 0 {
		return nil, usage(fmt.Sprintf("`/phab %s` takes no arguments.", sub), c.Help()...)
	}
	if team == nil {
		if team, err = pickTeam(cfg, cmd); err != nil {
			return nil, err
		}
	}
	switch sub {
	case "ubn":
		return c.ubn(ctx, cfg, team, now)
	case "triage":
		return c.triage(ctx, cfg, team, now)
	case "rules":
		return slackapp.Ephemeral(rulesText(cfg, team)), nil
	}
	return nil, usage(fmt.Sprintf("`/phab %s` is not a /phab command.", slackapp.Escape(sub)), c.Help()...)
}

func hasBoard(t *config.Team) bool { return t.Phabricator != nil }

func helpText(us []slackapp.Usage) string {
	return slackapp.HelpText("*/phab* — Phabricator workboard: Unbreak Now!, triage and column rules", us)
}

// pickTeam finds the team a command is about: the team whose channel it was typed in, else
// the invoker's only team with a workboard.
func pickTeam(cfg *config.Config, cmd slack.SlashCommand) (*config.Team, error) {
	t, err := slackapp.PickTeam(cfg, cmd, hasBoard, func(t *config.Team) []string { return []string{t.Slack.Channel} }, "ubn", usageHelp)
	if t == nil && err == nil {
		return nil, usage("No team in the config has a Phabricator workboard (teams[].phabricator).", usageHelp)
	}
	return t, err
}

func (c Command) ubn(ctx context.Context, cfg *config.Config, team *config.Team, now time.Time) (*slack.Msg, error) {
	open, err := c.Store.ListOpen(ctx, team.ID)
	if err != nil {
		return nil, err
	}
	if len(open) == 0 {
		return slackapp.Ephemeral(fmt.Sprintf("No open Unbreak Now! tasks for %s.", slackapp.Escape(team.Name))), nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*%s: %d open Unbreak Now! %s*", slackapp.Escape(team.Name), len(open), plural(len(open), "task", "tasks"))
	for _, i := range open {
		fmt.Fprintf(&b, "\n• %s — open %s · ", taskLink(i.URL, i.TaskID, i.Title), slackapp.Duration(now.Sub(i.RaisedAt)))
		if i.RespondedAt.IsZero() {
			b.WriteString(":hourglass_flowing_sand: no response yet")
			if !i.EscalatedAt.IsZero() {
				b.WriteString(" (escalated to the EM)")
			}
		} else {
			fmt.Fprintf(&b, "%s %s after %s", mention(cfg, i.RespondedBy), slackapp.Escape(i.RespondedHow), slackapp.Duration(i.RespondedAt.Sub(i.RaisedAt)))
		}
	}
	return slackapp.Ephemeral(b.String()), nil
}

func (c Command) triage(ctx context.Context, cfg *config.Config, team *config.Team, now time.Time) (*slack.Msg, error) {
	board, err := c.Store.Board(ctx, team.ID)
	if errors.Is(err, store.ErrNotFound) {
		return slackapp.Ephemeral(fmt.Sprintf("Rituals has not read %s's board yet: it does with the first Herald delivery or the next tick (every 5 minutes).", slackapp.Escape(team.Name))), nil
	}
	if err != nil {
		return nil, err
	}
	if board.Triage == "" {
		return slackapp.Ephemeral(fmt.Sprintf("Rituals cannot tell %s's triage column: the server does not say which column is the default. Set `triage_column` in the team's phabricator config.", slackapp.Escape(team.Name))), nil
	}
	ws, err := ListWaiting(ctx, c.Mirror, c.Calendar, cfg, team, board.Triage, now)
	if err != nil {
		return nil, err
	}
	if len(ws) == 0 {
		return slackapp.Ephemeral(fmt.Sprintf("Nothing is waiting in %s on %s's board.", slackapp.Escape(board.TriageName), slackapp.Escape(team.Name))), nil
	}
	overdue := 0
	for _, w := range ws {
		if w.Overdue {
			overdue++
		}
	}
	return slackapp.Ephemeral(fmt.Sprintf("*%s: %d %s in %s, %d for %s or more*%s", slackapp.Escape(team.Name), len(ws), plural(len(ws), "task", "tasks"),
		slackapp.Escape(board.TriageName), overdue, team.Phabricator.TriageAfter.String()+" (business days)", waitingLines(board.URL, ws, 40))), nil
}

// rulesText describes the team's workboard settings.
func rulesText(cfg *config.Config, team *config.Team) string {
	tp := team.Phabricator
	var b strings.Builder
	fmt.Fprintf(&b, "*%s workboard* (project `%s`)", slackapp.Escape(team.Name), slackapp.Escape(tp.Project))
	em := "the channel (no EM set)"
	if team.Roles.EM != "" {
		em = "the EM (" + mention(cfg, team.Roles.EM) + ")"
	}
	fmt.Fprintf(&b, "\n• *Unbreak Now!*: posted in <#%s> with a DM to the engineer on support; nagged every %s until a team member responds; escalated to %s after %s.",
		team.Slack.Channel, tp.UBNNagEvery, em, tp.UBNEscalateAfter)
	triage := "the board's default column"
	if tp.TriageColumn != "" {
		triage = "*" + slackapp.Escape(tp.TriageColumn) + "*"
	}
	fmt.Fprintf(&b, "\n• *New tasks*: announced here once; each business day at %s the tasks in %s for %s business days or more are listed.", tp.TriageAt, triage, strings.TrimSuffix(tp.TriageAfter.String(), "d"))
	if owners := tp.PriorityOwners(team); len(owners) > 0 {
		fmt.Fprintf(&b, "\n• *Priority*: a change by someone else on a task whose priority %s set is reported to them.", who(cfg, team, []string{tp.PriorityOwner}, slackapp.Escape))
	}
	if len(tp.Columns) == 0 {
		b.WriteString("\n• *Columns*: no rules; anyone may move tasks anywhere.")
	}
	for _, r := range tp.Columns {
		var parts []string
		if len(r.Allow) > 0 {
			parts = append(parts, "only "+who(cfg, team, r.Allow, slackapp.Escape)+" may move tasks in")
		}
		if r.RequirePoints {
			parts = append(parts, "tasks need story points")
		}
		action := "moved back, commented and the mover told"
		if r.Mode == config.ModeWarn {
			action = "commented and the mover told"
		}
		fmt.Fprintf(&b, "\n• *%s*: %s (%s).", slackapp.Escape(r.Column), strings.Join(parts, "; "), action)
	}
	return b.String()
}
