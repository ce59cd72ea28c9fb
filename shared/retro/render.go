package retro

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// Action and callback ids (prefix "retro:", see Interactions).
const (
	ActionAdd    = "retro:add"    // board: open the add-item modal
	ActionVote   = "retro:vote"   // board: open the voter's vote modal
	ActionVoting = "retro:voting" // board: the facilitator opens voting
	ActionClose  = "retro:close"  // board: the facilitator closes the retro
	ActionDot    = "retro:dot"    // vote modal: place a dot on the item in value
	ActionUndot  = "retro:undot"  // vote modal: take a dot back from the selected item
	ActionOwner  = "retro:owner"  // actions message: an action item's owner (users_select)
	ActionDone   = "retro:done"   // actions message: mark an untracked action item done
	ModalAdd     = "retro:add_modal"
	ModalVote    = "retro:vote_modal"
)

// Slack's limits (characters).
const (
	maxSection = 2900 // of 3000, leaving room for a continuation
	maxHeader  = 150
	maxOption  = 75
	// maxVoteItems keeps the vote modal within Slack's 100 blocks.
	maxVoteItems = 80
)

func md(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, false)
}

func plain(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, text, false, false)
}

func section(text string) *slack.SectionBlock { return slack.NewSectionBlock(md(text), nil, nil) }

func note(text string) *slack.ContextBlock {
	return slack.NewContextBlock("", md(text))
}

// sections splits a heading and its lines over as many sections as Slack's limit needs, never
// cutting a line (a line longer than a section is itself clipped).
func sections(head string, lines []string) []slack.Block {
	var out []slack.Block
	cur := head
	for _, l := range lines {
		l = clip.Runes(l, maxSection-len([]rune(head))-1)
		if len([]rune(cur))+1+len([]rune(l)) > maxSection {
			out = append(out, section(cur))
			cur = head + " _(continued)_"
		}
		cur += "\n" + l
	}
	return append(out, section(cur))
}

// Title renders a field's name as a heading: its first letter in capitals.
func Title(field string) string {
	if field == "" {
		return field
	}
	r := []rune(field)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

func itemLine(it Item) string {
	line := fmt.Sprintf("`#%d` %s", it.N, slackapp.Escape(oneLine(it.Text)))
	if it.Author != "" {
		line += " — " + slackapp.Mention(it.Author)
	}
	return line
}

// oneLine joins an item's lines, so one item is one line in a list.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func phaseLine(r *Retro) string {
	switch r.Phase {
	case Collecting:
		return ":memo: *Collecting items*: add yours with *Add item* or `/retro add &lt;field&gt; &lt;text&gt;`."
	case Voting:
		hidden := ""
		if r.HideVotes {
			hidden = " Totals stay hidden until the retro closes."
		}
		return fmt.Sprintf(":ballot_box_with_ballot: *Voting*: %d dots each, more than one on an item if you like. Click *Vote* or type `/retro vote &lt;#item&gt;`.%s", r.Dots, hidden)
	case Closed:
		return ":checkered_flag: *Closed*: the results and the action items are in the thread."
	case Cancelled:
		return ":x: *Cancelled*: no results."
	}
	return string(r.Phase)
}

// BoardText is the board's notification text.
func BoardText(r *Retro) string {
	return fmt.Sprintf("Retro %s: %s", slackapp.Escape(r.Title), r.Phase)
}

