package rotation

import (
	"time"

	"github.com/rituals-dev/rituals/shared/config"
)

// Rotation is one named rotation of one team.
type Rotation struct {
	// Name is config.RotationSupport or config.RotationClinic.
	Name string
	Team *config.Team
	// Plan is the base schedule from the config.
	Plan config.Rotation
	// Partition keys the rotation's overrides and audit log in the state table.
	Partition string
}

// Of returns the team's rotation called name, or nil when the team has none.
func Of(team *config.Team, name string) *Rotation {
	plan := team.Rotation(name)
	if plan == nil {
		return nil
	}
	return &Rotation{Name: name, Team: team, Plan: *plan, Partition: Partition(name, team.ID)}
}

// Partition is where a rotation's overrides and audit log live (see the package doc).
func Partition(name, team string) string {
	if name == config.RotationSupport {
		return "SUPPORT#" + team
	}
	return "ROTATION#" + name + "#" + team
}

// Label is how people call the rotation: "support", "Clinic Duty".
func (r *Rotation) Label() string {
	if r.Name == config.RotationClinic {
		return "Clinic Duty"
	}
	return r.Name
}

// Command is the slash command that changes the rotation.
func (r *Rotation) Command() string { return "/" + r.Name }

// Unit is what one period is called: "week" for a weekly rotation, else "turn".
func (r *Rotation) Unit() string {
	if r.Plan.Days() == 7 {
		return "week"
	}
	return "turn"
}

// Location is the team's time zone, where handovers happen.
func (r *Rotation) Location() *time.Location { return r.Team.Location() }

// Period returns the number of the period covering t.
func (r *Rotation) Period(t time.Time) int { return r.Plan.At(t).Period }

// Shift returns the base shift of period n (the plain rota, before skips and overrides).
func (r *Rotation) Shift(n int) config.Shift { return r.Plan.Shift(n) }

// Days returns the first and last calendar day (team's zone) of period n: from the handover's
// day to the day before the next handover's.
func (r *Rotation) Days(n int) (from, to config.Date) {
	sh := r.Shift(n)
	loc := r.Location()
	return config.DateOf(sh.Start.In(loc)), config.DateOf(sh.End.In(loc)).AddDays(-1)
}

// SwapHorizon is how many periods ahead a swap looks: two full turns of the rotation.
func (r *Rotation) SwapHorizon() int { return 2*len(r.Plan.Members) + 1 }
