package standup

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// Command is /standup. It answers from DynamoDB (and opens the modal with views.open).
type Command struct{ Deps }

var _ slackapp.Command = Command{}

// Name implements slackapp.Command.
func (Command) Name() string { return "/standup" }

// Help implements slackapp.Command.
func (Command) Help() []slackapp.Usage {
	return []slackapp.Usage{
		{Syntax: "/standup", Summary: "fill in (or edit) today's standup; choose the client when you work for several"},
		{Syntax: "/standup history [@user] [client]", Summary: "recent standups, with older/newer pages"},
		{Syntax: "/standup away <from> <to>", Summary: "mark days off (YYYY-MM-DD, inclusive): no standups, no nags"},
		{Syntax: "/standup away", Summary: "list your days off"},
		{Syntax: "/standup status", Summary: "who has submitted today's standup in your team"},
		{Syntax: "/standup help", Summary: "this help"},
	}
}

// Run implements slackapp.Command.
func (c Command) Run(ctx context.Context, cmd slack.SlashCommand, now time.Time) (*slack.Msg, error) {
	cfg, err := c.Config.Current(ctx, now)
	if err != nil {
		return nil, err
	}
	args := strings.Fields(cmd.Text)
	sub := ""
	if len(args) > 0 {
		sub = strings.ToLower(args[0])
		args = args[1:]
	}
	if sub == "help" {
		return nil, &slackapp.UsageError{Usage: c.Help()}
	}
	me := cfg.PersonBySlack(cmd.UserID)
	if me == nil {
		return slackapp.Ephemeral("You are not in the Rituals config yet: ask your lead to add your Slack member id (" + cmd.UserID + ")."), nil
	}
	switch sub {
	case "":
		return c.today(ctx, cfg, me, cmd, now)
	case "history":
		return c.history(ctx, cfg, me, args)
	case "away":
		return c.away(ctx, me, args, now)
	case "status":
		return c.status(ctx, cfg, me, now)
	}
	return nil, &slackapp.UsageError{Problem: fmt.Sprintf("`/standup %s` is not something I know.", cmd.Text), Usage: c.Help()}
}

// today opens today's standup, or offers a button per client when there are several.
func (c Command) today(ctx context.Context, cfg *config.Config, me *config.Person, cmd slack.SlashCommand, now time.Time) (*slack.Msg, error) {
	duties := DutiesOf(cfg, me.ID)
	if len(duties) == 0 {
		return slackapp.Ephemeral("You are not a member of a team that runs standups."), nil
	}
	today := Today(me, now)
	var open []Standup
	var notes []string
	for _, d := range duties {
		sd, err := c.slotFor(ctx, cfg, ID{Client: d.Client.ID, Person: me.ID, Date: today})
		if errors.Is(err, store.ErrNotFound) {
			away, _ := c.Store.AwayRanges(ctx, []string{me.ID})
			_, off, _ := SlotOn(c.Calendar, d, away[me.ID], today)
			notes = append(notes, fmt.Sprintf("No standup for %s today (%s): %s. Next: %s.", d.Client.Name, longDate(today), off.Describe(), longDate(nextStandupDay(c.Calendar, d, away[me.ID], today))))
			continue
		}
		if err != nil {
			return nil, err
		}
		open = append(open, sd)
	}
	if len(open) == 1 && len(duties) == 1 {
		sd := open[0]
		view, err := Interactions(c).viewFor(ctx, cfg, ActionOpen, sd.Slot.ID, cmd.UserID, now)
		if err != nil {
			return nil, err
		}
		if err := Interactions(c).open(ctx, cmd.TriggerID, view); err != nil {
			return nil, err
		}
		return slackapp.Ephemeral(fmt.Sprintf("Opened your standup for %s (%s).", duties[0].Client.Name, longDate(today))), nil
	}
	if len(open) == 0 {
		return slackapp.Ephemeral(strings.Join(notes, "\n")), nil
	}
	var buttons []slack.BlockElement
	for _, sd := range open {
		label := cfg.Client(sd.Slot.ID.Client).Name
		if sd.Submitted() {
			label += " (edit)"
		}
		buttons = append(buttons, button(ActionOpen, sd.Slot.ID.String(), clip.Runes(label, 75)))
	}
	blocks := []slack.Block{section(fmt.Sprintf("Which standup for %s?", longDate(today))), slack.NewActionBlock("standup_choose", buttons...)}
	if len(notes) > 0 {
		blocks = append(blocks, contextText(strings.Join(notes, "\n")))
	}
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: "Which standup?", Blocks: slack.Blocks{BlockSet: blocks}}, nil
}

func nextStandupDay(c *calendar.Calendar, d Duty, extra []config.DateRange, day config.Date) config.Date {
	for i := 1; i < 400; i++ {
		if _, _, ok := SlotOn(c, d, extra, day.AddDays(i)); ok {
			return day.AddDays(i)
		}
	}
	return day
}

