package labels

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/ghub"
	"github.com/rituals-dev/rituals/shared/killpoint"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/rotation"
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

// GitHub is what rules do on GitHub; ghub.Issues implements it.
type GitHub interface {
	CreateComment(ctx context.Context, repo string, number int, body string) (string, error)
	AddAssignees(ctx context.Context, repo string, number int, logins []string) error
	AddLabels(ctx context.Context, repo string, number int, labels []string) error
	RemoveLabel(ctx context.Context, repo string, number int, label string) error
	Close(ctx context.Context, repo string, number int, reason string, pullRequest bool) error
	Lock(ctx context.Context, repo string, number int, reason string) error
	ghub.GraphQLer
}

var _ GitHub = ghub.Issues{}

// Slack is what rules do in Slack: post, and open DMs; *slack.Client is one.
type Slack interface {
	slackapp.DMer
}

// Rotations tells who is on a team's rotation (support's, Clinic Duty's); rotation.Engine is
// one.
type Rotations interface {
	OnDuty(ctx context.Context, r *rotation.Rotation, t time.Time) (rotation.Duty, error)
}

var _ Rotations = rotation.Engine{}

// ProjectIDs finds a board's ids; ghub.ProjectCache is one.
type ProjectIDs interface {
	IDs(ctx context.Context, g ghub.GraphQLer, p ghub.Project) (ghub.ProjectIDs, error)
}

var _ ProjectIDs = ghub.ProjectCache{}

// Processor runs label rules: the stream side (Event) mirrors issues and triggers rules and
// cancellations; the scheduled side (Sweep) fires the timers that are due.
type Processor struct {
	Config  ConfigSource
	Mirror  Mirror
	Timers  Timers
	Effects Onceer
	// Calendar counts the team's business days for timers.
	Calendar *calendar.Calendar
	Slack    Slack
	GitHub   GitHub
	Projects ProjectIDs
	// Rotations answers rules that name a rotation (`rotation: support`, `rotation: clinic`).
	Rotations Rotations
	// Parts loads payloads the events table split; store.Events is one.
	Parts streams.PartsLoader
	Log   *slog.Logger
}

func (p *Processor) log(ctx context.Context) *slog.Logger { return logs.For(ctx, p.Log) }

// HandleStream processes a batch of events-table stream records in order (see streams).
func (p *Processor) HandleStream(ctx context.Context, ev events.DynamoDBEvent) events.DynamoDBEventResponse {
	return streams.HandleEvents(ctx, p.Log, ev, p.Parts, p.Event)
}

