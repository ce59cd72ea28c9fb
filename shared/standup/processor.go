package standup

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/streams"
)

// Processor is StandupProcessorFunction: it handles the standup's internal events (blockers to
// the delivery manager, late submissions to the digest thread, closing overdue-review issues,
// history pages) and Slack's app_home_opened (the App Home tab). Every side effect goes
// through Effects.Once, so a redelivered record does nothing new.
type Processor struct {
	Store     Store
	Effects   store.Effects
	Config    ConfigSource
	Calendar  *calendar.Calendar
	Slack     SlackAPI
	Issues    Issues
	Responder Responder
	Parts     streams.PartsLoader
	Log       *slog.Logger
	// Links address the web pages from App Home and history pages.
	Links Links
}

func (p Processor) logger() *slog.Logger {
	if p.Log == nil {
		return slog.Default()
	}
	return p.Log
}

// Handle processes a batch of events-table stream records.
func (p Processor) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return streams.HandleLogged(ctx, p.logger(), ev, func(ctx context.Context, rec events.DynamoDBEventRecord) error {
		e, err := streams.Event(ctx, rec, p.Parts)
		if err != nil {
			return err
		}
		return p.Process(ctx, e)
	}), nil
}

// Process handles one stored event; events it does not know are ignored.
func (p Processor) Process(ctx context.Context, e store.Event) error {
	now := e.ReceivedAt
	switch {
	case e.Source == "slack" && e.Type == "app_home_opened":
		return p.home(ctx, e, now)
	case e.Source != "rituals":
		return nil
	}
	var pl EventPayload
	if err := json.Unmarshal(e.Payload, &pl); err != nil {
		return fmt.Errorf("%s %s: payload: %w", e.Type, e.Key, err)
	}
	cfg, err := p.Config.Current(ctx, now)
	if err != nil {
		return err
	}
	switch e.Type {
	case EventSubmitted:
		return p.submitted(ctx, cfg, pl, now)
	case EventReviewed:
		return p.reviewed(ctx, cfg, pl, now)
	case EventHistory:
		return p.historyPage(ctx, cfg, pl)
	}
	return nil
}

func (p Processor) submitted(ctx context.Context, cfg *config.Config, pl EventPayload, now time.Time) error {
	id, err := ParseID(pl.ID)
	if err != nil {
		return err
	}
	sd, err := p.Store.Standup(ctx, id)
	if err != nil {
		return err
	}
	dev, c := cfg.PersonByID(id.Person), cfg.Client(id.Client)
	team := cfg.Team(sd.Slot.Team)
	if dev == nil || c == nil || team == nil || sd.Entry == nil {
		logs.For(ctx, p.logger()).Warn("submitted standup no longer in config", logs.Key, pl.ID)
		return nil
	}
	e := sd.Entry
	// Submit moved the pointer already unless it failed after the commit; this repairs it.
	if err := p.Store.RecordLast(ctx, id, *e); err != nil {
		return err
	}
	// Blockers reach the delivery manager at once; an edit that changes them sends the new ones.
	if dm := cfg.PersonByID(team.Roles.DeliveryManager); dm != nil && e.Blockers != "" {
		_, _, err := p.Effects.Once(ctx, "standup:blockers:"+id.String()+":"+hash(e.Blockers), func(ctx context.Context) (string, error) {
			text, blocks := BlockerMessage(sd, dev, c)
			return slackapp.Post(ctx, p.Slack, dm.Slack, slackapp.Message{Text: text, Blocks: blocks})
		})
		if err != nil {
			return fmt.Errorf("blockers of %s: %w", id, err)
		}
	}
	if pl.Revision != 1 {
		return nil
	}
	// A first submission after the digest started goes to its thread: at once when the digest
	// is posted, else it waits on the digest, which posts the waiting ones after its own post.
	dg, err := p.Store.Digest(ctx, team.ID, id.Date)
	if err != nil {
		return err
	}
	switch {
	case !dg.Started:
		return nil // the digest will read it
	case dg.Included[id.String()]:
		return nil
	case !dg.Posted:
		waiting, err := p.Store.AddLate(ctx, team.ID, id.Date, id.String())
		if err != nil || waiting {
			return err
		}
		// Posted meanwhile: the digest did not see this one, so it is ours to post.
		if dg, err = p.Store.Digest(ctx, team.ID, id.Date); err != nil {
			return err
		}
	}
	return postLate(ctx, p.Effects, p.Slack, cfg, sd, dg)
}

