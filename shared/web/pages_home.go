package web

import (
	"net/http"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/standup"
)

// dutiesOf lists the viewer's own standup duties (one per client).
func dutiesOf(v *viewer) []standup.Duty { return standup.DutiesOf(v.cfg, v.me.ID) }

type homeToday struct {
	Client string
	Date   string
	// Why there is no standup today ("" when there is one).
	Why    string
	Badges []badge
	// Action is Fill in, Edit or View.
	Action linkView
}

type homeClient struct {
	Name   string
	Day    string // the client's day page
	Queue  string // the review queue (reviewer and management)
	Review bool   // the viewer is the reviewer
	Count  int    // standups waiting for the reviewer
}

type homeBody struct {
	Today   []homeToday
	Mine    string
	Teams   []linkView
	Clients []homeClient
}

// home is where a signed-in person starts: today's standups with Fill in / Edit / View, their
// standups, their teams' days and the review queues they read.
func (a *App) home(w http.ResponseWriter, r *http.Request, v *viewer) {
	ctx := r.Context()
	st := a.Standups.Store
	var body homeBody
	duties := dutiesOf(v)
	if len(duties) > 0 {
		body.Mine = links.Person(v.me.ID, "")
		away, err := st.AwayRanges(ctx, []string{v.me.ID})
		if err != nil {
			a.fail(w, r, err)
			return
		}
		today := standup.Today(v.me, v.now)
		var ids []standup.ID
		for _, d := range duties {
			ids = append(ids, standup.ID{Client: d.Client.ID, Person: v.me.ID, Date: today})
		}
		sds, err := st.Standups(ctx, ids)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		for i, d := range duties {
			t := homeToday{Client: d.Client.Name, Date: longDate(today)}
			if _, off, ok := standup.SlotOn(a.Standups.Calendar, d, away[v.me.ID], today); !ok {
				t.Why = off.Describe()
			} else {
				sd, exists := sds[ids[i]]
				t.Badges = badges(&sd)
				switch {
				case !exists || !sd.Submitted():
					t.Badges = badges(nil)
					t.Action = linkView{"Fill in", links.Edit(ids[i])}
				case sd.Entry.Reviewed.IsZero():
					t.Action = linkView{"Edit", links.Edit(ids[i])}
				default:
					t.Action = linkView{"View", links.Standup(ids[i])}
				}
			}
			body.Today = append(body.Today, t)
		}
	}
	for _, t := range v.cfg.Teams {
		if t.Standup != nil && v.inTeam(t) {
			body.Teams = append(body.Teams, linkView{t.Name, links.TeamDay(t.ID, config.DateOf(v.now.In(t.Location())))})
		}
	}
	for _, c := range v.cfg.Clients {
		if !v.seesClient(c) {
			continue
		}
		hc := homeClient{Name: c.Name, Day: links.ClientDay(c.ID, standup.Today(v.me, v.now))}
		if v.readsHR(c) {
			hc.Queue = links.Queue(c.ID)
		}
		if v.reviews(c) {
			q, err := st.Unreviewed(ctx, c.ID)
			if err != nil {
				a.fail(w, r, err)
				return
			}
			hc.Review, hc.Count = true, len(q)
		}
		body.Clients = append(body.Clients, hc)
	}
	a.render(w, r, v, http.StatusOK, "home", layout{Title: "Home", Body: body})
}
