package sprints

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/phab"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/streams"
)

// Internal events /sprint puts for the SprintsFunction.
const (
	EventSource = "rituals"
	// EventStart: a sprint was set with /sprint start; its planned scope is captured at once
	// when it has started.
	EventStart = "sprint.start"
	// EventReport: /sprint report asked for the report and chart in the team's channel.
	EventReport = "sprint.report"
)

// Request is the payload of a sprint.* event.
type Request struct {
	Team      string `json:"team"`
	Milestone string `json:"milestone"`
	// ID names the request (the command's trigger id), so that one request posts once.
	ID string `json:"id"`
	By string `json:"by,omitempty"`
}

// ConfigSource gives the current team config; *config.Source is one.
type ConfigSource interface {
	Current(ctx context.Context, now time.Time) (*config.Config, error)
}

var _ ConfigSource = (*config.Source)(nil)

// Slack is what the SprintsFunction does in Slack: posts, DMs, and the external file upload
// flow for the chart; *slack.Client is one.
type Slack interface {
	slackapp.DMer
	Uploader
}

var _ Slack = (*slack.Client)(nil)

// PhabSource reads what a Phabricator sprint's start needs from Conduit: the config resolved
// against the server, and the tasks of a milestone.
type PhabSource interface {
	Directory(ctx context.Context, cfg *config.Config) (*phab.Directory, *conduit.Client, error)
}

// ConduitSource is PhabSource over the Conduit clients and the Directory cache of package phab.
type ConduitSource struct {
	Clients  *phab.Clients
	Resolver *phab.Resolver
}

// Directory implements PhabSource.
func (c ConduitSource) Directory(ctx context.Context, cfg *config.Config) (*phab.Directory, *conduit.Client, error) {
	client, err := c.Clients.For(cfg)
	if err != nil {
		return nil, nil, err
	}
	dir, err := c.Resolver.Directory(ctx, client, cfg)
	if err != nil {
		return nil, nil, err
	}
	return dir, client, nil
}

var _ PhabSource = ConduitSource{}

// Processor is the SprintsFunction: GitHub issues and milestone deliveries (recorded for every
// team whose sprint repositories hold them), sprint.* events from /sprint, and the tick that
// starts sprints, takes the daily snapshots and posts the reports.
type Processor struct {
	Config   ConfigSource
	Store    Store
	Recorder *Recorder
	Effects  Onceer
	Slack    Slack
	Calendar *calendar.Calendar
	Render   Renderer
	// Phab is nil when the stack has no Conduit token.
	Phab  PhabSource
	Parts streams.PartsLoader
	Log   *slog.Logger

	mu      sync.Mutex
	savedMS map[string]string // team + milestone → what this container saved of it
	savedPH map[string]string // the same for Phabricator milestones
}

func (p *Processor) log(ctx context.Context) *slog.Logger { return logs.For(ctx, p.Log) }

// Invoke is the Lambda handler: stream batches and the schedule's ticks.
func (p *Processor) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	return streams.Triggers{Name: "sprints", Stream: p.HandleStream, Schedule: streams.Ticked(p.Tick)}.Invoke(ctx, raw)
}

// HandleStream processes a batch of events-table records in order.
func (p *Processor) HandleStream(ctx context.Context, ev events.DynamoDBEvent) events.DynamoDBEventResponse {
	return streams.HandleEvents(ctx, p.Log, ev, p.Parts, p.Event)
}

// Event processes one stored event; others are ignored.
func (p *Processor) Event(ctx context.Context, e store.Event) error {
	relevant := (e.Source == "github" && (e.Type == "issues" || e.Type == "milestone")) ||
		(e.Source == EventSource && (e.Type == EventStart || e.Type == EventReport))
	if !relevant {
		return nil
	}
	cfg, err := p.Config.Current(ctx, e.ReceivedAt)
	if err != nil {
		return fmt.Errorf("sprints: config: %w", err)
	}
	switch e.Type {
	case "issues":
		return p.githubIssue(ctx, cfg, e)
	case "milestone":
		return p.githubMilestoneEvent(ctx, cfg, e)
	}
	var req Request
	if err := json.Unmarshal(e.Payload, &req); err != nil {
		p.log(ctx).Error("sprints: undecodable event ignored", logs.Key, e.Key, logs.Err, err.Error())
		return nil
	}
	team := cfg.Team(req.Team)
	if team == nil || team.Sprints == nil {
		p.log(ctx).Warn("sprints: event for a team without sprints ignored", logs.Key, e.Key, logs.Team, req.Team)
		return nil
	}
	sp, err := p.Store.Sprint(ctx, team.ID, req.Milestone)
	if errors.Is(err, store.ErrNotFound) {
		p.log(ctx).Warn("sprints: event for a milestone that is not a sprint ignored", logs.Key, e.Key, logs.Team, req.Team)
		return nil
	}
	if err != nil {
		return err
	}
	switch e.Type {
	case EventStart:
		return p.advance(ctx, cfg, team, sp, e.ReceivedAt)
	default:
		return p.report(ctx, cfg, team, sp, e.ReceivedAt, "request#"+req.ID)
	}
}

