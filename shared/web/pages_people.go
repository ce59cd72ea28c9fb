package web

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/standup"
)

// PageSize is how many standups a list page shows.
const PageSize = 10

type option struct {
	Value, Text string
	Selected    bool
}

type personBody struct {
	Heading  string
	Name     string
	Action   string
	Clients  []option
	From, To string
	Rows     []row
	Newer    string
	Older    string
	Filtered bool
}

// cursor is a position in a person's standups across clients, ordered newest day first and,
// within a day, by client id: the last row shown ("date~client").
type cursor struct {
	Date   config.Date
	Client string
}

func parseCursor(s string) (cursor, bool) {
	d, c, ok := strings.Cut(s, "~")
	date, err := config.ParseDate(d)
	if !ok || err != nil || c == "" {
		return cursor{}, false
	}
	return cursor{date, c}, true
}

func (c cursor) String() string { return c.Date.String() + "~" + c.Client }

// before reports whether a standup at (date, client) comes after c in the list (is older).
func (c cursor) before(date config.Date, client string) bool {
	if n := date.Compare(c.Date); n != 0 {
		return n < 0
	}
	return client > c.Client
}

// person lists a person's standups (the viewer's own: "My standups"), newest first, for the
// clients whose standups the viewer may see, filtered by client and date range, a page at a
// time.
func (a *App) person(w http.ResponseWriter, r *http.Request, v *viewer) {
	p := v.cfg.PersonByID(r.PathValue("person"))
	if p == nil {
		a.notFound(w, r, v)
		return
	}
	var duties []standup.Duty
	for _, d := range standup.DutiesOf(v.cfg, p.ID) {
		if v.seesDuty(d) {
			duties = append(duties, d)
		}
	}
	if len(duties) == 0 {
		a.notFound(w, r, v)
		return
	}
	q := r.URL.Query()
	body := personBody{Name: p.Name, Heading: "Standups of " + p.Name, Action: links.Person(p.ID, "")}
	if p.ID == v.me.ID {
		body.Heading = "My standups"
	}
	client := q.Get("client")
	body.Clients = []option{{Value: "", Text: "All clients", Selected: client == ""}}
	var chosen []standup.Duty
	for _, d := range duties {
		body.Clients = append(body.Clients, option{Value: d.Client.ID, Text: d.Client.Name, Selected: d.Client.ID == client})
		if client == "" || client == d.Client.ID {
			chosen = append(chosen, d)
		}
	}
	if len(chosen) == 0 {
		a.badRequest(w, r, v, "There are no standups of "+p.Name+" for that client here; choose one of the clients listed on the page.")
		return
	}
	var from, to config.Date
	var err error
	if s := q.Get("from"); s != "" {
		if from, err = config.ParseDate(s); err != nil {
			a.badRequest(w, r, v, "The first day must be a date like 2026-11-23.")
			return
		}
		body.From = s
	}
	if s := q.Get("to"); s != "" {
		if to, err = config.ParseDate(s); err != nil {
			a.badRequest(w, r, v, "The last day must be a date like 2026-11-23.")
			return
		}
		body.To = s
	}
	body.Filtered = client != "" || body.From != "" || body.To != ""
	var cur cursor
	newer := false
	switch {
	case q.Get("after") != "":
		var ok bool
		if cur, ok = parseCursor(q.Get("after")); !ok {
			a.badRequest(w, r, v, "That page address is broken; start from the first page.")
			return
		}
		newer = true
	case q.Get("before") != "":
		var ok bool
		if cur, ok = parseCursor(q.Get("before")); !ok {
			a.badRequest(w, r, v, "That page address is broken; start from the first page.")
			return
		}
	}
	page, more, err := a.personPage(r, p, chosen, from, to, cur, newer)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	for _, sd := range page {
		body.Rows = append(body.Rows, rowOf(sd, v.cfg.Client(sd.Slot.ID.Client)))
	}
	keep := url.Values{}
	for k, val := range map[string]string{"client": client, "from": body.From, "to": body.To} {
		if val != "" {
			keep.Set(k, val)
		}
	}
	pageURL := func(k string, c cursor) string {
		vals := url.Values{}
		for kk, vv := range keep {
			vals[kk] = vv
		}
		vals.Set(k, c.String())
		return links.Person(p.ID, "") + "?" + vals.Encode()
	}
	if len(page) > 0 {
		first, last := page[0].Slot.ID, page[len(page)-1].Slot.ID
		if (newer && more) || (!newer && !cur.Date.IsZero()) {
			body.Newer = pageURL("after", cursor{first.Date, first.Client})
		}
		if (!newer && more) || newer {
			body.Older = pageURL("before", cursor{last.Date, last.Client})
		}
	}
	a.render(w, r, v, http.StatusOK, "person", layout{Title: body.Heading, Body: body})
}

// personPage reads up to PageSize standups of p for the duties' clients next to cur: older
// than it (newer false; a zero cursor: the latest), or newer. Each client's history is read
// newest (or oldest) first from where the cursor puts it, PageSize+1 at most, and the lists
// are merged; more says there are more beyond the page.
func (a *App) personPage(r *http.Request, p *config.Person, duties []standup.Duty, from, to config.Date, cur cursor, newer bool) ([]standup.Standup, bool, error) {
	// One history read per client, in parallel.
	pages := make([][]standup.Standup, len(duties))
	g, ctx := errgroup.WithContext(r.Context())
	for i, d := range duties {
		c := d.Client.ID
		var anchor config.Date
		switch {
		case newer:
			// Page(newer) returns days after anchor: a client after the cursor's in the same day
			// is older, so its cursor day is excluded; one before it is newer, so included.
			anchor = cur.Date
			if c < cur.Client {
				anchor = cur.Date.AddDays(-1)
			}
		case !cur.Date.IsZero():
			anchor = cur.Date
			if c > cur.Client {
				anchor = cur.Date.AddDays(1)
			}
		}
		if !newer && !to.IsZero() && (anchor.IsZero() || to.AddDays(1).Compare(anchor) < 0) {
			anchor = to.AddDays(1)
		}
		if newer && !from.IsZero() && from.AddDays(-1).Compare(anchor) > 0 {
			anchor = from.AddDays(-1)
		}
		g.Go(func() (err error) {
			pages[i], _, err = a.Standups.Store.Page(ctx, c, p.ID, anchor, newer, PageSize+1)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, false, err
	}
	var in []standup.Standup
	for _, sd := range slices.Concat(pages...) {
		id := sd.Slot.ID
		if (!from.IsZero() && id.Date.Compare(from) < 0) || (!to.IsZero() && id.Date.Compare(to) > 0) {
			continue
		}
		if !cur.Date.IsZero() && (cur.before(id.Date, id.Client) == newer || (id.Date == cur.Date && id.Client == cur.Client)) {
			continue
		}
		in = append(in, sd)
	}
	// Newest first; within a day by client. Reading newer, the page is the oldest of them.
	sort.Slice(in, func(i, j int) bool {
		a, b := in[i].Slot.ID, in[j].Slot.ID
		if n := a.Date.Compare(b.Date); n != 0 {
			return n > 0
		}
		return a.Client < b.Client
	})
	more := len(in) > PageSize
	if !more {
		return in, false, nil
	}
	if newer {
		return in[len(in)-PageSize:], true, nil
	}
	return in[:PageSize], true, nil
}
