package rotation

import (
	"context"
	"fmt"
	"time"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
)

// AwayReader gives the away ranges people set with /standup away; standup.Store is one.
type AwayReader interface {
	AwayRanges(ctx context.Context, people []string) (map[string][]config.DateRange, error)
}

// defaultCalendar serves engines built without one. It only caches holiday tables, which are
// the same for everyone.
var defaultCalendar = calendar.NewCalendar(nil)

// Engine answers who is on duty on any rotation, from the config, the stored overrides and
// the calendar. It reads DynamoDB only (one Query for the overrides, one BatchGet for the away
// ranges), so Slack commands can use it.
type Engine struct {
	Store Store
	// Calendar decides days off; a shared one (no logger) when nil.
	Calendar *calendar.Calendar
	// Away gives /standup away ranges; without it only the config's away days count.
	Away AwayReader
}

func (e Engine) calendar() *calendar.Calendar {
	if e.Calendar != nil {
		return e.Calendar
	}
	return defaultCalendar
}

// Availability returns the calendar availability of r's members.
func (e Engine) Availability(ctx context.Context, r *Rotation) (Availability, error) {
	av := CalendarAvailability{Calendar: e.calendar(), Team: r.Team}
	if e.Away != nil {
		away, err := e.Away.AwayRanges(ctx, r.Plan.Members)
		if err != nil {
			return nil, fmt.Errorf("away days of the %s rotation of %s: %w", r.Name, r.Team.ID, err)
		}
		av.Away = away
	}
	return av, nil
}

// OnDuty returns who is on r at t.
func (e Engine) OnDuty(ctx context.Context, r *Rotation, t time.Time) (Duty, error) {
	av, err := e.Availability(ctx, r)
	if err != nil {
		return Duty{}, err
	}
	n := r.Period(t)
	os, err := e.Store.Overrides(ctx, r.Partition, n, n)
	if err != nil {
		return Duty{}, err
	}
	return r.DutyAt(av, os, t), nil
}

// Turns returns who holds periods from..from+count-1, with the overrides of those periods.
func (e Engine) Turns(ctx context.Context, r *Rotation, from, count int) ([]Turn, []Override, error) {
	av, err := e.Availability(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	os, err := e.Store.Overrides(ctx, r.Partition, from, from+count-1)
	if err != nil {
		return nil, nil, err
	}
	out := make([]Turn, 0, count)
	for n := from; n < from+count; n++ {
		out = append(out, r.Turn(n, av, os))
	}
	return out, os, nil
}

// FirstOnDuty returns who is on duty at t on the first of names the team has a rotation for
// ("" when it has none of them): Clinic Duty before support, for the features that send work
// to "whoever is on duty".
func (e Engine) FirstOnDuty(ctx context.Context, team *config.Team, t time.Time, names ...string) (string, error) {
	for _, name := range names {
		if r := Of(team, name); r != nil {
			d, err := e.OnDuty(ctx, r, t)
			if err != nil {
				return "", fmt.Errorf("who is on %s's %s rotation: %w", team.ID, name, err)
			}
			return d.Member, nil
		}
	}
	return "", nil
}