// BoardBlocks renders the board: the fields with their items, the phase and its buttons, and
// (while it is open) the open action items of earlier retros it starts from.
func BoardBlocks(b *Board, earlier []*Action) []slack.Block {
	r := b.Retro
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(clip.Runes("Retro: "+r.Title, maxHeader))),
	}
	facts := []string{"facilitated by " + slackapp.Mention(r.Facilitator), fmt.Sprintf("%d dots each", r.Dots)}
	if r.Anonymous {
		facts = append(facts, "anonymous: items are stored without their author")
	}
	blocks = append(blocks, section(phaseLine(r)), note(strings.Join(facts, " · ")))
	if r.Phase == Collecting || r.Phase == Voting {
		byField := make([][]string, len(r.Fields))
		for _, it := range b.Items {
			if it.Field >= 0 && it.Field < len(byField) {
				byField[it.Field] = append(byField[it.Field], itemLine(it))
			}
		}
		for i, f := range r.Fields {
			lines := byField[i]
			if len(lines) == 0 {
				lines = []string{"_nothing yet_"}
			}
			blocks = append(blocks, sections(fmt.Sprintf("*%s* (%d)", slackapp.Escape(Title(f)), len(byField[i])), lines)...)
		}
		if len(earlier) > 0 {
			var lines []string
			for _, a := range earlier {
				lines = append(lines, ActionLine(a))
			}
			blocks = append(blocks, sections("*Open action items from earlier retros*", lines)...)
		}
	}
	var buttons []slack.BlockElement
	value := r.ID.String()
	switch r.Phase {
	case Collecting:
		add := slack.NewButtonBlockElement(ActionAdd, value, plain("Add item"))
		add.Style = slack.StylePrimary
		buttons = append(buttons, add, slack.NewButtonBlockElement(ActionVoting, value, plain("Start voting")))
	case Voting:
		vote := slack.NewButtonBlockElement(ActionVote, value, plain("Vote"))
		vote.Style = slack.StylePrimary
		closeB := slack.NewButtonBlockElement(ActionClose, value, plain("Close and rank"))
		closeB.Confirm = slack.NewConfirmationBlockObject(plain("Close the retro?"), plain("Voting ends, the results are posted and the top items become action items."), plain("Close"), plain("Not yet"))
		buttons = append(buttons, vote, closeB)
	}
	if len(buttons) > 0 {
		blocks = append(blocks, slack.NewActionBlock("retro_board", buttons...))
	}
	return blocks
}

// ActionLine renders an action item in a list: its ticket, text, owner and state.
func ActionLine(a *Action) string {
	var b strings.Builder
	if !a.Ticket.IsZero() {
		fmt.Fprintf(&b, "<%s|%s> ", a.Ticket.URL, slackapp.Escape(a.Ticket.Ref))
	}
	fmt.Fprintf(&b, "%s", slackapp.Escape(clip.Runes(oneLine(a.Text), 200)))
	if a.Owner != "" {
		fmt.Fprintf(&b, " — owner %s", slackapp.Mention(a.Owner))
	} else {
		b.WriteString(" — _no owner yet_")
	}
	fmt.Fprintf(&b, " · %s · from _%s_", stateWord(a), slackapp.Escape(a.RetroTitle))
	return "• " + b.String()
}

func stateWord(a *Action) string {
	switch {
	case a.State == StateClosed:
		return "closed"
	case a.Ticket.IsZero():
		return "open (not tracked)"
	}
	return "open"
}

// ResultLine is one ranked item as PROCESSES.md writes it: "(21) How do we plan for
// maintenance once a product is in production?".
func ResultLine(it RankedItem) string {
	return fmt.Sprintf("• (%d) %s", it.Dots, slackapp.Escape(oneLine(it.Text)))
}

// ResultsText is the results' notification text.
func ResultsText(r *Retro, res Results) string {
	top := res.Top(1)
	if len(top) == 0 {
		return fmt.Sprintf("Results of the retro %s: no dots were placed.", slackapp.Escape(r.Title))
	}
	return fmt.Sprintf("Results of the retro %s: top item (%d) %s", slackapp.Escape(r.Title), top[0].Dots, slackapp.Escape(clip.Runes(oneLine(top[0].Text), 150)))
}

