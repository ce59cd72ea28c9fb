package workboard

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// Unbreak Now! incidents: raised by a transaction, responded to by a team member, resolved by
// a lowering, a close or the task leaving the team's project.

// effectKey is the Effects.Once key of an incident's effect.
func effectKey(i *Incident, what string) string {
	return "phab#ubn#" + i.Team + "#" + i.Task + "#" + i.Xact + "#" + what
}

// raise opens the incident x starts, unless one raised earlier is still open. What the
// recorded history says happened after x (a response, a resolution) is applied first, so a
// late delivery never alerts about an incident that is already over.
func (t *teamDelivery) raise(ctx context.Context, x conduit.Xact) error {
	open, err := t.w.Store.OpenForTask(ctx, t.team.ID, t.Task.PHID)
	if err != nil {
		return err
	}
	for _, i := range open {
		if i.Xact != x.PHID && !i.RaisedAt.After(x.Created) {
			return nil // already Unbreak Now! for the team: a tag or a second raise adds nothing
		}
	}
	inc := &Incident{
		Team: t.team.ID, ID: IncidentID(x.Created, t.Task.PHID, x.PHID), Task: t.Task.PHID, TaskID: t.Task.ID,
		Title: t.Task.Title, URL: taskURL(t.Config, t.Task.ID), Xact: x.PHID, RaiseGroup: x.GroupID,
		RaisedBy: x.AuthorPHID, RaisedByName: t.name(ctx, x.AuthorPHID), RaisedAt: x.Created,
	}
	hist, err := t.history(ctx)
	if err != nil {
		return err
	}
	for _, h := range hist {
		if h.PHID == x.PHID || h.Created.Before(x.Created) || t.ByBot(h) {
			continue
		}
		if inc.RespondedAt.IsZero() {
			if p, how := t.response(h, inc); p != nil {
				inc.RespondedAt, inc.RespondedBy, inc.RespondedHow = h.Created, p.ID, how
			}
		}
		if how := t.resolution(ctx, h); how != "" {
			inc.ResolvedAt, inc.ResolvedHow = h.Created, how
			break
		}
	}
	if inc.Open() && !t.stillUBN() {
		inc.ResolvedAt, inc.ResolvedHow = t.Task.Modified, "no longer Unbreak Now! for the team when Rituals heard of it"
		if inc.ResolvedAt.Before(inc.RaisedAt) {
			inc.ResolvedAt = inc.RaisedAt
		}
	}
	if inc.Duty, err = t.w.Duty.OnDuty(ctx, t.team, t.Event.ReceivedAt); err != nil {
		return err
	}
	created, err := t.w.Store.Create(ctx, inc)
	if err != nil {
		return err
	}
	if !created {
		if inc, err = t.w.Store.Get(ctx, t.team.ID, inc.ID); err != nil {
			return err
		}
	}
	log := t.w.log(ctx).With(logs.Team, t.team.ID, "task", fmt.Sprintf("T%d", inc.TaskID), "incident", inc.ID)
	if !inc.Open() && inc.TS == "" {
		log.Info("workboard: Unbreak Now! was over before its delivery arrived; recorded, not announced", "resolved", inc.ResolvedHow)
		return nil
	}
	if created {
		log.Info("workboard: Unbreak Now! raised")
	}
	return t.w.announceIncident(ctx, t.Config, t.team, inc)
}

// response says whether x responds to the incident: a comment, a claim (or assignment) or a
// status change by a team member, after it was raised. A comment or status change made in the
// raising edit itself is part of the raise, not a response to it.
func (t *teamDelivery) response(x conduit.Xact, inc *Incident) (*config.Person, string) {
	p := t.member(x)
	if p == nil || x.Created.Before(inc.RaisedAt) {
		return nil, ""
	}
	sameEdit := x.GroupID != "" && x.GroupID == inc.RaiseGroup
	switch {
	case x.Type == conduit.KindOwner && x.OwnerNew != "":
		if x.OwnerNew == x.AuthorPHID {
			return p, "claimed the task"
		}
		return p, "assigned the task"
	case sameEdit:
		return nil, ""
	case x.Type == conduit.KindStatus:
		return p, "changed the status to " + t.Dir.Server.StatusName(x.StatusNew)
	case x.HasComment:
		return p, "commented on the task"
	}
	return nil, ""
}

// resolution says how x ends an Unbreak Now! incident of the team, or "".
func (t *teamDelivery) resolution(ctx context.Context, x conduit.Xact) string {
	by := t.name(ctx, x.AuthorPHID)
	switch x.Type {
	case conduit.KindPriority:
		if x.PriorityNew != nil && *x.PriorityNew != t.ubn() {
			return fmt.Sprintf("priority lowered to %s by %s", t.Dir.Server.PriorityName(*x.PriorityNew), by)
		}
	case conduit.KindStatus:
		if t.Dir.Server.Closed(x.StatusNew) {
			return fmt.Sprintf("closed as %s by %s", t.Dir.Server.StatusName(x.StatusNew), by)
		}
	case conduit.KindProjects:
		if t.board.InFamily(x.Removed) && !t.board.InFamily(x.Added) {
			return fmt.Sprintf("taken off %s by %s", t.board.Project.Name, by)
		}
	}
	return ""
}

