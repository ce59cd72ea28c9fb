package workboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/phab"
	"github.com/rituals-dev/rituals/shared/retry"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/streams"
)

// Internal event the Slack buttons put for the processor.
const (
	EventSource = "rituals"
	EventUBN    = "phab.ubn"
)

// UBNEvent is the payload of a phab.ubn event: a team member acknowledged or took an incident.
type UBNEvent struct {
	Team   string `json:"team"`
	ID     string `json:"id"`
	Action string `json:"action"` // "ack" or "take"
	Person string `json:"person"`
}

// Processor is the PhabricatorProcessorFunction: Herald deliveries (through package phab and
// the Workboard reactor), phab.* events from Slack, and the tick.
type Processor struct {
	Phab  *phab.Processor
	Board *Workboard
	// Parts loads payloads the events table split; store.Events is one.
	Parts streams.PartsLoader
	Log   *slog.Logger
}

func (p *Processor) log(ctx context.Context) *slog.Logger { return logs.For(ctx, p.Log) }

// Invoke is the Lambda handler: stream batches and the schedule's ticks (streams.Triggers).
func (p *Processor) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	return streams.Triggers{Name: "phabricator-processor", Stream: p.HandleStream, Schedule: streams.Ticked(p.Tick)}.Invoke(ctx, raw)
}

// HandleStream processes a batch of events-table records in order (see package streams).
func (p *Processor) HandleStream(ctx context.Context, ev events.DynamoDBEvent) events.DynamoDBEventResponse {
	return streams.HandleEvents(ctx, p.Log, ev, p.Parts, p.Event)
}

// Event processes one stored event; others are ignored.
func (p *Processor) Event(ctx context.Context, e store.Event) error {
	switch {
	case e.Source == "phabricator":
		return p.Phab.Delivery(ctx, e)
	case e.Source == EventSource && e.Type == EventUBN:
		return p.ubnEvent(ctx, e)
	}
	return nil
}

