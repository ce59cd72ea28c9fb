package support

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/retry"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/streams"
)

// ConfigSource gives the current team config; *config.Source is one.
type ConfigSource interface {
	Current(ctx context.Context, now time.Time) (*config.Config, error)
}

var _ ConfigSource = (*config.Source)(nil)

// Onceer runs a side effect once per key; store.Effects is one.
type Onceer interface {
	Once(ctx context.Context, key string, fn func(ctx context.Context) (string, error)) (string, bool, error)
}

var _ Onceer = store.Effects{}

// Internal event the interactive paths put when they change a request.
const (
	EventSource  = "rituals"
	EventChanged = "support.changed"
)

// ChangedEvent is the payload of a support.changed event.
type ChangedEvent struct {
	ID string `json:"id"`
}

// Processor is the support-triage function's stream side: it turns issues deliveries, Slack
// messages and support.changed events into request changes and runs their effects.
type Processor struct {
	Config  ConfigSource
	Store   Store
	Effects Onceer
	// Calendar says which days are the team's business days (nags, escalations, digests).
	Calendar *calendar.Calendar
	Slack    Slack
	GitHub   GitHub
	// Parts loads payloads the events table split; store.Events is one.
	Parts streams.PartsLoader
	Log   *slog.Logger
}

func (p *Processor) log(ctx context.Context) *slog.Logger {
	l := p.Log
	if l == nil {
		l = slog.Default()
	}
	return logs.For(ctx, l)
}

// HandleStream processes a batch of events-table stream records in order (see streams).
func (p *Processor) HandleStream(ctx context.Context, ev events.DynamoDBEvent) events.DynamoDBEventResponse {
	return streams.HandleEvents(ctx, p.Log, ev, p.Parts, p.Event)
}

// Event processes one stored event. Events it has no business with are ignored.
func (p *Processor) Event(ctx context.Context, e store.Event) error {
	switch {
	case e.Source == "github" && e.Type == "issues":
		return p.Issue(ctx, e)
	case e.Source == "slack" && e.Type == "message":
		return p.Message(ctx, e)
	case e.Source == EventSource && e.Type == EventChanged:
		return p.Changed(ctx, e)
	}
	return nil
}

