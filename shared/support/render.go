package support

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// Action ids of the announcement's buttons; their value is the request's ID string.
const (
	ActionAck  = "support:ack"
	ActionETA  = "support:eta"
	ActionLoop = "support:loop"
	ActionOwn  = "support:own"
	// ModalAck is the callback_id of the acknowledgement / ETA modal.
	ModalAck = "support:ack_modal"
)

// Slack limits the renderers keep to.
const (
	maxText       = 3000
	maxHeader     = 150
	maxListLines  = 40
	maxBlockTexts = 10 // fields per section
)

// mention renders a person id as a Slack mention, or their name when they have no Slack id.
func mention(cfg *config.Config, personID string) string {
	if p := cfg.PersonByID(personID); p != nil {
		if p.Slack != "" {
			return "<@" + p.Slack + ">"
		}
		return p.Name
	}
	if personID == "" {
		return "nobody"
	}
	return personID
}

// requester renders the issue's author: their Slack mention when the config maps the login.
func requester(cfg *config.Config, login string) string {
	if p := cfg.PersonByGitHub(login); p != nil && p.Slack != "" {
		return "<@" + p.Slack + "> (`" + login + "`)"
	}
	return "<https://github.com/" + login + "|" + slackapp.Escape(login) + ">"
}

// slackDate renders t so that each reader sees it in their own time zone (slackapp.Date).
func slackDate(t time.Time) string { return slackapp.Date(t) }

// human renders a duration the way people say it (slackapp.Duration).
func human(d time.Duration) string { return slackapp.Duration(d) }

func issueLink(r *Request) string {
	return "<" + r.URL + "|" + slackapp.Escape(r.ID.Issue()) + ">"
}

func priorityLabel(team *config.Team, name string) string {
	if p, ok := team.Support.Priority(name); ok && p.Urgent {
		return name + " :rotating_light: urgent"
	}
	return name
}

// fallbackText is the notification text of the announcement.
func fallbackText(r *Request) string {
	return clip.Runes(fmt.Sprintf("Support request %s (%s): %s", r.ID.Issue(), slackapp.Escape(r.Priority), slackapp.Escape(r.Title)), maxText)
}

// Announcement renders the request's channel message: what it is, who asked, its priority,
// the sections it lacks, who is on rotation, its progress, and (while open) the buttons.
func Announcement(cfg *config.Config, team *config.Team, r *Request) []slack.Block {
	mk := func(t string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.MarkdownType, clip.Runes(t, maxText), false, false)
	}
	icon := ":sos:"
	switch r.State {
	case Resolved:
		icon = ":white_check_mark:"
	case Relabelled:
		icon = ":no_entry_sign:"
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, clip.Runes(icon+" "+r.Title, maxHeader), true, false)),
		slack.NewSectionBlock(mk(fmt.Sprintf("*%s* %s", issueLink(r), slackapp.Escape(r.Title))), []*slack.TextBlockObject{
			mk("*Requester*\n" + requester(cfg, r.Requester)),
			mk("*Repository*\n" + slackapp.Escape(r.ID.Repo)),
			mk("*Priority*\n" + priorityLabel(team, r.Priority)),
			mk("*On rotation*\n" + mention(cfg, r.Engineer)),
		}, nil),
	}
	if len(r.Missing) > 0 {
		blocks = append(blocks, slack.NewSectionBlock(mk(":warning: *Missing sections:* "+slackapp.Escape(strings.Join(r.Missing, ", "))+"\nThe requester was asked on GitHub to add them."), nil, nil))
	} else {
		blocks = append(blocks, slack.NewSectionBlock(mk(":white_check_mark: All required sections are in the issue."), nil, nil))
	}
	var status []string
	if !r.Acked.IsZero() {
		status = append(status, fmt.Sprintf(":eyes: Acknowledged by %s %s (after %s)", mention(cfg, r.AckedBy), slackDate(r.Acked), human(r.Acked.Sub(r.Created))))
	}
	if !r.ETA.IsZero() {
		status = append(status, ":calendar: ETA "+slackDate(r.ETA))
	}
	if r.Owner != "" {
		status = append(status, ":raising_hand: Owner "+mention(cfg, r.Owner))
	}
	if !r.Looped.IsZero() {
		status = append(status, ":busts_in_silhouette: EM & PM looped in by "+mention(cfg, r.LoopedBy))
	}
	switch r.State {
	case Resolved:
		status = append(status, fmt.Sprintf(":white_check_mark: Resolved %s (after %s)", slackDate(r.Closed), human(r.Closed.Sub(r.Created))))
	case Relabelled:
		status = append(status, fmt.Sprintf(":no_entry_sign: Closed %s: %s", slackDate(r.Closed), slackapp.Escape(r.Reason)))
	}
	if len(status) > 0 {
		blocks = append(blocks, slack.NewSectionBlock(mk(strings.Join(status, "\n")), nil, nil))
	}
	if r.IsOpen() {
		v := r.ID.String()
		btn := func(id, text string) *slack.ButtonBlockElement {
			return slack.NewButtonBlockElement(id, v, slack.NewTextBlockObject(slack.PlainTextType, text, false, false))
		}
		ack := btn(ActionAck, "Acknowledge")
		if r.Acked.IsZero() {
			ack.Style = slack.StylePrimary
		}
		blocks = append(blocks, slack.NewActionBlock("support_actions", ack, btn(ActionETA, "Set ETA"), btn(ActionLoop, "Loop in EM & PM"), btn(ActionOwn, "Take ownership")))
	}
	return blocks
}

