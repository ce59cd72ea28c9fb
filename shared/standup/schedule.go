package standup

import (
	"sort"
	"time"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
)

// Duty is one (person, client) pair that writes standups, with the team whose standup settings
// apply: the first team in file order that has the person as a member, works for the client
// and runs standups.
type Duty struct {
	Person *config.Person
	Client *config.Client
	Team   *config.Team
}

// Duties lists every (person, client) that owes standups, each once, in config order.
func Duties(cfg *config.Config) []Duty {
	var out []Duty
	for _, p := range cfg.People {
		for _, t := range cfg.TeamsOf(p.ID) {
			if t.Standup == nil {
				continue
			}
			for _, cid := range t.Clients {
				if !hasDuty(out, p.ID, cid) {
					out = append(out, Duty{Person: p, Client: cfg.Client(cid), Team: t})
				}
			}
		}
	}
	return out
}

func hasDuty(ds []Duty, person, client string) bool {
	// Duties are appended per person, so only the tail can hold this person.
	for i := len(ds) - 1; i >= 0 && ds[i].Person.ID == person; i-- {
		if ds[i].Client.ID == client {
			return true
		}
	}
	return false
}

// DutyFor returns the duty of person for client, or false.
func DutyFor(cfg *config.Config, person, client string) (Duty, bool) {
	for _, t := range cfg.TeamsOf(person) {
		if t.Standup == nil {
			continue
		}
		for _, cid := range t.Clients {
			if cid == client {
				return Duty{Person: cfg.PersonByID(person), Client: cfg.Client(cid), Team: t}, true
			}
		}
	}
	return Duty{}, false
}

// DutiesOf lists person's duties (one per client), in config order.
func DutiesOf(cfg *config.Config, person string) []Duty {
	var out []Duty
	for _, c := range cfg.ClientsForPerson(person) {
		if d, ok := DutyFor(cfg, person, c.ID); ok {
			out = append(out, d)
		}
	}
	return out
}

// Slot is one standup owed: its id, team, and when it is due and nagged (instants).
type Slot struct {
	ID   ID
	Team string
	Due  time.Time
	Nag  time.Time
}

// SlotOn returns the slot of duty d on day (in the person's calendar), and why there is none:
// "" and true when the day is a standup day and a business day for the person; otherwise the
// reason (not a standup day, weekend, holiday, away in the config or extra).
func SlotOn(c *calendar.Calendar, d Duty, extra []config.DateRange, day config.Date) (Slot, calendar.DayOff, bool) {
	if off := c.Off(d.Person, extra, day); off != "" {
		return Slot{}, off, false
	}
	if !d.Team.Standup.Days.Has(day.Weekday()) {
		return Slot{}, NotStandupDay, false
	}
	loc := d.Person.Location()
	return Slot{
		ID:   ID{Client: d.Client.ID, Person: d.Person.ID, Date: day},
		Team: d.Team.ID,
		Due:  d.Team.Standup.Due.On(day, loc),
		Nag:  d.Team.Standup.Nag.On(day, loc),
	}, "", true
}

// NotStandupDay is the reason for a day the team does not hold standups.
const NotStandupDay calendar.DayOff = "not a standup day"

// DigestDue is a team's digest owed at At for the team's day Date.
type DigestDue struct {
	Team *config.Team
	Date config.Date
	At   time.Time
}

// Work is what a tick owes for the interval (From, To], computed from the config alone.
// Away ranges stored in DynamoDB are not known here: the tick drops those slots after reading
// them.
type Work struct {
	From, To time.Time
	// Create are slots whose due instant is in the interval.
	Create []Slot
	// Nag are slots whose nag instant is in the interval.
	Nag     []Slot
	Digests []DigestDue
}

// Plan computes the work for the interval (from, to]: a pure function of the config, the
// calendar and the two instants. Each due, nag and digest instant lies in exactly one of a
// sequence of adjacent intervals, so consecutive ticks each do their own share once.
func Plan(cfg *config.Config, c *calendar.Calendar, from, to time.Time) Work {
	w := Work{From: from, To: to}
	if !from.Before(to) {
		return w
	}
	in := func(t time.Time) bool { return t.After(from) && !t.After(to) }
	for _, d := range Duties(cfg) {
		loc := d.Person.Location()
		for _, day := range days(from, to, loc) {
			s, _, ok := SlotOn(c, d, nil, day)
			if !ok {
				continue
			}
			if in(s.Due) {
				w.Create = append(w.Create, s)
			}
			if in(s.Nag) {
				w.Nag = append(w.Nag, s)
			}
		}
	}
	for _, t := range cfg.Teams {
		if t.Standup == nil {
			continue
		}
		for _, day := range days(from, to, t.Location()) {
			at := t.Standup.Digest.On(day, t.Location())
			if in(at) && t.Standup.Days.Has(day.Weekday()) {
				w.Digests = append(w.Digests, DigestDue{Team: t, Date: day, At: at})
			}
		}
	}
	sort.SliceStable(w.Create, func(i, j int) bool { return w.Create[i].Due.Before(w.Create[j].Due) })
	sort.SliceStable(w.Nag, func(i, j int) bool { return w.Nag[i].Nag.Before(w.Nag[j].Nag) })
	return w
}

// days lists the calendar days in loc that the interval (from, to] touches.
func days(from, to time.Time, loc *time.Location) []config.Date {
	first, last := config.DateOf(from.In(loc)), config.DateOf(to.In(loc))
	var out []config.Date
	for d := first; d.Compare(last) <= 0; d = d.AddDays(1) {
		out = append(out, d)
	}
	return out
}

// Today returns the day it is at now in the person's zone.
func Today(p *config.Person, now time.Time) config.Date { return config.DateOf(now.In(p.Location())) }
