package labels

import (
	"fmt"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// Plain-words rendering of rules for /labels rules, in Slack mrkdwn with every configured
// value escaped.

// DescribeRule says what a rule does, in a few lines.
func DescribeRule(cfg *config.Config, team *config.Team, r *config.LabelRule) string {
	var b strings.Builder
	w := r.When
	verb := "added to"
	if w.Removed {
		verb = "removed from"
	}
	where := "an issue or pull request"
	switch {
	case w.Issues && !w.PullRequests:
		where = "an issue"
	case w.PullRequests && !w.Issues:
		where = "a pull request"
	}
	fmt.Fprintf(&b, "*%s* — when `%s` is %s %s", slackapp.Escape(r.Name), slackapp.Escape(w.Label), verb, where)
	if len(w.Repos) > 0 {
		fmt.Fprintf(&b, " in %s", slackapp.Escape(strings.Join(w.Repos, ", ")))
	} else {
		var clients []string
		for _, id := range team.Clients {
			if c := cfg.Client(id); c != nil {
				clients = append(clients, slackapp.Escape(c.Name))
			}
		}
		fmt.Fprintf(&b, " in the repositories of %s", andList(clients))
	}
	if len(w.Authors) > 0 {
		fmt.Fprintf(&b, ", opened by an author who is %s", strings.Join(w.Authors, " or "))
	}
	if len(w.Priorities) > 0 {
		fmt.Fprintf(&b, ", with priority %s", slackapp.Escape(strings.Join(w.Priorities, " or ")))
	}
	b.WriteString(":")
	if len(r.Do) > 0 {
		fmt.Fprintf(&b, "\n    • at once: %s", describeActions(cfg, team, r.Do))
	}
	for _, t := range r.Timers {
		fmt.Fprintf(&b, "\n    • %s", describeTimer(cfg, team, t))
	}
	if len(r.Timers) > 0 && len(r.CancelOn) > 0 {
		var cs []string
		for _, c := range r.CancelOn {
			cs = append(cs, describeCancel(c))
		}
		fmt.Fprintf(&b, "\n    • its timers stop when %s", orList(cs))
	}
	return b.String()
}

func describeTimer(cfg *config.Config, team *config.Team, t config.LabelTimer) string {
	var conds []string
	for _, c := range t.If {
		conds = append(conds, describeCondition(c))
	}
	s := fmt.Sprintf("after %s, if %s: %s", describeSpan(t.After), andList(conds), describeActions(cfg, team, t.Do))
	if !t.Every.IsZero() {
		s += fmt.Sprintf("; again every %s while that holds, %d times at most", describeSpan(t.Every), t.Limit)
	}
	return s
}

func describeActions(cfg *config.Config, team *config.Team, acts []config.LabelAction) string {
	var parts []string
	for _, a := range acts {
		parts = append(parts, describeAction(cfg, team, a))
	}
	return strings.Join(parts, ", then ")
}

func describeAction(cfg *config.Config, team *config.Team, a config.LabelAction) string {
	quote := func(s string) string {
		return "“" + slackapp.Escape(clip.Runes(strings.Join(strings.Fields(s), " "), 80)) + "”"
	}
	switch a.Kind {
	case config.ActionComment:
		return "comment " + quote(a.Text)
	case config.ActionPost:
		return "post to <#" + a.Channel + ">"
	case config.ActionDM:
		return "DM " + describeTarget(cfg, team, a.Target)
	case config.ActionAssign:
		return "assign " + describeTarget(cfg, team, a.Target)
	case config.ActionAddLabels, config.ActionRemoveLabels:
		var ls []string
		for _, l := range a.Labels {
			ls = append(ls, "`"+slackapp.Escape(l)+"`")
		}
		verb := "add "
		if a.Kind == config.ActionRemoveLabels {
			verb = "remove "
		}
		return verb + strings.Join(ls, ", ")
	case config.ActionBoard:
		return fmt.Sprintf("put it on the board %s/%d as %s", slackapp.Escape(a.Board.Owner), a.Board.Project, quote(a.Board.Status))
	case config.ActionClose:
		return "close it as " + strings.ReplaceAll(a.Reason, "_", " ")
	case config.ActionLock:
		return "lock the conversation (" + a.Reason + ")"
	}
	return a.Kind
}

func describeTarget(cfg *config.Config, team *config.Team, tg config.ActionTarget) string {
	names := func(ids []string) string {
		var out []string
		for _, id := range ids {
			if p := cfg.PersonByID(id); p != nil {
				out = append(out, slackapp.Escape(p.Name))
			}
		}
		return andList(out)
	}
	switch {
	case tg.Person != "":
		return names([]string{tg.Person})
	case tg.Role != "":
		return fmt.Sprintf("the %s (%s)", slackapp.Escape(tg.Role), names(team.RolePeople(tg.Role)))
	case tg.Rotation != "":
		return "whoever is on the " + slackapp.Escape(tg.Rotation) + " rotation"
	case tg.Assignees:
		return "the assignees"
	}
	return "nobody"
}

// describeSpan renders "7 business days", "2h", "1h30m".
func describeSpan(s config.Span) string {
	if s.BusinessDays == 1 {
		return "1 business day"
	}
	if s.BusinessDays > 1 {
		return fmt.Sprintf("%d business days", s.BusinessDays)
	}
	d := s.Duration.String()
	if strings.HasSuffix(d, "m0s") {
		d = strings.TrimSuffix(d, "0s")
	}
	if strings.HasSuffix(d, "h0m") {
		d = strings.TrimSuffix(d, "0m")
	}
	return d
}

func andList(items []string) string { return joinList(items, "and") }
func orList(items []string) string  { return joinList(items, "or") }

func joinList(items []string, conj string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + conj + " " + items[len(items)-1]
}

// describeDue renders a due time in the team's zone: "Thu 3 Dec 10:00 EST".
func describeDue(t time.Time, team *config.Team) string {
	return t.In(team.Location()).Format("Mon 2 Jan 15:04 MST")
}