// history shows recent standups of a person (default: the caller) for a client (default: the
// only or first one).
func (c Command) history(ctx context.Context, cfg *config.Config, me *config.Person, args []string) (*slack.Msg, error) {
	who, clientID := me, ""
	for _, a := range args {
		if _, ok := slackapp.ParseMention(a); ok {
			p, err := slackapp.PersonArg(cfg, a)
			if err != nil {
				return nil, &slackapp.UsageError{Problem: err.Error(), Usage: c.Help()[1:2]}
			}
			who = p
			continue
		}
		if cfg.Client(strings.ToLower(a)) == nil {
			return nil, &slackapp.UsageError{Problem: fmt.Sprintf("%q is neither a @mention nor a client id (%s).", a, clientIDs(cfg)), Usage: c.Help()[1:2]}
		}
		clientID = strings.ToLower(a)
	}
	duties := DutiesOf(cfg, who.ID)
	if len(duties) == 0 {
		return slackapp.Ephemeral(who.Name + " does not write standups."), nil
	}
	d := duties[0]
	if clientID != "" {
		var ok bool
		if d, ok = DutyFor(cfg, who.ID, clientID); !ok {
			return slackapp.Ephemeral(fmt.Sprintf("%s does not write standups for %s.", who.Name, clientID)), nil
		}
	}
	page, older, err := c.Store.Page(ctx, d.Client.ID, who.ID, config.Date{}, false, HistoryPageSize)
	if err != nil {
		return nil, err
	}
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: "Standups of " + who.Name,
		Blocks: slack.Blocks{BlockSet: HistoryBlocks(who, d.Client, page, older, false, linksIn(ctx, c.Links))}}, nil
}

func clientIDs(cfg *config.Config) string {
	var ids []string
	for _, c := range cfg.Clients {
		ids = append(ids, c.ID)
	}
	return strings.Join(ids, ", ")
}

// away records days off (or lists them).
func (c Command) away(ctx context.Context, me *config.Person, args []string, now time.Time) (*slack.Msg, error) {
	usage := c.Help()[2:4]
	today := Today(me, now)
	if len(args) == 0 {
		away, err := c.Store.AwayRanges(ctx, []string{me.ID})
		if err != nil {
			return nil, err
		}
		var lines []string
		for _, r := range append(append([]config.DateRange{}, me.Away...), away[me.ID]...) {
			if r.To.Compare(today) >= 0 {
				lines = append(lines, "• "+r.From.String()+" to "+r.To.String())
			}
		}
		if len(lines) == 0 {
			return slackapp.Ephemeral("You have no days off ahead. Add some with `/standup away &lt;from&gt; &lt;to&gt;`."), nil
		}
		return slackapp.Ephemeral("Your days off (no standups, no nags):\n" + strings.Join(lines, "\n")), nil
	}
	if len(args) > 2 {
		return nil, &slackapp.UsageError{Problem: "Give a first and a last day, e.g. `/standup away 2026-07-01 2026-07-14`.", Usage: usage}
	}
	from, err := config.ParseDate(args[0])
	if err != nil {
		return nil, &slackapp.UsageError{Problem: fmt.Sprintf("%q is not a date: write YYYY-MM-DD.", args[0]), Usage: usage}
	}
	to := from
	if len(args) == 2 {
		if to, err = config.ParseDate(args[1]); err != nil {
			return nil, &slackapp.UsageError{Problem: fmt.Sprintf("%q is not a date: write YYYY-MM-DD.", args[1]), Usage: usage}
		}
	}
	if to.Compare(from) < 0 {
		return nil, &slackapp.UsageError{Problem: "The last day is before the first.", Usage: usage}
	}
	if to.Compare(today) < 0 {
		return nil, &slackapp.UsageError{Problem: "Those days are in the past.", Usage: usage}
	}
	if _, err := c.Store.AddAway(ctx, me.ID, config.DateRange{From: from, To: to}, today); err != nil {
		return nil, err
	}
	return slackapp.Ephemeral(fmt.Sprintf("Noted: you are away from %s to %s. No standups or nags then; the digest shows you as away.", longDate(from), longDate(to))), nil
}

// status shows who has submitted today in the caller's teams (member or delivery manager).
func (c Command) status(ctx context.Context, cfg *config.Config, me *config.Person, now time.Time) (*slack.Msg, error) {
	var parts []string
	for _, t := range cfg.Teams {
		if t.Standup == nil || !(t.HasMember(me.ID) || t.Roles.DeliveryManager == me.ID || t.Roles.EM == me.ID) {
			continue
		}
		day := config.DateOf(now.In(t.Location()))
		lines, err := Roster(ctx, c.Store, c.Calendar, cfg, t, day, now)
		if err != nil {
			return nil, err
		}
		parts = append(parts, StatusText(t, day, lines))
	}
	if len(parts) == 0 {
		return slackapp.Ephemeral("You are not in a team that runs standups."), nil
	}
	return slackapp.Ephemeral(strings.Join(parts, "\n\n")), nil
}
