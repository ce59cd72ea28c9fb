package clinic

import (
	"strconv"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/rotation"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

func itoa(n int) string { return strconv.Itoa(n) }

// clinicRotation is the team's Clinic Duty rotation (nil without one).
func clinicRotation(team *config.Team) *rotation.Rotation {
	return rotation.Of(team, config.RotationClinic)
}

// hasClinic reports whether the team runs Clinic Duty.
func hasClinic(t *config.Team) bool { return t.Clinic != nil }

func mention(cfg *config.Config, id string) string { return rotation.Mention(cfg, id) }

// day renders a moment in the team's zone: "Mon 15 Jun".
func day(t time.Time, loc *time.Location) string { return t.In(loc).Format("Mon 2 Jan") }

// when renders a moment in the team's zone with its time: "Mon 15 Jun 09:00 BST".
func when(t time.Time, loc *time.Location) string { return t.In(loc).Format("Mon 2 Jan 15:04 MST") }

func human(d time.Duration) string { return slackapp.Duration(d) }
