package retro

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/killpoint"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// ConfigSource gives the current team config; *config.Source is one.
type ConfigSource interface {
	Current(ctx context.Context, now time.Time) (*config.Config, error)
}

var _ ConfigSource = (*config.Source)(nil)

// Views opens and updates modals and answers ephemerally; *slack.Client is one.
type Views interface {
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
	UpdateViewContext(ctx context.Context, view slack.ModalViewRequest, externalID, hash, viewID string) (*slack.ViewResponse, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
}

var _ Views = (*slack.Client)(nil)

// Command is /retro. It reads and writes the state table, puts internal events and opens
// modals, so it answers within Slack's 3 seconds; the board, results and tickets follow from
// the processor.
type Command struct {
	Config ConfigSource
	Store  Store
	Events EventPutter
	Slack  Views
}

var _ slackapp.Command = Command{}

// Name implements slackapp.Command.
func (Command) Name() string { return "/retro" }

var (
	usageStart   = slackapp.Usage{Syntax: "/retro start [title]", Summary: "open a retro board in your team's channel (you facilitate it)"}
	usageAdd     = slackapp.Usage{Syntax: "/retro add <field> <text>", Summary: "add an item (field by name or number; `/retro add` alone opens a form)"}
	usageVoting  = slackapp.Usage{Syntax: "/retro voting", Summary: "facilitator: stop collecting items and open dot voting"}
	usageVote    = slackapp.Usage{Syntax: "/retro vote <#item> [<#item>…]", Summary: "place a dot on each item named (`/retro vote` alone opens your ballot)"}
	usageUnvote  = slackapp.Usage{Syntax: "/retro unvote <#item>", Summary: "take one of your dots back from an item"}
	usageDots    = slackapp.Usage{Syntax: "/retro dots <n>", Summary: "facilitator: dots per person in this retro (before voting)"}
	usageClose   = slackapp.Usage{Syntax: "/retro close", Summary: "facilitator: end voting, post the ranked results, open the top items as action items"}
	usageCancel  = slackapp.Usage{Syntax: "/retro cancel", Summary: "facilitator: end the retro without results"}
	usageShow    = slackapp.Usage{Syntax: "/retro show", Summary: "the open retro and your dots"}
	usageActions = slackapp.Usage{Syntax: "/retro actions [all]", Summary: "open action items from past retros with their state (all: closed ones too)"}
	usageHelp    = slackapp.Usage{Syntax: "/retro help", Summary: "this list"}
)

// Help implements slackapp.Command.
func (Command) Help() []slackapp.Usage {
	return []slackapp.Usage{usageStart, usageAdd, usageVoting, usageVote, usageUnvote, usageDots, usageClose, usageCancel, usageShow, usageActions, usageHelp}
}

func usage(problem string, u ...slackapp.Usage) error {
	return &slackapp.UsageError{Problem: problem, Usage: u}
}

// Run implements slackapp.Command.
func (c Command) Run(ctx context.Context, cmd slack.SlashCommand, now time.Time) (*slack.Msg, error) {
	sub, rest := cutWord(cmd.Text)
	sub = strings.ToLower(sub)
	if sub == "" || sub == "help" {
		return nil, usage("*/retro*: retros with dot voting.", c.Help()...)
	}
	cfg, err := c.Config.Current(ctx, now)
	if err != nil {
		return nil, err
	}
	if sub == "start" {
		return c.start(ctx, cfg, cmd, rest, now)
	}
	team, err := pickTeam(cfg, cmd)
	if err != nil {
		return nil, err
	}
	switch sub {
	case "add":
		return c.add(ctx, team, cmd, rest, now)
	case "vote", "unvote":
		return c.vote(ctx, team, cmd, sub == "vote", rest)
	case "voting", "close", "cancel", "dots":
		return c.facilitate(ctx, cfg, team, cmd, sub, rest, now)
	case "show":
		return c.show(ctx, team, cmd)
	case "actions":
		return c.actions(ctx, team, strings.ToLower(strings.TrimSpace(rest)), now)
	}
	return nil, usage(fmt.Sprintf("`/retro %s` is not a /retro command.", slackapp.Escape(sub)), c.Help()...)
}

// cutWord splits off the first word of s.
func cutWord(s string) (string, string) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, " \t\n")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i+1:])
}

