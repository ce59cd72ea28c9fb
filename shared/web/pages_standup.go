package web

import (
	"context"
	"errors"
	"net/http"

	"golang.org/x/sync/errgroup"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/standup"
	"github.com/rituals-dev/rituals/shared/store"
)

// target is a standup a page is about, found and cleared for the viewer.
type target struct {
	ID     standup.ID
	SD     standup.Standup
	Person *config.Person
	Client *config.Client
	// Team is the team the standup was written in (nil when it left the config).
	Team *config.Team
}

// pathID reads the standup id of the path ({client}/{person}/{date}).
func pathID(r *http.Request) (standup.ID, bool) {
	d, err := config.ParseDate(r.PathValue("date"))
	if err != nil || r.PathValue("client") == "" || r.PathValue("person") == "" {
		return standup.ID{}, false
	}
	return standup.ID{Client: r.PathValue("client"), Person: r.PathValue("person"), Date: d}, true
}

// find returns the standup of the path when it exists and the viewer may see it; false means
// the caller answers 404 (whichever of the two it was).
func (a *App) find(ctx context.Context, r *http.Request, v *viewer) (target, bool, error) {
	id, ok := pathID(r)
	if !ok {
		return target{}, false, nil
	}
	return a.findID(ctx, v, id)
}

// findID is find for an id.
func (a *App) findID(ctx context.Context, v *viewer, id standup.ID) (target, bool, error) {
	t := target{ID: id, Person: v.cfg.PersonByID(id.Person), Client: v.cfg.Client(id.Client)}
	if t.Person == nil || t.Client == nil {
		return target{}, false, nil
	}
	sd, err := a.Standups.Store.Standup(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return target{}, false, nil
	}
	if err != nil {
		return target{}, false, err
	}
	t.SD, t.Team = sd, v.cfg.Team(sd.Slot.Team)
	if !v.seesStandup(t.Team, t.Client, t.Person.ID) {
		return target{}, false, nil
	}
	return t, true, nil
}

// standup is a standup's page: the footprint snapshot per repository with the developer's
// comments, the plan check, the plan, availability, comment, blockers and review state, with
// links to the developer, the client, the team's day and the previous and next standup of
// the same developer and client. The reviewer and management also see the reviewer-only
// fields.
func (a *App) standup(w http.ResponseWriter, r *http.Request, v *viewer) {
	t, ok, err := a.find(r.Context(), r, v)
	switch {
	case err != nil:
		a.fail(w, r, err)
		return
	case !ok:
		a.notFound(w, r, v)
		return
	}
	sv, err := a.standupView(r.Context(), v, t)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	l := layout{Title: t.Person.Name + " · " + t.Client.Name + " · " + sv.Date, Body: sv}
	if r.URL.Query().Get("saved") != "" && t.SD.Submitted() {
		l.Notice, l.NoticeKind = "Saved. You can edit it until it is reviewed.", "ok"
	}
	a.render(w, r, v, http.StatusOK, "standup", l)
}

// standupView builds a standup's page for the viewer.
func (a *App) standupView(ctx context.Context, v *viewer, t target) (standupView, error) {
	loc := v.me.Location()
	id := t.ID
	sv := standupView{
		ID: id, Person: t.Person.Name, PersonURL: links.Person(t.Person.ID, t.Client.ID),
		Client: t.Client.Name, Date: longDate(id.Date), Badges: badges(&t.SD),
	}
	if v.seesClient(t.Client) {
		sv.ClientURL = links.ClientDay(t.Client.ID, id.Date)
	}
	if v.inTeam(t.Team) {
		sv.Team, sv.TeamURL = t.Team.Name, links.TeamDay(t.Team.ID, id.Date)
	}
	// The previous and next standups and the reviewer's fields are independent reads: in
	// parallel, a page costs one DynamoDB round trip after the standup itself.
	st := a.Standups.Store
	var older, newer []standup.Standup
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		older, _, err = st.Page(gctx, id.Client, id.Person, id.Date, false, 1)
		return err
	})
	g.Go(func() (err error) {
		newer, _, err = st.Page(gctx, id.Client, id.Person, id.Date, true, 1)
		return err
	})
	if v.readsHR(t.Client) {
		g.Go(func() (err error) {
			sv.HR, err = a.hrView(gctx, v, t)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return sv, err
	}
	if len(older) > 0 {
		sv.Prev = &linkView{"← Previous: " + longDate(older[0].Slot.ID.Date), links.Standup(older[0].Slot.ID)}
	}
	if len(newer) > 0 {
		sv.Next = &linkView{"Next: " + longDate(newer[0].Slot.ID.Date) + " →", links.Standup(newer[0].Slot.ID)}
	}
	e := t.SD.Entry
	reviewed := e != nil && !e.Reviewed.IsZero()
	if t.Person.ID == v.me.ID && !reviewed {
		sv.EditURL = links.Edit(id)
	}
	if t.SD.Submitted() {
		sv.Submitted = true
		sv.SubmittedAt = when(e.Submitted, loc)
		if e.Revision > 1 {
			sv.EditedAt = when(e.Edited, loc)
		}
		sv.ReviewedAt = when(e.Reviewed, loc)
		sv.FootprintFrom, sv.FootprintTo = when(e.Footprint.From, loc), when(e.Footprint.To, loc)
		sv.Repos, sv.Dropped = repos(e), e.Footprint.Dropped
		if s := e.PlanCheck.Summary(); s != "" {
			sv.CheckSummary = s
			done := map[string]bool{}
			for _, d := range e.PlanCheck.Done {
				done[d.Ref()] = true
			}
			for _, p := range e.PlanCheck.Expected {
				sv.Checks = append(sv.Checks, checkView{Ref: p.Ref(), URL: p.URL, Title: p.Title, Done: done[p.Ref()]})
			}
		}
		sv.Plan, sv.Availability, sv.Comment, sv.Blockers = plan(e), e.Availability.Label(), e.Comment, e.Blockers
		if v.reviews(t.Client) && !reviewed {
			sv.ReviewURL = links.Review(id)
		}
	}
	return sv, nil
}

// hrView reads the reviewer-only fields; only call it after viewer.readsHR said yes.
func (a *App) hrView(ctx context.Context, v *viewer, t target) (*hrView, error) {
	if !t.SD.Submitted() {
		return nil, nil
	}
	hr := &hrView{Queue: links.Queue(t.Client.ID)}
	r, ok, err := a.Standups.Store.ReviewOf(ctx, t.ID)
	if err != nil || !ok {
		return hr, err
	}
	if !t.SD.Entry.Reviewed.IsZero() {
		hr.Reviewed, hr.ReviewedAt = true, when(t.SD.Entry.Reviewed, v.me.Location())
		hr.Reviewer = r.Reviewer
		if p := v.cfg.PersonByID(r.Reviewer); p != nil {
			hr.Reviewer = p.Name
		}
	}
	hr.Notes = r.Notes
	for _, f := range r.Flags {
		hr.Flags = append(hr.Flags, f.Label())
	}
	return hr, nil
}
