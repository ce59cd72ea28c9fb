package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/standup"
	"github.com/rituals-dev/rituals/shared/store"
)

type lastView struct {
	Date     string
	Comment  string
	Plan     []planView
	Blockers string
}

type editRepo struct {
	repoView
	Field, ID, Error string
}

type choiceView struct {
	Ref, Title, URL string
	N               int
	Planned, Expect bool
}

type radio struct {
	Value, Label string
	Checked      bool
}

type editBody struct {
	Heading, Action, DetailURL string
	CSRF                       string
	Rev                        int
	Submitted                  bool
	Errors                     map[string]string
	Since                      string
	Last                       *lastView
	CheckSummary               string
	Checks                     []checkView
	FootprintFrom              string
	Repos                      []editRepo
	Dropped                    int
	NextDay                    string
	Choices                    []choiceView
	More                       int
	Availabilities             []radio
	Comment, Blockers          string
	SubmitLabel                string
}

// editTarget is the viewer's own standup of the path, opened (its slot created on demand, as
// the modal does); false: 404.
func (a *App) editTarget(w http.ResponseWriter, r *http.Request, v *viewer) (standup.ID, standup.Standup, *config.Client, bool) {
	id, ok := pathID(r)
	c := v.cfg.Client(id.Client)
	// A day still ahead has no standup yet (opening its form would create its slot early).
	if !ok || id.Person != v.me.ID || c == nil || id.Date.Compare(standup.Today(v.me, v.now)) > 0 {
		a.notFound(w, r, v)
		return id, standup.Standup{}, nil, false
	}
	sd, err := a.Standups.Open(r.Context(), v.cfg, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		a.notFound(w, r, v)
		return id, sd, nil, false
	case err != nil:
		a.fail(w, r, err)
		return id, sd, nil, false
	}
	return id, sd, c, true
}

// editForm is the standup form: what the modal shows and asks, as a page. Only the standup's
// developer opens it, until the standup is reviewed.
func (a *App) editForm(w http.ResponseWriter, r *http.Request, v *viewer) {
	id, sd, c, ok := a.editTarget(w, r, v)
	if !ok {
		return
	}
	if sd.Entry != nil && !sd.Entry.Reviewed.IsZero() {
		a.alreadyReviewed(w, r, v, id, http.StatusOK, "This standup was reviewed, so it can no longer be edited.")
		return
	}
	f := standup.Form{}
	if e := sd.Entry; e != nil {
		f = standup.Form{Availability: string(e.Availability), Comment: e.Comment, Blockers: e.Blockers, RepoComments: e.RepoComments}
		for _, p := range e.Plan {
			f.Planned = append(f.Planned, p.Ref())
			if p.ExpectDone {
				f.Expected = append(f.Expected, p.Ref())
			}
		}
	}
	a.renderEdit(w, r, v, http.StatusOK, id, sd, c, f, nil, "")
}

// renderEdit shows the form for sd filled in with f, with problems next to their fields.
func (a *App) renderEdit(w http.ResponseWriter, r *http.Request, v *viewer, status int, id standup.ID, sd standup.Standup, c *config.Client, f standup.Form, problems map[string]string, notice string) {
	in, err := a.Standups.FormInput(r.Context(), sd, v.me, c, v.now)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	loc := v.me.Location()
	body := editBody{
		Heading: "Standup for " + c.Name + " · " + longDate(id.Date), Action: links.Edit(id), DetailURL: links.Standup(id), CSRF: v.session.CSRF,
		Errors: problems, Comment: f.Comment, Blockers: f.Blockers, NextDay: longDate(in.NextDay),
		FootprintFrom: when(in.Footprint.From, loc), Dropped: in.Footprint.Dropped, SubmitLabel: "Submit",
		Since: "Since my first standup",
	}
	if sd.Submitted() {
		body.Rev, body.Submitted, body.SubmitLabel = sd.Entry.Revision, true, "Save changes"
	}
	if in.Last != nil {
		l := &lastView{Date: in.Last.Date, Comment: in.Last.Comment, Blockers: in.Last.Blockers}
		for _, p := range in.Last.Plan {
			l.Plan = append(l.Plan, planView{Ref: p.Ref(), URL: p.URL, Title: p.Title, ExpectDone: p.ExpectDone})
		}
		body.Last, body.Since = l, "Since my last standup"
	}
	if s := in.PlanCheck.Summary(); s != "" {
		body.CheckSummary = s
		done := map[string]bool{}
		for _, d := range in.PlanCheck.Done {
			done[d.Ref()] = true
		}
		for _, p := range in.PlanCheck.Expected {
			body.Checks = append(body.Checks, checkView{Ref: p.Ref(), URL: p.URL, Title: p.Title, Done: done[p.Ref()]})
		}
	}
	snapshot := &standup.Entry{Footprint: in.Footprint, RepoComments: lowerKeys(f.RepoComments)}
	for i, rv := range repos(snapshot) {
		key := strings.ToLower(rv.Repo)
		body.Repos = append(body.Repos, editRepo{repoView: rv, Field: standup.FieldRepoPrefix + key, ID: "repo-" + strconv.Itoa(i), Error: problems[standup.FieldRepoPrefix+key]})
	}
	planned, expect := set(f.Planned), set(f.Expected)
	choices, more := standup.PlanChoices(in.Assignments, sd.Entry)
	for i, ch := range choices {
		body.Choices = append(body.Choices, choiceView{Ref: ch.Ref, Title: ch.Title, URL: ch.URL, N: i, Planned: planned[ch.Ref], Expect: expect[ch.Ref]})
	}
	body.More = more
	for _, av := range standup.Availabilities {
		body.Availabilities = append(body.Availabilities, radio{Value: string(av), Label: av.Label(), Checked: string(av) == f.Availability})
	}
	kind := ""
	if len(problems) > 0 && notice == "" {
		notice, kind = "Some answers need fixing; nothing was saved yet.", "bad"
	} else if notice != "" {
		kind = "bad"
	}
	a.render(w, r, v, status, "edit", layout{Title: body.Heading, Notice: notice, NoticeKind: kind, Body: body})
}