// channelTeam is the team whose channel it is, or nil.
func channelTeam(cfg *config.Config, channel string) *config.Team {
	for _, t := range cfg.Teams {
		if t.Slack.Channel == channel {
			return t
		}
	}
	return nil
}

// pickTeam finds the team a command is about: the team whose channel it was typed in, else
// the invoker's only team.
func pickTeam(cfg *config.Config, cmd slack.SlashCommand) (*config.Team, error) {
	if t := channelTeam(cfg, cmd.ChannelID); t != nil {
		return t, nil
	}
	if p := cfg.PersonBySlack(cmd.UserID); p != nil {
		if mine := cfg.TeamsOf(p.ID); len(mine) == 1 {
			return mine[0], nil
		}
	}
	return nil, usage("Which team's retro? Use the command in the team's channel.", usageHelp)
}

func (c Command) start(ctx context.Context, cfg *config.Config, cmd slack.SlashCommand, title string, now time.Time) (*slack.Msg, error) {
	team := channelTeam(cfg, cmd.ChannelID)
	if team == nil {
		var where []string
		for _, t := range cfg.Teams {
			where = append(where, fmt.Sprintf("<#%s> (%s)", t.Slack.Channel, slackapp.Escape(t.Name)))
		}
		return nil, usage("Start a retro in your team's channel, where its board is posted: "+strings.Join(where, ", ")+".", usageStart)
	}
	rs := team.RetroSettings()
	if title = strings.TrimSpace(title); title == "" {
		title = "Retro of " + now.In(team.Location()).Format("2 Jan 2006")
	}
	if n := len([]rune(title)); n > 120 {
		return nil, usage(fmt.Sprintf("A retro's title is at most 120 characters (yours has %d).", n), usageStart)
	}
	r, err := c.Store.Start(ctx, &Retro{
		ID: ID{Team: team.ID}, Title: title, Fields: rs.Fields, Dots: rs.Dots, Anonymous: rs.Anonymous,
		HideVotes: rs.HideVotes, Actions: rs.Actions, Facilitator: cmd.UserID, Channel: cmd.ChannelID, Created: now,
	})
	if errors.Is(err, ErrOpen) {
		open, gerr := c.Store.Latest(ctx, team.ID)
		if gerr != nil {
			return nil, gerr
		}
		// Its board may never have been posted (a crash before the event): announce it again.
		if err := announce(ctx, c.Events, EventStarted, Event{Retro: open.ID.String(), By: open.Facilitator}, now); err != nil {
			return nil, err
		}
		return slackapp.Ephemeral(fmt.Sprintf("%s already has an open retro, *%s* (facilitated by %s, %s). Close it (`/retro close`) or cancel it (`/retro cancel`) before starting another.",
			slackapp.Escape(team.Name), slackapp.Escape(open.Title), slackapp.Mention(open.Facilitator), open.Phase)), nil
	}
	if err != nil {
		return nil, err
	}
	// The retro.started event was committed with the retro (Store.Start).
	killpoint.Reach(killpoint.Committed)
	return slackapp.Ephemeral(fmt.Sprintf("Started *%s*: the board is being posted here. Add items with `/retro add &lt;field&gt; &lt;text&gt;` (fields: %s); when everyone is done, `/retro voting`.",
		slackapp.Escape(r.Title), fieldList(r.Fields))), nil
}

// fieldList renders a retro's fields with their numbers: "1 went well, 2 not working".
func fieldList(fields []string) string {
	var parts []string
	for i, f := range fields {
		parts = append(parts, fmt.Sprintf("%d %s", i+1, slackapp.Escape(f)))
	}
	return strings.Join(parts, ", ")
}

// openRetro is the team's open retro, or a usage error saying there is none.
func (c Command) openRetro(ctx context.Context, team *config.Team) (*Retro, error) {
	r, err := c.Store.Latest(ctx, team.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !r.Phase.Open()) {
		return nil, usage(fmt.Sprintf("%s has no open retro. Start one in the team's channel with `/retro start [title]`.", slackapp.Escape(team.Name)), usageStart, usageActions)
	}
	return r, err
}

