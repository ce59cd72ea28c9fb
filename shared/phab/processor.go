package phab

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/herald"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/store"
)

// ConfigSource gives the current team config; *config.Source is one.
type ConfigSource interface {
	Current(ctx context.Context, now time.Time) (*config.Config, error)
}

var _ ConfigSource = (*config.Source)(nil)

// Clients gives the Conduit client of a config's server, one per server URL for the life of
// the container, so that its caches (priorities, statuses, the bot) stay warm.
type Clients struct {
	// Token is the bot's Conduit API token (CONDUIT_API_TOKEN).
	Token string
	// URL, when set (CONDUIT_API_URL), replaces the config's phabricator.url for API calls: the
	// local stack points it at the Conduit stand-in.
	URL  string
	HTTP *http.Client

	mu     sync.Mutex
	byBase map[string]*conduit.Client
}

// For returns the client for cfg's server.
func (c *Clients) For(cfg *config.Config) (*conduit.Client, error) {
	base := c.URL
	if base == "" && cfg.Phabricator != nil {
		base = cfg.Phabricator.URL
	}
	if base == "" {
		return nil, errors.New("phabricator: the config has no phabricator.url")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.byBase[base]; ok {
		return cl, nil
	}
	cl, err := conduit.New(conduit.Options{BaseURL: base, Token: c.Token, HTTP: c.HTTP})
	if err != nil {
		return nil, err
	}
	if c.byBase == nil {
		c.byBase = map[string]*conduit.Client{}
	}
	c.byBase[base] = cl
	return cl, nil
}

// Delivery is one Herald delivery turned into what happened: the task as it is now, the
// delivery's transactions (oldest first, column moves filled in), and the teams it concerns.
// The mirror has recorded it before reactors see it.
type Delivery struct {
	Event  store.Event
	Hook   herald.Webhook
	Config *config.Config
	Dir    *Directory
	Client *conduit.Client
	Task   conduit.Task
	// Snapshot is Task as the mirror keeps it; Before is the mirror's snapshot before this
	// delivery (nil when the task was unknown).
	Snapshot Snapshot
	Before   *Snapshot
	Xacts    []conduit.Xact
	// Fresh marks the transactions this delivery recorded first (a redelivery records none).
	Fresh map[string]bool
	// Teams are the teams whose project (or one below it) the task is in now or was in
	// before this delivery, in config order.
	Teams []*config.Team
}

// ByBot reports whether the bot (Rituals itself) authored x.
func (d *Delivery) ByBot(x conduit.Xact) bool { return x.AuthorPHID == d.Dir.Server.Bot.PHID }

// Reactor acts on deliveries after the mirror recorded them (the workboard rules, sprints...).
// React must be idempotent: a delivery can be processed again, and transactions can arrive
// late or out of order; every side effect goes through store.Effects.Once.
type Reactor interface {
	React(ctx context.Context, d *Delivery) error
}

// Processor turns Herald deliveries into transactions via Conduit, records them in the mirror
// and hands them to the reactors.
//
// Conduit calls per delivery: maniphest.search (the task now, with columns and projects) and
// transaction.search (the delivery's transactions); and maniphest.gettasktransactions only when
// transaction.search hid a transaction's type on a server not yet seen to report column moves
// (Phabricator and Phorge stable hide them; Phorge master reports "core:columns"). A delivery
// for a task outside every team's project costs the first call only. Resolving the config
// (Directory) costs a few calls per container every ten minutes.
type Processor struct {
	Config   ConfigSource
	Clients  *Clients
	Resolver *Resolver
	Mirror   Mirror
	Reactors []Reactor
	// Revisions react to deliveries about Differential revisions (revision.go); without any,
	// such deliveries are ignored.
	Revisions []RevisionReactor
	Log       *slog.Logger
	// Clock is the wall clock (when a task was read); time.Now when nil.
	Clock func() time.Time

	// columns records what the server was seen to do with column moves: 0 unknown,
	// columnsShown (transaction.search reports core:columns), columnsHidden (only
	// maniphest.gettasktransactions does), columnsLost (neither: the frozen method is gone).
	columns atomic.Int32
}

const (
	columnsUnknown int32 = iota
	columnsShown
	columnsHidden
	columnsLost
)

func (p *Processor) log(ctx context.Context) *slog.Logger { return logs.For(ctx, p.Log) }

func (p *Processor) now() time.Time {
	if p.Clock != nil {
		return p.Clock()
	}
	return time.Now()
}

// Delivery processes one stored Herald delivery. A test request, an object that is not a
// task, or a task outside every team's project is ignored (logged); a Conduit failure is
// returned (the record is retried, then dead-lettered, and the log names the method and code).
func (p *Processor) Delivery(ctx context.Context, e store.Event) error {
	log := p.log(ctx).With(logs.Key, e.Key)
	if e.Test {
		log.Info("phabricator: test request ignored")
		return nil
	}
	w, err := herald.Parse(e.Payload)
	if err != nil {
		log.Error("phabricator: undecodable delivery ignored", logs.Err, err.Error())
		return nil
	}
	if w.Action.Test {
		log.Info("phabricator: test request ignored")
		return nil
	}
	log = log.With(logs.Event, w.Object.Type, "object", w.Object.PHID)
	if w.Object.Type == "DREV" && len(p.Revisions) > 0 {
		return p.revisionDelivery(ctx, log, e, w)
	}
	if w.Object.Type != "TASK" {
		log.Info("phabricator: not a task; ignored")
		return nil
	}
	cfg, err := p.Config.Current(ctx, e.ReceivedAt)
	if err != nil {
		return fmt.Errorf("phabricator: config: %w", err)
	}
	if !anyBoard(cfg) {
		log.Info("phabricator: no team has a Phabricator workboard; ignored")
		return nil
	}
	client, err := p.Clients.For(cfg)
	if err != nil {
		return err
	}
	callsBefore := client.Calls()
	d, err := p.delivery(ctx, log, e, w, cfg, client)
	calls := client.Calls() - callsBefore
	if err != nil {
		return fmt.Errorf("phabricator delivery %s (%s): %w", e.Key, w.Object.PHID, err)
	}
	if d == nil {
		return nil
	}
	var errs []error
	for _, r := range p.Reactors {
		errs = append(errs, r.React(ctx, d))
	}
	teams := make([]string, len(d.Teams))
	for i, t := range d.Teams {
		teams[i] = t.ID
	}
	log.Info("phabricator delivery processed", "task", fmt.Sprintf("T%d", d.Task.ID), "transactions", len(d.Xacts), "new", len(d.Fresh),
		logs.Team, strings.Join(teams, ","), "conduit_calls", calls)
	return errors.Join(errs...)
}

func anyBoard(cfg *config.Config) bool {
	for _, t := range cfg.Teams {
		if t.Phabricator != nil {
			return true
		}
	}
	return false
}

// delivery reads the task and its transactions and records them; nil when there is nothing
// for any team.
func (p *Processor) delivery(ctx context.Context, log *slog.Logger, e store.Event, w herald.Webhook, cfg *config.Config, client *conduit.Client) (*Delivery, error) {
	dir, err := p.Resolver.Directory(ctx, client, cfg)
	if err != nil {
		return nil, err
	}
	task, found, err := client.Task(ctx, w.Object.PHID)
	if err != nil {
		return nil, err
	}
	if !found {
		log.Warn("phabricator: the bot cannot see the task (deleted, or its view policy leaves the bot out); ignored")
		return nil, nil
	}
	before, err := p.Mirror.Get(ctx, task.PHID)
	if err != nil {
		return nil, err
	}
	projects := task.Projects
	if before != nil {
		projects = append(append([]string{}, projects...), before.Projects...)
	}
	teams := dir.TeamsFor(cfg, projects)
	if len(teams) == 0 {
		log.Info("phabricator: task outside every team's project; ignored", "task", fmt.Sprintf("T%d", task.ID))
		return nil, nil
	}
	xacts, err := p.transactions(ctx, log, client, task, w)
	if err != nil {
		return nil, err
	}
	snap := SnapshotOf(task, dir.Server, p.now())
	fresh, err := p.Mirror.Apply(ctx, snap, before, xacts)
	if err != nil {
		return nil, err
	}
	return &Delivery{Event: e, Hook: w, Config: cfg, Dir: dir, Client: client, Task: task, Snapshot: snap, Before: before,
		Xacts: xacts, Fresh: fresh, Teams: teams}, nil
}

// transactions reads the delivery's transactions, oldest first, filling in the column moves
// transaction.search hid from maniphest.gettasktransactions.
func (p *Processor) transactions(ctx context.Context, log *slog.Logger, client *conduit.Client, task conduit.Task, w herald.Webhook) ([]conduit.Xact, error) {
	var phids []string
	for _, t := range w.Transactions {
		if t.PHID != "" {
			phids = append(phids, t.PHID)
		}
	}
	if len(phids) == 0 {
		return nil, nil
	}
	xacts, err := client.Transactions(ctx, task.PHID, phids)
	if err != nil {
		return nil, err
	}
	slices.Reverse(xacts) // transaction.search answers newest first
	hidden := false
	for _, x := range xacts {
		if x.Type == conduit.KindColumns && p.columns.Swap(columnsShown) != columnsShown {
			log.Info("phabricator: transaction.search reports column moves (Phorge master); maniphest.gettasktransactions is no longer needed")
		}
		hidden = hidden || x.Hidden
	}
	if hidden && p.columns.Load() != columnsShown && p.columns.Load() != columnsLost {
		raw, err := client.TaskTransactions(ctx, task.ID, task.PHID)
		switch {
		case conduit.CodeOf(err) == "ERR-CONDUIT-CALL" && strings.Contains(err.Error(), "not found"):
			p.columns.Store(columnsLost)
			log.Warn("phabricator: the server hides column moves and has no maniphest.gettasktransactions; column rules cannot see moves", logs.Err, err.Error())
		case err != nil:
			return nil, err
		default:
			byPHID := map[string]conduit.Xact{}
			for _, r := range raw {
				byPHID[r.PHID] = r
			}
			for i, x := range xacts {
				if r, ok := byPHID[x.PHID]; ok && x.Hidden {
					r.GroupID = x.GroupID
					xacts[i] = r
					if r.Type == conduit.KindColumns && p.columns.Swap(columnsHidden) == columnsUnknown {
						log.Info("phabricator: transaction.search hides column moves (Phabricator, Phorge stable); reading them from maniphest.gettasktransactions")
					}
				}
			}
		}
	}
	SortXacts(xacts)
	return xacts, nil
}