// Tick is the scheduled run at now, for each team that runs sprints: it reads the team's
// Phabricator milestones (cached ten minutes), sets up the sprints the config and due dates
// say are running, captures the planned scope of those that started, stores the snapshot of
// each business day that ended, and posts the report of those whose last day has come. Every
// step is keyed or conditional, so a repeated or late tick does nothing twice; one team's
// failure does not stop the others.
func (p *Processor) Tick(ctx context.Context, now time.Time) error {
	cfg, err := p.Config.Current(ctx, now)
	if err != nil {
		return fmt.Errorf("sprints tick: config: %w", err)
	}
	var errs []error
	for _, team := range cfg.Teams {
		if team.Sprints == nil {
			continue
		}
		if err := p.tickTeam(ctx, cfg, team, now); err != nil {
			p.log(ctx).Error("sprints tick failed for a team", logs.Team, team.ID, logs.Err, err.Error())
			errs = append(errs, fmt.Errorf("team %s: %w", team.ID, err))
		}
	}
	return errors.Join(errs...)
}

func (p *Processor) tickTeam(ctx context.Context, cfg *config.Config, team *config.Team, now time.Time) error {
	if team.Phabricator != nil && p.Phab != nil {
		if dir, _, err := p.Phab.Directory(ctx, cfg); err != nil {
			p.log(ctx).Warn("sprints: could not read the Phabricator milestones; using the saved ones", logs.Team, team.ID, logs.Err, err.Error())
		} else if b := dir.Boards[team.ID]; b != nil {
			if err := SaveBoardMilestones(ctx, p.Store, &p.mu, &p.savedPH, cfg, team, b, now); err != nil {
				return err
			}
		}
	}
	sprints, milestones, err := p.Store.TeamSprints(ctx, team.ID)
	if err != nil {
		return err
	}
	created, err := p.ensure(ctx, cfg, team, sprints, milestones, now)
	if err != nil {
		return err
	}
	sprints = append(sprints, created...)
	var errs []error
	for _, sp := range sprints {
		errs = append(errs, p.advance(ctx, cfg, team, sp, now))
	}
	return errors.Join(errs...)
}

// advance does what is due for one sprint at now: capture, snapshots, the end report.
func (p *Processor) advance(ctx context.Context, cfg *config.Config, team *config.Team, sp *Sprint, now time.Time) error {
	loc := team.Location()
	today := config.DateOf(now.In(loc))
	if today.Compare(sp.To.AddDays(7)) > 0 || now.Before(sp.Start(team)) {
		return nil // long over, or not started
	}
	if sp.Captured.IsZero() {
		var err error
		if sp, err = p.capture(ctx, cfg, team, sp, now); err != nil {
			return fmt.Errorf("start %s: %w", sp.Milestone.Name, err)
		}
	}
	if err := p.snapshots(ctx, cfg, team, sp, now); err != nil {
		return err
	}
	if !now.Before(sp.ReportTime(team)) && sp.Reported.IsZero() {
		return p.report(ctx, cfg, team, sp, now, "end")
	}
	return nil
}

// snapshots stores the snapshot of each business day of the sprint that has ended and has
// none: replayed from the changes up to the day's end, so a tick that ran late still stores
// what was known then, and never rewrites a day stored before.
func (p *Processor) snapshots(ctx context.Context, cfg *config.Config, team *config.Team, sp *Sprint, now time.Time) error {
	loc := team.Location()
	var due []config.Date
	for _, d := range BusinessDays(sp.From, sp.To, p.Calendar.TeamBusinessDay(cfg, team)) {
		if end := d.AddDays(1).In(loc); !end.After(now) && end.After(sp.Captured) {
			due = append(due, d)
		}
	}
	if len(due) == 0 {
		return nil
	}
	have, err := p.Store.SnapshotDays(ctx, team.ID, sp.Milestone.Key)
	if err != nil {
		return err
	}
	var changes []Change
	loaded := false
	for _, d := range due {
		if have[d] {
			continue
		}
		if !loaded {
			if changes, err = p.Store.Changes(ctx, team.ID, sp.Milestone.Key); err != nil {
				return err
			}
			loaded = true
		}
		if err := p.Store.PutDay(ctx, team.ID, sp.Milestone.Key, PointAt(changes, d, d.AddDays(1).In(loc))); err != nil {
			return err
		}
	}
	return nil
}