// ResultsBlocks renders the results: each field's items ranked by dots, with their counts.
func ResultsBlocks(r *Retro, res Results) []slack.Block {
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(clip.Runes("Results: "+r.Title, maxHeader))),
		note(fmt.Sprintf("%d %s placed %d of their dots (%d each).", res.Voters, plural(res.Voters, "person", "people"), res.DotsPlaced, r.Dots)),
	}
	for _, f := range res.Fields {
		var lines []string
		for _, it := range f.Items {
			lines = append(lines, ResultLine(it))
		}
		if len(lines) == 0 {
			lines = []string{"_no items_"}
		}
		blocks = append(blocks, sections("*"+slackapp.Escape(Title(f.Field))+"*", lines)...)
	}
	return blocks
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ActionsText is the action items message's notification text.
func ActionsText(r *Retro, n int) string {
	return fmt.Sprintf("%d action %s from the retro %s: pick an owner for each.", n, plural(n, "item", "items"), slackapp.Escape(r.Title))
}

// ActionsBlocks renders the action items of a closed retro, each with its ticket and a picker
// for its owner (and, without a tracker, a button to mark it done).
func ActionsBlocks(r *Retro, actions []*Action, trackerNote string) []slack.Block {
	intro := fmt.Sprintf("*Action items*: the top %d by dots. Pick an owner for each", len(actions))
	if trackerNote == "" {
		intro += "; the ticket is assigned to them."
	} else {
		intro += ". " + trackerNote
	}
	blocks := []slack.Block{section(intro)}
	for i, a := range actions {
		text := fmt.Sprintf("*%d.* ", i+1)
		if !a.Ticket.IsZero() {
			text += fmt.Sprintf("<%s|%s> ", a.Ticket.URL, slackapp.Escape(a.Ticket.Ref))
		}
		text += fmt.Sprintf("(%d) %s\n", a.Dots, slackapp.Escape(clip.Runes(oneLine(a.Text), 1500)))
		if a.Owner != "" {
			text += "Owner: " + slackapp.Mention(a.Owner)
		} else {
			text += "Owner: _pick one_"
		}
		text += " · " + stateWord(a)
		picker := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Owner"), ActionOwner)
		if a.Owner != "" {
			picker.InitialUser = a.Owner
		}
		blocks = append(blocks, slack.NewSectionBlock(md(text), nil, slack.NewAccessory(picker), slack.SectionBlockOptionBlockID(ownerBlock(a))))
		if a.Ticket.IsZero() && a.State != StateClosed {
			blocks = append(blocks, slack.NewActionBlock("done:"+actionRef(a), slack.NewButtonBlockElement(ActionDone, actionRef(a), plain("Mark done"))))
		}
	}
	return blocks
}

// actionRef is "team/n:item", an action item in a block id or button value.
func actionRef(a *Action) string { return a.Retro.String() + ":" + strconv.Itoa(a.Item) }

func ownerBlock(a *Action) string { return "owner:" + actionRef(a) }

// parseActionRef reads actionRef's form (with or without a "owner:"/"done:" prefix).
func parseActionRef(s string) (ID, int, error) {
	if _, rest, ok := strings.Cut(s, ":"); ok && (strings.HasPrefix(s, "owner:") || strings.HasPrefix(s, "done:")) {
		s = rest
	}
	rid, item, ok := strings.Cut(s, ":")
	id, err := ParseID(rid)
	n, nerr := strconv.Atoi(item)
	if !ok || err != nil || nerr != nil || n < 1 {
		return ID{}, 0, fmt.Errorf("action item %q is not team/n:item", s)
	}
	return id, n, nil
}

// AddModal is the add-item form: the field (preselected) and the text.
func AddModal(r *Retro, field int) slack.ModalViewRequest {
	var opts []*slack.OptionBlockObject
	for i, f := range r.Fields {
		opts = append(opts, slack.NewOptionBlockObject(strconv.Itoa(i), plain(clip.Runes(Title(f), maxOption)), nil))
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Field"), "field", opts...)
	if field >= 0 && field < len(opts) {
		sel.InitialOption = opts[field]
	}
	text := slack.NewPlainTextInputBlockElement(plain("One thing per item"), "text")
	text.Multiline = true
	text.MaxLength = MaxItemText
	hint := "Your name is shown next to it."
	if r.Anonymous {
		hint = "Anonymous: your name is not stored with it."
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain("Add to the retro"),
		Submit:          plain("Add"),
		Close:           plain("Cancel"),
		CallbackID:      ModalAdd,
		PrivateMetadata: r.ID.String(),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section("*" + slackapp.Escape(r.Title) + "*"),
			slack.NewInputBlock("field", plain("Field"), nil, sel),
			slack.NewInputBlock("text", plain("Item"), plain(hint), text),
		}},
	}
}

