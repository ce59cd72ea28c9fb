package config

import "time"

// Shift is one week of a support rotation.
type Shift struct {
	// Member is the person id on duty.
	Member string
	// Week counts shifts from Rotation.Start (0 is the first; negative before Start). With
	// the team id it makes a stable key for per-week overrides stored in DynamoDB.
	Week int
	// Start and End bound the shift: handovers in the team's time zone, End exclusive.
	Start, End time.Time
}

// At returns the base (config-only) shift covering instant at: members take a week each in
// order from Start, handing over at Handover.Time in the team's time zone, and the cycle
// repeats (and extends backwards before Start, so any instant has an answer). Overrides are
// layered on top by the caller.
func (r Rotation) At(at time.Time) Shift {
	loc := r.loc
	if loc == nil {
		loc = time.UTC
	}
	if len(r.Members) == 0 {
		return Shift{}
	}
	week := floorDiv(DateOf(at.In(loc)).daysSince(r.Start), 7)
	start := r.Handover.Time.On(r.Start.AddDays(7*week), loc)
	if at.Before(start) {
		week--
		start = r.Handover.Time.On(r.Start.AddDays(7*week), loc)
	}
	n := len(r.Members)
	return Shift{
		Member: r.Members[((week%n)+n)%n],
		Week:   week,
		Start:  start,
		End:    r.Handover.Time.On(r.Start.AddDays(7*(week+1)), loc),
	}
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
