package rotation

import (
	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
)

// Availability says whether a member is off on every day of a span (inclusive), in which case
// the rotation passes them over for the period.
type Availability interface {
	OffThroughout(member string, from, to config.Date) bool
}

// Everyone is available every day: the plain rota, without skips.
type Everyone struct{}

// OffThroughout implements Availability: never.
func (Everyone) OffThroughout(string, config.Date, config.Date) bool { return false }

// CalendarAvailability reads days off from the business calendar: weekends, the public holidays
// of the member's country, away days from the config and Away (ranges set with /standup away,
// by person id).
type CalendarAvailability struct {
	Calendar *calendar.Calendar
	Team     *config.Team
	Away     map[string][]config.DateRange
}

var _ Availability = CalendarAvailability{}

// OffThroughout implements Availability. Someone the team does not know as a member is never
// off (the config validates rotation members, so that is a config in flux).
func (a CalendarAvailability) OffThroughout(member string, from, to config.Date) bool {
	p := a.Team.Member(member)
	if p == nil || to.Compare(from) < 0 {
		return false
	}
	for d := from; d.Compare(to) <= 0; d = d.AddDays(1) {
		if a.Calendar.Off(p, a.Away[member], d) == "" {
			return false
		}
	}
	return true
}
