package sprints

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
)

// Data is everything recorded about a team's milestone: its tasks as last seen, the changes
// that happened to its scope, the daily snapshots taken, and the planned scope.
type Data struct {
	Tasks   map[string]Task
	Changes []Change
	Days    map[config.Date]Point
	Plan    *Plan
}

// kindRank orders one moment's changes of one task as they must apply: in, then its points,
// then done, then out.
func kindRank(k string) int {
	switch k {
	case ChangeAdd:
		return 0
	case ChangePoints:
		return 1
	case ChangeDone, ChangeUndone:
		return 2
	}
	return 3
}

// sortChanges orders changes as they happened.
func sortChanges(cs []Change) {
	slices.SortStableFunc(cs, func(a, b Change) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Task, b.Task); c != 0 {
			return c
		}
		return cmp.Compare(kindRank(a.Kind), kindRank(b.Kind))
	})
}

// taskState is a task's place in the milestone at one moment of a replay.
type taskState struct {
	in, done bool
	points   *float64
}

// replay applies the changes (in order) that happened at or before until.
func replay(changes []Change, until time.Time) map[string]*taskState {
	out := map[string]*taskState{}
	for _, c := range changes {
		if c.At.After(until) {
			break
		}
		s := out[c.Task]
		if s == nil {
			s = &taskState{}
			out[c.Task] = s
		}
		switch c.Kind {
		case ChangeAdd:
			s.in, s.points = true, c.Points
		case ChangeRemove:
			s.in = false
		case ChangePoints:
			s.points = c.Points
		case ChangeDone:
			s.done = true
		case ChangeUndone:
			s.done = false
		}
	}
	return out
}

// pointOf sums a replayed scope.
func pointOf(states map[string]*taskState, day config.Date, at time.Time) Point {
	p := Point{Day: day, At: at}
	for _, s := range states {
		if !s.in {
			continue
		}
		p.ScopeTasks++
		p.ScopePoints += pts(s.points)
		if s.done {
			p.DoneTasks++
			p.DonePoints += pts(s.points)
		}
	}
	return p
}

// PointAt is the milestone's scope and done at t, from the recorded changes (sorted).
func PointAt(changes []Change, day config.Date, t time.Time) Point {
	return pointOf(replay(changes, t), day, t)
}

// Line is a task as a report lists it.
type Line struct {
	Key       string
	Title     string
	URL       string
	Points    *float64
	Owner     string // config person id
	OwnerName string
	Added     time.Time
	Removed   bool
	Done      bool
}

// PersonFigures are one owner's tasks in scope and done.
type PersonFigures struct {
	Owner      string // config person id ("" with Name for someone outside the config)
	Name       string
	Tasks      int
	Done       int
	Points     float64
	DonePoints float64
}

// Figures are a sprint's numbers at one moment: what the planning document and the burnup
// chart show.
type Figures struct {
	Sprint *Sprint
	At     time.Time
	// Started is false before the planned scope was captured (nothing else is set then).
	Started bool
	// Planned is the scope captured at the start; PlannedDone how many of those tasks are
	// done and still in the sprint; PlannedRemoved how many were taken out.
	Planned        []PlannedTask
	PlannedPoints  float64
	PlannedDone    int
	PlannedRemoved int
	// WalkOns are tasks added after the start, in the order they came.
	WalkOns       []Line
	WalkOnPoints  float64
	Now           Point
	Carried       []Line
	CarriedPoints float64
	People        []PersonFigures
	// Unestimated are tasks in scope without points.
	Unestimated []Line
	// Days are the sprint's business days; Series is the start point, then the end of each
	// business day up to now (today's point is live).
	Days   []config.Date
	Series []Point
}

// UsesPoints reports whether the sprint is estimated at all: the chart shows points when it
// is, tasks otherwise.
func (f *Figures) UsesPoints() bool {
	if f.PlannedPoints > 0 || f.Now.ScopePoints > 0 {
		return true
	}
	for _, p := range f.Series {
		if p.ScopePoints > 0 {
			return true
		}
	}
	return false
}

// BusinessDays lists the days from..to for which business is true.
func BusinessDays(from, to config.Date, business func(config.Date) bool) []config.Date {
	var out []config.Date
	for d := from; d.Compare(to) <= 0; d = d.AddDays(1) {
		if business == nil || business(d) {
			out = append(out, d)
		}
	}
	return out
}

