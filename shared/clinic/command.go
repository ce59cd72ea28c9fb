package clinic

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/rotation"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// Command is /clinic: the Clinic Duty rotation (oncall, swap, override), the sign-up queue
// (signup, queue, withdraw) and the metrics (stats). It reads and writes DynamoDB only, so it
// answers within Slack's 3 seconds; the approvers are asked by the processor.
type Command struct {
	Config    ConfigSource
	Store     Store
	Rotations rotation.Engine
	// Incidents are the workboard's (Unbreak Now! response times for stats); nil without.
	Incidents Incidents
}

var _ slackapp.Command = Command{}

// Name implements slackapp.Command.
func (Command) Name() string { return "/clinic" }

var (
	usageOncall   = slackapp.Usage{Syntax: "/clinic oncall", Summary: "who is on Clinic Duty now, this turn and the next"}
	usageQueue    = slackapp.Usage{Syntax: "/clinic queue", Summary: "sign-ups waiting (position, expected start) and visitors scheduled"}
	usageSignup   = slackapp.Usage{Syntax: "/clinic <team> signup [weeks] [tasks or links…]", Summary: "ask to join the team's Clinic Duty for a while (default: one sprint), with what you bring"}
	usageWithdraw = slackapp.Usage{Syntax: "/clinic withdraw [number]", Summary: "take back your sign-up (waiting, or accepted for a sprint not yet started)"}
	usageStats    = slackapp.Usage{Syntax: "/clinic stats [weeks]", Summary: "tasks done, outside patches and first responses, untriaged tasks, UBN response times per sprint and week (default 4 weeks)"}
	usageSwap     = slackapp.Usage{Syntax: "/clinic swap @a @b", Summary: "swap @a's and @b's next Clinic Duty turns"}
	usageOverride = slackapp.Usage{Syntax: "/clinic override @user <from> [<to>]", Summary: "@user covers Clinic Duty from..to (YYYY-MM-DD, today, tomorrow or mon..sun; inclusive)"}
	usageHelp     = slackapp.Usage{Syntax: "/clinic help", Summary: "this list; put a team id first (/clinic billing queue) to pick a team"}
)

// Help implements slackapp.Command.
func (Command) Help() []slackapp.Usage {
	return []slackapp.Usage{usageOncall, usageQueue, usageSignup, usageWithdraw, usageStats, usageSwap, usageOverride, usageHelp}
}

func usage(problem string, u ...slackapp.Usage) error {
	return &slackapp.UsageError{Problem: problem, Usage: u}
}

// MaxGoals bounds what a sign-up may bring, in characters.
const MaxGoals = 2000

// MaxSignupWeeks bounds a visit.
const MaxSignupWeeks = 12

// DefaultStatsWeeks is what /clinic stats shows without a number.
const DefaultStatsWeeks = 4

// Run implements slackapp.Command.
func (c Command) Run(ctx context.Context, cmd slack.SlashCommand, now time.Time) (*slack.Msg, error) {
	cfg, err := c.Config.Current(ctx, now)
	if err != nil {
		return nil, err
	}
	team, sub, args := slackapp.TeamArgs(cfg, cmd.Text, hasClinic)
	if sub == "help" {
		return slackapp.Ephemeral(slackapp.HelpText("*/clinic* — Clinic Duty: the rotation, the sign-up queue, outside patches' metrics", c.Help())), nil
	}
	known := map[string]bool{"oncall": true, "queue": true, "signup": true, "withdraw": true, "stats": true, "swap": true, "override": true}
	if !known[sub] {
		return nil, usage(fmt.Sprintf("`/clinic %s` is not a /clinic command.", slackapp.Escape(sub)), c.Help()...)
	}
	if sub == "signup" {
		return c.signup(ctx, cfg, cmd, team, args, now)
	}
	if team == nil {
		if team, err = pickTeam(cfg, cmd); err != nil {
			return nil, err
		}
	}
	r := clinicRotation(team)
	if r == nil {
		return nil, errors.New("no team in the config runs Clinic Duty")
	}
	rc := rotation.Commands{Engine: c.Rotations, SwapUsage: usageSwap, OverrideUsage: usageOverride}
	invoker := cfg.PersonBySlack(cmd.UserID)
	switch sub {
	case "oncall":
		if len(args) > 0 {
			return nil, usage("`/clinic oncall` takes no arguments.", usageOncall)
		}
		return rc.Oncall(ctx, cfg, r, now)
	case "swap":
		if len(args) != 2 {
			return nil, usage("`/clinic swap` needs two people.", usageSwap)
		}
		return rc.Swap(ctx, cfg, r, invoker, args, now)
	case "override":
		if len(args) < 2 || len(args) > 3 {
			return nil, usage("`/clinic override` needs a person and one or two dates.", usageOverride)
		}
		return rc.Override(ctx, cfg, r, invoker, args, now)
	case "queue":
		if len(args) > 0 {
			return nil, usage("`/clinic queue` takes no arguments.", usageQueue)
		}
		return c.queue(ctx, cfg, team, r, now)
	case "withdraw":
		return c.withdraw(ctx, cfg, cmd, team, r, args, now)
	default: // stats
		weeks := DefaultStatsWeeks
		if len(args) > 1 {
			return nil, usage("`/clinic stats` takes at most a number of weeks.", usageStats)
		}
		if len(args) == 1 {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.ToLower(args[0]), "w"))
			if err != nil || n < 1 || n > 26 {
				return nil, usage(fmt.Sprintf("%q is not a number of weeks from 1 to 26.", slackapp.Escape(args[0])), usageStats)
			}
			weeks = n
		}
		return c.stats(ctx, cfg, team, weeks, now)
	}
}

