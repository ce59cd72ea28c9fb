package standup

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/activity"
	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// Routes of the standup's interactions (prefix "standup").
const (
	Prefix             = "standup"
	ActionOpen         = "standup:open"
	ActionView         = "standup:view"
	ActionReview       = "standup:review"
	ActionHistory      = "standup:history"
	CallbackSubmit     = "standup:submit"
	CallbackReview     = "standup:review_submit"
	CallbackReadOnly   = "standup:readonly"
	blockPlan          = "plan"
	blockDone          = "done"
	blockAvailability  = "availability"
	blockComment       = "comment"
	blockBlockers      = "blockers"
	blockRepoPrefix    = "repo:"
	actionItems        = "items"
	actionValue        = "value"
	blockReviewNotes   = "review_notes"
	blockReviewFlags   = "review_flags"
	modalFixedBlocks   = 16 // blocks the modal has besides the per-repository ones
	blocksPerRepo      = 2
	maxPlanOptionsNote = "Only the first 100 open issues can be listed."
)

// ModalInput is everything the standup modal shows.
type ModalInput struct {
	Standup Standup
	Person  *config.Person
	Client  *config.Client
	// Last is the person's last submitted standup for the client (nil before the first).
	Last *Last
	// Footprint is the live footprint (before the first submission) or the stored snapshot.
	Footprint Footprint
	// Assignments are the open issues assigned to the person in the client's repos.
	Assignments []activity.Assignment
	// NextDay is the person's next business day after the standup's day.
	NextDay config.Date
	// PlanCheck is the previous plan checked against Footprint.
	PlanCheck *PlanCheck
}

func longDate(d config.Date) string {
	return d.Weekday().String()[:3] + " " + d.String()
}

