package sprints

import (
	"fmt"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// maxListed bounds the tasks a message lists by name; the rest are counted.
const maxListed = 15

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// taskLink is a task as mrkdwn: "<url|T12 Title>", every part escaped.
func taskLink(key, title, url string) string {
	label := slackapp.Escape(key)
	if title != "" {
		label += " " + slackapp.Escape(title)
	}
	if url == "" {
		return label
	}
	return "<" + url + "|" + label + ">"
}

func sprintName(sp *Sprint) string {
	name := slackapp.Escape(sp.Milestone.Name)
	if sp.Milestone.URL != "" {
		return "<" + sp.Milestone.URL + "|" + name + ">"
	}
	return name
}

func personName(cfg *config.Config, id, fallback string) string {
	if p := cfg.PersonByID(id); p != nil {
		return slackapp.Escape(p.Name)
	}
	if fallback != "" {
		return slackapp.Escape(fallback)
	}
	return "unassigned"
}

func pointsSuffix(p *float64) string {
	if p == nil {
		return "no estimate"
	}
	return FormatPoints(*p) + " " + pointsWord(*p)
}

func pointsWord(v float64) string {
	if v == 1 {
		return "point"
	}
	return "points"
}

func day(t time.Time, loc *time.Location) string { return t.In(loc).Format("Mon 2 Jan") }

// walkOnText announces a task added to a started sprint.
func walkOnText(cfg *config.Config, team *config.Team, sp *Sprint, t Task, c Change) string {
	return fmt.Sprintf(":turtle: Walk-on in %s: %s (%s, %s), added %s.", sprintName(sp), taskLink(t.Key, t.Title, t.URL),
		pointsSuffix(t.Points), personName(cfg, t.Owner, t.OwnerName), day(c.At, team.Location()))
}

// estimateText tells an owner which of their sprint tasks need an estimate and which are big
// enough to split.
func estimateText(team *config.Team, sp *Sprint, unestimated, big []Task) string {
	s := settings(team)
	var b strings.Builder
	if len(unestimated) > 0 {
		fmt.Fprintf(&b, ":1234: %s: %d %s in %s %s an estimate on the team's scale (%s points)", slackapp.Escape(team.Name), len(unestimated),
			plural(len(unestimated), "task", "tasks"), sprintName(sp), plural(len(unestimated), "needs", "need"), s.ScaleText())
		if sp.Milestone.Source == SourceGitHub {
			fmt.Fprintf(&b, "; on GitHub, add a label like `%s`", slackapp.Escape(strings.Replace(pointsLabel(s), "{n}", "3", 1)))
		}
		b.WriteString(":")
		listTasks(&b, unestimated, func(t Task) string {
			problem, _ := estimateProblem(s, t.Points, t.PointsNote)
			return slackapp.Escape(problem)
		})
	}
	if len(big) > 0 {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, ":scissors: %s: %d %s in %s %s estimated above %s points: consider splitting %s:", slackapp.Escape(team.Name), len(big),
			plural(len(big), "task", "tasks"), sprintName(sp), plural(len(big), "is", "are"), FormatPoints(splitAbove(s)), plural(len(big), "it", "them"))
		listTasks(&b, big, func(t Task) string { return pointsSuffix(t.Points) })
	}
	return b.String()
}

func pointsLabel(s *config.Sprints) string {
	if s.PointsLabel == "" {
		return config.DefaultPointsLabel
	}
	return s.PointsLabel
}

func listTasks(b *strings.Builder, ts []Task, why func(Task) string) {
	for i, t := range ts {
		if i == maxListed {
			fmt.Fprintf(b, "\n• and %d more", len(ts)-maxListed)
			break
		}
		fmt.Fprintf(b, "\n• %s — %s", taskLink(t.Key, t.Title, t.URL), why(t))
	}
}

// startText announces a sprint's start with its planned scope.
func startText(team *config.Team, sp *Sprint, plan *Plan) string {
	var points float64
	unestimated := 0
	for _, t := range plan.Tasks {
		points += pts(t.Points)
		if t.Points == nil {
			unestimated++
		}
	}
	text := fmt.Sprintf(":rocket: %s started (%s): %d planned %s, %s %s", sprintName(sp), sp.Dates(), len(plan.Tasks),
		plural(len(plan.Tasks), "task", "tasks"), FormatPoints(points), pointsWord(points))
	if unestimated > 0 {
		text += fmt.Sprintf(" (%d without an estimate)", unestimated)
	}
	text += ". Anything added from now on is walk-on work."
	if len(sp.Goals) > 0 {
		text += "\n:dart: Goals: " + slackapp.Escape(strings.Join(sp.Goals, "; "))
	}
	return text
}

