package rotation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// Commands are the rotation subcommands /support and /clinic share — oncall, swap, override —
// answered from DynamoDB only. SwapUsage and OverrideUsage are the command's own usage lines,
// shown with what to type instead.
type Commands struct {
	Engine                   Engine
	SwapUsage, OverrideUsage slackapp.Usage
}

// Mention renders a person for Slack: their mention, else their name, else the id.
func Mention(cfg *config.Config, personID string) string {
	if p := cfg.PersonByID(personID); p != nil {
		if p.Slack != "" {
			return slackapp.Mention(p.Slack)
		}
		return slackapp.Escape(p.Name)
	}
	if personID == "" {
		return "nobody"
	}
	return slackapp.Escape(personID)
}

// Capitalize upper-cases the first letter of a message.
func Capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func usageErr(problem string, u ...slackapp.Usage) error {
	return &slackapp.UsageError{Problem: problem, Usage: u}
}

// Oncall is who is on r now, and who holds this period and the next, with skips, swaps and
// covers spelled out.
func (c Commands) Oncall(ctx context.Context, cfg *config.Config, r *Rotation, now time.Time) (*slack.Msg, error) {
	n := r.Period(now)
	av, err := c.Engine.Availability(ctx, r)
	if err != nil {
		return nil, err
	}
	os, err := c.Engine.Store.Overrides(ctx, r.Partition, n, n+1)
	if err != nil {
		return nil, err
	}
	turns := []Turn{r.Turn(n, av, os), r.Turn(n+1, av, os)}
	loc := r.Location()
	unit := Capitalize(r.Unit())
	var b strings.Builder
	fmt.Fprintf(&b, "*%s %s rotation* (times in %s)", slackapp.Escape(r.Team.Name), r.Label(), r.Team.TimeZone)
	fmt.Fprintf(&b, "\nOn %s now: %s", r.Label(), Mention(cfg, r.DutyAt(av, os, now).Member))
	for i, label := range []string{"This " + strings.ToLower(unit), "Next " + strings.ToLower(unit)} {
		t := turns[i]
		fmt.Fprintf(&b, "\n*%s* (%s – %s): %s", label, t.Start.In(loc).Format("Mon 2 Jan 15:04"), t.End.In(loc).Format("Mon 2 Jan 15:04"), Mention(cfg, t.Member))
		if t.Swap != nil {
			fmt.Fprintf(&b, " (swapped; the rota says %s)", Mention(cfg, t.Rota))
		}
		if len(t.Skipped) > 0 {
			names := make([]string, len(t.Skipped))
			for j, s := range t.Skipped {
				names[j] = Mention(cfg, s)
			}
			fmt.Fprintf(&b, " (%s skipped: away or on holiday throughout)", strings.Join(names, ", "))
		}
		for _, o := range t.Covers {
			fmt.Fprintf(&b, "\n    %s covers %s–%s (set by %s)", Mention(cfg, o.Member), o.From, o.To, Mention(cfg, o.By))
		}
	}
	return slackapp.Ephemeral(b.String()), nil
}

// refusal answers someone who may not change r: only team members may.
func refusal(r *Rotation, invoker *config.Person) *slack.Msg {
	if invoker != nil && r.Team.HasMember(invoker.ID) {
		return nil
	}
	return slackapp.Ephemeral(fmt.Sprintf("Only members of %s can change its %s rotation.", slackapp.Escape(r.Team.Name), r.Label()))
}

// TeamPerson resolves a command argument to a member of the team.
func TeamPerson(cfg *config.Config, team *config.Team, arg string) (*config.Person, error) {
	p, err := slackapp.PersonArg(cfg, arg)
	if err != nil {
		return nil, err
	}
	if !team.HasMember(p.ID) {
		return nil, fmt.Errorf("%s (%s) is not a member of %s", slackapp.Escape(arg), slackapp.Escape(p.Name), slackapp.Escape(team.Name))
	}
	return p, nil
}

