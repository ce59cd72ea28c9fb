package support

import (
	"context"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/rotation"
)

// Support's weekly rotation is the rotation named "support" of package rotation, the engine
// support and Clinic Duty share (skips for people off throughout their week, swaps, covers,
// the audit log). What follows are its support-shaped names, kept for the callers and the
// stored layout support has always had (pk SUPPORT#<team>, see the package doc).

// The rotation's types, as support has always called them.
type (
	OverrideKind = rotation.OverrideKind
	Override     = rotation.Override
	Audit        = rotation.Audit
	Duty         = rotation.Duty
)

// The kinds of override.
const (
	Swap  = rotation.Swap
	Cover = rotation.Cover
)

// MaxCoverDays bounds an override's length.
const MaxCoverDays = rotation.MaxCoverDays

// supportRotation is the team's support rotation (nil without support).
func supportRotation(team *config.Team) *rotation.Rotation {
	return rotation.Of(team, config.RotationSupport)
}

// engine is the rotation engine on this store's table.
func (st Store) engine() rotation.Engine {
	return rotation.Engine{Store: rotation.Store{API: st.API, Table: st.Table}, Calendar: st.Calendar, Away: st.Away}
}

// ShiftOfWeek returns the base shift of rotation week w.
func ShiftOfWeek(team *config.Team, w int) config.Shift { return team.Support.Rotation.Shift(w) }

// Overrides returns the team's overrides of weeks from..to (inclusive), with one Query.
func (st Store) Overrides(ctx context.Context, team string, from, to int) ([]Override, error) {
	return st.engine().Store.Overrides(ctx, rotation.Partition(config.RotationSupport, team), from, to)
}

// SaveOverrides stores overrides and the audit record of the change in one transaction.
func (st Store) SaveOverrides(ctx context.Context, team string, os []Override, a Audit) error {
	return st.engine().Store.SaveOverrides(ctx, rotation.Partition(config.RotationSupport, team), os, a)
}

// AuditLog returns the team's rotation changes made at or after since, oldest first.
func (st Store) AuditLog(ctx context.Context, team string, since time.Time) ([]Audit, error) {
	return st.engine().Store.AuditLog(ctx, rotation.Partition(config.RotationSupport, team), since)
}

// DutyAt applies overrides (of any weeks; those of other weeks are ignored) to the base shift
// covering t, with everyone available (no skips).
func DutyAt(team *config.Team, overrides []Override, t time.Time) Duty {
	return supportRotation(team).DutyAt(rotation.Everyone{}, overrides, t)
}

// weekMember is who holds week w as a whole (everyone available): the latest swap of the week,
// or the base member.
func weekMember(team *config.Team, overrides []Override, w int) string {
	return supportRotation(team).Turn(w, rotation.Everyone{}, overrides).Member
}

// OnDuty returns who is on support for team at t: skips (the calendar, config away days and
// Away), swaps and covers applied, with one Query for the week's overrides (and one BatchGet of
// away ranges when Away is set). A team without support has nobody.
func (st Store) OnDuty(ctx context.Context, team *config.Team, t time.Time) (Duty, error) {
	r := supportRotation(team)
	if r == nil {
		return Duty{}, nil
	}
	return st.engine().OnDuty(ctx, r, t)
}

// PlanSwap works out a swap of a's and b's next weeks from now (see rotation.Rotation.PlanSwap),
// with everyone available.
func PlanSwap(team *config.Team, overrides []Override, now time.Time, a, b string, by string) ([]Override, error) {
	return supportRotation(team).PlanSwap(rotation.Everyone{}, overrides, now, a, b, by)
}

// SwapHorizon is how many weeks ahead PlanSwap looks: two full turns of the rotation.
func SwapHorizon(team *config.Team) int { return supportRotation(team).SwapHorizon() }

// PlanCover works out the overrides that make who cover the days from..to (inclusive, in the
// team's time zone): one per rotation week those days touch.
func PlanCover(team *config.Team, who string, from, to config.Date, by string, now time.Time) ([]Override, error) {
	return supportRotation(team).PlanCover(who, from, to, by, now)
}
