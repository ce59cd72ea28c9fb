package web

import (
	"net/http"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/standup"
)

type dayBody struct {
	Heading string
	Kind    string // "team" or "client"
	Date    string
	Prev    *linkView
	Next    *linkView
	// Submitted are the standups in; Missing who owes one and has not submitted it; NotDue
	// whose is not due yet; Off who is away or on holiday.
	Submitted, Missing, NotDue, Off []row
	// Others links the same day of the other page kind (the client's for a team, ...).
	Others []linkView
}

// dayOf reads the {date} of the path.
func dayOf(r *http.Request) (config.Date, bool) {
	d, err := config.ParseDate(r.PathValue("date"))
	return d, err == nil
}

// teamToday is the team's day page for today in the team's zone.
func (a *App) teamToday(w http.ResponseWriter, r *http.Request, v *viewer) {
	t := v.cfg.Team(r.PathValue("team"))
	if t == nil || t.Standup == nil || !v.inTeam(t) {
		a.notFound(w, r, v)
		return
	}
	http.Redirect(w, r, links.TeamDay(t.ID, config.DateOf(v.now.In(t.Location()))), http.StatusSeeOther)
}

// teamDay is a team's day: who planned what, availability, blockers (also those still open
// from an earlier day), who has not submitted, who is not due yet, who is away. For the
// team's members and role holders.
func (a *App) teamDay(w http.ResponseWriter, r *http.Request, v *viewer) {
	t := v.cfg.Team(r.PathValue("team"))
	day, ok := dayOf(r)
	if t == nil || t.Standup == nil || !v.inTeam(t) || !ok {
		a.notFound(w, r, v)
		return
	}
	lines, err := standup.Roster(r.Context(), a.Standups.Store, a.Standups.Calendar, v.cfg, t, day, v.now)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	body := dayBody{Heading: t.Name, Kind: "team", Date: longDate(day)}
	body.add(lines, len(t.Clients) > 1)
	for _, cid := range t.Clients {
		if c := v.cfg.Client(cid); v.seesClient(c) {
			body.Others = append(body.Others, linkView{c.Name + " that day", links.ClientDay(c.ID, day)})
		}
	}
	prev, next := standupDays(t, day)
	body.Prev = &linkView{"← " + longDate(prev), links.TeamDay(t.ID, prev)}
	body.Next = &linkView{longDate(next) + " →", links.TeamDay(t.ID, next)}
	a.render(w, r, v, http.StatusOK, "day", layout{Title: t.Name + " · " + body.Date, Body: body})
}

// standupDays returns the team's standup days before and after day.
func standupDays(t *config.Team, day config.Date) (prev, next config.Date) {
	prev, next = day.AddDays(-1), day.AddDays(1)
	for i := 0; i < 7 && !t.Standup.Days.Has(prev.Weekday()); i++ {
		prev = prev.AddDays(-1)
	}
	for i := 0; i < 7 && !t.Standup.Days.Has(next.Weekday()); i++ {
		next = next.AddDays(1)
	}
	return prev, next
}

// add sorts the roster's lines into the page's groups.
func (b *dayBody) add(lines []standup.Line, showClient bool) {
	for _, l := range lines {
		rw := row{Title: l.Duty.Person.Name}
		if l.Standup != nil {
			rw = rowOf(*l.Standup, l.Duty.Client)
			rw.Title = l.Duty.Person.Name
		}
		rw.Sub = ""
		if showClient {
			rw.Sub = l.Duty.Client.Name
		}
		rw.Also = &linkView{"Standups of " + l.Duty.Person.Name, links.Person(l.Duty.Person.ID, l.Duty.Client.ID)}
		switch {
		case l.Submitted():
			b.Submitted = append(b.Submitted, rw)
		case l.Off != "":
			rw.URL, rw.Badges, rw.Why = "", []badge{{"Away", ""}}, l.Off.Describe()
			b.Off = append(b.Off, rw)
		case l.NotDue:
			rw.Badges, rw.Why = []badge{{"Not due yet", ""}}, "Due "+when(l.Due, l.Duty.Person.Location())+" (their time)."
			b.NotDue = append(b.NotDue, rw)
		default:
			rw.Badges = badges(nil)
			if l.OpenBlockers != "" {
				rw.Blockers = "Still blocked since " + l.OpenBlockersFrom + ": " + l.OpenBlockers
			}
			b.Missing = append(b.Missing, rw)
		}
	}
}

// clientToday is the client's day page for today in the viewer's zone.
func (a *App) clientToday(w http.ResponseWriter, r *http.Request, v *viewer) {
	c := v.cfg.Client(r.PathValue("client"))
	if !v.seesClient(c) {
		a.notFound(w, r, v)
		return
	}
	http.Redirect(w, r, links.ClientDay(c.ID, standup.Today(v.me, v.now)), http.StatusSeeOther)
}

// clientDay lists a client's standups of a day across the teams working for it: the ones the
// viewer may see (all of them for the reviewer and management).
func (a *App) clientDay(w http.ResponseWriter, r *http.Request, v *viewer) {
	c := v.cfg.Client(r.PathValue("client"))
	day, ok := dayOf(r)
	if !v.seesClient(c) || !ok {
		a.notFound(w, r, v)
		return
	}
	body := dayBody{Heading: c.Name, Kind: "client", Date: longDate(day)}
	for _, t := range v.cfg.Teams {
		if t.Standup == nil || !contains(t.Clients, c.ID) {
			continue
		}
		lines, err := standup.Roster(r.Context(), a.Standups.Store, a.Standups.Calendar, v.cfg, t, day, v.now)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		var mine []standup.Line
		for _, l := range lines {
			if l.ID.Client == c.ID && v.seesDuty(l.Duty) {
				mine = append(mine, l)
			}
		}
		body.add(mine, false)
		if v.inTeam(t) {
			body.Others = append(body.Others, linkView{t.Name + " that day", links.TeamDay(t.ID, day)})
		}
	}
	if v.readsHR(c) {
		body.Others = append(body.Others, linkView{"Review queue", links.Queue(c.ID)})
	}
	body.Prev = &linkView{"← " + longDate(day.AddDays(-1)), links.ClientDay(c.ID, day.AddDays(-1))}
	body.Next = &linkView{longDate(day.AddDays(1)) + " →", links.ClientDay(c.ID, day.AddDays(1))}
	a.render(w, r, v, http.StatusOK, "day", layout{Title: c.Name + " · " + body.Date, Body: body})
}