// figuresText is the report's body: the planning document's figures, the walk-ons, points,
// what carries over, and each person's share.
func figuresText(cfg *config.Config, f *Figures) string {
	var b strings.Builder
	fmt.Fprintf(&b, ":chart_with_upwards_trend: %d of %d planned %s completed", f.PlannedDone, len(f.Planned), plural(len(f.Planned), "task", "tasks"))
	if f.PlannedRemoved > 0 {
		fmt.Fprintf(&b, " (%d taken out of the sprint)", f.PlannedRemoved)
	}
	fmt.Fprintf(&b, "\n:turtle: %d walk-on %s", len(f.WalkOns), plural(len(f.WalkOns), "task", "tasks"))
	if len(f.WalkOns) > 0 {
		fmt.Fprintf(&b, " (%s points):", FormatPoints(f.WalkOnPoints))
		for i, l := range f.WalkOns {
			if i == maxListed {
				fmt.Fprintf(&b, "\n    • and %d more", len(f.WalkOns)-maxListed)
				break
			}
			state := pointsSuffix(l.Points)
			switch {
			case l.Removed:
				state += ", taken out again"
			case l.Done:
				state += ", done"
			}
			fmt.Fprintf(&b, "\n    • %s — %s, added %s", taskLink(l.Key, l.Title, l.URL), state, day(l.Added, f.Sprint.location(cfg)))
		}
	}
	fmt.Fprintf(&b, "\n:dart: Points: %s planned; %s done of %s in scope now", FormatPoints(f.PlannedPoints), FormatPoints(f.Now.DonePoints), FormatPoints(f.Now.ScopePoints))
	fmt.Fprintf(&b, "\n:arrow_right: Carried over: %d %s, %s points", len(f.Carried), plural(len(f.Carried), "task", "tasks"), FormatPoints(f.CarriedPoints))
	for i, l := range f.Carried {
		if i == maxListed {
			fmt.Fprintf(&b, "\n    • and %d more", len(f.Carried)-maxListed)
			break
		}
		fmt.Fprintf(&b, "\n    • %s — %s, %s", taskLink(l.Key, l.Title, l.URL), pointsSuffix(l.Points), personName(cfg, l.Owner, l.OwnerName))
	}
	if len(f.People) > 0 {
		b.WriteString("\n:busts_in_silhouette: Per person:")
		for _, p := range f.People {
			name := "unassigned"
			if p.Name != "" {
				name = slackapp.Escape(p.Name)
			}
			fmt.Fprintf(&b, "\n    • %s: %d of %d %s done, %s of %s points", name, p.Done, p.Tasks, plural(p.Tasks, "task", "tasks"), FormatPoints(p.DonePoints), FormatPoints(p.Points))
		}
	}
	return b.String()
}

func (s *Sprint) location(cfg *config.Config) *time.Location {
	if t := cfg.Team(s.Team); t != nil {
		return t.Location()
	}
	return time.UTC
}

// reportText is the report message: a title, then the figures.
func reportText(cfg *config.Config, f *Figures, final bool) string {
	title := "Sprint report"
	if !final {
		title = "Sprint report so far"
	}
	return fmt.Sprintf("*%s: %s* (%s)\n%s", title, sprintName(f.Sprint), f.Sprint.Dates(), figuresText(cfg, f))
}

// draftText is the next planning document's draft, in the team's template (PROCESSES.md):
// the review of this sprint with its figures, and its goals for the next one.
func draftText(cfg *config.Config, f *Figures, next *config.SprintDates) string {
	var b strings.Builder
	b.WriteString(":memo: *Draft of the next planning document*\n```\n")
	if next != nil {
		fmt.Fprintf(&b, "%s\n", dateRange(next.From, next.To))
	} else {
		fmt.Fprintf(&b, "After %s\n", f.Sprint.Milestone.Name)
	}
	b.WriteString("Last sprint review\n")
	notes := func(kind, title string) {
		fmt.Fprintf(&b, "  %s\n", title)
		n := 0
		for _, x := range f.Sprint.Notes {
			if x.Kind == kind {
				fmt.Fprintf(&b, "    • %s\n", fence(x.Text))
				n++
			}
		}
		if n == 0 {
			fmt.Fprintf(&b, "    • (none noted: /sprint note %s &lt;text&gt;)\n", kind)
		}
	}
	notes(NoteWin, "👏 Wins")
	notes(NoteLearning, "💡 Learnings")
	b.WriteString("  🛑 Road-bumps and blockers\n")
	bumps := 0
	for _, x := range f.Sprint.Notes {
		if x.Kind == NoteRoadbump {
			fmt.Fprintf(&b, "    • %s\n", fence(x.Text))
			bumps++
		}
	}
	if len(f.Carried) > 0 {
		fmt.Fprintf(&b, "    • %d %s (%s points) carried over\n", len(f.Carried), plural(len(f.Carried), "task", "tasks"), FormatPoints(f.CarriedPoints))
		bumps++
	}
	if f.PlannedRemoved > 0 {
		fmt.Fprintf(&b, "    • %d planned %s taken out of the sprint\n", f.PlannedRemoved, plural(f.PlannedRemoved, "task", "tasks"))
		bumps++
	}
	if bumps == 0 {
		b.WriteString("    • (none noted: /sprint note roadbump &lt;text&gt;)\n")
	}
	fmt.Fprintf(&b, "  📈 %d of %d planned tasks completed\n", f.PlannedDone, len(f.Planned))
	fmt.Fprintf(&b, "  🐢 %d walk-on %s\n", len(f.WalkOns), plural(len(f.WalkOns), "task", "tasks"))
	b.WriteString("🎯 Goals and priorities (ideally no more than 3)\n")
	if len(f.Sprint.Goals) == 0 {
		b.WriteString("  • (none set: /sprint goals &lt;goal&gt; | &lt;goal&gt; | &lt;goal&gt;)\n")
	}
	for _, g := range f.Sprint.Goals {
		fmt.Fprintf(&b, "  • %s\n", fence(g))
	}
	b.WriteString("Up next: focus areas 1–2 sprints out\n  • \nOn the horizon: 2–3 focus areas from the roadmap\n  • \n```")
	return b.String()
}

// fence makes text safe inside a ``` block: Slack ends the block at the first ``` and still
// reads <...> and & as markup there.
func fence(s string) string {
	return slackapp.Escape(strings.ReplaceAll(s, "```", "'''"))
}

// chartComment introduces the burnup chart.
func chartComment(f *Figures, final bool) string {
	unit := "points"
	if !f.UsesPoints() {
		unit = "tasks"
	}
	when := "so far"
	if final {
		when = "at the end"
	}
	return fmt.Sprintf("Burnup of %s %s: scope and done at the end of each business day, in %s.", slackapp.Escape(f.Sprint.Milestone.Name), when, unit)
}
