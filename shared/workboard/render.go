package workboard

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// Action ids of the incident post's buttons; their value is Incident.Key().
const (
	ActionAck  = "phab:ubn_ack"
	ActionTake = "phab:ubn_take"
)

// maxTitle keeps a task title inside Slack's section and header limits with room to spare.
const maxTitle = 200

// taskURL links to task id on the config's server ("" when the config names none).
func taskURL(cfg *config.Config, id int) string {
	if cfg.Phabricator == nil {
		return ""
	}
	return cfg.Phabricator.URL + "/T" + strconv.Itoa(id)
}

// taskLink renders "T123: title" as a link, the title escaped.
func taskLink(url string, id int, title string) string {
	text := slackapp.Escape(fmt.Sprintf("T%d: %s", id, clip.Runes(title, maxTitle)))
	if url == "" {
		return text
	}
	return "<" + url + "|" + text + ">"
}

// mention renders a person id as a Slack mention, or their name when they have no Slack id.
func mention(cfg *config.Config, personID string) string {
	if p := cfg.PersonByID(personID); p != nil {
		if p.Slack != "" {
			return slackapp.Mention(p.Slack)
		}
		return slackapp.Escape(p.Name)
	}
	return slackapp.Escape(personID)
}

// incidentText is the post's notification text.
func incidentText(inc *Incident) string {
	state := ""
	switch {
	case !inc.Open():
		state = " (resolved)"
	case !inc.RespondedAt.IsZero():
		state = " (acknowledged)"
	}
	return fmt.Sprintf("Unbreak Now!%s T%d: %s", state, inc.TaskID, slackapp.Escape(clip.Runes(inc.Title, maxTitle)))
}

// incidentBlocks is the post: the task, who raised it, who is on duty, where it stands, and
// Acknowledge / Take it while it is open.
func incidentBlocks(cfg *config.Config, inc *Incident) []slack.Block {
	head := fmt.Sprintf(":rotating_light: *Unbreak Now!* %s", taskLink(inc.URL, inc.TaskID, inc.Title))
	facts := fmt.Sprintf("Raised by %s %s", slackapp.Escape(inc.RaisedByName), slackapp.Date(inc.RaisedAt))
	if inc.Duty != "" {
		facts += " · on duty: " + mention(cfg, inc.Duty)
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, head, false, false), nil, nil),
		slack.NewContextBlock("facts", slack.NewTextBlockObject(slack.MarkdownType, facts, false, false)),
	}
	var state string
	switch {
	case !inc.Open():
		state = fmt.Sprintf(":white_check_mark: Resolved after %s: %s.", slackapp.Duration(inc.ResolvedAt.Sub(inc.RaisedAt)), slackapp.Escape(inc.ResolvedHow))
		if !inc.RespondedAt.IsZero() {
			state += fmt.Sprintf(" First response by %s after %s.", mention(cfg, inc.RespondedBy), slackapp.Duration(inc.RespondedAt.Sub(inc.RaisedAt)))
		}
	case !inc.RespondedAt.IsZero():
		state = fmt.Sprintf(":eyes: %s %s after %s.", mention(cfg, inc.RespondedBy), slackapp.Escape(inc.RespondedHow), slackapp.Duration(inc.RespondedAt.Sub(inc.RaisedAt)))
		if inc.TakenBy != "" {
			state += " Taken by " + mention(cfg, inc.TakenBy) + "."
		}
	default:
		state = ":hourglass_flowing_sand: Nobody has responded yet: drop everything, or say who will."
	}
	if !inc.EscalatedAt.IsZero() && inc.Open() {
		state += " Escalated to the EM."
	}
	blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, state, false, false), nil, nil))
	if inc.Open() {
		ack := slack.NewButtonBlockElement(ActionAck, inc.Key(), slack.NewTextBlockObject(slack.PlainTextType, "Acknowledge", false, false))
		ack.Style = slack.StylePrimary
		take := slack.NewButtonBlockElement(ActionTake, inc.Key(), slack.NewTextBlockObject(slack.PlainTextType, "Take it", false, false))
		blocks = append(blocks, slack.NewActionBlock("ubn", ack, take))
	}
	return blocks
}