// pickTeam finds the team a command is about: the team whose channel it was typed in, else the
// invoker's only team with Clinic Duty.
func pickTeam(cfg *config.Config, cmd slack.SlashCommand) (*config.Team, error) {
	t, err := slackapp.PickTeam(cfg, cmd, hasClinic, func(t *config.Team) []string { return []string{t.Slack.Channel, t.ClinicChannel()} }, "queue", usageHelp)
	if t == nil && err == nil {
		return nil, errors.New("no team in the config runs Clinic Duty")
	}
	return t, err
}

func clinicTeams(cfg *config.Config) []string {
	var out []string
	for _, t := range cfg.Teams {
		if hasClinic(t) {
			out = append(out, t.ID)
		}
	}
	return out
}

var weeksRE = regexp.MustCompile(`^(\d{1,3})\s*(w|wk|wks|week|weeks)?$`)

// signup queues a sign-up: the team is named first or is the channel's (a visitor comes from
// another team, so their own team is never assumed). The sign-up and its event are stored
// together, or nothing is.
func (c Command) signup(ctx context.Context, cfg *config.Config, cmd slack.SlashCommand, team *config.Team, args []string, now time.Time) (*slack.Msg, error) {
	if team == nil {
		for _, t := range cfg.Teams {
			if hasClinic(t) && (cmd.ChannelID == t.Slack.Channel || cmd.ChannelID == t.ClinicChannel()) {
				team = t
				break
			}
		}
	}
	teams := clinicTeams(cfg)
	if team == nil {
		if len(teams) == 0 {
			return nil, errors.New("no team in the config runs Clinic Duty")
		}
		return nil, usage(fmt.Sprintf("Which team would you like to join? Put its id first, e.g. `/clinic %s signup 2 T1234 https://example.org/patch` (teams running Clinic Duty: %s), or sign up in the team's channel.", teams[0], strings.Join(teams, ", ")), usageSignup)
	}
	r := clinicRotation(team)
	if r == nil {
		return nil, errors.New("the team's Clinic Duty has no rotation")
	}
	person := cfg.PersonBySlack(cmd.UserID)
	if person != nil && team.HasMember(person.ID) {
		return slackapp.Ephemeral(fmt.Sprintf("You are a member of %s already: Clinic Duty sign-ups are for engineers from other teams. `/clinic oncall` shows the rotation.", slackapp.Escape(team.Name))), nil
	}
	weeks := r.Plan.Weeks
	if len(args) > 0 {
		if m := weeksRE.FindStringSubmatch(strings.ToLower(args[0])); m != nil {
			n, _ := strconv.Atoi(m[1])
			if n < 1 || n > MaxSignupWeeks {
				return nil, usage(fmt.Sprintf("%s weeks is not a visit I can plan: give 1 to %d weeks (a sprint is %d).", m[1], MaxSignupWeeks, r.Plan.Weeks), usageSignup)
			}
			weeks, args = n, args[1:]
		}
	}
	goals := strings.TrimSpace(strings.Join(args, " "))
	if utf8.RuneCountInString(goals) > MaxGoals {
		return nil, usage(fmt.Sprintf("That is %d characters of tasks and links; keep it under %d (link a document for more).", utf8.RuneCountInString(goals), MaxGoals), usageSignup)
	}
	s := Signup{Team: team.ID, Requester: cmd.UserID, Name: cmd.UserName, Weeks: weeks, Sprints: (weeks + r.Plan.Weeks - 1) / r.Plan.Weeks, Goals: goals, Asked: now, Queued: now}
	if person != nil {
		s.Person, s.Name = person.ID, person.Name
		for _, t := range cfg.TeamsOf(person.ID) {
			s.From = append(s.From, t.ID)
		}
	}
	saved, err := c.Store.NewSignup(ctx, s, func(x *Signup) store.Event { return signupEvent(EventSignup, x, "", x.Person, now) })
	if errors.Is(err, ErrAlreadyQueued) {
		return nil, usage(fmt.Sprintf("You already have a sign-up waiting with %s. `/clinic %s queue` shows it; `/clinic %s withdraw` takes it back before you ask again.", slackapp.Escape(team.Name), team.ID, team.ID), usageQueue, usageWithdraw)
	}
	if err != nil {
		return nil, err
	}
	pos, start, err := c.position(ctx, team, r, saved.N, now)
	if err != nil {
		return nil, err
	}
	approvers := team.ClinicApprovers()
	names := make([]string, 0, len(approvers))
	for _, a := range approvers {
		names = append(names, mention(cfg, a))
	}
	text := fmt.Sprintf(":inbox_tray: Sign-up #%d with %s queued: %d week(s), bringing: %s\nYou are #%d in the queue; %s. %s will accept, defer or decline it, and you will hear here. `/clinic %s withdraw` takes it back.",
		saved.N, slackapp.Escape(team.Name), weeks, goalsText(saved), pos, start, strings.Join(names, " or "), team.ID)
	return slackapp.Ephemeral(text), nil
}