// Issue reconciles every support team's request for the delivery's issue (see Apply) and
// syncs the requests that changed or have effects pending.
func (p *Processor) Issue(ctx context.Context, e store.Event) error {
	sn, err := DecodeIssue(e.Payload, e.ReceivedAt)
	if err != nil {
		// A payload that cannot be decoded will never be: it is logged, not retried forever.
		p.log(ctx).Error("support: undecodable issues delivery", logs.Key, e.Key, logs.Err, err.Error())
		return nil
	}
	cfg, err := p.Config.Current(ctx, e.ReceivedAt)
	if err != nil {
		return fmt.Errorf("support: config: %w", err)
	}
	var errs []error
	for _, team := range cfg.Teams {
		if team.Support == nil || !team.SupportWatches(sn.Repo) {
			continue
		}
		id := ID{Team: team.ID, Repo: sn.Repo, Number: sn.Number}
		r, changed, err := p.Store.Update(ctx, id, func(r *Request, found bool) (bool, error) {
			return Apply(team, r, found, sn, func() (string, error) {
				d, err := p.Store.OnDuty(ctx, team, e.ReceivedAt)
				return d.Member, err
			})
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if changed {
			p.log(ctx).Info("support request changed", logs.Key, id.String(), logs.Action, sn.Action, logs.Team, team.ID, "state", string(r.State), "rev", r.Rev)
		}
		if r.behind() {
			if err := p.Sync(ctx, cfg, team, r, e.ReceivedAt); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// Changed syncs the request a support.changed event names.
func (p *Processor) Changed(ctx context.Context, e store.Event) error {
	var ce ChangedEvent
	if err := json.Unmarshal(e.Payload, &ce); err != nil {
		p.log(ctx).Error("support: undecodable support.changed event", logs.Key, e.Key, logs.Err, err.Error())
		return nil
	}
	id, err := ParseID(ce.ID)
	if err != nil {
		p.log(ctx).Error("support: bad id in support.changed", logs.Key, e.Key, logs.Err, err.Error())
		return nil
	}
	cfg, err := p.Config.Current(ctx, e.ReceivedAt)
	if err != nil {
		return fmt.Errorf("support: config: %w", err)
	}
	team := cfg.Team(id.Team)
	if team == nil || team.Support == nil {
		p.log(ctx).Warn("support: team no longer takes support requests", logs.Team, id.Team)
		return nil
	}
	r, err := p.Store.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return p.Sync(ctx, cfg, team, r, e.ReceivedAt)
}

// effectKey is the Effects.Once key of a request-level effect.
func effectKey(id ID, what string) string { return "support#" + id.Team + ":" + id.key() + "#" + what }

// entryKey is the Effects.Once key of an effect of log entry i.
func entryKey(id ID, i int, what string) string {
	return fmt.Sprintf("support#%s:%s#%d#%s", id.Team, id.key(), i, what)
}

// permalink links to a Slack message.
func permalink(channel, ts string) string {
	return "https://slack.com/archives/" + channel + "/p" + strings.ReplaceAll(ts, ".", "")
}

// Sync runs every effect r still owes: the announcement, each unsynced log entry's effects
// (thread line, GitHub comment or assignment, DMs, board) and the update of the announcement,
// then records how far it got. Each effect runs once (Effects) however often Sync runs;
// an error leaves the rest for the retry.
func (p *Processor) Sync(ctx context.Context, cfg *config.Config, team *config.Team, r *Request, now time.Time) error {
	if !r.announced() {
		return nil
	}
	channel, ts, posted := r.Channel, r.TS, false
	if ts == "" {
		res, ran, err := p.Effects.Once(ctx, effectKey(r.ID, "post"), func(ctx context.Context) (string, error) {
			ts, err := slackapp.Post(ctx, p.Slack, team.Slack.SupportChannel, slackapp.Message{Text: fallbackText(r), Blocks: Announcement(cfg, team, r)})
			return team.Slack.SupportChannel + "|" + ts, err
		})
		if err != nil {
			return fmt.Errorf("announce %s: %w", r.ID, err)
		}
		channel, ts, _ = strings.Cut(res, "|")
		posted = ran
		// Where it is, on the request: once ever, however long the request lives.
		if err := p.markSynced(ctx, r.ID, channel, ts, r.Synced, -1); err != nil {
			return err
		}
	}
	synced := r.Synced
	for ; synced < r.LogLen(); synced++ {
		if err := p.entryEffects(ctx, cfg, team, r, synced, channel, ts, now); err != nil {
			// Record the progress made so far; the retry starts from the failed entry.
			_ = p.markSynced(ctx, r.ID, channel, ts, synced, -1)
			return fmt.Errorf("sync %s entry %d (%s): %w", r.ID, synced, r.Entry(synced).Kind, err)
		}
	}
	if !posted && r.Rendered < r.Content {
		// Render the freshest state: a concurrent change (a click while this runs) must not be
		// overwritten by an older rendering.
		if cur, err := p.Store.Get(ctx, r.ID); err == nil && cur.Content > r.Content {
			r = cur
		}
		if err := slackapp.Update(ctx, p.Slack, channel, ts, slackapp.Message{Text: fallbackText(r), Blocks: Announcement(cfg, team, r)}); err != nil {
			return fmt.Errorf("update announcement of %s: %w", r.ID, err)
		}
	}
	return p.markSynced(ctx, r.ID, channel, ts, synced, r.Content)
}

// markSynced records the announcement's location and how far the effects and the message are.
func (p *Processor) markSynced(ctx context.Context, id ID, channel, ts string, synced, rendered int) error {
	_, _, err := p.Store.Update(ctx, id, func(r *Request, found bool) (bool, error) {
		if !found {
			return false, nil
		}
		changed := false
		if r.TS != ts || r.Channel != channel {
			r.Channel, r.TS, changed = channel, ts, true
		}
		if synced > r.Synced {
			r.Synced, changed = synced, true
		}
		if rendered > r.Rendered {
			r.Rendered, changed = rendered, true
		}
		return changed, nil
	})
	return err
}

// entryEffects runs the effects of log entry i.
func (p *Processor) entryEffects(ctx context.Context, cfg *config.Config, team *config.Team, r *Request, i int, channel, ts string, now time.Time) error {
	e := r.Entry(i)
	if e.Kind != KindOpened {
		if _, _, err := p.Effects.Once(ctx, entryKey(r.ID, i, "line"), func(ctx context.Context) (string, error) {
			return slackapp.Post(ctx, p.Slack, channel, slackapp.Message{Text: ThreadLine(cfg, team, r, e), Thread: ts})
		}); err != nil {
			return err
		}
	}
	switch e.Kind {
	case KindOpened:
		if err := p.sectionsComment(ctx, team, r, e.Missing, now); err != nil {
			return err
		}
		if prio, ok := team.Support.Priority(e.Priority); ok && prio.Urgent {
			if err := p.pageNow(ctx, cfg, team, r, channel, ts, now); err != nil {
				return err
			}
		}
		return p.addToBoard(ctx, team, r, now)
	case KindSections:
		return p.sectionsComment(ctx, team, r, e.Missing, now)
	case KindPriority:
		if prio, ok := team.Support.Priority(e.Priority); ok && prio.Urgent && r.Acked.IsZero() && r.IsOpen() {
			return p.pageNow(ctx, cfg, team, r, channel, ts, now)
		}
	case KindAck, KindETA:
		if _, err := p.github(ctx, entryKey(r.ID, i, "comment"), now, func(ctx context.Context) (string, error) {
			return p.GitHub.CreateComment(ctx, r.ID.Repo, r.ID.Number, AckComment(cfg, r, e))
		}); err != nil {
			return err
		}
		if who := cfg.PersonByGitHub(r.Requester); who != nil && who.Slack != "" {
			if _, _, err := p.Effects.Once(ctx, entryKey(r.ID, i, "requester"), func(ctx context.Context) (string, error) {
				return slackapp.DM(ctx, p.Slack, who.Slack, slackapp.Message{Text: RequesterDM(cfg, r, e)})
			}); err != nil {
				return err
			}
		}
	case KindOwner:
		if owner := cfg.PersonByID(e.Owner); owner != nil && owner.GitHub != "" {
			if _, err := p.github(ctx, entryKey(r.ID, i, "assign"), now, func(ctx context.Context) (string, error) {
				return "assigned", p.GitHub.AddAssignees(ctx, r.ID.Repo, r.ID.Number, []string{owner.GitHub})
			}); err != nil {
				return err
			}
		}
		if prev := cfg.PersonByID(e.PrevOwner); prev != nil && prev.GitHub != "" && e.PrevOwner != e.Owner {
			_, err := p.github(ctx, entryKey(r.ID, i, "unassign"), now, func(ctx context.Context) (string, error) {
				return "unassigned", p.GitHub.RemoveAssignees(ctx, r.ID.Repo, r.ID.Number, []string{prev.GitHub})
			})
			return err
		}
	}
	return nil
}

// github runs a GitHub effect once. An error GitHub will answer again however often it is
// asked (a 404 or 422, a GraphQL error) is logged and the effect recorded as skipped, so that
// one bad issue cannot hold the request's other effects back; any other error is returned and
// retried.
func (p *Processor) github(ctx context.Context, key string, now time.Time, fn func(ctx context.Context) (string, error)) (string, error) {
	res, _, err := p.Effects.Once(ctx, key, retry.SkipPermanent(fn, func(err error) {
		p.log(ctx).Error("support: GitHub refused an effect; skipped", logs.Key, key, logs.Err, err.Error())
	}))
	return res, err
}

// sectionsComment asks the requester, once per request ever, for the missing sections. "Once
// ever" is recorded on the request (SectionsAsked): the effect record alone expires long before
// a request does.
func (p *Processor) sectionsComment(ctx context.Context, team *config.Team, r *Request, missing []string, now time.Time) error {
	if len(missing) == 0 || r.SectionsAsked {
		return nil
	}
	if _, err := p.github(ctx, effectKey(r.ID, "sections"), now, func(ctx context.Context) (string, error) {
		return p.GitHub.CreateComment(ctx, r.ID.Repo, r.ID.Number, SectionsComment(team, missing))
	}); err != nil {
		return err
	}
	r.SectionsAsked = true
	_, _, err := p.Store.Update(ctx, r.ID, func(cur *Request, found bool) (bool, error) {
		changed := found && !cur.SectionsAsked
		cur.SectionsAsked = true
		return changed, nil
	})
	return err
}

// pageNow DMs the engineer on rotation about an urgent request, once per request (nag 0).
func (p *Processor) pageNow(ctx context.Context, cfg *config.Config, team *config.Team, r *Request, channel, ts string, now time.Time) error {
	d, err := p.Store.OnDuty(ctx, team, now)
	if err != nil {
		return err
	}
	eng := cfg.PersonByID(d.Member)
	if eng == nil || eng.Slack == "" {
		return nil
	}
	_, _, err = p.Effects.Once(ctx, nagKey(r.ID, "0"), func(ctx context.Context) (string, error) {
		return slackapp.DM(ctx, p.Slack, eng.Slack, slackapp.Message{Text: NagText(cfg, team, r, channel, ts, now, 0)})
	})
	return err
}

func nagKey(id ID, n string) string { return "support#nag#" + id.Team + ":" + id.key() + "#" + n }
