package standup

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// Line is one (member, client) of a team on a day: their standup or why there is none.
type Line struct {
	Duty Duty
	ID   ID
	// Off says why the member owes no standup that day ("" when they do).
	Off calendar.DayOff
	// Due is when the standup is due; NotDue is set when that is after now.
	Due    time.Time
	NotDue bool
	// Standup is set when the slot exists.
	Standup *Standup
	// OpenBlockers are blockers of an earlier standup that no later submitted standup
	// cleared (shown while today's is not submitted).
	OpenBlockers     string
	OpenBlockersFrom string
}

// Submitted reports whether the line's standup is submitted.
func (l Line) Submitted() bool { return l.Standup != nil && l.Standup.Submitted() }

// Roster lists the team's members and clients for the team's day: for each, the standup or
// the reason there is none. DynamoDB work: one BatchGet for away ranges, one for the
// standups and last pointers.
func Roster(ctx context.Context, st Store, c *calendar.Calendar, cfg *config.Config, team *config.Team, day config.Date, now time.Time) ([]Line, error) {
	var lines []Line
	away, err := st.AwayRanges(ctx, team.Members)
	if err != nil {
		return nil, err
	}
	var ids []ID
	var pairs [][2]string
	for _, m := range team.Members {
		for _, cid := range team.Clients {
			d, ok := DutyFor(cfg, m, cid)
			if !ok || d.Team.ID != team.ID {
				continue
			}
			l := Line{Duty: d, ID: ID{Client: cid, Person: m, Date: day}}
			sl, off, ok := SlotOn(c, d, away[m], day)
			if !ok {
				l.Off = off
			} else {
				l.Due = sl.Due
				l.NotDue = sl.Due.After(now)
				ids = append(ids, l.ID)
			}
			pairs = append(pairs, [2]string{cid, m})
			lines = append(lines, l)
		}
	}
	sds, err := st.Standups(ctx, ids)
	if err != nil {
		return nil, err
	}
	lasts, err := st.Lasts(ctx, pairs)
	if err != nil {
		return nil, err
	}
	for i := range lines {
		l := &lines[i]
		if sd, ok := sds[l.ID]; ok {
			l.Standup = &sd
		}
		if !l.Submitted() {
			if last := lasts[l.ID.Client+"/"+l.ID.Person]; last != nil && last.Blockers != "" && last.Date < day.String() {
				l.OpenBlockers, l.OpenBlockersFrom = last.Blockers, last.Date
			}
		}
	}
	return lines, nil
}

// DigestBlocks renders a team's digest: every member's plan, availability and blockers, who
// has not submitted, who is away or on holiday, who is not due yet. included limits which
// submitted standups are shown as such (nil: all).
func DigestBlocks(team *config.Team, day config.Date, lines []Line, included map[string]bool, web Links) []slack.Block {
	b := &budget{max: MaxMessageBlocks}
	b.add(header("Standup digest · " + team.Name + " · " + longDate(day)))
	if l := webLink(web.TeamDay(team.ID, day), "The team's day on the web"); l != "" {
		b.add(contextText(l + " · every standup in full"))
	}
	var missing, off, notDue, blocked []string
	shown := 0
	for i, l := range lines {
		name := "*" + slackapp.Escape(l.Duty.Person.Name) + "*"
		if len(team.Clients) > 1 {
			name += " (" + slackapp.Escape(l.Duty.Client.Name) + ")"
		}
		isIn := l.Submitted() && (included == nil || included[l.ID.String()])
		switch {
		case isIn:
			if b.room() < 4 {
				b.add(contextText(fmt.Sprintf("…and %d more standups; see /standup status.", countSubmitted(lines[i:], included))))
				goto tail
			}
			e := l.Standup.Entry
			text := name + "\n" + fitLines("", PlanLines(e))
			if e.Blockers != "" {
				text = clip.Bytes(text, MaxText-len(e.Blockers)-20) + "\n🚧 *Blockers:* " + slackapp.Escape(e.Blockers)
			}
			if s := e.PlanCheck.Summary(); s != "" {
				text += "\n_Plan check: " + s + "_"
			}
			b.add(section(clip.Bytes(text, MaxText)))
			shown++
		case l.Off != "":
			off = append(off, name+" — "+l.Off.Describe())
		case l.NotDue:
			notDue = append(notDue, name+" — due "+l.Due.In(team.Location()).Format("15:04")+" team time")
		default:
			missing = append(missing, name)
		}
		// Whoever is away, not due or missing, an open blocker is named: it used to be printed
		// as an unnamed line under whatever list came last.
		if !isIn && l.OpenBlockers != "" {
			blocked = append(blocked, "🚧 "+name+" (since "+l.OpenBlockersFrom+"): "+slackapp.Escape(clip.Bytes(l.OpenBlockers, 300)))
		}
	}
tail:
	if shown == 0 {
		b.add(section("_No standups submitted yet._"))
	}
	if len(missing) > 0 {
		b.add(section(fitLines("*Not submitted*", missing)))
	}
	if len(blocked) > 0 {
		b.add(section(fitLines("*Still blocked* (from their last standup)", blocked)))
	}
	if len(notDue) > 0 {
		b.add(section(fitLines("*Not due yet* (late submissions are added to this thread)", notDue)))
	}
	if len(off) > 0 {
		b.add(section(fitLines("*Away or on holiday*", off)))
	}
	return b.blocks
}

func countSubmitted(lines []Line, included map[string]bool) int {
	n := 0
	for _, l := range lines {
		if l.Submitted() && (included == nil || included[l.ID.String()]) {
			n++
		}
	}
	return n
}

// StatusText renders /standup status: who has submitted today, for one team.
func StatusText(team *config.Team, day config.Date, lines []Line) string {
	var out []string
	done := 0
	for _, l := range lines {
		name := slackapp.Escape(l.Duty.Person.Name)
		if len(team.Clients) > 1 {
			name += " (" + slackapp.Escape(l.Duty.Client.Name) + ")"
		}
		switch {
		case l.Submitted():
			done++
			out = append(out, "✅ "+name)
		case l.Off != "":
			out = append(out, "🌴 "+name+" — "+l.Off.Describe())
		case l.NotDue:
			out = append(out, "🕒 "+name+" — due "+l.Due.In(team.Location()).Format("15:04")+" team time")
		default:
			out = append(out, "⏳ "+name+" — not submitted")
		}
	}
	head := fmt.Sprintf("*%s* · %s · %d submitted", slackapp.Escape(team.Name), longDate(day), done)
	return fitLines(head, out)
}
