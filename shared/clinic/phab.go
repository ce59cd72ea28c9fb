package clinic

import (
	"context"
	"errors"
	"fmt"

	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/phab"
)

// PhabReactor is Clinic Duty's part of the PhabricatorProcessorFunction: on task deliveries it
// keeps the duty ledger (tasks completed, stays in the triage column) that the metrics read;
// on revision deliveries it routes Differential revisions by people outside the team as
// outside patches, and records their first responses.
type PhabReactor struct{ P *Processor }

var (
	_ phab.Reactor         = PhabReactor{}
	_ phab.RevisionReactor = PhabReactor{}
)

// React implements phab.Reactor.
func (r PhabReactor) React(ctx context.Context, d *phab.Delivery) error {
	var errs []error
	for _, team := range d.Teams {
		b := d.Dir.Boards[team.ID]
		if team.Clinic == nil || b == nil {
			continue
		}
		errs = append(errs, r.completed(ctx, d, team, b), r.triage(ctx, d, team, b))
	}
	return errors.Join(errs...)
}

func personID(dir *phab.Directory, phid string) string {
	if p := dir.Person(phid); p != nil {
		return p.ID
	}
	return ""
}

// completed records the delivery's closing transactions of a task of the team, with who was on
// Clinic Duty then.
func (r PhabReactor) completed(ctx context.Context, d *phab.Delivery, team *config.Team, b *phab.Board) error {
	if !b.InFamily(d.Task.Projects) {
		return nil
	}
	var errs []error
	for _, x := range d.Xacts {
		if x.Type != conduit.KindStatus || !d.Dir.Server.Closed(x.StatusNew) || d.Dir.Server.Closed(x.StatusOld) || d.ByBot(x) {
			continue
		}
		duty, err := r.P.Rotations.FirstOnDuty(ctx, team, x.Created, config.RotationClinic)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, r.P.Store.RecordDone(ctx, team.ID, x.PHID, Done{Task: d.Task.PHID, ID: d.Task.ID, Title: d.Task.Title, At: x.Created,
			By: personID(d.Dir, x.AuthorPHID), Owner: personID(d.Dir, d.Task.OwnerPHID), Duty: duty}))
	}
	return errors.Join(errs...)
}

// triage records when the task entered and left the team's triage column.
func (r PhabReactor) triage(ctx context.Context, d *phab.Delivery, team *config.Team, b *phab.Board) error {
	if b.Triage == "" {
		return nil
	}
	there := d.Snapshot.Columns[b.Project.PHID] == b.Triage && !d.Snapshot.Closed
	stay, found, err := r.P.Store.TriageOf(ctx, team.ID, d.Task.PHID)
	if err != nil {
		return err
	}
	seen := d.Task.Modified
	switch {
	case there && (!found || !stay.Out.IsZero()):
		in := d.Task.Modified
		for _, x := range d.Xacts {
			moved := false
			for _, mv := range x.Moves {
				moved = moved || mv.ColumnPHID == b.Triage
			}
			if (moved || x.Type == conduit.KindCreate || x.Type == conduit.KindProjects && b.InFamily(x.Added)) && x.Created.Before(in) {
				in = x.Created
			}
		}
		return r.P.Store.RecordTriage(ctx, team.ID, Untriaged{Task: d.Task.PHID, ID: d.Task.ID, Title: d.Task.Title, In: in}, seen)
	case !there && found && stay.Out.IsZero():
		out := d.Task.Modified
		if n := len(d.Xacts); n > 0 {
			out = d.Xacts[n-1].Created
		}
		stay.Out = out
		return r.P.Store.RecordTriage(ctx, team.ID, stay, seen)
	}
	return nil
}

// Transaction types of transaction.search on a revision that respond to it.
var revisionResponses = map[string]string{
	"accept": "accepted", "request-changes": "requested changes", "reject": "requested changes", "comment": "commented",
	"inline": "commented inline", "resign": "resigned as reviewer", "commandeer": "commandeered",
}

// ReactRevision implements phab.RevisionReactor.
func (r PhabReactor) ReactRevision(ctx context.Context, d *phab.RevisionDelivery) error {
	rev := d.Revision
	var errs []error
	for _, team := range d.Teams {
		if team.Clinic == nil {
			continue
		}
		author := d.Dir.Person(rev.AuthorPHID)
		if rev.AuthorPHID == d.Dir.Server.Bot.PHID || author != nil && team.Insider(author.ID) {
			continue
		}
		id := RevisionPatchID(rev.ID)
		if rev.Closed {
			errs = append(errs, r.P.closePatch(ctx, team, id, rev.Status, rev.Modified))
			continue
		}
		if !rev.Draft && rev.Status != "draft" {
			errs = append(errs, r.openRevision(ctx, d, team, author))
		}
		for _, x := range d.Xacts {
			how, ok := revisionResponses[x.Type]
			if !ok && x.HasComment {
				how, ok = "commented", true
			}
			who := d.Dir.Person(x.AuthorPHID)
			if !ok || who == nil || !team.Insider(who.ID) || x.AuthorPHID == rev.AuthorPHID {
				continue
			}
			errs = append(errs, r.P.respond(ctx, team, id, who.ID, how, x.Created))
		}
	}
	return errors.Join(errs...)
}

// openRevision routes a revision by someone outside the team: the author hears on the revision
// who will look and by when.
func (r PhabReactor) openRevision(ctx context.Context, d *phab.RevisionDelivery, team *config.Team, author *config.Person) error {
	rev := d.Revision
	name := rev.AuthorPHID
	if author != nil {
		name = author.Name
	} else if users, err := d.Client.SearchUsers(ctx, conduit.UserQuery{PHIDs: []string{rev.AuthorPHID}}); err == nil && len(users) > 0 {
		name = users[0].Username
	}
	opened := rev.Created
	if opened.IsZero() || opened.After(d.Event.ReceivedAt) {
		opened = d.Event.ReceivedAt
	}
	patch := &Patch{Team: team.ID, ID: RevisionPatchID(rev.ID), Source: "phabricator", Number: rev.ID, PHID: rev.PHID, Title: rev.Title, URL: rev.URI,
		Author: name, Opened: opened}
	return r.P.route(ctx, d.Config, team, patch, opened, func(ctx context.Context, text string) error {
		_, err := d.Client.EditRevision(ctx, rev.PHID, conduit.Edit{Type: "comment", Value: text})
		if err != nil {
			return fmt.Errorf("comment on D%d: %w", rev.ID, err)
		}
		return nil
	})
}
