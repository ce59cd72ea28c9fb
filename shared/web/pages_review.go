package web

import (
	"net/http"
	"sort"
	"strconv"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/standup"
)

// waitingRow is a standup in the review queue.
type waitingRow struct {
	row
	Submitted string
	Due       string
	Overdue   bool
	// Ticket links the overdue-review issue in the client's HR repo.
	Ticket *linkView
}

// reviewedRow is a reviewed standup with its reviewer-only fields: only the queue page, for
// the reviewer and management, builds these.
type reviewedRow struct {
	row
	Flags []string
	Notes string
}

type queueBody struct {
	Client   string
	DayURL   string
	Action   string
	Reviewer bool
	Waiting  []waitingRow
	// The reviewed standups, filtered.
	People, FlagOpts []option
	From, To         string
	Reviewed         []reviewedRow
	Clamped          bool
}

// reviewedWindow is the widest date range the reviewed list reads at once.
const reviewedWindow = 92

// queue is a client's review page: the unreviewed standups, oldest first, overdue ones marked
// with their HR issue; then the reviewed ones by developer, date range and flag. For the
// client's reviewer (who reviews from here) and management (who read).
func (a *App) queue(w http.ResponseWriter, r *http.Request, v *viewer) {
	c := v.cfg.Client(r.PathValue("client"))
	if !v.readsHR(c) {
		a.notFound(w, r, v)
		return
	}
	ctx := r.Context()
	st := a.Standups.Store
	body := queueBody{Client: c.Name, DayURL: links.ClientDay(c.ID, standup.Today(v.me, v.now)), Action: links.Queue(c.ID), Reviewer: v.reviews(c)}
	waiting, err := st.Unreviewed(ctx, c.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ids := make([]standup.ID, len(waiting))
	for i, q := range waiting {
		ids[i] = q.ID
	}
	sds, err := st.Standups(ctx, ids)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	loc := v.me.Location()
	for _, q := range waiting {
		p := v.cfg.PersonByID(q.ID.Person)
		sd, ok := sds[q.ID]
		if p == nil || !ok {
			continue
		}
		wr := waitingRow{row: rowOf(sd, c), Submitted: when(q.Submitted, loc), Due: when(q.OverdueAt, loc), Overdue: !q.OverdueAt.After(v.now)}
		wr.Title, wr.Sub = p.Name, longDate(q.ID.Date)
		if body.Reviewer {
			wr.URL = links.Review(q.ID)
		}
		if wr.Overdue {
			wr.Badges = append([]badge{{"Overdue", "bad"}}, wr.Badges...)
		}
		if q.Ticket > 0 && c.HR.Repo != "" {
			wr.Ticket = &linkView{c.HR.Repo + "#" + strconv.Itoa(q.Ticket), "https://github.com/" + c.HR.Repo + "/issues/" + strconv.Itoa(q.Ticket)}
		}
		body.Waiting = append(body.Waiting, wr)
	}
	if !a.reviewed(w, r, v, c, &body) {
		return
	}
	l := layout{Title: "Reviews · " + c.Name, Body: body}
	if id, err := standup.ParseID(r.URL.Query().Get("done")); err == nil && id.Client == c.ID {
		if p := v.cfg.PersonByID(id.Person); p != nil {
			l.Notice, l.NoticeKind = "Marked reviewed: "+p.Name+", "+longDate(id.Date)+".", "ok"
		}
	}
	a.render(w, r, v, http.StatusOK, "queue", l)
}

// reviewed fills the queue page's reviewed list from the filters in the query; false means it
// answered the request itself.
func (a *App) reviewed(w http.ResponseWriter, r *http.Request, v *viewer, c *config.Client, body *queueBody) bool {
	q := r.URL.Query()
	to := standup.Today(v.me, v.now)
	from := to.AddDays(-13)
	var err error
	if s := q.Get("to"); s != "" {
		if to, err = config.ParseDate(s); err != nil {
			a.badRequest(w, r, v, "The last day must be a date like 2026-11-23.")
			return false
		}
	}
	if s := q.Get("from"); s != "" {
		if from, err = config.ParseDate(s); err != nil {
			a.badRequest(w, r, v, "The first day must be a date like 2026-11-23.")
			return false
		}
	}
	if to.Compare(from) < 0 {
		from, to = to, from
	}
	if from.Compare(to.AddDays(-reviewedWindow)) < 0 {
		from, body.Clamped = to.AddDays(-reviewedWindow), true
	}
	body.From, body.To = from.String(), to.String()
	person, flag := q.Get("person"), standup.Flag(q.Get("flag"))
	body.People = []option{{Value: "", Text: "Everyone", Selected: person == ""}}
	body.FlagOpts = []option{{Value: "", Text: "Any or none", Selected: flag == ""}}
	for _, f := range standup.Flags {
		body.FlagOpts = append(body.FlagOpts, option{Value: string(f), Text: f.Label(), Selected: f == flag})
	}
	var people []*config.Person
	for _, d := range standup.Duties(v.cfg) {
		if d.Client.ID != c.ID {
			continue
		}
		body.People = append(body.People, option{Value: d.Person.ID, Text: d.Person.Name, Selected: d.Person.ID == person})
		if person == "" || person == d.Person.ID {
			people = append(people, d.Person)
		}
	}
	ctx := r.Context()
	st := a.Standups.Store
	var done []standup.Standup
	for _, p := range people {
		page, _, err := st.Page(ctx, c.ID, p.ID, to.AddDays(1), false, reviewedWindow+1)
		if err != nil {
			a.fail(w, r, err)
			return false
		}
		for _, sd := range page {
			if sd.Slot.ID.Date.Compare(from) >= 0 && sd.Submitted() && !sd.Entry.Reviewed.IsZero() {
				done = append(done, sd)
			}
		}
	}
	// Newest first, then by person.
	sort.Slice(done, func(i, j int) bool {
		a, b := done[i].Slot.ID, done[j].Slot.ID
		if n := a.Date.Compare(b.Date); n != 0 {
			return n > 0
		}
		return a.Person < b.Person
	})
	ids := make([]standup.ID, len(done))
	for i, sd := range done {
		ids[i] = sd.Slot.ID
	}
	reviews, err := st.Reviews(ctx, ids)
	if err != nil {
		a.fail(w, r, err)
		return false
	}
	for _, sd := range done {
		rv := reviews[sd.Slot.ID]
		if flag != "" && !hasFlag(rv.Flags, flag) {
			continue
		}
		rr := reviewedRow{row: rowOf(sd, c), Notes: rv.Notes}
		rr.Title, rr.Sub = v.cfg.PersonByID(sd.Slot.ID.Person).Name, longDate(sd.Slot.ID.Date)
		for _, f := range rv.Flags {
			rr.Flags = append(rr.Flags, f.Label())
		}
		body.Reviewed = append(body.Reviewed, rr)
	}
	return true
}

func hasFlag(fs []standup.Flag, f standup.Flag) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}
