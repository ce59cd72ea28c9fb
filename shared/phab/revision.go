package phab

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/herald"
	"github.com/rituals-dev/rituals/shared/store"
)

// RevisionDelivery is one Herald delivery about a Differential revision: the revision as it is
// now (with its reviewers and projects), the delivery's transactions (oldest first) and the
// teams whose project (or one below it) tags the revision or is one of its reviewers.
type RevisionDelivery struct {
	Event    store.Event
	Config   *config.Config
	Dir      *Directory
	Client   *conduit.Client
	Revision conduit.Revision
	Xacts    []conduit.Xact
	Teams    []*config.Team
}

// ByBot reports whether the bot (Rituals itself) authored x.
func (d *RevisionDelivery) ByBot(x conduit.Xact) bool { return x.AuthorPHID == d.Dir.Server.Bot.PHID }

// RevisionReactor acts on revision deliveries (Clinic Duty's outside patches). Like Reactor,
// ReactRevision must be idempotent: deliveries repeat and arrive out of order.
type RevisionReactor interface {
	ReactRevision(ctx context.Context, d *RevisionDelivery) error
}

// revisionDelivery reads a revision and the delivery's transactions (two Conduit reads) and
// hands them to the revision reactors; a revision no team's project is on costs one read.
func (p *Processor) revisionDelivery(ctx context.Context, log *slog.Logger, e store.Event, w herald.Webhook) error {
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
	dir, err := p.Resolver.Directory(ctx, client, cfg)
	if err != nil {
		return err
	}
	rev, found, err := client.Revision(ctx, w.Object.PHID)
	if err != nil {
		return fmt.Errorf("phabricator delivery %s (%s): %w", e.Key, w.Object.PHID, err)
	}
	if !found {
		log.Warn("phabricator: the bot cannot see the revision; ignored")
		return nil
	}
	projects := slices.Clone(rev.Projects)
	for _, r := range rev.Reviewers {
		projects = append(projects, r.PHID) // a project reviewer (Herald often adds the team)
	}
	teams := dir.TeamsFor(cfg, projects)
	if len(teams) == 0 {
		log.Info("phabricator: revision outside every team's project; ignored", "revision", fmt.Sprintf("D%d", rev.ID))
		return nil
	}
	var phids []string
	for _, t := range w.Transactions {
		if t.PHID != "" {
			phids = append(phids, t.PHID)
		}
	}
	var xacts []conduit.Xact
	if len(phids) > 0 {
		if xacts, err = client.Transactions(ctx, rev.PHID, phids); err != nil {
			return fmt.Errorf("phabricator delivery %s (%s): %w", e.Key, w.Object.PHID, err)
		}
		SortXacts(xacts)
	}
	d := &RevisionDelivery{Event: e, Config: cfg, Dir: dir, Client: client, Revision: rev, Xacts: xacts, Teams: teams}
	var errs []error
	for _, r := range p.Revisions {
		errs = append(errs, r.ReactRevision(ctx, d))
	}
	log.Info("phabricator revision delivery processed", "revision", fmt.Sprintf("D%d", rev.ID), "transactions", len(xacts))
	return errors.Join(errs...)
}
