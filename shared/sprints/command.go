package sprints

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// EventPutter stores an internal event once; store.Events is one.
type EventPutter interface {
	PutEvent(ctx context.Context, e store.Event) error
}

var _ EventPutter = store.Events{}

// Command is /sprint. It reads the config and the state table only (a report is one query of
// the milestone's items), so it answers well within Slack's 3 seconds; what takes longer (the
// chart, the start's Conduit read) is done by the SprintsFunction on the event it puts.
type Command struct {
	Config   ConfigSource
	Store    Store
	Events   EventPutter
	Calendar *calendar.Calendar
}

var _ slackapp.Command = Command{}

// Name implements slackapp.Command.
func (Command) Name() string { return "/sprint" }

var (
	usageStatus = slackapp.Usage{Syntax: "/sprint status", Summary: "the current sprint: scope, done and remaining, walk-ons, days left, the chart"}
	usageStart  = slackapp.Usage{Syntax: "/sprint start <milestone> <from> <to>", Summary: "run a sprint on a milestone from one date to another (YYYY-MM-DD; team members)"}
	usageReport = slackapp.Usage{Syntax: "/sprint report", Summary: "post the report and the burnup chart in the team's channel"}
	usageGoals  = slackapp.Usage{Syntax: "/sprint goals [<goal> | <goal> | <goal>]", Summary: "the goals for the next planning document (at most 3); none: show them"}
	usageNote   = slackapp.Usage{Syntax: "/sprint note win|learning|roadbump <text>", Summary: "add to the next planning document's review"}
	usageHelp   = slackapp.Usage{Syntax: "/sprint help", Summary: "this list; put a team id first (/sprint billing status) to pick a team"}
)

// Help implements slackapp.Command.
func (Command) Help() []slackapp.Usage {
	return []slackapp.Usage{usageStatus, usageStart, usageReport, usageGoals, usageNote, usageHelp}
}

func usage(problem string, u ...slackapp.Usage) error {
	return &slackapp.UsageError{Problem: problem, Usage: u}
}

func runsSprints(t *config.Team) bool { return t.Sprints != nil }

// Run implements slackapp.Command.
func (c Command) Run(ctx context.Context, cmd slack.SlashCommand, now time.Time) (*slack.Msg, error) {
	cfg, err := c.Config.Current(ctx, now)
	if err != nil {
		return nil, err
	}
	team, sub, args := slackapp.TeamArgs(cfg, cmd.Text, runsSprints)
	if sub == "help" {
		return slackapp.Ephemeral(slackapp.HelpText("*/sprint* — Scrumban sprints: planned scope, walk-ons, estimates, reports with a burnup chart", c.Help())), nil
	}
	if team == nil {
		t, err := slackapp.PickTeam(cfg, cmd, runsSprints, func(t *config.Team) []string { return []string{t.Slack.Channel} }, "status", usageHelp)
		if err != nil {
			return nil, err
		}
		if t == nil {
			return nil, usage("No team in the config runs sprints (teams[].sprints).", usageHelp)
		}
		team = t
	}
	rest := afterWords(cmd.Text, sub)
	switch sub {
	case "status":
		if len(args) > 0 {
			return nil, usage("`/sprint status` takes no arguments.", usageStatus)
		}
		return c.status(ctx, cfg, team, now)
	case "start":
		return c.start(ctx, cfg, team, cmd, args, now)
	case "report":
		if len(args) > 0 {
			return nil, usage("`/sprint report` takes no arguments.", usageReport)
		}
		return c.report(ctx, cfg, team, cmd, now)
	case "goals":
		return c.goals(ctx, cfg, team, cmd, rest, now)
	case "note":
		return c.note(ctx, cfg, team, cmd, rest, now)
	}
	return nil, usage(fmt.Sprintf("`/sprint %s` is not a /sprint command.", slackapp.Escape(sub)), c.Help()...)
}

// afterWords is the text after the subcommand word (and the team id before it), as typed.
func afterWords(text, sub string) string {
	lower := strings.ToLower(text)
	i := strings.Index(lower, sub)
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(text[i+len(sub):])
}

// inTeam reports whether the person is a member of the team or holds one of its roles.
func inTeam(team *config.Team, p *config.Person) bool {
	if p == nil {
		return false
	}
	if team.HasMember(p.ID) {
		return true
	}
	return slices.ContainsFunc(team.RoleNames(), func(r string) bool { return team.HasRole(p.ID, r) })
}