// dutyText is the DM to the engineer on duty when an incident is raised.
func dutyText(inc *Incident, channel, ts string) string {
	return fmt.Sprintf(":rotating_light: Unbreak Now! on your watch: %s (raised by %s). Acknowledge or take it from <%s|the post>.",
		taskLink(inc.URL, inc.TaskID, inc.Title), slackapp.Escape(inc.RaisedByName), permalink(channel, ts))
}

// permalink links to a Slack message.
func permalink(channel, ts string) string {
	return "https://slack.com/archives/" + channel + "/p" + strings.ReplaceAll(ts, ".", "")
}

// threadLine is the line posted in the incident's thread for a change ("" for none).
func threadLine(cfg *config.Config, inc *Incident, what string) string {
	switch what {
	case "responded":
		return fmt.Sprintf("%s %s after %s.", mention(cfg, inc.RespondedBy), slackapp.Escape(inc.RespondedHow), slackapp.Duration(inc.RespondedAt.Sub(inc.RaisedAt)))
	case "resolved":
		return fmt.Sprintf("Resolved after %s: %s.", slackapp.Duration(inc.ResolvedAt.Sub(inc.RaisedAt)), slackapp.Escape(inc.ResolvedHow))
	case "escalated":
		return fmt.Sprintf("No response after %s: escalated to the EM.", slackapp.Duration(inc.EscalatedAt.Sub(inc.RaisedAt)))
	}
	return ""
}

// nagText reminds the engineer on duty (or the channel) of an unacknowledged incident.
func nagText(inc *Incident, now time.Time) string {
	return fmt.Sprintf(":rotating_light: Still nobody has responded to Unbreak Now! %s after %s. Acknowledge or take it from <%s|the post>.",
		taskLink(inc.URL, inc.TaskID, inc.Title), slackapp.Duration(now.Sub(inc.RaisedAt)), permalink(inc.Channel, inc.TS))
}

// escalationText tells the EM.
func escalationText(cfg *config.Config, inc *Incident, now time.Time) string {
	duty := "nobody is on duty"
	if inc.Duty != "" {
		duty = mention(cfg, inc.Duty) + " was on duty"
	}
	return fmt.Sprintf(":rotating_light: Unbreak Now! %s has had no response from the team for %s (%s). <%s|The post>.",
		taskLink(inc.URL, inc.TaskID, inc.Title), slackapp.Duration(now.Sub(inc.RaisedAt)), duty, permalink(inc.Channel, inc.TS))
}

// roleTitle names a role in a sentence.
func roleTitle(role string) string {
	switch role {
	case config.RolePM:
		return "the PM"
	case config.RoleEM:
		return "the EM"
	case config.RoleQA:
		return "QA"
	case config.RoleDeliveryManager:
		return "the delivery manager"
	case config.RoleMembers:
		return "the team's members"
	}
	return strings.ReplaceAll(role, "_", " ")
}

