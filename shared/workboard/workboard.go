package workboard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/phab"
	"github.com/rituals-dev/rituals/shared/rotation"
	"github.com/rituals-dev/rituals/shared/store"
)

// Slack is what the processor does in Slack; *slack.Client implements it.
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

// Duty says who is on duty for a team at t: the engineer who is DMed about Unbreak Now! tasks
// and sent the morning triage list. "" means the team has no rotation (the channel hears it).
type Duty interface {
	OnDuty(ctx context.Context, team *config.Team, t time.Time) (string, error)
}

// Rotations is Duty from the team's rotations (package rotation): the Clinic Duty engineer when
// the team runs Clinic Duty, else the engineer on support, else nobody.
type Rotations struct{ Engine rotation.Engine }

// OnDuty implements Duty.
func (r Rotations) OnDuty(ctx context.Context, team *config.Team, t time.Time) (string, error) {
	return r.Engine.FirstOnDuty(ctx, team, t, config.RotationClinic, config.RotationSupport)
}

var _ Duty = Rotations{}

// Workboard is the rules' phab.Reactor, and their tick.
type Workboard struct {
	Store    Store
	Mirror   phab.Mirror
	Effects  Onceer
	Calendar *calendar.Calendar
	Slack    Slack
	Duty     Duty
	Log      *slog.Logger

	mu     sync.Mutex
	boards map[string]BoardSummary // saved, by team
	names  map[string]string       // user PHID → username, for people outside the config
}

var _ phab.Reactor = (*Workboard)(nil)

func (w *Workboard) saved(team string) (BoardSummary, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	b, ok := w.boards[team]
	return b, ok
}

func (w *Workboard) remember(b BoardSummary) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.boards == nil {
		w.boards = map[string]BoardSummary{}
	}
	w.boards[b.Team] = b
}

func sameBoard(a, b BoardSummary) bool { return reflect.DeepEqual(a, b) }

// name is how a user is shown: the config's person's name, else their Phabricator username
// (one user.search, remembered for the container's life), else the PHID.
func (t *teamDelivery) name(ctx context.Context, phid string) string {
	if p := t.Dir.Person(phid); p != nil {
		return p.Name
	}
	w := t.w
	w.mu.Lock()
	n, ok := w.names[phid]
	w.mu.Unlock()
	if ok {
		return n
	}
	users, err := t.Client.SearchUsers(ctx, conduit.UserQuery{PHIDs: []string{phid}})
	if err != nil || len(users) == 0 {
		return phid
	}
	w.mu.Lock()
	if w.names == nil {
		w.names = map[string]string{}
	}
	w.names[phid] = users[0].Username
	w.mu.Unlock()
	return users[0].Username
}

func (w *Workboard) log(ctx context.Context) *slog.Logger { return logs.For(ctx, w.Log) }

// React implements phab.Reactor: for each team the delivery concerns, each transaction's rule
// (see the package doc), oldest first; the bot's own transactions trigger nothing. A failure
// of one team's rules does not stop the others'; the errors are joined.
func (w *Workboard) React(ctx context.Context, d *phab.Delivery) error {
	var errs []error
	for _, team := range d.Teams {
		b := d.Dir.Boards[team.ID]
		if b == nil {
			continue
		}
		if err := w.saveBoard(ctx, d.Config, team, b); err != nil {
			errs = append(errs, err)
		}
		t := &teamDelivery{Delivery: d, team: team, board: b, w: w}
		for _, x := range d.Xacts {
			if err := t.transaction(ctx, x); err != nil {
				errs = append(errs, fmt.Errorf("team %s, transaction %s (%s): %w", team.ID, x.PHID, x.Type, err))
			}
		}
	}
	return errors.Join(errs...)
}

// teamDelivery is one delivery as one team sees it.
type teamDelivery struct {
	*phab.Delivery
	team  *config.Team
	board *phab.Board
	w     *Workboard
	// hist is the task's recorded history (this delivery's transactions included), read once.
	hist []conduit.Xact
}

// history returns the task's recorded transactions, oldest first, reading them once per
// delivery and team.
func (t *teamDelivery) history(ctx context.Context) ([]conduit.Xact, error) {
	if t.hist != nil {
		return t.hist, nil
	}
	h, err := t.w.Mirror.History(ctx, t.Task.PHID, time.Time{})
	if err != nil {
		return nil, err
	}
	t.hist = append([]conduit.Xact{}, h...)
	return t.hist, nil
}

