package decision

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// Action ids (prefix "decision:", see Interactions).
const (
	ActionApprove = "decision:approve"
	ActionReject  = "decision:reject"
)

func md(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, false)
}

func plain(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, text, false, false)
}

// who renders person ids as mentions (names for people without Slack, ids for people no
// longer in the config), or "nobody".
func who(cfg *config.Config, ids []string) string {
	if len(ids) == 0 {
		return "nobody"
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = mention(cfg, id)
	}
	return strings.Join(out, ", ")
}

func mention(cfg *config.Config, id string) string {
	if p := cfg.PersonByID(id); p != nil {
		if p.Slack != "" {
			return slackapp.Mention(p.Slack)
		}
		return slackapp.Escape(p.Name)
	}
	return slackapp.Escape(id)
}

func slackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

// Headline is "D12 · Adopt trunk-based development", escaped for mrkdwn.
func Headline(d *Decision) string {
	return d.ID.Label() + " · " + slackapp.Escape(d.Title)
}

// Text is a decision's notification text.
func Text(d *Decision) string {
	return fmt.Sprintf("Decision %s (%s): %s", Headline(d), slackapp.Escape(d.KindName), d.State)
}

// StateLine says where the decision is: who still has to approve, or who settled it.
func StateLine(cfg *config.Config, d *Decision) string {
	var yes, no, waiting []string
	for _, a := range d.Approvers {
		v, ok := d.VerdictOf(a)
		switch {
		case !ok:
			waiting = append(waiting, a)
		case v.Approved:
			yes = append(yes, a)
		default:
			no = append(no, a)
		}
	}
	switch d.State {
	case Approved:
		return fmt.Sprintf(":white_check_mark: *Approved* by %s, %s.", who(cfg, yes), slackDate(d.Decided))
	case Rejected:
		return fmt.Sprintf(":no_entry: *Rejected* by %s, %s.", who(cfg, no), slackDate(d.Decided))
	}
	line := fmt.Sprintf(":hourglass_flowing_sand: *Open*: waiting for %s to approve or reject.", who(cfg, waiting))
	if len(yes) > 0 {
		line += " Approved so far by " + who(cfg, yes) + "."
	}
	return line
}

// Blocks renders the decision record: what is decided, who drives, approves, is consulted and
// informed, where it stands, and (while open) Approve and Reject.
func Blocks(cfg *config.Config, team *config.Team, d *Decision) []slack.Block {
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(clip.Runes(d.ID.Label()+" · "+d.Title, 150))),
		slack.NewSectionBlock(md(fmt.Sprintf("*%s* (`%s`) in %s · opened by %s", slackapp.Escape(d.KindName), d.Kind, slackapp.Escape(team.Name), slackapp.Mention(d.OpenedBy))), nil, nil),
		slack.NewSectionBlock(nil, []*slack.TextBlockObject{
			md("*Drives*\n" + clip.Runes(who(cfg, d.Drivers), 1900)),
			md("*Approves*\n" + clip.Runes(who(cfg, d.Approvers), 1900)),
			md("*Consulted*\n" + clip.Runes(who(cfg, d.Consulted), 1900)),
			md("*Informed*\n" + clip.Runes(who(cfg, d.Informed), 1900)),
		}, nil),
		slack.NewSectionBlock(md(StateLine(cfg, d)), nil, nil),
	}
	if d.State == Open {
		blocks = append(blocks, buttons(d))
	}
	return blocks
}

func buttons(d *Decision) *slack.ActionBlock {
	approve := slack.NewButtonBlockElement(ActionApprove, d.ID.String(), plain("Approve"))
	approve.Style = slack.StylePrimary
	reject := slack.NewButtonBlockElement(ActionReject, d.ID.String(), plain("Reject"))
	reject.Style = slack.StyleDanger
	reject.Confirm = slack.NewConfirmationBlockObject(plain("Reject "+d.ID.Label()+"?"), plain("One rejection settles the decision as rejected."), plain("Reject"), plain("Cancel"))
	return slack.NewActionBlock("decision_verdict", approve, reject)
}

// ConsultText asks the consulted for their input, in the record's thread.
func ConsultText(cfg *config.Config, d *Decision) string {
	return fmt.Sprintf("%s: you are consulted on *%s*. Please give your input in this thread; %s %s.",
		who(cfg, d.Consulted), Headline(d), who(cfg, d.Approvers), plural(len(d.Approvers), "approves", "approve"))
}

// AskText asks one approver for their verdict, by DM.
func AskText(team *config.Team, d *Decision, link string) string {
	return fmt.Sprintf("You approve *%s* (%s) in %s: <%s|see the record and its thread>, then approve or reject here or there.",
		Headline(d), slackapp.Escape(d.KindName), slackapp.Escape(team.Name), link)
}

// AskBlocks is the approver's DM: the question and the buttons.
func AskBlocks(team *config.Team, d *Decision, link string) []slack.Block {
	return []slack.Block{slack.NewSectionBlock(md(AskText(team, d, link)), nil, nil), buttons(d)}
}

// VerdictLine is the thread line for one approver's verdict.
func VerdictLine(cfg *config.Config, v Verdict) string {
	if v.Approved {
		return fmt.Sprintf(":heavy_check_mark: %s approved.", mention(cfg, v.Person))
	}
	return fmt.Sprintf(":x: %s rejected.", mention(cfg, v.Person))
}

// OutcomeText tells the informed (by DM) and the thread how the decision was settled.
func OutcomeText(cfg *config.Config, team *config.Team, d *Decision, link string) string {
	return fmt.Sprintf("Decision *%s* of %s (%s) is settled. %s <%s|See the record>.",
		Headline(d), slackapp.Escape(team.Name), slackapp.Escape(d.KindName), StateLine(cfg, d), link)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Line is a decision in a list: label, title, kind and state.
func Line(cfg *config.Config, d *Decision) string {
	state := string(d.State)
	if d.State == Open {
		var waiting []string
		for _, a := range d.Approvers {
			if _, ok := d.VerdictOf(a); !ok {
				waiting = append(waiting, a)
			}
		}
		state = "open, waiting for " + who(cfg, waiting)
	}
	return fmt.Sprintf("• *%s* · %s · %s", Headline(d), slackapp.Escape(d.KindName), state)
}