// MatchField finds the field text starts with: a field's number, its name (any case, - or _
// for spaces), or the first word of exactly one field's name. It returns the field's index
// and the rest of the text.
func MatchField(fields []string, text string) (int, string, bool) {
	norm := func(s string) string {
		return strings.Join(strings.Fields(strings.NewReplacer("-", " ", "_", " ").Replace(strings.ToLower(s))), " ")
	}
	first, rest := cutWord(text)
	first = strings.TrimSuffix(first, ":")
	if n, err := strconv.Atoi(first); err == nil {
		if n >= 1 && n <= len(fields) {
			return n - 1, rest, true
		}
		return -1, text, false
	}
	// The longest field name the text starts with, ending at a space.
	text = strings.TrimSpace(text)
	best, bestEnd := -1, 0
	for end := 1; end <= len(text); end++ {
		if end < len(text) && text[end] != ' ' {
			continue
		}
		head := norm(strings.TrimSuffix(text[:end], ":"))
		for i, f := range fields {
			if norm(f) == head && end > bestEnd {
				best, bestEnd = i, end
			}
		}
	}
	if best >= 0 {
		return best, strings.TrimSpace(text[bestEnd:]), true
	}
	match := -1
	for i, f := range fields {
		if fw := strings.Fields(norm(f)); len(fw) > 0 && fw[0] == norm(first) {
			if match >= 0 {
				return -1, text, false
			}
			match = i
		}
	}
	if match < 0 {
		return -1, text, false
	}
	return match, rest, true
}

func (c Command) add(ctx context.Context, team *config.Team, cmd slack.SlashCommand, rest string, now time.Time) (*slack.Msg, error) {
	r, err := c.openRetro(ctx, team)
	if err != nil {
		return nil, err
	}
	if r.Phase != Collecting {
		return nil, usage(fmt.Sprintf("*%s* is %s: items can only be added while it collects them.", slackapp.Escape(r.Title), r.Phase), usageVote)
	}
	if rest == "" {
		if _, err := c.Slack.OpenViewContext(ctx, cmd.TriggerID, AddModal(r, 0)); err != nil {
			return nil, fmt.Errorf("open the add-item form: %w", err)
		}
		return slackapp.Ephemeral(fmt.Sprintf("Opened the form to add an item to *%s*.", slackapp.Escape(r.Title))), nil
	}
	field, text, ok := MatchField(r.Fields, rest)
	if !ok {
		word, _ := cutWord(rest)
		return nil, usage(fmt.Sprintf("*%s* has no field %q. Its fields: %s, e.g. `/retro add 1 Pairing on the release went well`.", slackapp.Escape(r.Title), slackapp.Escape(word), fieldList(r.Fields)), usageAdd)
	}
	it, r, err := c.addItem(ctx, r, field, text, cmd.UserID, now)
	if err != nil {
		return nil, err
	}
	who := ""
	if r.Anonymous {
		who = ", anonymously"
	}
	return slackapp.Ephemeral(fmt.Sprintf("Added to *%s* as `#%d`%s.", slackapp.Escape(Title(r.Fields[field])), it.N, who)), nil
}

// addItem validates text, stores it and announces the change; the errors for the person are
// *slackapp.UsageError.
func (c Command) addItem(ctx context.Context, r *Retro, field int, text, user string, now time.Time) (Item, *Retro, error) {
	return addItem(ctx, c.Store, c.Events, r, field, text, user, now)
}

