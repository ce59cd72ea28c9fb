package workboard

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/phab"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// New & TBD: the announcement of a task newly tagged with the team's project, and the morning
// list of tasks still waiting in the triage column.

// announce posts a newly tagged task to the team's channel, once ever per task and team. A
// task that is closed, or no longer the team's, by the time the delivery is processed is not
// announced.
func (t *teamDelivery) announce(ctx context.Context, x conduit.Xact) error {
	if t.Snapshot.Closed || !t.board.InFamily(t.Task.Projects) {
		return nil
	}
	done, err := t.w.Store.Announced(ctx, t.team.ID, t.Task.PHID)
	if err != nil || done {
		return err
	}
	text := announcementText(t.team, taskURL(t.Config, t.Task.ID), t.Task.ID, t.Task.Title, t.name(ctx, t.Task.AuthorPHID), t.Dir.Server.PriorityName(t.Task.Priority))
	_, ran, err := t.w.Effects.Once(ctx, "phab#new#"+t.team.ID+"#"+t.Task.PHID, func(ctx context.Context) (string, error) {
		return slackapp.Post(ctx, t.w.Slack, t.team.Slack.Channel, slackapp.Message{Text: text})
	})
	if err != nil {
		return fmt.Errorf("announce T%d: %w", t.Task.ID, err)
	}
	if ran {
		t.w.log(ctx).Info("workboard: new task announced", logs.Team, t.team.ID, "task", fmt.Sprintf("T%d", t.Task.ID))
	}
	return t.w.Store.MarkAnnounced(ctx, t.team.ID, t.Task.PHID, x.Created)
}

// Waiting is a task in the triage column, with how long it has waited.
type Waiting struct {
	phab.Position
	// BusinessDays is how many of the team's business days have passed since it arrived.
	BusinessDays int
	// Overdue is true once it has waited triage_after business days.
	Overdue bool
}

// ListWaiting lists the open tasks in the team's triage column at now, longest waiting first.
func ListWaiting(ctx context.Context, m phab.Mirror, cal *calendar.Calendar, cfg *config.Config, team *config.Team, triage string, now time.Time) ([]Waiting, error) {
	ps, err := m.InColumn(ctx, triage)
	if err != nil {
		return nil, err
	}
	loc := team.Location()
	businessDay := cal.TeamBusinessDay(cfg, team)
	out := make([]Waiting, 0, len(ps))
	for _, p := range ps {
		w := Waiting{Position: p, BusinessDays: businessDaysBetween(p.Since.In(loc), now.In(loc), businessDay)}
		w.Overdue = !team.Phabricator.TriageAfter.After(p.Since.In(loc), businessDay).After(now)
		out = append(out, w)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Since.Before(out[j].Since) })
	return out, nil
}

// businessDaysBetween counts the business days after from's day up to and including to's day.
func businessDaysBetween(from, to time.Time, businessDay func(config.Date) bool) int {
	n := 0
	d, end := config.DateOf(from), config.DateOf(to)
	for i := 0; i < 3660 && d.Compare(end) < 0; i++ {
		d = d.AddDays(1)
		if businessDay(d) {
			n++
		}
	}
	return n
}

// waitingLines renders a list of waiting tasks, one line each.
func waitingLines(url string, ws []Waiting, max int) string {
	var b strings.Builder
	for i, w := range ws {
		if i == max {
			fmt.Fprintf(&b, "\n…and %d more", len(ws)-max)
			break
		}
		link := ""
		if url != "" {
			link = fmt.Sprintf("%s/T%d", url, w.ID)
		}
		fmt.Fprintf(&b, "\n• %s — %d business %s, since %s", taskLink(link, w.ID, w.Title), w.BusinessDays, plural(w.BusinessDays, "day", "days"), slackapp.Date(w.Since))
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// morningTriage sends, once on each of the team's business days at or after triage_at, the
// tasks that have waited in the triage column for triage_after business days or more: to the
// engineer on duty, or the team's channel.
func (w *Workboard) morningTriage(ctx context.Context, cfg *config.Config, team *config.Team, board *BoardSummary, now time.Time) error {
	tp := team.Phabricator
	loc := team.Location()
	day := config.DateOf(now.In(loc))
	if w.Calendar.TeamOff(cfg, team, day) != "" || now.Before(tp.TriageAt.On(day, loc)) || board.Triage == "" {
		return nil
	}
	key := "phab#triage#" + team.ID + "#" + day.String()
	_, _, err := w.Effects.Once(ctx, key, func(ctx context.Context) (string, error) {
		ws, err := ListWaiting(ctx, w.Mirror, w.Calendar, cfg, team, board.Triage, now)
		if err != nil {
			return "", err
		}
		var overdue []Waiting
		for _, x := range ws {
			if x.Overdue {
				overdue = append(overdue, x)
			}
		}
		if len(overdue) == 0 {
			return "nothing overdue", nil
		}
		text := fmt.Sprintf("*%s: %d %s waiting in %s for %s or more*%s", slackapp.Escape(team.Name), len(overdue), plural(len(overdue), "task", "tasks"),
			slackapp.Escape(board.TriageName), tp.TriageAfter.String()+" (business days)", waitingLines(board.URL, overdue, 30))
		duty, err := w.Duty.OnDuty(ctx, team, now)
		if err != nil {
			return "", err
		}
		if p := cfg.PersonByID(duty); p != nil && p.Slack != "" {
			return slackapp.DM(ctx, w.Slack, p.Slack, slackapp.Message{Text: text})
		}
		return slackapp.Post(ctx, w.Slack, team.Slack.Channel, slackapp.Message{Text: text})
	})
	return err
}