// respond records x as the first response to the task's open incidents, if it is one.
func (t *teamDelivery) respond(ctx context.Context, x conduit.Xact) error {
	if t.member(x) == nil {
		return nil
	}
	return t.updateOpen(ctx, "responded", func(inc *Incident) bool {
		if !inc.RespondedAt.IsZero() {
			return false
		}
		p, how := t.response(x, inc)
		if p == nil {
			return false
		}
		inc.RespondedAt, inc.RespondedBy, inc.RespondedHow = x.Created, p.ID, how
		return true
	})
}

// resolveOpen ends the task's open incidents raised before x, when x ends them.
func (t *teamDelivery) resolveOpen(ctx context.Context, x conduit.Xact) error {
	how := t.resolution(ctx, x)
	if how == "" {
		return nil
	}
	return t.updateOpen(ctx, "resolved", func(inc *Incident) bool {
		if inc.Xact == x.PHID || x.Created.Before(inc.RaisedAt) {
			return false
		}
		inc.ResolvedAt, inc.ResolvedHow = x.Created, how
		return true
	})
}

// updateOpen applies fn to each of the task's open incidents and shows each one it changed
// (what names the change: "responded", "resolved").
func (t *teamDelivery) updateOpen(ctx context.Context, what string, fn func(inc *Incident) bool) error {
	open, err := t.w.Store.OpenForTask(ctx, t.team.ID, t.Task.PHID)
	if err != nil {
		return err
	}
	var errs []error
	for _, i := range open {
		inc, changed, err := t.w.Store.Update(ctx, t.team.ID, i.ID, func(inc *Incident) bool { return inc.Open() && fn(inc) })
		if err == nil && changed {
			t.w.log(ctx).Info("workboard: Unbreak Now! "+what, logs.Team, t.team.ID, "task", fmt.Sprintf("T%d", inc.TaskID),
				"to_response", inc.RespondedAt.Sub(inc.RaisedAt).String(), "to_resolution", inc.ResolvedAt.Sub(inc.RaisedAt).String())
			err = t.w.afterChange(ctx, t.Config, t.team, inc, what)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// announceIncident posts the incident to the team's channel (once) and, while nobody has
// responded, DMs the engineer on duty (once).
func (w *Workboard) announceIncident(ctx context.Context, cfg *config.Config, team *config.Team, inc *Incident) error {
	res, _, err := w.Effects.Once(ctx, effectKey(inc, "post"), func(ctx context.Context) (string, error) {
		ts, err := slackapp.Post(ctx, w.Slack, team.Slack.Channel, slackapp.Message{Text: incidentText(inc), Blocks: incidentBlocks(cfg, inc)})
		return team.Slack.Channel + "|" + ts, err
	})
	if err != nil {
		return fmt.Errorf("post Unbreak Now! %s: %w", inc.ID, err)
	}
	channel, ts, _ := strings.Cut(res, "|")
	if inc.TS != ts {
		posted := inc.Rev
		inc, _, err = w.Store.Update(ctx, team.ID, inc.ID, func(i *Incident) bool {
			if i.TS == ts {
				return false
			}
			i.Channel, i.TS = channel, ts
			return true
		})
		if err != nil {
			return err
		}
		// A response or resolution recorded while the post was on its way shows at once.
		if inc.Rev > posted+1 {
			if err := w.render(ctx, cfg, inc); err != nil {
				return err
			}
		}
	}
	if !inc.Open() || !inc.RespondedAt.IsZero() || inc.Duty == "" {
		return nil
	}
	p := cfg.PersonByID(inc.Duty)
	if p == nil || p.Slack == "" {
		return nil
	}
	_, _, err = w.Effects.Once(ctx, effectKey(inc, "duty"), func(ctx context.Context) (string, error) {
		return slackapp.DM(ctx, w.Slack, p.Slack, slackapp.Message{Text: dutyText(inc, channel, ts)})
	})
	return err
}

// afterChange shows a change of the incident: the post updated in place and, once per kind of
// change, a line in its thread.
func (w *Workboard) afterChange(ctx context.Context, cfg *config.Config, team *config.Team, inc *Incident, what string) error {
	if inc.TS == "" {
		if inc.Open() {
			return w.announceIncident(ctx, cfg, team, inc)
		}
		return nil
	}
	if err := w.render(ctx, cfg, inc); err != nil {
		return err
	}
	line := threadLine(cfg, inc, what)
	if line == "" {
		return nil
	}
	_, _, err := w.Effects.Once(ctx, effectKey(inc, what), func(ctx context.Context) (string, error) {
		return slackapp.Post(ctx, w.Slack, inc.Channel, slackapp.Message{Text: line, Thread: inc.TS})
	})
	return err
}

// render updates the incident's post to its current state (an update with the same content
// is harmless, so it is not keyed).
func (w *Workboard) render(ctx context.Context, cfg *config.Config, inc *Incident) error {
	if inc.TS == "" {
		return nil
	}
	cur, err := w.Store.Get(ctx, inc.Team, inc.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err == nil && cur.Rev > inc.Rev {
		inc = cur
	}
	return slackapp.Update(ctx, w.Slack, inc.Channel, inc.TS, slackapp.Message{Text: incidentText(inc), Blocks: incidentBlocks(cfg, inc)})
}