// ubnEvent shows a click on an incident's post: for Take it, the task is assigned to the
// person in Phabricator (once); the post is updated and the thread told.
func (p *Processor) ubnEvent(ctx context.Context, e store.Event) error {
	var ev UBNEvent
	if err := json.Unmarshal(e.Payload, &ev); err != nil {
		p.log(ctx).Error("workboard: undecodable phab.ubn event ignored", logs.Key, e.Key, logs.Err, err.Error())
		return nil
	}
	cfg, err := p.Phab.Config.Current(ctx, e.ReceivedAt)
	if err != nil {
		return fmt.Errorf("workboard: config: %w", err)
	}
	team := cfg.Team(ev.Team)
	if team == nil || team.Phabricator == nil {
		p.log(ctx).Warn("workboard: phab.ubn event for a team without a workboard", logs.Team, ev.Team)
		return nil
	}
	inc, err := p.Board.Store.Get(ctx, ev.Team, ev.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if ev.Action == "take" && ev.Person != "" {
		if err := p.take(ctx, cfg, team, inc, ev.Person); err != nil {
			return err
		}
	}
	return p.Board.afterChange(ctx, cfg, team, inc, "responded")
}

// take assigns the incident's task to the person, once; a refusal by the server is reported
// in the thread, not retried.
func (p *Processor) take(ctx context.Context, cfg *config.Config, team *config.Team, inc *Incident, personID string) error {
	client, err := p.Phab.Clients.For(cfg)
	if err != nil {
		return err
	}
	dir, err := p.Phab.Resolver.Directory(ctx, client, cfg)
	if err != nil {
		return err
	}
	person := cfg.PersonByID(personID)
	phid := dir.PHIDOf(personID)
	w := p.Board
	_, _, err = w.Effects.Once(ctx, effectKey(inc, "take#"+personID), func(ctx context.Context) (string, error) {
		var failure error
		if phid == "" || person == nil {
			failure = fmt.Errorf("%s has no Phabricator account in the config (people[].phabricator)", personID)
		} else {
			_, failure = client.EditTask(ctx, inc.Task,
				conduit.Edit{Type: "owner", Value: phid},
				conduit.Edit{Type: "comment", Value: fmt.Sprintf("%s took this Unbreak Now! task from Slack (Rituals).", remarkup(person.Name))})
			if failure != nil && !retry.Permanent(failure) {
				return "", failure
			}
		}
		if failure == nil {
			return "assigned", nil
		}
		p.log(ctx).Error("workboard: could not assign the task; reported, not retried", logs.Team, team.ID, logs.Err, failure.Error())
		if inc.TS != "" {
			text := failedEditText(inc.URL, inc.TaskID, inc.Title, "assign", failure)
			if _, err := slackapp.Post(ctx, w.Slack, inc.Channel, slackapp.Message{Text: text, Thread: inc.TS}); err != nil {
				return "", err
			}
		}
		return "failed: " + clip.Runes(failure.Error(), 200), nil
	})
	return err
}

// Tick is the scheduled run at now: per team with a workboard, nags and escalations of open
// incidents, and the morning triage list. Every effect is keyed, so running it again at the same
// or a later time repeats nothing. One team's failure does not stop the others.
func (p *Processor) Tick(ctx context.Context, now time.Time) error {
	cfg, err := p.Phab.Config.Current(ctx, now)
	if err != nil {
		return fmt.Errorf("workboard tick: config: %w", err)
	}
	if !hasBoards(cfg) {
		return nil
	}
	p.refreshBoards(ctx, cfg)
	var errs []error
	for _, team := range cfg.Teams {
		if team.Phabricator == nil {
			continue
		}
		if err := p.Board.tickTeam(ctx, cfg, team, now); err != nil {
			p.log(ctx).Error("workboard tick failed for a team", logs.Team, team.ID, logs.Err, err.Error())
			errs = append(errs, fmt.Errorf("team %s: %w", team.ID, err))
		}
	}
	return errors.Join(errs...)
}

func hasBoards(cfg *config.Config) bool {
	for _, t := range cfg.Teams {
		if t.Phabricator != nil {
			return true
		}
	}
	return false
}

// refreshBoards resolves the config (cached for ten minutes) and saves the boards, so that a
// renamed triage column reaches the tick and /phab without waiting for a delivery. Conduit being
// unreachable is logged: the saved boards still serve.
func (p *Processor) refreshBoards(ctx context.Context, cfg *config.Config) {
	client, err := p.Phab.Clients.For(cfg)
	if err == nil {
		var dir *phab.Directory
		if dir, err = p.Phab.Resolver.Directory(ctx, client, cfg); err == nil {
			for _, t := range cfg.Teams {
				if b := dir.Boards[t.ID]; b != nil {
					err = errors.Join(err, p.Board.saveBoard(ctx, cfg, t, b))
				}
			}
			for _, f := range dir.Problems() {
				p.log(ctx).Warn("workboard: config problem on the server", logs.Team, f.Team, logs.Err, f.Text)
			}
		}
	}
	if err != nil {
		p.log(ctx).Warn("workboard tick: could not resolve the boards; using the saved ones", logs.Err, err.Error())
	}
}

// tickTeam nags and escalates the team's open incidents and sends the morning list.
func (w *Workboard) tickTeam(ctx context.Context, cfg *config.Config, team *config.Team, now time.Time) error {
	open, err := w.Store.ListOpen(ctx, team.ID)
	if err != nil {
		return err
	}
	var errs []error
	for _, i := range open {
		errs = append(errs, w.nagAndEscalate(ctx, cfg, team, i, now))
	}
	board, err := w.Store.Board(ctx, team.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		errs = append(errs, err)
	default:
		errs = append(errs, w.morningTriage(ctx, cfg, team, board, now))
	}
	return errors.Join(errs...)
}

// nagAndEscalate sends the incident's due nag (the latest one only: missed ticks do not
// send a burst) and, once escalate_after has passed (in the team's business time when it is
// given in days), tells the EM.
func (w *Workboard) nagAndEscalate(ctx context.Context, cfg *config.Config, team *config.Team, i *Incident, now time.Time) error {
	if !i.Open() || !i.RespondedAt.IsZero() || i.TS == "" {
		return nil
	}
	tp := team.Phabricator
	var errs []error
	if n := int(now.Sub(i.RaisedAt) / tp.UBNNagEvery.Duration); n >= 1 {
		_, _, err := w.Effects.Once(ctx, effectKey(i, fmt.Sprintf("nag#%d", n)), func(ctx context.Context) (string, error) {
			duty, err := w.Duty.OnDuty(ctx, team, now)
			if err != nil {
				return "", err
			}
			if p := cfg.PersonByID(duty); p != nil && p.Slack != "" {
				return slackapp.DM(ctx, w.Slack, p.Slack, slackapp.Message{Text: nagText(i, now)})
			}
			return slackapp.Post(ctx, w.Slack, i.Channel, slackapp.Message{Text: nagText(i, now), Thread: i.TS})
		})
		errs = append(errs, err)
	}
	due := tp.UBNEscalateAfter.After(i.RaisedAt.In(team.Location()), w.Calendar.TeamBusinessDay(cfg, team))
	if i.EscalatedAt.IsZero() && !now.Before(due) {
		_, _, err := w.Effects.Once(ctx, effectKey(i, "escalate"), func(ctx context.Context) (string, error) {
			text := escalationText(cfg, i, now)
			if em := cfg.PersonByID(team.Roles.EM); em != nil && em.Slack != "" {
				return slackapp.DM(ctx, w.Slack, em.Slack, slackapp.Message{Text: text})
			}
			return slackapp.Post(ctx, w.Slack, team.Slack.Channel, slackapp.Message{Text: text})
		})
		if err == nil {
			var inc *Incident
			var changed bool
			inc, changed, err = w.Store.Update(ctx, team.ID, i.ID, func(x *Incident) bool {
				if !x.EscalatedAt.IsZero() {
					return false
				}
				x.EscalatedAt = now
				return true
			})
			if err == nil && changed {
				w.log(ctx).Info("workboard: Unbreak Now! escalated to the EM", logs.Team, team.ID, "task", fmt.Sprintf("T%d", i.TaskID))
				err = w.afterChange(ctx, cfg, team, inc, "escalated")
			}
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