func addItem(ctx context.Context, st Store, events EventPutter, r *Retro, field int, text, user string, now time.Time) (Item, *Retro, error) {
	text = strings.TrimSpace(text)
	switch n := len([]rune(text)); {
	case n == 0:
		return Item{}, nil, usage("Say what the item is: `/retro add &lt;field&gt; &lt;text&gt;`.", usageAdd)
	case n > MaxItemText:
		return Item{}, nil, usage(fmt.Sprintf("An item is at most %d characters (this one has %d): split it in two.", MaxItemText, n), usageAdd)
	}
	it, after, err := st.AddItem(ctx, r.ID, field, text, user)
	if errors.Is(err, ErrPhase) {
		return Item{}, nil, usage(fmt.Sprintf("*%s* is %s: items can only be added while it collects them.", slackapp.Escape(after.Title), after.Phase))
	}
	if err != nil {
		return Item{}, nil, err
	}
	if err := announce(ctx, events, EventChanged, Event{Retro: r.ID.String(), Rev: after.Rev}, now); err != nil {
		return Item{}, nil, err
	}
	return it, after, nil
}

// ParseItems reads item numbers ("3", "#3", "3,5").
func ParseItems(s string) ([]int, error) {
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' }) {
		n, err := strconv.Atoi(strings.TrimPrefix(f, "#"))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not an item number (the `#3` before each item on the board)", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func (c Command) vote(ctx context.Context, team *config.Team, cmd slack.SlashCommand, place bool, rest string) (*slack.Msg, error) {
	u := usageVote
	if !place {
		u = usageUnvote
	}
	r, err := c.Store.Latest(ctx, team.ID)
	if err == nil && r.Phase == Closed {
		return nil, usage(fmt.Sprintf("Voting in *%s* has ended: it is closed, and its results are in the board's thread. `/retro actions` lists the action items.", slackapp.Escape(r.Title)), usageActions)
	}
	if (err == nil && r.Phase == Cancelled) || errors.Is(err, store.ErrNotFound) {
		_, err = c.openRetro(ctx, team) // says there is none open
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if r.Phase != Voting {
		return nil, usage(fmt.Sprintf("*%s* is not voting yet: it is %s. The facilitator opens voting with `/retro voting`.", slackapp.Escape(r.Title), r.Phase), u)
	}
	items, err := ParseItems(rest)
	if err != nil {
		return nil, usage(capitalize(err.Error())+".", u)
	}
	if len(items) == 0 && place {
		b, err := c.Store.Load(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		ballot := b.BallotOf(cmd.UserID)
		if _, err := c.Slack.OpenViewContext(ctx, cmd.TriggerID, VoteModal(b, ballot, "")); err != nil {
			return nil, fmt.Errorf("open the ballot: %w", err)
		}
		return slackapp.Ephemeral("Opened your ballot. " + dotsLeft(r, ballot)), nil
	}
	if len(items) != 1 && !place {
		return nil, usage("Name one item to take a dot back from.", u)
	}
	delta := 1
	if !place {
		delta = -1
	}
	var ballot Ballot
	var done []string
	summary := func() string {
		if len(done) == 0 {
			return ""
		}
		if !place {
			return fmt.Sprintf("Took a dot back from %s. ", done[0])
		}
		if len(done) == 1 {
			return fmt.Sprintf("Placed a dot on %s. ", done[0])
		}
		return fmt.Sprintf("Placed dots on %s and %s. ", strings.Join(done[:len(done)-1], ", "), done[len(done)-1])
	}
	for _, n := range items {
		ballot, err = c.Store.Vote(ctx, r, cmd.UserID, n, delta)
		if msg := voteRefusal(r, n, err); msg != "" {
			return slackapp.Ephemeral(summary() + msg), nil
		}
		if err != nil {
			return nil, err
		}
		done = append(done, fmt.Sprintf("`#%d`", n))
	}
	return slackapp.Ephemeral(summary() + dotsLeft(r, ballot)), nil
}

// voteRefusal says why a vote did nothing ("" when err is not a refusal).
func voteRefusal(r *Retro, item int, err error) string {
	switch {
	case errors.Is(err, ErrNoDotsLeft):
		return fmt.Sprintf("You have no dots left: all %d are placed. Take one back (`/retro unvote &lt;#item&gt;`) to move it.", r.Dots)
	case errors.Is(err, ErrNoDot):
		return fmt.Sprintf("You have no dot on `#%d` to take back.", item)
	case errors.Is(err, ErrNoItem):
		return fmt.Sprintf("*%s* has no item `#%d`: its items are `#1` to `#%d`.", slackapp.Escape(r.Title), item, r.Items)
	case errors.Is(err, ErrPhase):
		return fmt.Sprintf("Voting in *%s* has ended: nothing was changed.", slackapp.Escape(r.Title))
	case errors.Is(err, ErrBusy):
		return "Too many votes at once: nothing was changed. Please click again."
	}
	return ""
}

func dotsLeft(r *Retro, b Ballot) string {
	left := b.Left(r)
	return fmt.Sprintf("You have %d of %d %s left.", left, r.Dots, plural(r.Dots, "dot", "dots"))
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// mayFacilitate reports whether user may move the retro on: its facilitator, or the team's EM.
func mayFacilitate(cfg *config.Config, team *config.Team, r *Retro, user string) bool {
	if r.Facilitator == user {
		return true
	}
	em := cfg.PersonByID(team.Roles.EM)
	return em != nil && em.Slack == user
}

func onlyFacilitator(r *Retro, verb string) string {
	return fmt.Sprintf("Only the facilitator (%s) or the team's EM can %s *%s*.", slackapp.Mention(r.Facilitator), verb, slackapp.Escape(r.Title))
}

func (c Command) facilitate(ctx context.Context, cfg *config.Config, team *config.Team, cmd slack.SlashCommand, sub, rest string, now time.Time) (*slack.Msg, error) {
	r, err := c.Store.Latest(ctx, team.ID)
	if errors.Is(err, store.ErrNotFound) {
		_, err = c.openRetro(ctx, team) // says there is none
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	ended := !r.Phase.Open()
	if sub == "close" && r.Phase == Closed {
		// Already closed: make sure the processor has it (a crash may have lost the event).
		if err := announce(ctx, c.Events, EventClosed, Event{Retro: r.ID.String(), By: cmd.UserID}, now); err != nil {
			return nil, err
		}
		return slackapp.Ephemeral(fmt.Sprintf("*%s* is already closed; its results are in the board's thread.", slackapp.Escape(r.Title))), nil
	}
	if ended {
		_, err = c.openRetro(ctx, team) // says there is none open
		return nil, err
	}
	verb := map[string]string{"voting": "open voting in", "close": "close", "cancel": "cancel", "dots": "change the dots of"}[sub]
	if !mayFacilitate(cfg, team, r, cmd.UserID) {
		return slackapp.Ephemeral(onlyFacilitator(r, verb)), nil
	}
	var after *Retro
	switch sub {
	case "dots":
		n, err := strconv.Atoi(strings.TrimSpace(rest))
		if err != nil || n < 1 || n > config.MaxRetroDots {
			return nil, usage(fmt.Sprintf("Give the dots per person as a number from 1 to %d, e.g. `/retro dots 5`.", config.MaxRetroDots), usageDots)
		}
		if after, err = c.Store.SetDots(ctx, r.ID, n); errors.Is(err, ErrPhase) {
			return nil, usage(fmt.Sprintf("*%s* is %s: the dots can only change before voting starts.", slackapp.Escape(r.Title), r.Phase), usageDots)
		} else if err != nil {
			return nil, err
		}
	case "voting":
		if r.Phase == Voting {
			// Make sure the board heard (a crash may have lost the event of the change).
			if err := announce(ctx, c.Events, EventChanged, Event{Retro: r.ID.String(), Rev: r.Rev}, now); err != nil {
				return nil, err
			}
			return slackapp.Ephemeral(fmt.Sprintf("*%s* is already voting.", slackapp.Escape(r.Title))), nil
		}
		if r.Items == 0 {
			return nil, usage(fmt.Sprintf("*%s* has no items yet: add some first.", slackapp.Escape(r.Title)), usageAdd)
		}
		if after, err = c.Store.StartVoting(ctx, r.ID); err != nil {
			return nil, phaseRace(err)
		}
	case "close":
		if r.Phase != Voting {
			return nil, usage(fmt.Sprintf("*%s* is still collecting items: open voting first (`/retro voting`), or `/retro cancel` it.", slackapp.Escape(r.Title)), usageVoting, usageCancel)
		}
		return c.end(ctx, r, Closed, cmd.UserID, now)
	case "cancel":
		return c.end(ctx, r, Cancelled, cmd.UserID, now)
	}
	if err := announce(ctx, c.Events, EventChanged, Event{Retro: r.ID.String(), Rev: after.Rev, By: cmd.UserID}, now); err != nil {
		return nil, err
	}
	if sub == "dots" {
		return slackapp.Ephemeral(fmt.Sprintf("Each person has %d dots in *%s*.", after.Dots, slackapp.Escape(after.Title))), nil
	}
	return slackapp.Ephemeral(fmt.Sprintf("Voting is open in *%s*: %d dots each.", slackapp.Escape(after.Title), after.Dots)), nil
}

// phaseRace turns a phase that changed between the read and the write into a message.
func phaseRace(err error) error {
	if errors.Is(err, ErrPhase) {
		return usage("The retro changed meanwhile (someone else moved it on): nothing was changed. Type `/retro show` to see where it is.", usageShow)
	}
	return err
}

func (c Command) end(ctx context.Context, r *Retro, phase Phase, user string, now time.Time) (*slack.Msg, error) {
	msg, err := endRetro(ctx, c.Store, r, phase, user, now)
	if err != nil {
		return nil, err
	}
	return slackapp.Ephemeral(msg), nil
}

// endRetro closes or cancels r and announces it; it returns what to tell the facilitator.
func endRetro(ctx context.Context, st Store, r *Retro, phase Phase, user string, now time.Time) (string, error) {
	// The event is committed with the change (Store.End): a crash after it loses nothing.
	if _, err := st.End(ctx, r.ID, phase, user, now); err != nil {
		return "", phaseRace(err)
	}
	killpoint.Reach(killpoint.Committed)
	if phase == Cancelled {
		return fmt.Sprintf("Cancelled *%s*: no results.", slackapp.Escape(r.Title)), nil
	}
	return fmt.Sprintf("Closed *%s*: the results and the action items are being posted in the board's thread.", slackapp.Escape(r.Title)), nil
}

func (c Command) show(ctx context.Context, team *config.Team, cmd slack.SlashCommand) (*slack.Msg, error) {
	r, err := c.openRetro(ctx, team)
	if err != nil {
		return nil, err
	}
	b, err := c.Store.Load(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "*%s* (%s, facilitated by %s)", slackapp.Escape(r.Title), r.Phase, slackapp.Mention(r.Facilitator))
	byField := make([][]Item, len(r.Fields))
	for _, it := range b.Items {
		if it.Field >= 0 && it.Field < len(byField) {
			byField[it.Field] = append(byField[it.Field], it)
		}
	}
	for i, f := range r.Fields {
		fmt.Fprintf(&sb, "\n*%s*", slackapp.Escape(Title(f)))
		for _, it := range byField[i] {
			sb.WriteString("\n" + itemLine(it))
		}
	}
	if r.Phase == Voting {
		mine, err := c.Store.Ballot(ctx, r.ID, cmd.UserID)
		if err != nil {
			return nil, err
		}
		sb.WriteString("\n" + dotsLeft(r, mine))
	}
	return slackapp.Ephemeral(sb.String()), nil
}

func (c Command) actions(ctx context.Context, team *config.Team, arg string, now time.Time) (*slack.Msg, error) {
	if arg != "" && arg != "all" {
		return nil, usage(fmt.Sprintf("`/retro actions %s`: write `/retro actions` or `/retro actions all`.", slackapp.Escape(arg)), usageActions)
	}
	list, err := c.Store.Actions(ctx, team.ID, arg == "all", 50)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return slackapp.Ephemeral(fmt.Sprintf("%s has no open action items from past retros.", slackapp.Escape(team.Name))), nil
	}
	what := "Open action items"
	if arg == "all" {
		what = "Action items"
	}
	lines := []string{fmt.Sprintf("*%s from %s's retros* (%d, newest first)", what, slackapp.Escape(team.Name), len(list))}
	for _, a := range list {
		lines = append(lines, ActionLine(a)+" · "+Age(a.Created, now))
	}
	return slackapp.Ephemeral(strings.Join(lines, "\n")), nil
}