func lowerKeys(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

func set(list []string) map[string]bool {
	out := map[string]bool{}
	for _, s := range list {
		out[s] = true
	}
	return out
}

// editSubmit submits the form through the standup package, with the same rules as the modal;
// a form read at an older revision (submitted from another window meanwhile, or reviewed)
// changes nothing and says so.
func (a *App) editSubmit(w http.ResponseWriter, r *http.Request, v *viewer) {
	id, sd, c, ok := a.editTarget(w, r, v)
	if !ok {
		return
	}
	pf := r.PostForm
	read, err := strconv.Atoi(pf.Get("rev"))
	if err != nil || read < 0 {
		a.badRequest(w, r, v, "This form is incomplete; nothing was saved. Open the standup again from the home page.")
		return
	}
	f := standup.Form{Planned: pf["plan"], Expected: pf["done"], Availability: pf.Get("availability"), Comment: pf.Get("comment"), Blockers: pf.Get("blockers"), RepoComments: map[string]string{}}
	for k, vals := range pf {
		if repo, ok := strings.CutPrefix(k, standup.FieldRepoPrefix); ok && len(vals) > 0 {
			f.RepoComments[repo] = vals[0]
		}
	}
	_, problems, err := a.Standups.Submit(r.Context(), v.cfg, v.me, id, f, read, v.now)
	switch {
	case problems != nil:
		a.renderEdit(w, r, v, http.StatusBadRequest, id, sd, c, f, problems, "")
	case errors.Is(err, standup.ErrReviewed):
		a.alreadyReviewed(w, r, v, id, http.StatusConflict, "This standup was reviewed meanwhile, so it can no longer be edited: your changes were not saved.")
	case errors.Is(err, standup.ErrConflict):
		// Show their answers on the standup as it is now; submitting again is deliberate.
		cur, err := a.Standups.Open(r.Context(), v.cfg, id)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		a.renderEdit(w, r, v, http.StatusConflict, id, cur, c, f, nil, "This standup was changed in another window after you opened this form, so your answers were not saved. They are below: check the latest version, then submit again.")
	case errors.Is(err, store.ErrNotFound), errors.Is(err, standup.ErrNotYours), errors.Is(err, standup.ErrNotInConfig):
		a.notFound(w, r, v)
	case err != nil:
		a.fail(w, r, err)
	default:
		http.Redirect(w, r, links.Standup(id)+"?saved=1", http.StatusSeeOther)
	}
}

// alreadyReviewed shows the standup with why it cannot be edited.
func (a *App) alreadyReviewed(w http.ResponseWriter, r *http.Request, v *viewer, id standup.ID, status int, msg string) {
	t, ok, err := a.findID(r.Context(), v, id)
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
	a.render(w, r, v, status, "standup", layout{Title: t.Person.Name + " · " + t.Client.Name + " · " + sv.Date, Notice: msg, NoticeKind: "bad", Body: sv})
}
