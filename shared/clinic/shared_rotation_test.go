package clinic

import (
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/rotation"
	"github.com/rituals-dev/rituals/shared/standup"
	"github.com/rituals-dev/rituals/shared/support"
	"github.com/rituals-dev/rituals/shared/workboard"
)

// TestSupportAndClinicShareTheEngine: support's weekly rotation and Clinic Duty's two-week one
// are answered by the one engine, through each feature's own entry point, with the same skips
// (public holidays, config away days, /standup away) and the same 09:00 handover across the
// spring DST change. Team rocket: support [alice, bob, cat] and Clinic Duty [bob, alice, cat],
// both from Monday 5 January 2026 at 09:00 London.
func TestSupportAndClinicShareTheEngine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	team := e.cfg.Team("rocket")
	away := standup.Store{API: e.ddb, Table: e.tables.State}
	// Bob sets /standup away for the Tuesday to Friday after Easter Monday (a GB holiday).
	if _, err := away.AddAway(e.ctx, "bob", config.DateRange{From: config.Date{Year: 2026, Month: 4, Day: 7}, To: config.Date{Year: 2026, Month: 4, Day: 10}}, config.Date{Year: 2026, Month: 3, Day: 1}); err != nil {
		t.Fatal(err)
	}
	cal := calendar.NewCalendar(nil)
	supportStore := support.Store{API: e.ddb, Table: e.tables.State, Calendar: cal, Away: away}
	engine := rotation.Engine{Store: rotation.Store{API: e.ddb, Table: e.tables.State}, Calendar: cal, Away: away}
	duty := workboard.Rotations{Engine: engine} // what the workboards DM: Clinic Duty first
	cases := []struct {
		name           string
		at             time.Time
		support, clini string
	}{
		// Spring: the clocks went forward on Sunday 29 March; both hand over at 09:00 BST.
		{"before the spring handover", time.Date(2026, 3, 30, 7, 59, 0, 0, time.UTC), "cat", "cat"},
		{"at 09:00 BST", time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC), "alice", "bob"},
		// Bob's support week of 6 April: Easter Monday and his away days make all of it, so Cat
		// takes it; his Clinic Duty turn (30 March – 13 April) has working days left.
		{"Easter week", time.Date(2026, 4, 8, 12, 0, 0, 0, time.UTC), "cat", "bob"},
		// Christmas: Alice is away 21-31 December; with the holidays that is all of her support
		// week (28 Dec – 4 Jan) and all of her Clinic Duty turn (21 Dec – 4 Jan).
		{"Christmas week", time.Date(2026, 12, 30, 12, 0, 0, 0, time.UTC), "bob", "cat"},
		{"Christmas, the week before", time.Date(2026, 12, 23, 12, 0, 0, 0, time.UTC), "cat", "cat"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := supportStore.OnDuty(e.ctx, team, tc.at)
			if err != nil {
				t.Fatal(err)
			}
			c, err := engine.OnDuty(e.ctx, clinicRotation(team), tc.at)
			if err != nil {
				t.Fatal(err)
			}
			if s.Member != tc.support || c.Member != tc.clini {
				t.Fatalf("support %s (rota %s, skipped %v), Clinic Duty %s (rota %s, skipped %v); want %s and %s",
					s.Member, s.Rota, s.Skipped, c.Member, c.Rota, c.Skipped, tc.support, tc.clini)
			}
			if who, err := duty.OnDuty(e.ctx, team, tc.at); err != nil || who != tc.clini {
				t.Fatalf("the workboards DM %s, want the Clinic Duty engineer %s", who, tc.clini)
			}
			if who, err := engine.FirstOnDuty(e.ctx, team, tc.at, config.RotationSupport); err != nil || who != tc.support {
				t.Fatalf("label rules' support rotation: %s, want %s", who, tc.support)
			}
		})
	}
}