// Swap swaps the next periods of the two people args name (see Rotation.PlanSwap), recorded
// with the invoker; the answer is posted in the channel.
func (c Commands) Swap(ctx context.Context, cfg *config.Config, r *Rotation, invoker *config.Person, args []string, now time.Time) (*slack.Msg, error) {
	if msg := refusal(r, invoker); msg != nil {
		return msg, nil
	}
	a, err := TeamPerson(cfg, r.Team, args[0])
	if err != nil {
		return nil, usageErr(Capitalize(err.Error())+".", c.SwapUsage)
	}
	b, err := TeamPerson(cfg, r.Team, args[1])
	if err != nil {
		return nil, usageErr(Capitalize(err.Error())+".", c.SwapUsage)
	}
	n := r.Period(now)
	av, err := c.Engine.Availability(ctx, r)
	if err != nil {
		return nil, err
	}
	os, err := c.Engine.Store.Overrides(ctx, r.Partition, n, n+r.SwapHorizon())
	if err != nil {
		return nil, err
	}
	plan, err := r.PlanSwap(av, os, now, a.ID, b.ID, invoker.ID)
	if err != nil {
		return nil, usageErr(Capitalize(err.Error()), c.SwapUsage, c.OverrideUsage)
	}
	loc := r.Location()
	startOf := func(n int) string { return r.Shift(n).Start.In(loc).Format("Mon 2 Jan") }
	what := fmt.Sprintf("%s takes the %s %s of %s from %s, and %s takes the %s of %s from %s.",
		Mention(cfg, b.ID), r.Label(), r.Unit(), startOf(plan[0].Period), Mention(cfg, a.ID), Mention(cfg, a.ID), r.Unit(), startOf(plan[1].Period), Mention(cfg, b.ID))
	if err := c.Engine.Store.SaveOverrides(ctx, r.Partition, plan, Audit{By: invoker.ID, Made: now, What: "swap: " + what}); err != nil {
		return nil, err
	}
	return &slack.Msg{ResponseType: slack.ResponseTypeInChannel, Text: fmt.Sprintf(":arrows_counterclockwise: %s swapped %s %ss: %s", Mention(cfg, invoker.ID), r.Label(), r.Unit(), what)}, nil
}

// Override makes the person args[0] names cover the days args[1] (to args[2]) of r, recorded
// with the invoker; the answer is posted in the channel.
func (c Commands) Override(ctx context.Context, cfg *config.Config, r *Rotation, invoker *config.Person, args []string, now time.Time) (*slack.Msg, error) {
	if msg := refusal(r, invoker); msg != nil {
		return msg, nil
	}
	who, err := TeamPerson(cfg, r.Team, args[0])
	if err != nil {
		return nil, usageErr(Capitalize(err.Error())+".", c.OverrideUsage)
	}
	today := config.DateOf(now.In(r.Location()))
	from, err := ParseDay(args[1], today)
	if err != nil {
		return nil, usageErr(Capitalize(err.Error())+".", c.OverrideUsage)
	}
	to := from
	if len(args) == 3 {
		if to, err = ParseDay(args[2], today); err != nil {
			return nil, usageErr(Capitalize(err.Error())+".", c.OverrideUsage)
		}
	}
	plan, err := r.PlanCover(who.ID, from, to, invoker.ID, now)
	if err != nil {
		return nil, usageErr(Capitalize(err.Error())+".", c.OverrideUsage)
	}
	what := fmt.Sprintf("%s covers %s from %s to %s (%s).", Mention(cfg, who.ID), r.Label(), from, to, r.Team.TimeZone)
	if err := c.Engine.Store.SaveOverrides(ctx, r.Partition, plan, Audit{By: invoker.ID, Made: now, What: "override: " + what}); err != nil {
		return nil, err
	}
	return &slack.Msg{ResponseType: slack.ResponseTypeInChannel, Text: fmt.Sprintf(":arrows_counterclockwise: %s changed the %s rotation: %s", Mention(cfg, invoker.ID), r.Label(), what)}, nil
}
