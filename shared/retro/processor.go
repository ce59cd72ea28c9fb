package retro

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/retry"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// Slack is what the processor does in Slack; *slack.Client is one.
type Slack interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
}

var _ Slack = (*slack.Client)(nil)

// Onceer runs a side effect once per key; store.Effects is one.
type Onceer interface {
	Once(ctx context.Context, key string, fn func(ctx context.Context) (string, error)) (string, bool, error)
}

var _ Onceer = store.Effects{}

// Processor is the stream side of retros: it posts and updates boards, posts results, opens
// action items in the team's tracker and assigns them, and mirrors their state from the
// tracker's webhooks. Every effect runs once (Effects) under a key derived from the retro, so a
// re-fired close or a retried record repeats nothing.
type Processor struct {
	Config   ConfigSource
	Store    Store
	Effects  Onceer
	Slack    Slack
	Trackers Trackers
	Log      *slog.Logger
}

func (p *Processor) log(ctx context.Context) *slog.Logger {
	l := p.Log
	if l == nil {
		l = slog.Default()
	}
	return logs.For(ctx, l)
}

// Event processes one stored event; events it has no business with are ignored.
func (p *Processor) Event(ctx context.Context, e store.Event) error {
	switch {
	case e.Source == "github" && e.Type == "issues":
		return p.Mirror(ctx, e)
	case e.Source != EventSource || !strings.HasPrefix(e.Type, "retro."):
		return nil
	}
	var ev Event
	if err := json.Unmarshal(e.Payload, &ev); err != nil {
		p.log(ctx).Error("retro: undecodable event", logs.Key, e.Key, logs.Err, err.Error())
		return nil
	}
	id, err := ParseID(ev.Retro)
	if err != nil {
		p.log(ctx).Error("retro: bad retro id in event", logs.Key, e.Key, logs.Err, err.Error())
		return nil
	}
	cfg, err := p.Config.Current(ctx, e.ReceivedAt)
	if err != nil {
		return fmt.Errorf("retro: config: %w", err)
	}
	team := cfg.Team(id.Team)
	if team == nil {
		p.log(ctx).Warn("retro: the team is no longer in the config", logs.Team, id.Team)
		return nil
	}
	b, err := p.Store.Load(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	switch e.Type {
	case EventStarted, EventChanged, EventCancelled:
		_, err = p.board(ctx, b)
	case EventClosed:
		err = p.closed(ctx, cfg, team, b, e.ReceivedAt)
	case EventOwner:
		err = p.owner(ctx, cfg, team, b, ev)
	}
	if err != nil {
		return fmt.Errorf("retro %s: %s: %w", id, e.Type, err)
	}
	return nil
}

func effectKey(id ID, what ...string) string {
	return "retro#" + id.String() + "#" + strings.Join(what, "#")
}

// board posts the board once and then keeps it showing the newest revision; it returns the
// board's ts.
func (p *Processor) board(ctx context.Context, b *Board) (string, error) {
	r := b.Retro
	var earlier []*Action
	if r.Phase.Open() {
		var err error
		if earlier, err = p.Store.Actions(ctx, r.ID.Team, false, 10); err != nil {
			return "", err
		}
	}
	msg := slackapp.Message{Text: BoardText(r), Blocks: BoardBlocks(b, earlier)}
	ts, posted, err := p.Effects.Once(ctx, effectKey(r.ID, "board"), func(ctx context.Context) (string, error) {
		return slackapp.Post(ctx, p.Slack, r.Channel, msg)
	})
	if err != nil {
		return "", fmt.Errorf("post the board: %w", err)
	}
	if !posted && r.Rendered < r.Rev {
		if err := slackapp.Update(ctx, p.Slack, r.Channel, ts, msg); err != nil {
			return "", fmt.Errorf("update the board: %w", err)
		}
	}
	if r.Board != ts || r.Rendered < r.Rev {
		if err := p.Store.MarkBoard(ctx, r.ID, ts, r.Rev); err != nil {
			return "", err
		}
	}
	return ts, nil
}

// closed posts the results in the board's thread, opens the top items as tickets (once each)
// and posts the action items with an owner picker each.
func (p *Processor) closed(ctx context.Context, cfg *config.Config, team *config.Team, b *Board, now time.Time) error {
	r := b.Retro
	if r.Phase != Closed {
		return nil
	}
	ts, err := p.board(ctx, b)
	if err != nil {
		return err
	}
	res := Rank(r.Fields, b.Items, b.Ballots)
	if _, _, err := p.Effects.Once(ctx, effectKey(r.ID, "results"), func(ctx context.Context) (string, error) {
		return slackapp.Post(ctx, p.Slack, r.Channel, slackapp.Message{Text: ResultsText(r, res), Blocks: ResultsBlocks(r, res), Thread: ts})
	}); err != nil {
		return fmt.Errorf("post the results: %w", err)
	}
	top := res.Top(r.Actions)
	if len(top) == 0 {
		return nil
	}
	tracker := p.Trackers.For(team)
	var refused []string
	for _, it := range top {
		a, err := p.Store.SaveAction(ctx, &Action{
			Retro: r.ID, RetroTitle: r.Title, Item: it.N, Field: r.Fields[it.Field], Text: it.Text, Dots: it.Dots, Created: r.Ended,
		})
		if err != nil {
			return err
		}
		if tracker == nil || !a.Ticket.IsZero() {
			continue
		}
		res, _, err := p.Effects.Once(ctx, effectKey(r.ID, "ticket", strconv.Itoa(it.N)), func(ctx context.Context) (string, error) {
			t, err := tracker.Open(ctx, team, Draft{Action: a, Board: slackapp.Permalink(r.Channel, ts), TeamName: team.Name})
			if err != nil && retry.Permanent(err) {
				// The tracker will refuse it however often it is asked (no such repo, no access):
				// recorded as skipped, and said in the thread, rather than retried for a day.
				p.log(ctx).Error("retro: the tracker refused an action item; skipped", logs.Team, team.ID, logs.Err, err.Error())
				return "skipped|" + clip.Runes(err.Error(), 300), nil
			}
			return t.encode(), err
		})
		if err != nil {
			return fmt.Errorf("open action item %d: %w", it.N, err)
		}
		if strings.HasPrefix(res, "skipped|") {
			refused = append(refused, strings.TrimPrefix(res, "skipped|"))
			continue
		}
		if err := p.Store.SetTicket(ctx, a, decodeTicket(res)); err != nil {
			return err
		}
	}
	_, err = p.actionsMessage(ctx, team, r, ts, refused)
	return err
}

// trackerNote says where action items are tracked, when not (all) in a tracker that assigns
// them: the team has none, or it refused some (refused, when known, says why).
func trackerNote(team *config.Team, tracker Tracker, actions []*Action, refused []string) string {
	if tracker == nil {
		return "The team has no tracker (`retro.repo`): they are tracked here; mark each done when it is."
	}
	for _, a := range actions {
		if a.Ticket.IsZero() {
			why := ""
			if len(refused) > 0 {
				why = " (" + slackapp.Escape(clip.Runes(refused[0], 200)) + ")"
			}
			return fmt.Sprintf("Some tickets could not be opened in %s%s: check `retro.repo` and the token's access to it. Those without one are tracked here; mark each done when it is.", slackapp.Escape(team.RetroSettings().Repo), why)
		}
	}
	return ""
}

// actionsMessage posts the closed retro's action items in its thread once, and afterwards
// updates that message to their current owners and states; it returns the message's ts.
func (p *Processor) actionsMessage(ctx context.Context, team *config.Team, r *Retro, thread string, refused []string) (string, error) {
	b, err := p.Store.Load(ctx, r.ID)
	if err != nil {
		return "", err
	}
	actions := append([]*Action(nil), b.Actions...)
	sort.SliceStable(actions, func(i, j int) bool {
		if actions[i].Dots != actions[j].Dots {
			return actions[i].Dots > actions[j].Dots
		}
		return actions[i].Item < actions[j].Item
	})
	note := trackerNote(team, p.Trackers.For(team), actions, refused)
	msg := slackapp.Message{Text: ActionsText(r, len(actions)), Blocks: ActionsBlocks(r, actions, note), Thread: thread}
	ts, posted, err := p.Effects.Once(ctx, effectKey(r.ID, "actions"), func(ctx context.Context) (string, error) {
		return slackapp.Post(ctx, p.Slack, r.Channel, msg)
	})
	if err != nil {
		return "", fmt.Errorf("post the action items: %w", err)
	}
	if !posted {
		if err := slackapp.Update(ctx, p.Slack, r.Channel, ts, msg); err != nil {
			return "", fmt.Errorf("update the action items: %w", err)
		}
	}
	return ts, nil
}

// owner carries out an owner choice (or a mark-done) on an action item: the ticket assigned
// to the owner, a line in the thread, the action items message updated.
func (p *Processor) owner(ctx context.Context, cfg *config.Config, team *config.Team, b *Board, ev Event) error {
	r := b.Retro
	var a *Action
	for _, x := range b.Actions {
		if x.Item == ev.Item {
			a = x
		}
	}
	if a == nil || r.Board == "" {
		return nil
	}
	if a.Owner != "" && !a.Ticket.IsZero() {
		if tracker := p.Trackers.For(team); tracker != nil {
			person := cfg.PersonBySlack(a.Owner)
			if _, _, err := p.Effects.Once(ctx, effectKey(r.ID, "assign", strconv.Itoa(a.Item), a.Owner), func(ctx context.Context) (string, error) {
				err := tracker.Assign(ctx, a.Ticket, person)
				if err != nil && retry.Permanent(err) {
					p.log(ctx).Error("retro: the tracker refused an assignment; skipped", logs.Team, team.ID, logs.Err, err.Error())
					return "skipped", nil
				}
				return "assigned", err
			}); err != nil {
				return fmt.Errorf("assign action item %d: %w", a.Item, err)
			}
		}
	}
	if _, _, err := p.Effects.Once(ctx, effectKey(r.ID, "owner", strconv.Itoa(a.Item), strconv.Itoa(ev.OwnerRev)), func(ctx context.Context) (string, error) {
		return slackapp.Post(ctx, p.Slack, r.Channel, slackapp.Message{Text: OwnerLine(cfg, a, ev.By), Thread: r.Board})
	}); err != nil {
		return fmt.Errorf("announce the owner of action item %d: %w", a.Item, err)
	}
	_, err := p.actionsMessage(ctx, team, r, r.Board, nil)
	return err
}

// OwnerLine is the thread line for an owner choice or a mark-done.
func OwnerLine(cfg *config.Config, a *Action, by string) string {
	what := slackapp.Escape(clip.Runes(oneLine(a.Text), 200))
	if !a.Ticket.IsZero() {
		what = fmt.Sprintf("<%s|%s> %s", a.Ticket.URL, slackapp.Escape(a.Ticket.Ref), what)
	}
	if a.State == StateClosed && a.Ticket.IsZero() {
		return fmt.Sprintf(":white_check_mark: %s marked an action item done: %s", slackapp.Mention(by), what)
	}
	line := fmt.Sprintf(":bust_in_silhouette: %s owns the action item %s (picked by %s).", slackapp.Mention(a.Owner), what, slackapp.Mention(by))
	if !a.Ticket.IsZero() {
		if p := cfg.PersonBySlack(a.Owner); p == nil || p.GitHub == "" {
			line += " They have no GitHub login in the Rituals config, so the issue is not assigned to them."
		}
	}
	return line
}