// postLate posts a first submission that missed the digest to the digest's thread, once. A
// digest Slack refused has no thread: the late standup is then only in the history.
func postLate(ctx context.Context, fx store.Effects, sl Poster, cfg *config.Config, sd Standup, dg DigestState) error {
	id := sd.Slot.ID
	dev, c := cfg.PersonByID(id.Person), cfg.Client(id.Client)
	if dg.TS == "" || dg.Included[id.String()] || dev == nil || c == nil || sd.Entry == nil {
		return nil
	}
	_, _, err := fx.Once(ctx, "standup:late:"+id.String(), func(ctx context.Context) (string, error) {
		blocks := append([]slack.Block{contextText("Late standup")}, StandupBlocks(sd, dev, c, 10)...)
		return slackapp.Post(ctx, sl, dg.Channel, slackapp.Message{Text: "Late standup of " + slackapp.Escape(dev.Name), Blocks: blocks, Thread: dg.TS})
	})
	if err != nil {
		return fmt.Errorf("late standup %s: %w", id, err)
	}
	return nil
}

// BlockerMessage is the DM to the delivery manager about a developer's blockers, with a
// button that shows the whole standup.
func BlockerMessage(sd Standup, dev *config.Person, c *config.Client) (string, []slack.Block) {
	text := fmt.Sprintf("%s is blocked (%s, %s)", slackapp.Escape(dev.Name), slackapp.Escape(c.Name), sd.Slot.ID.Date)
	mentionDev := slackapp.Escape(dev.Name)
	if dev.Slack != "" {
		mentionDev = "<@" + dev.Slack + ">"
	}
	return text, []slack.Block{
		section(clip.Bytes(fmt.Sprintf("🚧 %s is blocked (*%s*, %s):\n>%s", mentionDev, slackapp.Escape(c.Name), longDate(sd.Slot.ID.Date), slackapp.Escape(sd.Entry.Blockers)), MaxText)),
		slack.NewActionBlock("standup_blocker", button(ActionView, sd.Slot.ID.String(), "View standup")),
	}
}

func (p Processor) reviewed(ctx context.Context, cfg *config.Config, pl EventPayload, now time.Time) error {
	id, err := ParseID(pl.ID)
	if err != nil {
		return err
	}
	c := cfg.Client(id.Client)
	if c == nil || p.Issues == nil {
		return nil
	}
	// The issue's number is on the review item (kept as long as the standup); the effect's
	// record covers the moment between opening the issue and recording it there.
	n, closed, err := p.Store.Ticket(ctx, id)
	if err != nil || closed {
		return err
	}
	if n == 0 {
		num, done, err := p.Effects.Done(ctx, "standup:overdue:"+id.String())
		if err != nil || !done {
			return err
		}
		n, _ = strconv.Atoi(num)
	}
	return CloseReviewIssue(ctx, p.Effects, p.Store, p.Issues, c, id, n, now)
}

func (p Processor) historyPage(ctx context.Context, cfg *config.Config, pl EventPayload) error {
	who, c := cfg.PersonByID(pl.Person), cfg.Client(pl.Client)
	if who == nil || c == nil || pl.ResponseURL == "" {
		return nil
	}
	anchor, err := config.ParseDate(pl.Anchor)
	if err != nil {
		return fmt.Errorf("history anchor: %w", err)
	}
	page, more, err := p.Store.Page(ctx, c.ID, who.ID, anchor, pl.Newer, HistoryPageSize)
	if err != nil {
		return err
	}
	// Moving older there are newer ones (the page we came from), and the reverse.
	older, newer := more, true
	if pl.Newer {
		older, newer = true, more
	}
	blocks := HistoryBlocks(who, c, page, older, newer, p.Links)
	b := slack.Blocks{BlockSet: blocks}
	// Posting the same page twice (a redelivered record) shows the same page: idempotent.
	return p.Responder.Respond(ctx, pl.ResponseURL, slackapp.Reply{ReplaceOriginal: true, Text: "Standups of " + who.Name, Blocks: &b})
}
