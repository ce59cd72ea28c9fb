package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/rituals-dev/rituals/shared/standup"
)

type flagChoice struct {
	Value, Label string
	N            int
	Checked      bool
}

type reviewBody struct {
	Standup standupView
	Action  string
	CSRF    string
	Rev     int
	// Open says the form is shown: submitted and not yet reviewed.
	Open   bool
	Notes  string
	Flags  []flagChoice
	Errors map[string]string
}

// reviewForm is the reviewer's view of a standup: the standup, then the reviewer-only notes
// and flags, editable, and Mark reviewed. For the client's reviewer only (404 for anyone
// else, management included: they read the fields on the standup's page).
func (a *App) reviewForm(w http.ResponseWriter, r *http.Request, v *viewer) {
	t, ok, err := a.find(r.Context(), r, v)
	switch {
	case err != nil:
		a.fail(w, r, err)
	case !ok || !v.reviews(t.Client):
		a.notFound(w, r, v)
	default:
		a.renderReview(w, r, v, http.StatusOK, t, standup.ReviewForm{}, nil, "")
	}
}

func (a *App) renderReview(w http.ResponseWriter, r *http.Request, v *viewer, status int, t target, f standup.ReviewForm, problems map[string]string, notice string) {
	sv, err := a.standupView(r.Context(), v, t)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	sv.ReviewURL = ""
	body := reviewBody{Standup: sv, Action: links.Review(t.ID), CSRF: v.session.CSRF, Notes: f.Notes, Errors: problems}
	e := t.SD.Entry
	body.Open = t.SD.Submitted() && e.Reviewed.IsZero()
	if body.Open {
		body.Rev = e.Revision
		chosen := set(f.Flags)
		for i, fl := range standup.Flags {
			body.Flags = append(body.Flags, flagChoice{Value: string(fl), Label: fl.Label(), N: i, Checked: chosen[string(fl)]})
		}
	}
	kind := ""
	switch {
	case notice != "":
		kind = "bad"
	case len(problems) > 0:
		notice, kind = "Some answers need fixing; the standup is not marked reviewed yet.", "bad"
	case !t.SD.Submitted():
		notice = "This standup has not been submitted yet, so there is nothing to review."
	}
	a.render(w, r, v, status, "review", layout{Title: "Review · " + t.Person.Name + " · " + sv.Date, Notice: notice, NoticeKind: kind, Body: body})
}

// reviewSubmit marks the standup reviewed with the notes and flags, through the standup
// package: the same state as a review in Slack, and the same standup.reviewed event (which
// closes an overdue-review issue). A stale form (reviewed meanwhile, or edited by the
// developer since it was opened) changes nothing and says so.
func (a *App) reviewSubmit(w http.ResponseWriter, r *http.Request, v *viewer) {
	t, ok, err := a.find(r.Context(), r, v)
	switch {
	case err != nil:
		a.fail(w, r, err)
		return
	case !ok || !v.reviews(t.Client):
		a.notFound(w, r, v)
		return
	}
	pf := r.PostForm
	read, err := strconv.Atoi(pf.Get("rev"))
	if err != nil || read < 1 {
		a.badRequest(w, r, v, "This form is incomplete; nothing was saved. Open the standup again from the review queue.")
		return
	}
	f := standup.ReviewForm{Notes: pf.Get("notes"), Flags: pf["flag"]}
	problems, err := a.Standups.Review(r.Context(), v.cfg, v.me, t.ID, f, read, v.now)
	reload := func() (target, bool) {
		cur, ok, err := a.findID(r.Context(), v, t.ID)
		if err != nil || !ok {
			if err == nil {
				a.notFound(w, r, v)
			} else {
				a.fail(w, r, err)
			}
			return cur, false
		}
		return cur, true
	}
	switch {
	case problems != nil:
		a.renderReview(w, r, v, http.StatusBadRequest, t, f, problems, "")
	case errors.Is(err, standup.ErrReviewed):
		if cur, ok := reload(); ok {
			a.renderReview(w, r, v, http.StatusConflict, cur, f, nil, "This standup was already reviewed meanwhile, so your notes and flags were not saved; what is stored is shown below.")
		}
	case errors.Is(err, standup.ErrConflict):
		if cur, ok := reload(); ok {
			a.renderReview(w, r, v, http.StatusConflict, cur, f, nil, "The developer changed this standup after you opened it, so it was not marked reviewed. Read it again below; your notes and flags are kept.")
		}
	case errors.Is(err, standup.ErrNotSubmitted):
		a.renderReview(w, r, v, http.StatusConflict, t, f, nil, "This standup has not been submitted, so it cannot be reviewed.")
	case errors.Is(err, standup.ErrNotReviewer), errors.Is(err, standup.ErrNotInConfig):
		a.notFound(w, r, v)
	case err != nil:
		a.fail(w, r, err)
	default:
		http.Redirect(w, r, links.Queue(t.Client.ID)+"?done="+urlQueryEscape(t.ID.String()), http.StatusSeeOther)
	}
}