// who renders a rule's allow list for people: "the PM (Erin Walsh) or QA (Gina Costa, Al)".
// Names come from the config; escape decides how they are written (Slack or remarkup).
func who(cfg *config.Config, team *config.Team, allow []string, escape func(string) string) string {
	var parts []string
	for _, a := range allow {
		ids := team.RolePeople(a)
		if a == config.RoleMembers {
			parts = append(parts, roleTitle(a))
			continue
		}
		if ids == nil {
			if p := cfg.PersonByID(a); p != nil {
				parts = append(parts, escape(p.Name))
			} else {
				parts = append(parts, escape(a))
			}
			continue
		}
		var names []string
		for _, id := range ids {
			if p := cfg.PersonByID(id); p != nil {
				names = append(names, escape(p.Name))
			}
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", roleTitle(a), strings.Join(names, ", ")))
	}
	switch len(parts) {
	case 0:
		return "anyone"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// remarkup makes untrusted text safe in a Phabricator comment: no @mentions (nobody is
// pinged by a name Rituals writes), no object embeds ({T1}, {F1}), links or formatting, one
// line.
func remarkup(s string) string {
	r := strings.NewReplacer("@", "＠", "{", "(", "}", ")", "[[", "[ [", "]]", "] ]", "*", "∗", "`", "'", "\n", " ", "\r", " ", "#", "＃")
	return r.Replace(clip.Runes(s, 120))
}

// Violation is why a column move breaks a rule.
type Violation struct {
	// NotAllowed: the mover is not among the rule's people; NoPoints: the task has no points.
	NotAllowed, NoPoints bool
}

// moveComment is the comment on the task: what Rituals did (or did not), the rule and who may
// make the move.
func moveComment(cfg *config.Config, team *config.Team, column, from string, movedBack bool, allow []string, v Violation) string {
	var b strings.Builder
	switch {
	case movedBack:
		fmt.Fprintf(&b, "Rituals moved this task back to **%s**: ", remarkup(from))
	default:
		b.WriteString("Heads-up from Rituals: ")
	}
	var why []string
	if v.NotAllowed {
		why = append(why, fmt.Sprintf("only %s may move tasks into **%s**", who(cfg, team, allow, remarkup), remarkup(column)))
	}
	if v.NoPoints {
		why = append(why, fmt.Sprintf("a task needs story points to enter **%s** (set the points, then move it again)", remarkup(column)))
	}
	b.WriteString(strings.Join(why, ", and "))
	fmt.Fprintf(&b, ". (Column rule of team %s.)", remarkup(team.Name))
	return b.String()
}

// moverDM tells the person who moved the task.
func moverDM(cfg *config.Config, team *config.Team, url string, id int, title, column, from string, movedBack bool, allow []string, v Violation) string {
	var why []string
	if v.NotAllowed {
		why = append(why, fmt.Sprintf("only %s may move tasks into *%s*", who(cfg, team, allow, slackapp.Escape), slackapp.Escape(column)))
	}
	if v.NoPoints {
		why = append(why, fmt.Sprintf("tasks need story points to enter *%s*", slackapp.Escape(column)))
	}
	did := "You moved"
	if movedBack {
		did = fmt.Sprintf("Rituals moved it back to *%s*: you moved", slackapp.Escape(from))
	}
	return fmt.Sprintf("%s %s into *%s*, but %s (%s's column rule).", did, taskLink(url, id, title), slackapp.Escape(column), strings.Join(why, " and "), slackapp.Escape(team.Name))
}

// failedEditText reports, once, that the bot could not act on a task.
func failedEditText(url string, id int, title, what string, err error) string {
	return fmt.Sprintf(":warning: Rituals could not %s %s: %s. Give the Rituals bot account *Can Edit* on the team's tasks, or set the rule's mode to warn.",
		what, taskLink(url, id, title), slackapp.Escape(clip.Runes(err.Error(), 300)))
}

// announcementText is the new-task post (used as both the notification text and the message).
func announcementText(team *config.Team, url string, id int, title, author, priority string) string {
	return fmt.Sprintf(":new: New task for *%s*: %s · by %s · priority %s",
		slackapp.Escape(team.Name), taskLink(url, id, title), slackapp.Escape(author), slackapp.Escape(priority))
}

// priorityText tells the priority owner that someone else changed a priority they set.
func priorityText(url string, id int, title, by, from, to string, setAt time.Time) string {
	return fmt.Sprintf(":warning: %s changed the priority of %s from *%s* to *%s*; you set it to %s %s.",
		slackapp.Escape(by), taskLink(url, id, title), slackapp.Escape(from), slackapp.Escape(to), slackapp.Escape(from), slackapp.Date(setAt))
}