// BuildModal renders the standup modal (callback standup:submit, private_metadata the standup
// id) within Block Kit's limits: at most 100 blocks and 3000 characters per text, with "and N
// more" where something had to be cut.
func BuildModal(in ModalInput) slack.ModalViewRequest {
	id := in.Standup.Slot.ID
	e := in.Standup.Entry
	b := &budget{max: MaxModalBlocks}
	b.add(section(fmt.Sprintf("*%s* standup for *%s*, %s", slackapp.Escape(in.Person.Name), slackapp.Escape(in.Client.Name), longDate(id.Date))))
	if e != nil && !e.Submitted.IsZero() {
		b.add(contextText(fmt.Sprintf("Submitted %s; you can edit it until it is reviewed.", e.Submitted.In(in.Person.Location()).Format("Mon 15:04"))))
	}

	// Since my last standup.
	since := "Since my first standup"
	if in.Last != nil {
		since = "Since my last standup (" + in.Last.Date + ")"
	}
	b.add(header(since))
	if in.Last != nil {
		b.add(section(fitLines("", lastSaid(in.Last))))
	}
	if s := in.PlanCheck.Summary(); s != "" {
		var lines []string
		done := map[string]bool{}
		for _, d := range in.PlanCheck.Done {
			done[d.Ref()] = true
		}
		for _, p := range in.PlanCheck.Expected {
			mark := "✗"
			if done[p.Ref()] {
				mark = "✓"
			}
			lines = append(lines, mark+" "+link(p.URL, slackapp.Escape(p.Ref()))+" "+slackapp.Escape(p.Title))
		}
		b.add(section(fitLines("*Plan check:* "+s, lines)))
	}
	repos := in.Footprint.Group()
	if len(repos) == 0 {
		b.add(section(fmt.Sprintf("_No GitHub activity in %s's repositories since %s._", slackapp.Escape(in.Client.Name), in.Footprint.From.In(in.Person.Location()).Format("Mon 2 Jan 15:04"))))
	}
	reserve := modalFixedBlocks - 4 // the plan, availability, comment and blockers parts below
	shown := 0
	for _, r := range repos {
		if b.room()-reserve < blocksPerRepo+1 { // keep one for "and N more"
			break
		}
		b.add(section(fitLines("*"+slackapp.Escape(r.Repo)+"*", r.Lines)))
		in := slack.NewInputBlock(blockRepoPrefix+strings.ToLower(r.Repo), plain(clip.Runes("Comment on "+r.Repo+" (optional)", 2000)), nil, textInput(actionValue, e.repoComment(r.Repo), false))
		in.Optional = true
		b.add(in)
		shown++
	}
	if len(repos) > shown {
		b.add(contextText(fmt.Sprintf("…and %d more repositories with activity (they are kept in the standup).", len(repos)-shown)))
	}
	switch {
	case in.Footprint.Truncated:
		b.add(contextText("…older activity since your last standup is not listed."))
	case in.Footprint.Dropped > 0:
		b.add(contextText(fmt.Sprintf("…and %d older items not listed.", in.Footprint.Dropped)))
	}

	// By next business day.
	b.add(slack.NewDividerBlock())
	b.add(header("By next business day (" + longDate(in.NextDay) + ")"))
	options, more := planOptions(in.Assignments, e)
	if len(options) > 0 {
		var chosen, expect []*slack.OptionBlockObject
		if e != nil {
			for _, o := range options {
				for _, p := range e.Plan {
					if o.Value == p.Ref() {
						chosen = append(chosen, o)
						if p.ExpectDone {
							expect = append(expect, o)
						}
					}
				}
			}
		}
		plan := slack.NewInputBlock(blockPlan, plain("I will work on"), plain("Open issues assigned to you in "+in.Client.Name+"'s repositories."), choice(actionItems, "Choose issues", options, chosen))
		plan.Optional = true
		done := slack.NewInputBlock(blockDone, plain("…and expect these done (closed or merged)"), nil, choice(actionItems, "Choose issues", options, expect))
		done.Optional = true
		b.add(plan, done)
		if more > 0 {
			b.add(contextText(fmt.Sprintf("…and %d more open issues assigned to you. %s", more, maxPlanOptionsNote)))
		}
	} else {
		b.add(contextText("No open issues are assigned to you in " + slackapp.Escape(in.Client.Name) + "'s repositories; say what you will do below."))
	}
	var avOpts []*slack.OptionBlockObject
	var avInit *slack.OptionBlockObject
	for _, a := range Availabilities {
		o := slack.NewOptionBlockObject(string(a), plain(a.Label()), nil)
		avOpts = append(avOpts, o)
		if e != nil && e.Availability == a {
			avInit = o
		}
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose"), actionValue, avOpts...)
	sel.InitialOption = avInit
	b.add(slack.NewInputBlock(blockAvailability, plain("Availability"), nil, sel))
	b.add(slack.NewInputBlock(blockComment, plain("What I will do"), plain("Required: the plan in your words."), textInput(actionValue, e.comment(), true)))
	b.add(header("Blockers"))
	bl := slack.NewInputBlock(blockBlockers, plain("Anything blocking me"), plain("Optional. Blockers go to the delivery manager at once."), textInput(actionValue, e.blockers(), true))
	bl.Optional = true
	b.add(bl)

	submit := "Submit"
	if e != nil && !e.Submitted.IsZero() {
		submit = "Save changes"
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain(clip.Runes("Standup · "+in.Client.Name, maxTitle)),
		Submit:          plain(submit),
		Close:           plain("Cancel"),
		CallbackID:      CallbackSubmit,
		PrivateMetadata: id.String(),
		Blocks:          slack.Blocks{BlockSet: b.blocks},
	}
}

func lastSaid(l *Last) []string {
	lines := []string{"What I said last time: " + slackapp.Escape(quoteOrDash(l.Comment))}
	for _, p := range l.Plan {
		mark := ""
		if p.ExpectDone {
			mark = " _(expected done)_"
		}
		lines = append(lines, "• "+link(p.URL, slackapp.Escape(p.Ref()))+" "+slackapp.Escape(p.Title)+mark)
	}
	if l.Blockers != "" {
		lines = append(lines, "Blockers then: "+slackapp.Escape(l.Blockers))
	}
	return lines
}

func quoteOrDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return "“" + s + "”"
}

func textInput(actionID, initial string, multiline bool) *slack.PlainTextInputBlockElement {
	el := slack.NewPlainTextInputBlockElement(nil, actionID)
	el.Multiline = multiline
	el.InitialValue = initial
	el.MaxLength = maxInputLength
	return el
}

// choice is checkboxes for up to 10 options and a multi-select (up to 100) beyond.
func choice(actionID, placeholder string, options, initial []*slack.OptionBlockObject) slack.BlockElement {
	if len(options) <= maxCheckboxes {
		cb := slack.NewCheckboxGroupsBlockElement(actionID, options...)
		cb.InitialOptions = initial
		return cb
	}
	ms := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, plain(placeholder), actionID, options...)
	ms.InitialOptions = initial
	return ms
}

