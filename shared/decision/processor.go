package decision

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// Slack is what the processor does in Slack; *slack.Client is one.
type Slack interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error)
}

var _ Slack = (*slack.Client)(nil)

// Onceer runs a side effect once per key; store.Effects is one.
type Onceer interface {
	Once(ctx context.Context, key string, fn func(ctx context.Context) (string, error)) (string, bool, error)
}

var _ Onceer = store.Effects{}

// Processor is the stream side of decisions: on each decision.changed it brings Slack up to
// the record (Sync). Every message runs once (Effects) under a key derived from the decision.
type Processor struct {
	Config  ConfigSource
	Store   Store
	Effects Onceer
	Slack   Slack
	Log     *slog.Logger
}

// Event processes one stored event; events it has no business with are ignored.
func (p *Processor) Event(ctx context.Context, e store.Event) error {
	if e.Source != EventSource || e.Type != EventChanged {
		return nil
	}
	log := p.Log
	if log == nil {
		log = slog.Default()
	}
	var ev Event
	if err := json.Unmarshal(e.Payload, &ev); err != nil {
		logs.For(ctx, log).Error("decision: undecodable event", logs.Key, e.Key, logs.Err, err.Error())
		return nil
	}
	id, err := ParseID(ev.Decision)
	if err != nil {
		logs.For(ctx, log).Error("decision: bad id in event", logs.Key, e.Key, logs.Err, err.Error())
		return nil
	}
	cfg, err := p.Config.Current(ctx, e.ReceivedAt)
	if err != nil {
		return fmt.Errorf("decision: config: %w", err)
	}
	team := cfg.Team(id.Team)
	if team == nil {
		logs.For(ctx, log).Warn("decision: the team is no longer in the config", logs.Team, id.Team)
		return nil
	}
	d, err := p.Store.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := p.Sync(ctx, cfg, team, d); err != nil {
		return fmt.Errorf("decision %s: %w", id, err)
	}
	return nil
}

func key(d *Decision, what ...string) string {
	k := "decision#" + d.ID.String()
	for _, w := range what {
		k += "#" + w
	}
	return k
}

// Sync runs every effect the record owes, each once: the record posted (and otherwise updated
// to its state), the consulted asked in its thread, each approver asked by DM, a thread line
// per verdict, and once settled the outcome in the thread and a DM to each informed person.
func (p *Processor) Sync(ctx context.Context, cfg *config.Config, team *config.Team, d *Decision) error {
	msg := slackapp.Message{Text: Text(d), Blocks: Blocks(cfg, team, d)}
	ts, posted, err := p.Effects.Once(ctx, key(d, "post"), func(ctx context.Context) (string, error) {
		return slackapp.Post(ctx, p.Slack, d.Channel, msg)
	})
	if err != nil {
		return fmt.Errorf("post the record: %w", err)
	}
	if !posted {
		if err := slackapp.Update(ctx, p.Slack, d.Channel, ts, msg); err != nil {
			return fmt.Errorf("update the record: %w", err)
		}
	}
	link := slackapp.Permalink(d.Channel, ts)
	if len(d.Consulted) > 0 {
		if _, _, err := p.Effects.Once(ctx, key(d, "consult"), func(ctx context.Context) (string, error) {
			return slackapp.Post(ctx, p.Slack, d.Channel, slackapp.Message{Text: ConsultText(cfg, d), Thread: ts})
		}); err != nil {
			return fmt.Errorf("ask the consulted: %w", err)
		}
	}
	if d.State == Open {
		for _, a := range d.Approvers {
			if _, answered := d.VerdictOf(a); answered {
				continue
			}
			if err := p.dm(ctx, cfg, key(d, "ask", a), a, slackapp.Message{Text: AskText(team, d, link), Blocks: AskBlocks(team, d, link)}); err != nil {
				return fmt.Errorf("ask %s to approve: %w", a, err)
			}
		}
	}
	for _, v := range d.Verdicts {
		if _, _, err := p.Effects.Once(ctx, key(d, "verdict", v.Person), func(ctx context.Context) (string, error) {
			return slackapp.Post(ctx, p.Slack, d.Channel, slackapp.Message{Text: VerdictLine(cfg, v), Thread: ts})
		}); err != nil {
			return fmt.Errorf("post %s's verdict: %w", v.Person, err)
		}
	}
	if d.State == Open {
		return nil
	}
	outcome := OutcomeText(cfg, team, d, link)
	if _, _, err := p.Effects.Once(ctx, key(d, "outcome"), func(ctx context.Context) (string, error) {
		return slackapp.Post(ctx, p.Slack, d.Channel, slackapp.Message{Text: outcome, Thread: ts})
	}); err != nil {
		return fmt.Errorf("post the outcome: %w", err)
	}
	for _, i := range d.Informed {
		if err := p.dm(ctx, cfg, key(d, "inform", i), i, slackapp.Message{Text: outcome}); err != nil {
			return fmt.Errorf("inform %s: %w", i, err)
		}
	}
	return nil
}

// dm sends m to the person once under key; people without Slack are skipped.
func (p *Processor) dm(ctx context.Context, cfg *config.Config, key, person string, m slackapp.Message) error {
	who := cfg.PersonByID(person)
	if who == nil || who.Slack == "" {
		return nil
	}
	_, _, err := p.Effects.Once(ctx, key, func(ctx context.Context) (string, error) {
		return slackapp.DM(ctx, p.Slack, who.Slack, m)
	})
	return err
}