// Event processes one stored GitHub delivery of an issue, pull request or comment; others are
// ignored. It mirrors the issue, triggers the rules a label change matches (timers are stored
// before the actions run) and cancels the timers the change ends. Each team and rule is
// handled on its own: a rule whose action fails makes the record fail (and so be retried,
// then dead-lettered) without holding back the others, whose done effects a retry skips.
func (p *Processor) Event(ctx context.Context, e store.Event) error {
	if e.Source != "github" || (e.Type != "issues" && e.Type != "pull_request" && e.Type != "issue_comment") {
		return nil
	}
	snap, err := DecodeSnapshot(e.Type, e.Payload, e.ReceivedAt)
	if err != nil {
		// A payload that cannot be decoded never will be: logged, not retried forever.
		p.log(ctx).Error("labels: undecodable delivery", logs.Key, e.Key, logs.Err, err.Error())
		return nil
	}
	cfg, err := p.Config.Current(ctx, e.ReceivedAt)
	if err != nil {
		return fmt.Errorf("labels: config: %w", err)
	}
	teams := watching(cfg, snap.Repo)
	if len(teams) == 0 {
		return nil
	}
	is, err := p.Mirror.Update(ctx, snap.Repo, snap.Number, e.ReceivedAt, func(is *Issue) bool { return is.apply(snap) })
	if err != nil {
		return fmt.Errorf("labels: %w", err)
	}
	var errs []error
	for _, team := range teams {
		if snap.Label != "" && (snap.Action == "labeled" || snap.Action == "unlabeled") {
			for _, r := range triggered(team, snap, is) {
				if err := p.trigger(ctx, cfg, team, r, snap, is); err != nil {
					errs = append(errs, err)
				}
			}
		}
		if err := p.cancel(ctx, cfg, team, snap, is); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// watching returns the teams with a rule that applies in repo.
func watching(cfg *config.Config, repo string) []*config.Team {
	var out []*config.Team
	for _, t := range cfg.Teams {
		for _, r := range t.LabelRules {
			if r.Watches(t, repo) {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

// triggered returns the team's rules that a labeled or unlabeled snapshot triggers. A label
// event the mirror has already seen undone (a later delivery removed the label again) is
// stale and triggers nothing.
func triggered(team *config.Team, snap Snapshot, is *Issue) []*config.LabelRule {
	removed := snap.Action == "unlabeled"
	if is.HasLabel(snap.Label) == removed {
		return nil
	}
	var out []*config.LabelRule
	for _, r := range team.LabelRules {
		if r.Triggered(snap.Label, removed, snap.PR) && r.Watches(team, snap.Repo) && r.AllowsAuthor(snap.AuthorAssoc) && r.AllowsPriority(team, is.Labels) {
			out = append(out, r)
		}
	}
	return out
}

// activationID names one triggering of a rule on an issue: the second of the issue's
// updated_at at the label change, which every delivery of that change (a redelivery, the
// organisation's and the repository's webhook) shares.
func activationID(s Snapshot) string { return "a" + strconv.FormatInt(s.Updated.Unix(), 10) }

func ruleKey(team *config.Team, r *config.LabelRule) string { return team.ID + "/" + r.ID }

// effectBase is the Effects key prefix of an issue's effects for a rule.
func effectBase(team *config.Team, r *config.LabelRule, repo string, number int) string {
	return "labels#" + team.ID + "#" + strings.ToLower(repo) + "#" + strconv.Itoa(number) + "#" + r.ID
}

// trigger starts a rule on an issue: its timers are stored first (so that a record that ends
// in the dead-letter queue has not lost them), then its actions run in order.
func (p *Processor) trigger(ctx context.Context, cfg *config.Config, team *config.Team, r *config.LabelRule, snap Snapshot, is *Issue) error {
	act := activationID(snap)
	log := p.log(ctx).With(logs.Team, team.ID, "rule", r.ID, logs.Repo, snap.Repo, "number", snap.Number, "activation", act)
	for i, tm := range r.Timers {
		due := tm.After.After(snap.Received.In(team.Location()), p.Calendar.TeamBusinessDay(cfg, team)).UTC()
		created, err := p.Timers.Create(ctx, Timer{
			Team: team.ID, Rule: r.ID, Repo: snap.Repo, Number: snap.Number, Activation: act, Index: i,
			Activated: snap.Updated, Due: due, Title: snap.Title,
		})
		if err != nil {
			return fmt.Errorf("labels: %w", err)
		}
		if created {
			log.Info("label rule timer set", "timer", i, "due", due.Format(time.RFC3339))
		}
	}
	// A crash here leaves the timers stored and no action done: the retry finds the timers
	// and runs the actions.
	killpoint.Reach(killpoint.Committed)
	sub := subject{cfg: cfg, team: team, rule: r, is: is}
	base := effectBase(team, r, snap.Repo, snap.Number)
	// A rule's comments are once per issue, ever: keyed without the activation, and recorded
	// on the mirror once done. Keys use the action's place in the rule, whatever is skipped.
	commented := is.Commented[ruleKey(team, r)]
	ran := 0
	for i, a := range r.Do {
		key := fmt.Sprintf("%s#%s#do#%d", base, act, i)
		if a.Kind == config.ActionComment {
			if commented {
				continue
			}
			key = fmt.Sprintf("%s#comment#%d", base, i)
		}
		if err := p.act(ctx, sub, a, key, snap.Received); err != nil {
			err = fmt.Errorf("label rule %s/%s, action %d (%s) on %s#%d: %w", team.ID, r.ID, i+1, a.Kind, snap.Repo, snap.Number, err)
			log.Error("label rule action failed; the delivery will be retried", logs.Err, err.Error())
			return err
		}
		ran++
	}
	if !commented && hasComment(r.Do) {
		if _, err := p.Mirror.Update(ctx, snap.Repo, snap.Number, snap.Received, func(is *Issue) bool {
			if is.Commented[ruleKey(team, r)] {
				return false
			}
			if is.Commented == nil {
				is.Commented = map[string]bool{}
			}
			is.Commented[ruleKey(team, r)] = true
			return true
		}); err != nil {
			return fmt.Errorf("labels: %w", err)
		}
	}
	log.Info("label rule triggered", "actions", ran, "timers", len(r.Timers))
	return nil
}

func hasComment(acts []config.LabelAction) bool {
	for _, a := range acts {
		if a.Kind == config.ActionComment {
			return true
		}
	}
	return false
}

// cancel ends the team's pending timers on the snapshot's issue that the mirrored issue now
// cancels (see cancelledBy): the label going back, the issue closed, a reply by the author or
// by a team member after the rule triggered. Only deliveries that can cancel (label changes,
// closing, comments) look the timers up.
func (p *Processor) cancel(ctx context.Context, cfg *config.Config, team *config.Team, snap Snapshot, is *Issue) error {
	switch {
	case snap.Action == "labeled", snap.Action == "unlabeled", snap.Action == "closed", snap.Comment != nil:
	default:
		return nil
	}
	timers, err := p.Timers.OfIssue(ctx, team.ID, snap.Repo, snap.Number)
	if err != nil {
		return fmt.Errorf("labels: %w", err)
	}
	var errs []error
	for _, t := range timers {
		r := team.LabelRule(t.Rule)
		if t.State != Pending || r == nil {
			continue
		}
		why := cancelledBy(cfg, team, r, t, is)
		if why == "" {
			continue
		}
		err := p.Timers.Finish(ctx, t, Cancelled, why, snap.Received, t.Fired)
		switch {
		case err == nil:
			p.log(ctx).Info("label rule timer cancelled", logs.Team, team.ID, "rule", r.ID, logs.Repo, snap.Repo, "number", snap.Number, "why", why)
		case !errors.Is(err, errMoved):
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