// currentSprint is the sprint running today, else the next to start, else the last one.
func currentSprint(sprints []*Sprint, today config.Date) *Sprint {
	var next, last *Sprint
	for _, sp := range sprints {
		switch {
		case sp.From.Compare(today) <= 0 && sp.To.Compare(today) >= 0:
			return sp
		case sp.From.Compare(today) > 0:
			if next == nil || sp.From.Compare(next.From) < 0 {
				next = sp
			}
		default:
			if last == nil || sp.To.Compare(last.To) > 0 {
				last = sp
			}
		}
	}
	if next != nil {
		return next
	}
	return last
}

func (c Command) current(ctx context.Context, team *config.Team, now time.Time) (*Sprint, []*Sprint, []Milestone, error) {
	sprints, milestones, err := c.Store.TeamSprints(ctx, team.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	return currentSprint(sprints, config.DateOf(now.In(team.Location()))), sprints, milestones, nil
}

// noSprint answers a command about the current sprint when the team has none. When the config
// plans one for today, it names it: the sprint starts once its milestone has been seen.
func noSprint(team *config.Team, now time.Time) *slack.Msg {
	if sd, ok := plannedOn(team, config.DateOf(now.In(team.Location()))); ok {
		return slackapp.Ephemeral(fmt.Sprintf("The config plans %s for %s (%s), but no milestone of that name has been seen on %s yet. Create it (or check its name): the sprint is set up within 5 minutes of the milestone appearing.",
			slackapp.Escape(sd.Milestone), slackapp.Escape(team.Name), dateRange(sd.From, sd.To), milestoneWhere(team)))
	}
	return slackapp.Ephemeral(fmt.Sprintf("%s has no sprint yet. `/sprint start &lt;milestone&gt; &lt;from&gt; &lt;to&gt;` runs one on a milestone of %s, or set them in the config (sprints.list, cadence or due_dates).",
		slackapp.Escape(team.Name), milestoneWhere(team)))
}

// plannedOn is the sprint the config's list or cadence plans on day d.
func plannedOn(team *config.Team, d config.Date) (config.SprintDates, bool) {
	if team.Sprints == nil {
		return config.SprintDates{}, false
	}
	for _, sd := range team.Sprints.List {
		if sd.From.Compare(d) <= 0 && d.Compare(sd.To) <= 0 {
			return sd, true
		}
	}
	if c := team.Sprints.Cadence; c != nil {
		return c.At(d)
	}
	return config.SprintDates{}, false
}

func (c Command) status(ctx context.Context, cfg *config.Config, team *config.Team, now time.Time) (*slack.Msg, error) {
	sp, data, f, err := c.figures(ctx, cfg, team, now)
	if err != nil {
		return nil, err
	}
	if sp == nil {
		return noSprint(team, now), nil
	}
	return slackapp.Ephemeral(statusText(cfg, team, f, data, now)), nil
}

// figures are the team's current sprint (nil when it has none), what was recorded of it and its
// figures at now.
func (c Command) figures(ctx context.Context, cfg *config.Config, team *config.Team, now time.Time) (*Sprint, *Data, *Figures, error) {
	sp, _, _, err := c.current(ctx, team, now)
	if err != nil || sp == nil {
		return nil, nil, nil, err
	}
	data, err := c.Store.Load(ctx, team.ID, sp.Milestone.Key)
	if err != nil {
		return nil, nil, nil, err
	}
	return sp, data, Compute(sp, team, cfg, data, c.Calendar.TeamBusinessDay(cfg, team), now), nil
}

// statusText is /sprint status: where the sprint is, its figures now, and the chart's link.
func statusText(cfg *config.Config, team *config.Team, f *Figures, data *Data, now time.Time) string {
	sp := f.Sprint
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* (%s)", sprintName(sp), sp.Dates())
	if !f.Started {
		in := 0
		for _, t := range data.Tasks {
			if t.In {
				in++
			}
		}
		fmt.Fprintf(&b, " starts %s; %d %s in the milestone so far. Its planned scope is captured then.", sp.Start(team).In(team.Location()).Format("Mon 2 Jan 15:04"), in, plural(in, "task", "tasks"))
		return b.String()
	}
	today := config.DateOf(now.In(team.Location()))
	n := 0
	for _, d := range f.Days {
		if d.Compare(today) <= 0 {
			n++
		}
	}
	switch {
	case now.After(sp.End(team)):
		b.WriteString(" — ended")
	default:
		fmt.Fprintf(&b, " — business day %d of %d, %d left", n, len(f.Days), len(f.Days)-n)
	}
	p := f.Now
	fmt.Fprintf(&b, "\nScope %s points (%d %s) · done %s points (%d) · remaining %s points (%d)", FormatPoints(p.ScopePoints), p.ScopeTasks, plural(p.ScopeTasks, "task", "tasks"),
		FormatPoints(p.DonePoints), p.DoneTasks, FormatPoints(p.RemainingPoints()), p.RemainingTasks())
	fmt.Fprintf(&b, "\n:chart_with_upwards_trend: %d of %d planned %s done · :turtle: %d walk-on %s", f.PlannedDone, len(f.Planned), plural(len(f.Planned), "task", "tasks"),
		len(f.WalkOns), plural(len(f.WalkOns), "task", "tasks"))
	if len(f.Unestimated) > 0 {
		fmt.Fprintf(&b, " · %d without an estimate", len(f.Unestimated))
	}
	if len(sp.Goals) > 0 {
		b.WriteString("\n:dart: Goals: " + slackapp.Escape(strings.Join(sp.Goals, "; ")))
	}
	switch {
	case sp.ReportTS != "" && now.After(sp.End(team)):
		fmt.Fprintf(&b, "\n:bar_chart: Chart: <%s|the report and burnup chart>.", slackapp.Permalink(sp.ReportChannel, sp.ReportTS))
	case sp.ReportTS != "":
		fmt.Fprintf(&b, "\n:bar_chart: Chart: <%s|the latest report and burnup chart>; `/sprint report` posts today's.", slackapp.Permalink(sp.ReportChannel, sp.ReportTS))
	default:
		fmt.Fprintf(&b, "\n:bar_chart: No chart posted yet: `/sprint report` posts the report and the burnup chart in <#%s>.", team.Slack.Channel)
	}
	return b.String()
}

// start sets a sprint from the command: a milestone the team has, two dates in order, no
// overlap with another sprint. Anything wrong is answered and nothing is stored.
func (c Command) start(ctx context.Context, cfg *config.Config, team *config.Team, cmd slack.SlashCommand, args []string, now time.Time) (*slack.Msg, error) {
	person := cfg.PersonBySlack(cmd.UserID)
	if !inTeam(team, person) {
		return nil, usage(fmt.Sprintf("Only members of %s can start its sprints.", slackapp.Escape(team.Name)), usageStatus)
	}
	raw := afterWords(cmd.Text, "start")
	words := strings.Fields(raw)
	if len(words) < 3 {
		return nil, usage("Say which milestone and when: `/sprint start Sprint 42 2026-11-04 2026-11-17`.", usageStart)
	}
	ref := strings.TrimSpace(strings.Join(words[:len(words)-2], " "))
	ref = strings.Trim(ref, "\"“”")
	from, err := config.ParseDate(words[len(words)-2])
	if err != nil {
		return nil, usage(fmt.Sprintf("From: %s.", slackapp.Escape(err.Error())), usageStart)
	}
	to, err := config.ParseDate(words[len(words)-1])
	if err != nil {
		return nil, usage(fmt.Sprintf("To: %s.", slackapp.Escape(err.Error())), usageStart)
	}
	if to.Compare(from) < 0 {
		return nil, usage(fmt.Sprintf("The sprint would end (%s) before it starts (%s): put the first day first.", to, from), usageStart)
	}
	if days := to.AddDays(1).In(time.UTC).Sub(from.In(time.UTC)).Hours() / 24; days > config.MaxSprintLength {
		return nil, usage(fmt.Sprintf("%s to %s is %.0f days: a sprint is at most a year.", from, to, days), usageStart)
	}
	today := config.DateOf(now.In(team.Location()))
	if to.Compare(today) < 0 {
		return nil, usage(fmt.Sprintf("A sprint ending %s has already ended: its planned scope can no longer be captured.", to), usageStart)
	}
	sprints, milestones, err := c.Store.TeamSprints(ctx, team.ID)
	if err != nil {
		return nil, err
	}
	m, err := ResolveMilestone(ref, milestones)
	if err != nil {
		return nil, usage(unknownMilestoneText(team, ref, err, milestones), usageStart)
	}
	for _, sp := range sprints {
		if sp.Milestone.Key == m.Key {
			return nil, usage(fmt.Sprintf("%s is a sprint already (%s).", slackapp.Escape(m.Name), sp.Dates()), usageStatus)
		}
	}
	if o := Overlapping(sprints, m.Key, from, to); o != nil {
		return nil, usage(fmt.Sprintf("%s (%s) would overlap %s (%s): a team runs one sprint at a time.", slackapp.Escape(m.Name), dateRange(from, to), slackapp.Escape(o.Milestone.Name), o.Dates()), usageStatus)
	}
	if sd, ok := configOverlap(team, m, milestones, from, to); ok {
		return nil, usage(fmt.Sprintf("%s (%s) would overlap %s (%s), which the config plans: a team runs one sprint at a time. Change the config instead.",
			slackapp.Escape(m.Name), dateRange(from, to), slackapp.Escape(sd.Milestone), dateRange(sd.From, sd.To)), usageStatus)
	}
	sp := &Sprint{Team: team.ID, Milestone: m, From: from, To: to, How: FromCommand, By: person.ID, Created: now}
	if err := c.Store.CreateSprint(ctx, sp); errors.Is(err, ErrSprintExists) {
		return nil, usage(fmt.Sprintf("%s became a sprint a moment ago: see `/sprint status`.", slackapp.Escape(m.Name)), usageStatus)
	} else if err != nil {
		return nil, err
	}
	if err := c.put(ctx, EventStart, Request{Team: team.ID, Milestone: m.Key, ID: m.Key, By: person.ID}, now); err != nil {
		return nil, err
	}
	when := "now"
	if start := sp.Start(team); start.After(now) {
		when = start.In(team.Location()).Format("Mon 2 Jan 15:04 MST")
	}
	return slackapp.Ephemeral(fmt.Sprintf("%s runs %s. Its planned scope is captured %s and announced in <#%s>; anything added after that is walk-on work.",
		sprintName(sp), sp.Dates(), when, team.Slack.Channel)), nil
}

// configOverlap finds a sprint of the config (list or cadence) on another milestone that shares
// a day with from..to.
func configOverlap(team *config.Team, m Milestone, milestones []Milestone, from, to config.Date) (config.SprintDates, bool) {
	s := team.Sprints
	same := func(ref string) bool {
		got, err := ResolveMilestone(ref, milestones)
		return (err == nil && got.Key == m.Key) || strings.EqualFold(ref, m.Name)
	}
	for _, sd := range s.List {
		if sd.From.Compare(to) <= 0 && from.Compare(sd.To) <= 0 && !same(sd.Milestone) {
			return sd, true
		}
	}
	if c := s.Cadence; c != nil {
		for d := from; d.Compare(to) <= 0; d = d.AddDays(1) {
			if sd, ok := c.At(d); ok && !same(sd.Milestone) {
				return sd, true
			}
		}
	}
	return config.SprintDates{}, false
}

func unknownMilestoneText(team *config.Team, ref string, err error, milestones []Milestone) string {
	var names []string
	for _, m := range milestones {
		if !m.Closed {
			names = append(names, m.Name)
		}
	}
	slices.Sort(names)
	text := fmt.Sprintf("%s. ", upperFirst(slackapp.Escape(err.Error())))
	if len(names) == 0 {
		return text + fmt.Sprintf("Rituals has not seen any milestone of %s yet: it learns them from Herald deliveries and GitHub webhooks (a milestone event, or an issue added to it).", milestoneWhere(team))
	}
	if len(names) > 20 {
		names = append(names[:20], fmt.Sprintf("and %d more", len(names)-20))
	}
	return text + "Open milestones of " + slackapp.Escape(team.Name) + ": " + slackapp.Escape(strings.Join(names, ", ")) + "."
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (c Command) put(ctx context.Context, typ string, r Request, now time.Time) error {
	payload, _ := json.Marshal(r)
	err := c.Events.PutEvent(ctx, store.Event{Key: "rituals#" + typ + "#" + r.Team + "#" + r.Milestone + "#" + r.ID, Source: EventSource, Type: typ, ReceivedAt: now, Payload: payload})
	if err != nil && !errors.Is(err, store.ErrDuplicate) {
		return fmt.Errorf("put %s for %s: %w", typ, r.Team, err)
	}
	return nil
}

// report answers with the figures and asks the SprintsFunction to post them with the chart.
func (c Command) report(ctx context.Context, cfg *config.Config, team *config.Team, cmd slack.SlashCommand, now time.Time) (*slack.Msg, error) {
	sp, data, f, err := c.figures(ctx, cfg, team, now)
	if err != nil {
		return nil, err
	}
	if sp == nil {
		return noSprint(team, now), nil
	}
	if !f.Started {
		return slackapp.Ephemeral(statusText(cfg, team, f, data, now)), nil
	}
	id := cmd.TriggerID
	if id == "" {
		id = store.TS(now)
	}
	if err := c.put(ctx, EventReport, Request{Team: team.ID, Milestone: sp.Milestone.Key, ID: id, By: cmd.UserID}, now); err != nil {
		return nil, err
	}
	return slackapp.Ephemeral(fmt.Sprintf("Posting the report of %s and its burnup chart in <#%s>:\n%s", sprintName(sp), team.Slack.Channel, figuresText(cfg, f))), nil
}

// goals shows or sets the goals for the next planning document.
func (c Command) goals(ctx context.Context, cfg *config.Config, team *config.Team, cmd slack.SlashCommand, rest string, now time.Time) (*slack.Msg, error) {
	sp, _, _, err := c.current(ctx, team, now)
	if err != nil {
		return nil, err
	}
	if sp == nil {
		return noSprint(team, now), nil
	}
	if rest == "" {
		if len(sp.Goals) == 0 {
			return slackapp.Ephemeral(fmt.Sprintf("No goals set for the planning after %s: `/sprint goals &lt;goal&gt; | &lt;goal&gt; | &lt;goal&gt;`.", sprintName(sp))), nil
		}
		return slackapp.Ephemeral(fmt.Sprintf(":dart: Goals for the planning after %s:%s", sprintName(sp), bullets(sp.Goals))), nil
	}
	if !inTeam(team, cfg.PersonBySlack(cmd.UserID)) {
		return nil, usage(fmt.Sprintf("Only members of %s can set its goals.", slackapp.Escape(team.Name)), usageGoals)
	}
	var goals []string
	for _, g := range strings.FieldsFunc(rest, func(r rune) bool { return r == '|' || r == ';' || r == '\n' }) {
		if g = strings.TrimSpace(g); g != "" {
			goals = append(goals, clip.Runes(g, 200))
		}
	}
	if len(goals) > MaxGoals {
		return nil, usage(fmt.Sprintf("That is %d goals; the planning template asks for no more than %d. Separate them with `|`.", len(goals), MaxGoals), usageGoals)
	}
	sp, err = c.Store.UpdateSprint(ctx, team.ID, sp.Milestone.Key, func(x *Sprint) bool { x.Goals = goals; return true })
	if err != nil {
		return nil, err
	}
	return slackapp.Ephemeral(fmt.Sprintf(":dart: Goals for the planning after %s:%s", sprintName(sp), bullets(sp.Goals))), nil
}

// note adds a win, learning or road-bump to the next planning document's review.
func (c Command) note(ctx context.Context, cfg *config.Config, team *config.Team, cmd slack.SlashCommand, rest string, now time.Time) (*slack.Msg, error) {
	kind, text, _ := strings.Cut(rest, " ")
	kind = strings.ToLower(strings.TrimSuffix(strings.ReplaceAll(kind, "-", ""), "s"))
	text = strings.TrimSpace(text)
	switch kind {
	case NoteWin, NoteLearning, NoteRoadbump:
	case "blocker":
		kind = NoteRoadbump
	default:
		return nil, usage("Say what kind of note: `/sprint note win Shipped the EU checkout`, `learning …` or `roadbump …`.", usageNote)
	}
	if text == "" {
		return nil, usage(fmt.Sprintf("Add the %s's text after the word %s.", kind, kind), usageNote)
	}
	person := cfg.PersonBySlack(cmd.UserID)
	if !inTeam(team, person) {
		return nil, usage(fmt.Sprintf("Only members of %s can add to its planning document.", slackapp.Escape(team.Name)), usageNote)
	}
	sp, _, _, err := c.current(ctx, team, now)
	if err != nil {
		return nil, err
	}
	if sp == nil {
		return noSprint(team, now), nil
	}
	n := Note{Kind: kind, Text: clip.Runes(text, 500), By: person.ID, At: now}
	sp, err = c.Store.UpdateSprint(ctx, team.ID, sp.Milestone.Key, func(x *Sprint) bool { x.Notes = append(x.Notes, n); return true })
	if err != nil {
		return nil, err
	}
	count := 0
	for _, x := range sp.Notes {
		if x.Kind == kind {
			count++
		}
	}
	return slackapp.Ephemeral(fmt.Sprintf("Noted for the review of %s (%d %s so far): %s", sprintName(sp), count, plural(count, kind, kind+"s"), slackapp.Escape(n.Text))), nil
}

func bullets(items []string) string {
	var b strings.Builder
	for _, s := range items {
		b.WriteString("\n• " + slackapp.Escape(s))
	}
	return b.String()
}
