package standup

import (
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// ReviewModal shows a standup to its reviewer with the reviewer-only fields (notes, flags)
// and Mark reviewed (callback standup:review_submit). Only the reviewer's paths build it.
func ReviewModal(sd Standup, r Review, p *config.Person, c *config.Client) slack.ModalViewRequest {
	blocks := StandupBlocks(sd, p, c, MaxModalBlocks-4)
	blocks = append(blocks, slack.NewDividerBlock(), header("Reviewer only"))
	notes := slack.NewInputBlock(blockReviewNotes, plain("Notes"), plain("Never shown to the developer or the team."), textInput(actionValue, r.Notes, true))
	notes.Optional = true
	var opts, init []*slack.OptionBlockObject
	for _, f := range Flags {
		o := slack.NewOptionBlockObject(string(f), plain(f.Label()), nil)
		opts = append(opts, o)
		for _, have := range r.Flags {
			if have == f {
				init = append(init, o)
			}
		}
	}
	cb := slack.NewCheckboxGroupsBlockElement(actionItems, opts...)
	cb.InitialOptions = init
	flags := slack.NewInputBlock(blockReviewFlags, plain("Flags"), nil, cb)
	flags.Optional = true
	blocks = append(blocks, notes, flags)
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain(clip.Runes("Review · "+p.Name, maxTitle)),
		Submit:          plain("Mark reviewed"),
		Close:           plain("Cancel"),
		CallbackID:      CallbackReview,
		PrivateMetadata: sd.Slot.ID.String(),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// ParseReview reads the review modal's state.
func ParseReview(state *slack.ViewState, reviewer string, now time.Time) Review {
	return reviewFormOf(state).Review(reviewer, now)
}

// reviewFormOf reads the review modal's state as a ReviewForm.
func reviewFormOf(state *slack.ViewState) ReviewForm {
	var f ReviewForm
	if state == nil {
		return f
	}
	f.Notes = state.Values[blockReviewNotes][actionValue].Value
	for _, o := range state.Values[blockReviewFlags][actionItems].SelectedOptions {
		f.Flags = append(f.Flags, o.Value)
	}
	return f
}

// ReviewerItem is one standup in a reviewer's message.
type ReviewerItem struct {
	Standup Standup
	Person  *config.Person
}

// ReviewerMessage is the one message a reviewer gets per tick: the newly submitted standups of
// a client, each with a Review button (and a link to its review page when web has an
// address), and the plan accuracy.
func ReviewerMessage(c *config.Client, items []ReviewerItem, web Links) []slack.Block {
	b := &budget{max: MaxMessageBlocks}
	b.add(section(fmt.Sprintf("*%d standup%s for %s to review*", len(items), plural(len(items)), slackapp.Escape(c.Name))))
	if l := webLink(web.Queue(c.ID), "The review queue on the web"); l != "" {
		b.add(contextText(l + " · oldest first, with notes, flags and Mark reviewed"))
	}
	for i, it := range items {
		if b.room() < 2 {
			b.blocks = b.blocks[:len(b.blocks)-1]
			b.add(contextText(fmt.Sprintf("…and %d more; they stay in your queue.", len(items)-i+1)))
			break
		}
		e := it.Standup.Entry
		day := longDate(it.Standup.Slot.ID.Date)
		if l := webLink(web.Review(it.Standup.Slot.ID), day); l != "" {
			day = l
		}
		line := fmt.Sprintf("*%s* · %s", slackapp.Escape(it.Person.Name), day)
		if e != nil {
			line += " · " + e.Availability.Label()
			if s := e.PlanCheck.Summary(); s != "" {
				line += " · plan check: " + s
			}
			if e.Blockers != "" {
				line += " · 🚧 blockers"
			}
			line += "\n" + slackapp.Escape(clip.Bytes(e.Comment, 300))
		}
		b.add(slack.NewSectionBlock(mrkdwn(clip.Bytes(line, MaxText)), nil,
			slack.NewAccessory(button(ActionReview, it.Standup.Slot.ID.String(), "Review"))))
	}
	return b.blocks
}

// ReviewOverdueIssue is the title and body of the GitHub issue opened in the client's HR repo
// when a standup's review is overdue.
func ReviewOverdueIssue(id ID, p *config.Person, reviewer *config.Person, submitted time.Time, days int, web Links) (title, body string) {
	title = fmt.Sprintf("Standup review overdue: %s, %s", p.Name, id.Date)
	where := "Review it in Slack (the **Review** button in the message from Rituals)"
	if u := web.Review(id); u != "" {
		where = "Review it [on the web](" + u + ") or in Slack (the **Review** button in the message from Rituals)"
	}
	body = fmt.Sprintf("The standup of %s for %s on %s (submitted %s) has waited more than %d business day%s for review by %s.\n\n"+
		"%s; this issue closes itself when it is marked reviewed.\n\n"+
		"<!-- rituals:standup-review %s -->",
		p.Name, id.Client, id.Date, submitted.UTC().Format(time.RFC3339), days, plural(days), reviewer.Name, where, id)
	return title, body
}
