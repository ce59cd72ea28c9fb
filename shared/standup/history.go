package standup

import (
	"encoding/json"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// HistoryPageSize is how many standups a history page shows.
const HistoryPageSize = 5

// HistoryBlocks renders a page of a person's standups for a client (newest first) with
// Older/Newer buttons, each day linked to its web page when web has an address. Like every
// team-facing renderer it never sees reviewer fields.
func HistoryBlocks(p *config.Person, c *config.Client, page []Standup, older, newer bool, web Links) []slack.Block {
	b := &budget{max: MaxMessageBlocks}
	b.add(header("Standups of " + p.Name + " for " + c.Name))
	if l := webLink(web.Person(p.ID, c.ID), "All of them on the web, with filters"); l != "" {
		b.add(contextText(l))
	}
	if len(page) == 0 {
		b.add(section("_No standups yet._"))
	}
	for _, sd := range page {
		id := sd.Slot.ID
		day := longDate(id.Date)
		if l := webLink(web.Standup(id), day); l != "" {
			day = l
		}
		var text string
		switch e := sd.Entry; {
		case e == nil || e.Submitted.IsZero():
			text = fmt.Sprintf("*%s* · _not submitted_", day)
		default:
			status := "submitted " + localTime(e.Submitted, p.Location())
			if !e.Reviewed.IsZero() {
				status += " · reviewed"
			}
			text = fitLines(fmt.Sprintf("*%s* · %s", day, status), PlanLines(e))
			if e.Blockers != "" {
				text = clip.Bytes(text, MaxText-400) + "\n🚧 " + slackapp.Escape(clip.Bytes(e.Blockers, 300))
			}
			if s := e.PlanCheck.Summary(); s != "" {
				text = clip.Bytes(text, MaxText-100) + "\n_Plan check: " + s + "_"
			}
		}
		b.add(slack.NewSectionBlock(mrkdwn(clip.Bytes(text, MaxText)), nil,
			slack.NewAccessory(button(ActionView, id.String(), "View"))))
	}
	var nav []slack.BlockElement
	if newer && len(page) > 0 {
		nav = append(nav, button(ActionHistory, historyValue(c.ID, p.ID, page[0].Slot.ID.Date, true), "← Newer"))
	}
	if older && len(page) > 0 {
		nav = append(nav, button(ActionHistory, historyValue(c.ID, p.ID, page[len(page)-1].Slot.ID.Date, false), "Older →"))
	}
	if len(nav) > 0 {
		b.add(slack.NewActionBlock("standup_history_nav", nav...))
	}
	return b.blocks
}

func historyValue(client, person string, anchor config.Date, newer bool) string {
	data, _ := json.Marshal(EventPayload{Client: client, Person: person, Anchor: anchor.String(), Newer: newer})
	return string(data)
}
