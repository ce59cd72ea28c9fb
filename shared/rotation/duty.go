package rotation

import (
	"fmt"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
)

// OverrideKind says how an override changes the rotation.
type OverrideKind string

const (
	// Swap gives a whole period to Member (a swap command writes two: one per period).
	Swap OverrideKind = "swap"
	// Cover gives the days From..To of a period to Member (an override command).
	Cover OverrideKind = "cover"
)

// Override is one change to a rotation, stored per period. Where several apply to the same
// moment, the one made last wins.
type Override struct {
	Period int
	Kind   OverrideKind
	Member string
	// From and To bound a Cover (inclusive days in the team's time zone).
	From, To config.Date
	By       string
	Made     time.Time
	// seq orders overrides made in the same second (their sort key).
	seq string
}

// applies reports whether o covers day d of its period.
func (o Override) applies(d config.Date) bool {
	if o.Kind == Swap {
		return true
	}
	return config.DateRange{From: o.From, To: o.To}.Contains(d)
}

// later reports whether a takes precedence over b: made later; made in the same second, a
// cover (days) before a swap (a whole period), as the more specific.
func later(a, b Override) bool {
	if !a.Made.Equal(b.Made) {
		return a.Made.After(b.Made)
	}
	if a.Kind != b.Kind {
		return a.Kind == Cover
	}
	return a.seq > b.seq
}

// Audit is one change to the rotation, with who made it.
type Audit struct {
	By   string
	Made time.Time
	What string
}

// Turn is who holds one period as a whole.
type Turn struct {
	// Shift is the period; Shift.Member is its holder once skips and swaps are applied.
	config.Shift
	// Rota is who the plain rota names for the period.
	Rota string
	// Skipped are the members passed over because they are off throughout the period, in rota
	// order (the rota's member first).
	Skipped []string
	// Swap is the swap that gave the period to Member, if any.
	Swap *Override
	// Covers are the period's covers, oldest first.
	Covers []Override
}

// Turn works out who holds period n: the rota's member, or the next member in rota order who
// is not off throughout the period (av), then the latest swap of the period.
func (r *Rotation) Turn(n int, av Availability, overrides []Override) Turn {
	if av == nil {
		av = Everyone{}
	}
	sh := r.Shift(n)
	t := Turn{Shift: sh, Rota: sh.Member}
	members := r.Plan.Members
	if m := len(members); m > 0 {
		from, to := r.Days(n)
		start := ((n % m) + m) % m
		for i := 0; i < m; i++ {
			who := members[(start+i)%m]
			if !av.OffThroughout(who, from, to) {
				t.Member = who
				break
			}
			t.Skipped = append(t.Skipped, who)
		}
		if len(t.Skipped) == m { // everyone is off: the rota stands, someone must hold it
			t.Member, t.Skipped = sh.Member, nil
		}
	}
	for i := range overrides {
		o := overrides[i]
		if o.Period != n {
			continue
		}
		switch o.Kind {
		case Swap:
			if t.Swap == nil || later(o, *t.Swap) {
				t.Swap = &o
			}
		case Cover:
			t.Covers = append(t.Covers, o)
		}
	}
	if t.Swap != nil {
		t.Member = t.Swap.Member
	}
	return t
}

// Duty is who is on duty at an instant.
type Duty struct {
	// Turn is the period covering the instant and who holds it.
	Turn
	// Member is the person on duty at the instant, covers applied.
	Member string
	// Override is the swap or cover that put Member there, if any.
	Override *Override
}

// DutyAt applies skips (av) and overrides (of any periods; those of other periods are ignored)
// to the base shift covering t.
func (r *Rotation) DutyAt(av Availability, overrides []Override, t time.Time) Duty {
	turn := r.Turn(r.Period(t), av, overrides)
	d := Duty{Turn: turn, Member: turn.Member, Override: turn.Swap}
	day := config.DateOf(t.In(r.Location()))
	for i := range turn.Covers {
		o := turn.Covers[i]
		if o.applies(day) && (d.Override == nil || later(o, *d.Override)) {
			d.Override = &o
			d.Member = o.Member
		}
	}
	return d
}

// PlanSwap works out a swap of a's and b's next periods from now: each one's current period
// when on duty now, else their first upcoming period (whole periods, after skips and earlier
// swaps). It returns the two overrides to store, or an error naming whoever has no period in
// the horizon.
func (r *Rotation) PlanSwap(av Availability, overrides []Override, now time.Time, a, b, by string) ([]Override, error) {
	if a == b {
		return nil, fmt.Errorf("swap needs two different people")
	}
	p0 := r.Period(now)
	horizon := r.SwapHorizon()
	next := func(who string, skip int) (int, bool) {
		for p := p0; p <= p0+horizon; p++ {
			if p != skip && r.Turn(p, av, overrides).Member == who {
				return p, true
			}
		}
		return 0, false
	}
	none := func(who string) error {
		return fmt.Errorf("%s has no %s %s in the next %d %ss; use `%s override` to have them cover days instead", who, r.Label(), r.Unit(), horizon, r.Unit(), r.Command())
	}
	pa, okA := next(a, p0-1)
	if !okA {
		return nil, none(a)
	}
	pb, okB := next(b, pa)
	if !okB {
		return nil, none(b)
	}
	return []Override{
		{Period: pa, Kind: Swap, Member: b, By: by, Made: now},
		{Period: pb, Kind: Swap, Member: a, By: by, Made: now},
	}, nil
}

// MaxCoverDays bounds an override's length.
const MaxCoverDays = 31

// PlanCover works out the overrides that make who cover the days from..to (inclusive, in the
// team's time zone): one per period those days touch.
func (r *Rotation) PlanCover(who string, from, to config.Date, by string, now time.Time) ([]Override, error) {
	if to.Compare(from) < 0 {
		return nil, fmt.Errorf("the override ends (%s) before it starts (%s)", to, from)
	}
	if days := int(to.In(time.UTC).Sub(from.In(time.UTC)).Hours()/24) + 1; days > MaxCoverDays {
		return nil, fmt.Errorf("the override is %d days long; at most %d at a time", days, MaxCoverDays)
	}
	loc := r.Location()
	last := to.AddDays(1).In(loc).Add(-time.Second)
	if last.Before(now) {
		return nil, fmt.Errorf("the override (%s to %s) is entirely in the past", from, to)
	}
	var out []Override
	for p := r.Period(from.In(loc)); p <= r.Period(last); p++ {
		out = append(out, Override{Period: p, Kind: Cover, Member: who, From: from, To: to, By: by, Made: now})
	}
	return out, nil
}