// VoteModal is one voter's ballot: every item with a +1 button and their own dots on it
// (everyone's totals too, unless they are hidden), how many dots they have left, and a menu
// to take a dot back. notice, when set, says why the last click did nothing.
func VoteModal(b *Board, ballot Ballot, notice string) slack.ModalViewRequest {
	r := b.Retro
	totals := Totals(b.Ballots)
	left := ballot.Left(r)
	head := fmt.Sprintf("*%s*: you have *%d of %d* dots left. Click *+1* to place one; more than one on an item is fine.", slackapp.Escape(r.Title), left, r.Dots)
	if r.HideVotes {
		head += " Totals stay hidden until the retro closes."
	}
	blocks := []slack.Block{section(head)}
	if notice != "" {
		blocks = append(blocks, note(":warning: "+notice))
	}
	if r.Phase != Voting {
		blocks = append(blocks, note("Voting is closed."))
	}
	shown := 0
	for fi, f := range r.Fields {
		var rows []slack.Block
		for _, it := range b.Items {
			if it.Field != fi || shown >= maxVoteItems {
				continue
			}
			shown++
			text := fmt.Sprintf("`#%d` %s", it.N, slackapp.Escape(clip.Runes(oneLine(it.Text), 1500)))
			if mine := ballot.Dots[it.N]; mine > 0 {
				text += "\n" + strings.Repeat(":large_blue_circle:", mine) + fmt.Sprintf(" your %d", mine)
			}
			if !r.HideVotes {
				text += fmt.Sprintf(" · %d in all", totals[it.N])
			}
			var acc *slack.Accessory
			if r.Phase == Voting {
				acc = slack.NewAccessory(slack.NewButtonBlockElement(ActionDot, strconv.Itoa(it.N), plain("+1")))
			}
			rows = append(rows, slack.NewSectionBlock(md(text), nil, acc))
		}
		if len(rows) > 0 {
			blocks = append(blocks, section("*"+slackapp.Escape(Title(f))+"*"))
			blocks = append(blocks, rows...)
		}
	}
	if shown < len(b.Items) {
		blocks = append(blocks, note(fmt.Sprintf("%d more items: vote for them with `/retro vote &lt;#item&gt;`.", len(b.Items)-shown)))
	}
	if r.Phase == Voting && ballot.Used > 0 {
		var opts []*slack.OptionBlockObject
		for _, it := range b.Items {
			if ballot.Dots[it.N] > 0 {
				opts = append(opts, slack.NewOptionBlockObject(strconv.Itoa(it.N), plain(clip.Runes(fmt.Sprintf("#%d %s", it.N, oneLine(it.Text)), maxOption)), nil))
			}
		}
		if len(opts) > 0 {
			undo := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Take a dot back from…"), ActionUndot, opts...)
			blocks = append(blocks, slack.NewActionBlock("retro_undo", undo))
		}
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain("Dot voting"),
		Close:           plain("Done"),
		CallbackID:      ModalVote,
		PrivateMetadata: r.ID.String(),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// Age renders how long ago t was, in days or weeks.
func Age(t, now time.Time) string {
	d := int(now.Sub(t).Hours() / 24)
	switch {
	case d < 1:
		return "today"
	case d < 14:
		return fmt.Sprintf("%d %s ago", d, plural(d, "day", "days"))
	}
	return fmt.Sprintf("%d weeks ago", d/7)
}