// planOptions renders PlanChoices as the modal's options.
func planOptions(as []activity.Assignment, e *Entry) (opts []*slack.OptionBlockObject, more int) {
	choices, more := PlanChoices(as, e)
	for _, o := range choices {
		opts = append(opts, slack.NewOptionBlockObject(o.Ref, plain(clip.Runes(shortRef(o.Ref)+" "+o.Title, maxOptionText)), nil))
	}
	return opts, more
}

// PlanChoice is an issue a standup's plan may name.
type PlanChoice struct {
	Ref, Title, URL string
}

// PlanChoices lists what a plan may name: the open assignments, plus the items of an earlier
// submission no longer open, sorted by reference, at most 100 (Slack's limit, kept on the web
// so both offer the same); more counts those left out.
func PlanChoices(as []activity.Assignment, e *Entry) (choices []PlanChoice, more int) {
	seen := map[string]bool{}
	for _, a := range as {
		ref := a.Repo + "#" + itoa(a.Number)
		if !seen[ref] {
			seen[ref] = true
			choices = append(choices, PlanChoice{ref, a.Title, a.URL})
		}
	}
	if e != nil {
		for _, p := range e.Plan {
			if !seen[p.Ref()] {
				seen[p.Ref()] = true
				choices = append(choices, PlanChoice{p.Ref(), p.Title, p.URL})
			}
		}
	}
	sort.SliceStable(choices, func(i, j int) bool { return choices[i].Ref < choices[j].Ref })
	if len(choices) > maxOptions {
		more = len(choices) - maxOptions
		choices = choices[:maxOptions]
	}
	return choices, more
}

// shortRef drops the owner: "repo#12" reads better in a narrow modal.
func shortRef(ref string) string {
	if _, rest, ok := strings.Cut(ref, "/"); ok {
		return rest
	}
	return ref
}

func (e *Entry) repoComment(repo string) string {
	if e == nil {
		return ""
	}
	return e.RepoComments[strings.ToLower(repo)]
}

func (e *Entry) comment() string {
	if e == nil {
		return ""
	}
	return e.Comment
}

func (e *Entry) blockers() string {
	if e == nil {
		return ""
	}
	return e.Blockers
}

// Answers is a standup's answers, checked: what a submission records.
type Answers struct {
	Plan         []PlanItem
	Availability Availability
	Comment      string
	Blockers     string
	RepoComments map[string]string
}

// ParseAnswers reads the modal's state. It returns the answers and, when something is missing
// or wrong, errors keyed by block id (Slack's response_action "errors").
func ParseAnswers(state *slack.ViewState, assignments []activity.Assignment, previous *Entry) (Answers, map[string]string) {
	if state == nil {
		return Answers{}, map[string]string{blockComment: "Please fill in the standup."}
	}
	return formOf(state).Answers(assignments, previous)
}

// formOf reads the modal's state as a Form.
func formOf(state *slack.ViewState) Form {
	v := state.Values
	f := Form{
		Availability: v[blockAvailability][actionValue].SelectedOption.Value,
		Comment:      v[blockComment][actionValue].Value,
		Blockers:     v[blockBlockers][actionValue].Value,
		RepoComments: map[string]string{},
	}
	for _, o := range v[blockPlan][actionItems].SelectedOptions {
		f.Planned = append(f.Planned, o.Value)
	}
	for _, o := range v[blockDone][actionItems].SelectedOptions {
		f.Expected = append(f.Expected, o.Value)
	}
	for blockID, actions := range v {
		if repo, ok := strings.CutPrefix(blockID, blockRepoPrefix); ok {
			f.RepoComments[repo] = actions[actionValue].Value
		}
	}
	return f
}

func validAvailability(a Availability) bool {
	for _, x := range Availabilities {
		if a == x {
			return true
		}
	}
	return false
}

// NextBusinessDay returns the person's first business day after day.
func NextBusinessDay(c *calendar.Calendar, p *config.Person, extra []config.DateRange, day config.Date) config.Date {
	d := day
	for i := 0; i < 366; i++ {
		d = d.AddDays(1)
		if c.Off(p, extra, d) == "" {
			return d
		}
	}
	return day.AddDays(1)
}

// localTime renders an instant in a zone as people read it.
func localTime(t time.Time, loc *time.Location) string { return t.In(loc).Format("Mon 2 Jan 15:04") }