// position is where sign-up n stands in the queue (1-based) and when it would start if accepted.
func (c Command) position(ctx context.Context, team *config.Team, r *rotation.Rotation, n int, now time.Time) (int, string, error) {
	queue, err := c.Store.Queue(ctx, team.ID)
	if err != nil {
		return 0, "", err
	}
	first := r.Period(now) + 1
	seats, err := c.Store.Seats(ctx, team.ID, first, first+PlanningHorizon+MaxSignupWeeks)
	if err != nil {
		return 0, "", err
	}
	found := false
	for _, s := range queue {
		found = found || s.N == n
	}
	if !found { // the index lags the write by a moment: the new sign-up is last
		if s, err := c.Store.Signup(ctx, team.ID, n); err == nil && s.State == Pending {
			queue = append(queue, s)
		}
	}
	starts := ExpectedStarts(queue, seats, first, team.Clinic.VisitorsPerSprint)
	for i, s := range queue {
		if s.N == n {
			return i + 1, startText(r, starts[s.N]), nil
		}
	}
	return len(queue) + 1, "expected start unknown", nil
}

func startText(r *rotation.Rotation, sprint int) string {
	if sprint == 0 {
		return fmt.Sprintf("no sprint in the next %d has room", PlanningHorizon)
	}
	return "expected start " + when(r.Shift(sprint).Start, r.Location()) + " if accepted"
}

// ExpectedStarts places the waiting sign-ups, in queue order, in the first sprints from first
// with room (after the visits already accepted): the sprint each would start in if it were
// accepted now (absent when none in PlanningHorizon has room).
func ExpectedStarts(queue []*Signup, seats map[int][]int, first, capacity int) map[int]int {
	taken := map[int][]int{}
	for p, ids := range seats {
		taken[p] = append([]int(nil), ids...)
	}
	out := map[int]int{}
	for _, s := range queue {
		start, ok := FirstRoom(taken, first, s.Sprints, capacity, PlanningHorizon)
		if !ok {
			continue
		}
		out[s.N] = start
		for p := start; p < start+max(s.Sprints, 1); p++ {
			taken[p] = append(taken[p], s.N)
		}
	}
	return out
}

func (c Command) queue(ctx context.Context, cfg *config.Config, team *config.Team, r *rotation.Rotation, now time.Time) (*slack.Msg, error) {
	queue, err := c.Store.Queue(ctx, team.ID)
	if err != nil {
		return nil, err
	}
	cur := r.Period(now)
	seats, err := c.Store.Seats(ctx, team.ID, cur, cur+PlanningHorizon+MaxSignupWeeks)
	if err != nil {
		return nil, err
	}
	starts := ExpectedStarts(queue, seats, cur+1, team.Clinic.VisitorsPerSprint)
	loc := r.Location()
	var b strings.Builder
	fmt.Fprintf(&b, "*%s Clinic Duty queue* (%d visitor(s) per sprint; sprints are %d week(s) from %s %s, %s)",
		slackapp.Escape(team.Name), team.Clinic.VisitorsPerSprint, r.Plan.Weeks, weekdayName(r.Plan.Handover.Day), r.Plan.Handover.Time, team.TimeZone)
	if len(queue) == 0 {
		b.WriteString("\nNobody is waiting for a decision.")
	} else {
		b.WriteString("\n*Waiting for a decision*")
	}
	for i, s := range queue {
		deferred := ""
		if s.Deferrals > 0 {
			deferred = fmt.Sprintf(" · deferred %d time(s)", s.Deferrals)
		}
		fmt.Fprintf(&b, "\n%d. #%d %s · asked %s%s · %s · bringing: %s", i+1, s.N, requestSummary(cfg, s), day(s.Asked, loc), deferred, startText(r, starts[s.N]), goalsText(s))
	}
	var sprints []int
	for p := range seats {
		if len(seats[p]) > 0 {
			sprints = append(sprints, p)
		}
	}
	if len(sprints) > 0 {
		b.WriteString("\n*Visitors scheduled*")
	}
	sort.Ints(sprints)
	for _, p := range sprints {
		var who []string
		for _, n := range seats[p] {
			s, err := c.Store.Signup(ctx, team.ID, n)
			if err != nil {
				return nil, err
			}
			who = append(who, fmt.Sprintf("#%d %s", s.N, requestSummary(cfg, s)))
		}
		sh := r.Shift(p)
		fmt.Fprintf(&b, "\n• %s – %s (%d/%d): %s", day(sh.Start, loc), day(sh.End, loc), len(who), team.Clinic.VisitorsPerSprint, strings.Join(who, ", "))
	}
	return slackapp.Ephemeral(b.String()), nil
}