// Compute works out the sprint's figures at now from what was recorded. Past days come from
// their snapshots (what was known that day), so a late change never rewrites them; a past day
// without one (the tick did not run) is replayed from the changes up to its end.
func Compute(s *Sprint, team *config.Team, cfg *config.Config, d *Data, business func(config.Date) bool, now time.Time) *Figures {
	f := &Figures{Sprint: s, At: now, Days: BusinessDays(s.From, s.To, business)}
	if d.Plan == nil || d.Plan.Captured.IsZero() || now.Before(d.Plan.Captured) {
		return f
	}
	changes := append([]Change(nil), d.Changes...)
	sortChanges(changes)
	loc := team.Location()
	end := s.End(team)
	f.Started = true
	f.Planned = d.Plan.Tasks
	for _, t := range f.Planned {
		f.PlannedPoints += pts(t.Points)
	}
	f.Series = append(f.Series, PointAt(changes, config.Date{}, d.Plan.Captured))
	for _, day := range f.Days {
		dayEnd := day.AddDays(1).In(loc)
		switch {
		case !dayEnd.After(d.Plan.Captured):
			// Ended before the sprint was started (with /sprint start, late): no point.
		case !dayEnd.After(now):
			if p, ok := d.Days[day]; ok {
				f.Series = append(f.Series, p)
			} else {
				f.Series = append(f.Series, PointAt(changes, day, dayEnd))
			}
		case !day.In(loc).After(now):
			f.Series = append(f.Series, PointAt(changes, day, now))
		}
	}
	at := now
	if at.After(end) {
		at = end
	}
	states := replay(changes, at)
	f.Now = pointOf(states, config.DateOf(at.In(loc)), at)

	line := func(key string) Line {
		t := d.Tasks[key]
		l := Line{Key: key, Title: t.Title, URL: t.URL, Owner: t.Owner, OwnerName: t.OwnerName}
		if st := states[key]; st != nil {
			l.Points, l.Removed, l.Done = st.points, !st.in, st.done
		}
		if l.Title == "" {
			if pt, ok := d.Plan.Get(key); ok {
				l.Title = pt.Title
			}
		}
		return l
	}
	for _, t := range f.Planned {
		st := states[t.Key]
		switch {
		case st == nil || !st.in:
			f.PlannedRemoved++
		case st.done:
			f.PlannedDone++
		}
	}
	walked := map[string]bool{}
	for _, c := range changes {
		if c.Kind != ChangeAdd || !c.At.After(d.Plan.Captured) || !c.At.Before(end) || c.At.After(at) || walked[c.Task] || d.Plan.Has(c.Task) {
			continue
		}
		walked[c.Task] = true
		l := line(c.Task)
		l.Added = c.At
		f.WalkOns = append(f.WalkOns, l)
		if !l.Removed {
			f.WalkOnPoints += pts(l.Points)
		}
	}
	people := map[string]*PersonFigures{}
	var order []string
	for _, key := range sortedKeys(states) {
		st := states[key]
		if !st.in {
			continue
		}
		l := line(key)
		if !st.done {
			f.Carried = append(f.Carried, l)
			f.CarriedPoints += pts(st.points)
		}
		if st.points == nil {
			f.Unestimated = append(f.Unestimated, l)
		}
		who := l.Owner
		if who == "" {
			who = "~" + l.OwnerName
		}
		pf := people[who]
		if pf == nil {
			pf = &PersonFigures{Owner: l.Owner, Name: ownerName(cfg, l.Owner, l.OwnerName)}
			people[who] = pf
			order = append(order, who)
		}
		pf.Tasks++
		pf.Points += pts(st.points)
		if st.done {
			pf.Done++
			pf.DonePoints += pts(st.points)
		}
	}
	for _, who := range order {
		f.People = append(f.People, *people[who])
	}
	slices.SortStableFunc(f.People, func(a, b PersonFigures) int {
		if (a.Owner == "" && a.Name == "") != (b.Owner == "" && b.Name == "") {
			if a.Owner == "" && a.Name == "" {
				return 1
			}
			return -1
		}
		return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return f
}

// ownerName is how an owner is shown: the config's name, their account name, or "unassigned".
func ownerName(cfg *config.Config, owner, name string) string {
	if p := cfg.PersonByID(owner); p != nil {
		return p.Name
	}
	return name
}

// sortedKeys orders task keys naturally: T9 before T10, owner/repo#9 before #10.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareKeys)
	return keys
}

func compareKeys(a, b string) int {
	pa, na := splitNumber(a)
	pb, nb := splitNumber(b)
	if c := cmp.Compare(pa, pb); c != 0 {
		return c
	}
	return cmp.Compare(na, nb)
}

// splitNumber splits "T123" into ("T", 123) and "acme/web#4" into ("acme/web#", 4).
func splitNumber(k string) (string, int) {
	i := len(k)
	for i > 0 && k[i-1] >= '0' && k[i-1] <= '9' {
		i--
	}
	n, _ := strconv.Atoi(k[i:])
	return k[:i], n
}
