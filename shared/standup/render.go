package standup

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// The renderers in this file are what the developer and the team see: they take a Standup
// (slot and entry) and never a Review, so reviewer-only fields cannot reach them.

// PlanLines renders an entry's plan, availability and comment.
func PlanLines(e *Entry) []string {
	lines := []string{fmt.Sprintf("*Plan* (%s): %s", e.Availability.Label(), slackapp.Escape(e.Comment))}
	for _, p := range e.Plan {
		mark := ""
		if p.ExpectDone {
			mark = " _(expects done)_"
		}
		lines = append(lines, "• "+link(p.URL, slackapp.Escape(p.Ref()))+" "+slackapp.Escape(p.Title)+mark)
	}
	return lines
}

// StandupBlocks renders a submitted or pending standup for people: what was done (the
// footprint snapshot with the developer's comments), the plan, blockers and plan accuracy. It
// uses at most max blocks.
func StandupBlocks(sd Standup, p *config.Person, c *config.Client, max int) []slack.Block {
	b := &budget{max: max}
	id := sd.Slot.ID
	title := fmt.Sprintf("*%s* for *%s*, %s", slackapp.Escape(p.Name), slackapp.Escape(c.Name), longDate(id.Date))
	e := sd.Entry
	if e == nil || e.Submitted.IsZero() {
		b.add(section(title + "\n_Not submitted._"))
		return b.blocks
	}
	status := "submitted " + localTime(e.Submitted, p.Location())
	if e.Revision > 1 {
		status += ", edited " + localTime(e.Edited, p.Location())
	}
	if !e.Reviewed.IsZero() {
		status += " · reviewed"
	}
	b.add(section(title), contextText(status))
	if s := e.PlanCheck.Summary(); s != "" {
		b.add(contextText("Plan check: " + s))
	}
	var did []string
	for _, r := range e.Footprint.Group() {
		did = append(did, "*"+slackapp.Escape(r.Repo)+"*")
		did = append(did, r.Lines...)
		if c := e.RepoComments[strings.ToLower(r.Repo)]; c != "" {
			did = append(did, "> "+slackapp.Escape(c))
		}
	}
	if len(did) == 0 {
		did = []string{"_No GitHub activity._"}
	}
	b.add(section(fitLines("*Since last standup*", did)))
	b.add(section(fitLines("", PlanLines(e))))
	if e.Blockers != "" {
		b.add(section(clip.Bytes("*Blockers:* "+slackapp.Escape(e.Blockers), MaxText)))
	}
	return b.blocks
}

// ReadOnlyModal shows a standup to someone who may not edit it (the delivery manager from a
// blocker DM, the developer after review).
func ReadOnlyModal(sd Standup, p *config.Person, c *config.Client) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain(clip.Runes("Standup · "+c.Name, maxTitle)),
		Close:           plain("Close"),
		CallbackID:      CallbackReadOnly,
		PrivateMetadata: sd.Slot.ID.String(),
		Blocks:          slack.Blocks{BlockSet: StandupBlocks(sd, p, c, MaxModalBlocks)},
	}
}

// MessageModal is a modal that only says something (an error, a notice).
func MessageModal(title, text string) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:   slack.VTModal,
		Title:  plain(clip.Runes(title, maxTitle)),
		Close:  plain("Close"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{section(clip.Bytes(text, MaxText))}},
	}
}