func weekdayName(d time.Weekday) string { return d.String()[:3] }

// withdraw takes back the invoker's sign-up with the team (the one number names, or their only
// one that can still be withdrawn).
func (c Command) withdraw(ctx context.Context, cfg *config.Config, cmd slack.SlashCommand, team *config.Team, r *rotation.Rotation, args []string, now time.Time) (*slack.Msg, error) {
	if len(args) > 1 {
		return nil, usage("`/clinic withdraw` takes at most a sign-up number.", usageWithdraw)
	}
	want := 0
	if len(args) == 1 {
		n, err := strconv.Atoi(strings.TrimPrefix(args[0], "#"))
		if err != nil || n < 1 {
			return nil, usage(fmt.Sprintf("%q is not a sign-up number (e.g. `/clinic %s withdraw 3`).", slackapp.Escape(args[0]), team.ID), usageWithdraw)
		}
		want = n
	}
	all, err := c.Store.Signups(ctx, team.ID)
	if err != nil {
		return nil, err
	}
	cur := r.Period(now)
	var mine []*Signup
	for _, s := range all {
		if s.Requester == cmd.UserID && Withdrawable(s, cur) && (want == 0 || s.N == want) {
			mine = append(mine, s)
		}
	}
	switch {
	case len(mine) == 0 && want != 0:
		return nil, usage(fmt.Sprintf("You have no sign-up #%d with %s that can still be withdrawn. `/clinic %s queue` lists the queue.", want, slackapp.Escape(team.Name), team.ID), usageQueue)
	case len(mine) == 0:
		return slackapp.Ephemeral(fmt.Sprintf("You have no sign-up with %s to withdraw.", slackapp.Escape(team.Name))), nil
	case len(mine) > 1:
		nums := make([]string, len(mine))
		for i, s := range mine {
			nums[i] = "#" + itoa(s.N)
		}
		return nil, usage(fmt.Sprintf("You have %d sign-ups with %s (%s): say which, e.g. `/clinic %s withdraw %d`.", len(mine), slackapp.Escape(team.Name), strings.Join(nums, ", "), team.ID, mine[0].N), usageWithdraw)
	}
	s, err := c.Store.Withdraw(ctx, team.ID, mine[0].N, now, r.Period, func(x *Signup) store.Event {
		return signupEvent(EventWithdrawn, x, "", "", now)
	})
	if errors.Is(err, ErrNotPending) {
		return slackapp.Ephemeral(fmt.Sprintf("Sign-up #%d can no longer be withdrawn (it is %s).", s.N, s.State)), nil
	}
	if err != nil {
		return nil, err
	}
	what := "it left the queue"
	if s.Placed {
		what = "your seat in the sprint " + sprintDates(r, s) + " is free again"
	}
	return slackapp.Ephemeral(fmt.Sprintf("Sign-up #%d with %s withdrawn: %s.", s.N, slackapp.Escape(team.Name), what)), nil
}

func (c Command) stats(ctx context.Context, cfg *config.Config, team *config.Team, weeks int, now time.Time) (*slack.Msg, error) {
	ms, err := report(ctx, c.Store, c.Rotations, c.Incidents, team, weeks, now)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*Clinic Duty of %s, the last %d week(s)* (times in %s)", slackapp.Escape(team.Name), weeks, team.TimeZone)
	for _, m := range ms {
		fmt.Fprintf(&b, "\n*%s*: %s", WindowTitle(cfg, m.Window, false), MetricsLine(m))
	}
	return slackapp.Ephemeral(b.String()), nil
}
