package web

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strconv"

	"golang.org/x/sync/errgroup"

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
	body := queueBody{Client: c.Name, DayURL: links.ClientDay(c.ID, standup.Today(v.me, v.now)), Action: links.Queue(c.ID), Reviewer: v.reviews(c)}
	f, problem := reviewedFilter(r, v, c, &body)
	if problem != "" {
		a.badRequest(w, r, v, problem)
		return
	}
	// The two lists are independent reads.
	g, ctx := errgroup.WithContext(r.Context())
	g.Go(func() (err error) {
		body.Waiting, err = a.waiting(ctx, v, c, body.Reviewer)
		return err
	})
	g.Go(func() (err error) {
		body.Reviewed, err = a.reviewed(ctx, v, c, f)
		return err
	})
	if err := g.Wait(); err != nil {
		a.fail(w, r, err)
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

// waiting lists the client's unreviewed standups, oldest first.
func (a *App) waiting(ctx context.Context, v *viewer, c *config.Client, reviewer bool) ([]waitingRow, error) {
	st := a.Standups.Store
	waiting, err := st.Unreviewed(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]standup.ID, len(waiting))
	for i, q := range waiting {
		ids[i] = q.ID
	}
	sds, err := st.Standups(ctx, ids)
	if err != nil {
		return nil, err
	}
	loc := v.me.Location()
	var out []waitingRow
	for _, q := range waiting {
		p := v.cfg.PersonByID(q.ID.Person)
		sd, ok := sds[q.ID]
		if p == nil || !ok {
			continue
		}
		wr := waitingRow{row: rowOf(sd, c), Submitted: when(q.Submitted, loc), Due: when(q.OverdueAt, loc), Overdue: !q.OverdueAt.After(v.now)}
		wr.Title, wr.Sub = p.Name, longDate(q.ID.Date)
		if reviewer {
			wr.URL = links.Review(q.ID)
		}
		if wr.Overdue {
			wr.Badges = append([]badge{{"Overdue", "bad"}}, wr.Badges...)
		}
		if q.Ticket > 0 && c.HR.Repo != "" {
			wr.Ticket = &linkView{c.HR.Repo + "#" + strconv.Itoa(q.Ticket), "https://github.com/" + c.HR.Repo + "/issues/" + strconv.Itoa(q.Ticket)}
		}
		out = append(out, wr)
	}
	return out, nil
}

// filter is what the reviewed list shows: standups of people between from and to, with flag
// ("" for any).
type filter struct {
	people   []*config.Person
	from, to config.Date
	flag     standup.Flag
}

// reviewedFilter reads the reviewed list's filters from the query (the last two weeks of
// everyone by default) and fills the form's options; a problem is a one-line answer.
func reviewedFilter(r *http.Request, v *viewer, c *config.Client, body *queueBody) (filter, string) {
	q := r.URL.Query()
	f := filter{to: standup.Today(v.me, v.now)}
	f.from = f.to.AddDays(-13)
	var err error
	if s := q.Get("to"); s != "" {
		if f.to, err = config.ParseDate(s); err != nil {
			return f, "The last day must be a date like 2026-11-23."
		}
	}
	if s := q.Get("from"); s != "" {
		if f.from, err = config.ParseDate(s); err != nil {
			return f, "The first day must be a date like 2026-11-23."
		}
	}
	if f.to.Compare(f.from) < 0 {
		f.from, f.to = f.to, f.from
	}
	if f.from.Compare(f.to.AddDays(-reviewedWindow)) < 0 {
		f.from, body.Clamped = f.to.AddDays(-reviewedWindow), true
	}
	body.From, body.To = f.from.String(), f.to.String()
	person := q.Get("person")
	f.flag = standup.Flag(q.Get("flag"))
	body.People = []option{{Value: "", Text: "Everyone", Selected: person == ""}}
	body.FlagOpts = []option{{Value: "", Text: "Any or none", Selected: f.flag == ""}}
	for _, fl := range standup.Flags {
		body.FlagOpts = append(body.FlagOpts, option{Value: string(fl), Text: fl.Label(), Selected: fl == f.flag})
	}
	for _, d := range standup.Duties(v.cfg) {
		if d.Client.ID != c.ID {
			continue
		}
		body.People = append(body.People, option{Value: d.Person.ID, Text: d.Person.Name, Selected: d.Person.ID == person})
		if person == "" || person == d.Person.ID {
			f.people = append(f.people, d.Person)
		}
	}
	return f, ""
}

// reviewed lists the client's reviewed standups the filter selects, newest first, with the
// reviewer's fields: one history read per person (in parallel) and one batch of reviews.
func (a *App) reviewed(ctx context.Context, v *viewer, c *config.Client, f filter) ([]reviewedRow, error) {
	st := a.Standups.Store
	pages := make([][]standup.Standup, len(f.people))
	g, gctx := errgroup.WithContext(ctx)
	days := 1 // a person has at most one standup a day for the client: read no more than the range
	for d := f.from; d.Compare(f.to) < 0; d = d.AddDays(1) {
		days++
	}
	for i, p := range f.people {
		g.Go(func() (err error) {
			pages[i], _, err = st.Page(gctx, c.ID, p.ID, f.to.AddDays(1), false, days)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var done []standup.Standup
	for _, sd := range slices.Concat(pages...) {
		if sd.Slot.ID.Date.Compare(f.from) >= 0 && sd.Submitted() && !sd.Entry.Reviewed.IsZero() {
			done = append(done, sd)
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
		return nil, err
	}
	var out []reviewedRow
	for _, sd := range done {
		rv := reviews[sd.Slot.ID]
		if f.flag != "" && !hasFlag(rv.Flags, f.flag) {
			continue
		}
		rr := reviewedRow{row: rowOf(sd, c), Notes: rv.Notes}
		rr.Title, rr.Sub = v.cfg.PersonByID(sd.Slot.ID.Person).Name, longDate(sd.Slot.ID.Date)
		for _, fl := range rv.Flags {
			rr.Flags = append(rr.Flags, fl.Label())
		}
		out = append(out, rr)
	}
	return out, nil
}

func hasFlag(fs []standup.Flag, f standup.Flag) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}
