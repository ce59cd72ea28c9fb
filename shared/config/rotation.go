package config

import "time"

// Shift is one period of a rotation (a week for support, two weeks by default for Clinic Duty).
type Shift struct {
	// Member is the person id on duty.
	Member string
	// Period counts shifts from Rotation.Start (0 is the first; negative before Start). With
	// the team id and the rotation's name it makes a stable key for per-period overrides
	// stored in DynamoDB.
	Period int
	// Start and End bound the shift: handovers in the team's time zone, End exclusive.
	Start, End time.Time
}

// Days is how many days one period of the rotation lasts (7 × Weeks; a week when Weeks is 0).
func (r Rotation) Days() int {
	if r.Weeks < 1 {
		return 7
	}
	return 7 * r.Weeks
}

// Location is the time zone handovers are in (the team's; UTC before Parse set it).
func (r Rotation) Location() *time.Location {
	if r.loc == nil {
		return time.UTC
	}
	return r.loc
}

// Shift returns the base (config-only) shift of period n: members take turns in order from
// Start, handing over at Handover.Time in the team's time zone, and the cycle repeats (and
// extends backwards before Start). Overrides and skipped members are layered on top by package
// rotation.
func (r Rotation) Shift(n int) Shift {
	if len(r.Members) == 0 {
		return Shift{}
	}
	loc, days := r.Location(), r.Days()
	m := len(r.Members)
	return Shift{
		Member: r.Members[((n%m)+m)%m],
		Period: n,
		Start:  r.Handover.Time.On(r.Start.AddDays(days*n), loc),
		End:    r.Handover.Time.On(r.Start.AddDays(days*(n+1)), loc),
	}
}

// At returns the base shift covering instant at (see Shift), so any instant has an answer.
func (r Rotation) At(at time.Time) Shift {
	if len(r.Members) == 0 {
		return Shift{}
	}
	n := floorDiv(DateOf(at.In(r.Location())).daysSince(r.Start), r.Days())
	if at.Before(r.Shift(n).Start) {
		n--
	}
	return r.Shift(n)
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