func (t *teamDelivery) ubn() int { return t.Dir.Server.UBN() }

// member returns the team member who authored x, or nil.
func (t *teamDelivery) member(x conduit.Xact) *config.Person {
	p := t.Dir.Person(x.AuthorPHID)
	if p == nil || !t.team.HasMember(p.ID) {
		return nil
	}
	return p
}

// stillUBN reports whether the task, as read now, is an open Unbreak Now! task of the team.
func (t *teamDelivery) stillUBN() bool {
	return t.Task.Priority == t.ubn() && !t.Snapshot.Closed && t.board.InFamily(t.Task.Projects)
}

func (t *teamDelivery) transaction(ctx context.Context, x conduit.Xact) error {
	if t.ByBot(x) {
		return nil
	}
	var errs []error
	switch x.Type {
	case conduit.KindPriority:
		if x.PriorityNew != nil && *x.PriorityNew == t.ubn() && (x.PriorityOld == nil || *x.PriorityOld != t.ubn()) {
			errs = append(errs, t.raise(ctx, x))
		}
		if x.PriorityOld != nil && *x.PriorityOld == t.ubn() && (x.PriorityNew == nil || *x.PriorityNew != t.ubn()) {
			errs = append(errs, t.resolveOpen(ctx, x))
		}
		errs = append(errs, t.priorityRule(ctx, x))
	case conduit.KindProjects:
		if t.board.InFamily(x.Added) && !t.inFamilyBefore(ctx, x) {
			if t.Task.Priority == t.ubn() {
				errs = append(errs, t.raise(ctx, x))
			}
			if slices.Contains(x.Added, t.board.Project.PHID) {
				errs = append(errs, t.announce(ctx, x))
			}
		}
		if t.board.InFamily(x.Removed) && !t.board.InFamily(t.Task.Projects) {
			errs = append(errs, t.resolveOpen(ctx, x))
		}
	case conduit.KindStatus:
		if t.Dir.Server.Closed(x.StatusNew) {
			errs = append(errs, t.resolveOpen(ctx, x))
		}
	case conduit.KindColumns:
		for _, mv := range x.Moves {
			errs = append(errs, t.columnRule(ctx, x, mv))
		}
	}
	if x.HasComment || x.Type == conduit.KindOwner || x.Type == conduit.KindStatus {
		errs = append(errs, t.respond(ctx, x))
	}
	return errors.Join(errs...)
}

// inFamilyBefore reports whether the recorded history shows the task in the team's project
// family before x (an earlier tag that no later removal before x undid): then x is a re-tag
// or a move between milestones, not a new task for the team.
func (t *teamDelivery) inFamilyBefore(ctx context.Context, x conduit.Xact) bool {
	hist, err := t.history(ctx)
	if err != nil {
		t.w.log(ctx).Warn("workboard: history unreadable; treating the tag as new", logs.Err, err.Error())
		return false
	}
	in := false
	for _, h := range hist {
		if h.PHID == x.PHID || h.Created.After(x.Created) {
			break
		}
		if h.Type != conduit.KindProjects {
			continue
		}
		if t.board.InFamily(h.Added) {
			in = true
		}
		if t.board.InFamily(h.Removed) && !t.board.InFamily(h.Added) {
			in = false
		}
	}
	return in
}

// saveBoard keeps the team's board summary current for /phab and the tick.
func (w *Workboard) saveBoard(ctx context.Context, cfg *config.Config, team *config.Team, b *phab.Board) error {
	sum := BoardSummary{Team: team.ID, Project: b.Project.PHID, ProjectName: b.Project.Name, Triage: b.Triage, Columns: map[string]string{}}
	if cfg.Phabricator != nil {
		sum.URL = cfg.Phabricator.URL
	}
	for _, c := range b.Columns {
		sum.Columns[c.PHID] = c.Name
		if c.PHID == b.Triage {
			sum.TriageName = c.Name
		}
	}
	if old, ok := w.saved(team.ID); ok && sameBoard(old, sum) {
		return nil
	}
	if err := w.Store.SaveBoard(ctx, sum); err != nil {
		return err
	}
	w.remember(sum)
	return nil
}