// ThreadLine renders entry e of r as its line in the announcement's thread.
func ThreadLine(cfg *config.Config, team *config.Team, r *Request, e Entry) string {
	var line string
	switch e.Kind {
	case KindOpened:
		line = fmt.Sprintf(":sos: New %s support request from %s.", e.Priority, requester(cfg, r.Requester))
	case KindReopened:
		line = ":arrows_counterclockwise: The issue was reopened (or labelled again): the request is open again."
	case KindSections:
		if len(e.Missing) == 0 {
			line = ":white_check_mark: All required sections are now in the issue."
		} else {
			line = ":pencil: The issue now lacks: " + slackapp.Escape(strings.Join(e.Missing, ", ")) + "."
		}
	case KindPriority:
		line = ":label: Priority is now *" + priorityLabel(team, e.Priority) + "*."
	case KindAck:
		line = fmt.Sprintf(":eyes: %s acknowledged after %s. ETA %s.", mention(cfg, e.By), human(e.At.Sub(r.Created)), slackDate(e.ETA))
	case KindETA:
		line = fmt.Sprintf(":calendar: %s set the ETA to %s.", mention(cfg, e.By), slackDate(e.ETA))
	case KindLoop:
		em, pm := team.Roles.EM, team.Roles.PM
		who := mention(cfg, em)
		if pm != "" {
			who += " " + mention(cfg, pm)
		}
		line = fmt.Sprintf(":busts_in_silhouette: %s: %s loops you in to triage the priority and timing of this request with the requester, %s.", who, mention(cfg, e.By), requester(cfg, r.Requester))
	case KindOwner:
		if e.PrevOwner != "" {
			line = fmt.Sprintf(":raising_hand: %s took over ownership from %s.", mention(cfg, e.Owner), mention(cfg, e.PrevOwner))
		} else {
			line = fmt.Sprintf(":raising_hand: %s took ownership.", mention(cfg, e.Owner))
		}
	case KindResolved:
		line = fmt.Sprintf(":white_check_mark: The issue was closed: request resolved after %s.", human(e.At.Sub(r.Created)))
	case KindRelabelled:
		line = ":no_entry_sign: Request closed: " + slackapp.Escape(e.Reason) + "."
	default:
		line = "Request updated."
	}
	if e.Questions != "" {
		line += "\nFollow-up questions:\n" + quote(e.Questions)
	}
	return clip.Runes(line, maxText)
}

func quote(s string) string {
	lines := strings.Split(strings.TrimSpace(slackapp.Escape(s)), "\n")
	return "> " + strings.Join(lines, "\n> ")
}

// RequestLine renders a request as one line of a list (handover, /support list, nags).
func RequestLine(cfg *config.Config, r *Request, now time.Time) string {
	parts := []string{fmt.Sprintf("%s %s", issueLink(r), slackapp.Escape(clip.Runes(r.Title, 80))), r.Priority, human(now.Sub(r.Created)) + " old"}
	if r.Owner != "" {
		parts = append(parts, "owner "+mention(cfg, r.Owner))
	} else if r.Acked.IsZero() {
		parts = append(parts, "*not acknowledged*")
	}
	if !r.ETA.IsZero() {
		parts = append(parts, "ETA "+slackDate(r.ETA))
	}
	return "• " + strings.Join(parts, " · ")
}

// listText renders lines under a title, cut to stay within Slack's limits with "and N more".
func listText(title string, lines []string) string {
	var b strings.Builder
	b.WriteString(title)
	for i, l := range lines {
		more := fmt.Sprintf("\n…and %d more.", len(lines)-i)
		if i == maxListLines || b.Len()+1+len(l)+len(more) > maxText {
			b.WriteString(more)
			break
		}
		b.WriteString("\n")
		b.WriteString(l)
	}
	return b.String()
}

// AckModal is the modal the Acknowledge and Set ETA buttons open. private_metadata carries the
// request id; times are read in tz, the acknowledger's time zone.
func AckModal(r *Request, setETAOnly bool, tz string) slack.ModalViewRequest {
	pt := func(t string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, t, false, false)
	}
	title := "Acknowledge request"
	if setETAOnly {
		title = "Set ETA"
	}
	text := slack.NewPlainTextInputBlockElement(pt(`e.g. in 2h · tomorrow 15:00 · fri · 2026-03-31 14:00`), "eta")
	questions := slack.NewPlainTextInputBlockElement(pt("Anything the requester should answer"), "questions")
	questions.Multiline = true
	questions.MaxLength = 2000
	etaBlock := slack.NewInputBlock("eta", pt("ETA"), pt("Type it, or pick a date (and time) below instead. Times are in "+tz+"."), text)
	etaBlock.Optional = true
	dateBlock := slack.NewInputBlock("eta_date", pt("ETA date"), nil, slack.NewDatePickerBlockElement("eta_date"))
	dateBlock.Optional = true
	timeBlock := slack.NewInputBlock("eta_time", pt("ETA time"), pt("Defaults to "+EndOfDay.String()+"."), slack.NewTimePickerBlockElement("eta_time"))
	timeBlock.Optional = true
	qBlock := slack.NewInputBlock("questions", pt("Follow-up questions"), pt("Posted on the GitHub issue with the ETA."), questions)
	qBlock.Optional = true
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           pt(title),
		Submit:          pt("Save"),
		Close:           pt("Cancel"),
		CallbackID:      ModalAck,
		PrivateMetadata: r.ID.String(),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, clip.Runes(fmt.Sprintf("*%s* %s", issueLink(r), slackapp.Escape(r.Title)), maxText), false, false), nil, nil),
			etaBlock, dateBlock, timeBlock, qBlock,
		}},
	}
}
