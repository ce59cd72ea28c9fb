package rotation

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// testDoc has one team with a weekly support rotation and a two-week Clinic Duty rotation, in
// London, both from Monday 5 January 2026. Ann is away over Christmas (with the public holidays,
// every day from 21 December to 3 January); Ben is away 16-20 February and 2-6 March and in the US, Cat in the UK.
const testDoc = `version: 1
people:
  - {id: ann, github: ann-gh, slack: U0ANN00001, timezone: Europe/London, country: GB, away: [{from: 2026-12-21, to: 2026-12-31}]}
  - {id: ben, github: ben-gh, slack: U0BEN00002, timezone: America/New_York, country: US, away: [{from: 2026-02-16, to: 2026-02-20}, {from: 2026-03-02, to: 2026-03-06}]}
  - {id: cat, github: cat-gh, slack: U0CAT00003, timezone: Europe/London, country: GB}
  - {id: emma, slack: U0EMMA0004, timezone: Europe/London, country: GB}
clients:
  - {id: c, github: {orgs: [c]}, hr: {reviewer: emma, repo: c/hr}}
teams:
  - id: t
    name: Team T
    clients: [c]
    timezone: Europe/London
    members: [ann, ben, cat]
    roles: {em: emma}
    slack: {channel: C0TEAM0001}
    support:
      labels: [bug]
      rotation: {members: [ann, ben, cat], handover: {day: mon, time: "09:00"}, start: 2026-01-05}
    clinic:
      rotation: {members: [ben, ann, cat], handover: {day: mon, time: "09:00"}, start: 2026-01-05}
`

func testTeam(t *testing.T) *config.Team {
	t.Helper()
	cfg, err := config.Parse([]byte(testDoc))
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Team("t")
}

func london(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestTurnSkipsWhoIsOffThroughout: a member off on every day of their period (weekends, public
// holidays, away days) is passed over for the next in rota order; off all but one day is not
// enough; the plain rota stands when everyone is off.
func TestTurnSkipsWhoIsOffThroughout(t *testing.T) {
	t.Parallel()
	team := testTeam(t)
	av := CalendarAvailability{Calendar: calendar.NewCalendar(nil), Team: team}
	support, clinic := Of(team, config.RotationSupport), Of(team, config.RotationClinic)
	cases := []struct {
		name    string
		r       *Rotation
		at      time.Time
		period  int
		member  string
		skipped []string
	}{
		// Support week 51 (Mon 28 Dec – Mon 4 Jan) is Ann's: 28 Dec and 1 Jan are public
		// holidays, 29-31 Dec she is away, the rest is weekend. Ben takes it.
		{"support: Ann away and on holiday all week", support, time.Date(2026, 12, 30, 12, 0, 0, 0, time.UTC), 51, "ben", []string{"ann"}},
		// Support week 8 (2-9 March) is Cat's; Ben is away that week but it is not his.
		{"support: someone else away", support, time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC), 8, "cat", nil},
		// Support week 7 (23 Feb – 2 Mar) is Ben's: his away week starts the day it ends.
		{"support: away from the day the week ends", support, time.Date(2026, 2, 25, 12, 0, 0, 0, time.UTC), 7, "ben", nil},
		// Clinic turn 25 (Mon 21 Dec – Mon 4 Jan) is Ann's (ben, ann, cat from turn 0): off
		// throughout, so Cat (next in rota order) takes it.
		{"clinic: Ann's two weeks over Christmas", clinic, time.Date(2026, 12, 23, 12, 0, 0, 0, time.UTC), 25, "cat", []string{"ann"}},
		// Clinic turn 3 (16 Feb – 2 Mar) is Ben's; he is away for its first week only.
		{"clinic: a two-week turn, one week away is not the whole turn", clinic, time.Date(2026, 2, 17, 12, 0, 0, 0, time.UTC), 3, "ben", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := tc.r.DutyAt(av, nil, tc.at)
			if d.Period != tc.period || d.Member != tc.member || strings.Join(d.Skipped, ",") != strings.Join(tc.skipped, ",") {
				t.Fatalf("DutyAt(%v) = period %d %s (skipped %v), want period %d %s (skipped %v)", tc.at, d.Period, d.Member, d.Skipped, tc.period, tc.member, tc.skipped)
			}
			if plain := tc.r.DutyAt(Everyone{}, nil, tc.at); len(tc.skipped) > 0 && plain.Member != tc.skipped[0] {
				t.Errorf("without the calendar the rota says %s", plain.Member)
			}
		})
	}
	// Everyone off throughout: the rota stands.
	allOff := availabilityFunc(func(string, config.Date, config.Date) bool { return true })
	if d := support.DutyAt(allOff, nil, time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)); d.Member != "cat" || len(d.Skipped) != 0 {
		t.Errorf("everyone off: %+v", d)
	}
}

type availabilityFunc func(member string, from, to config.Date) bool

func (f availabilityFunc) OffThroughout(m string, from, to config.Date) bool { return f(m, from, to) }

// TestHandoverAcrossDST: both rotations hand over at 09:00 London on Monday 30 March 2026, the
// day after the clocks go forward: 08:00 UTC, where it was 09:00 UTC in winter; and the
// autumn handover of 26 October is at 09:00 UTC again.
func TestHandoverAcrossDST(t *testing.T) {
	t.Parallel()
	team := testTeam(t)
	ldn := london(t)
	support, clinic := Of(team, config.RotationSupport), Of(team, config.RotationClinic)
	cases := []struct {
		name   string
		r      *Rotation
		at     time.Time
		period int
		member string
	}{
		{"support before the spring handover", support, time.Date(2026, 3, 30, 7, 59, 0, 0, time.UTC), 11, "cat"},
		{"support at 08:00 UTC (09:00 BST)", support, time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC), 12, "ann"},
		{"clinic before the spring handover", clinic, time.Date(2026, 3, 30, 7, 59, 0, 0, time.UTC), 5, "cat"},
		{"clinic at 08:00 UTC (09:00 BST)", clinic, time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC), 6, "ben"},
		{"clinic: 09:00 BST is not yet the autumn handover", clinic, time.Date(2026, 10, 26, 8, 0, 0, 0, time.UTC), 20, "cat"},
		{"clinic at 09:00 UTC (09:00 GMT)", clinic, time.Date(2026, 10, 26, 9, 0, 0, 0, time.UTC), 21, "ben"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := tc.r.DutyAt(Everyone{}, nil, tc.at)
			if d.Period != tc.period || d.Member != tc.member {
				t.Fatalf("DutyAt(%v) = period %d %s, want %d %s", tc.at, d.Period, d.Member, tc.period, tc.member)
			}
			if got := d.Start.In(ldn).Format("15:04"); got != "09:00" {
				t.Errorf("the turn starts at %s London time", got)
			}
			if days := int(math.Round(d.End.Sub(d.Start).Hours() / 24)); days != tc.r.Plan.Days() {
				t.Errorf("the turn lasts %d days", days)
			}
		})
	}
}

// TestSwapsAndCoversOverSkips: a swap gives a whole period (even one a skip decided), a cover
// days of it, the later change winning; PlanSwap finds each person's next period after skips.
func TestSwapsAndCoversOverSkips(t *testing.T) {
	t.Parallel()
	team := testTeam(t)
	av := CalendarAvailability{Calendar: calendar.NewCalendar(nil), Team: team}
	r := Of(team, config.RotationClinic)
	made := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	os := []Override{
		{Period: 25, Kind: Swap, Member: "ben", Made: made},
		{Period: 25, Kind: Cover, Member: "cat", From: config.Date{Year: 2026, Month: 12, Day: 24}, To: config.Date{Year: 2026, Month: 12, Day: 24}, Made: made.Add(time.Hour)},
	}
	if d := r.DutyAt(av, os, time.Date(2026, 12, 23, 12, 0, 0, 0, time.UTC)); d.Member != "ben" || d.Rota != "ann" || d.Override == nil || d.Override.Kind != Swap {
		t.Errorf("swapped turn: %+v", d)
	}
	if d := r.DutyAt(av, os, time.Date(2026, 12, 24, 12, 0, 0, 0, time.UTC)); d.Member != "cat" {
		t.Errorf("covered day: %+v", d)
	}
	// At 1 December (turn 24, Ben's) Ann's next turn is 25 — but she is skipped there — so
	// her next real turn is 28 (25 + 3).
	plan, err := r.PlanSwap(av, nil, time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), "ann", "ben", "cat")
	if err != nil || plan[0].Period != 28 || plan[1].Period != 24 {
		t.Fatalf("plan %+v %v", plan, err)
	}
	if _, err := r.PlanSwap(av, nil, time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), "ann", "emma", "cat"); err == nil ||
		!strings.Contains(err.Error(), "emma has no Clinic Duty turn in the next 7 turns; use `/clinic override`") {
		t.Fatalf("someone outside the rotation: %v", err)
	}
}

type awayMap map[string][]config.DateRange

func (a awayMap) AwayRanges(_ context.Context, people []string) (map[string][]config.DateRange, error) {
	out := map[string][]config.DateRange{}
	for _, p := range people {
		if r, ok := a[p]; ok {
			out[p] = r
		}
	}
	return out, nil
}

// TestEngineOnDuty: the engine reads the stored overrides and the /standup away ranges; Cat,
// away for the whole of her support week by /standup away, is skipped, and a stored swap wins.
func TestEngineOnDuty(t *testing.T) {
	t.Parallel()
	team := testTeam(t)
	client, tables := dynamotest.New(t)
	e := Engine{Store: Store{API: client, Table: tables.State}, Away: awayMap{"cat": {{From: config.Date{Year: 2026, Month: 3, Day: 2}, To: config.Date{Year: 2026, Month: 3, Day: 6}}}}}
	ctx := context.Background()
	r := Of(team, config.RotationSupport)
	at := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC) // week 8, Cat's
	d, err := e.OnDuty(ctx, r, at)
	if err != nil || d.Member != "ann" || len(d.Skipped) != 1 {
		t.Fatalf("OnDuty = %+v, %v; want ann (cat skipped)", d, err)
	}
	made := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if err := e.Store.SaveOverrides(ctx, r.Partition, []Override{{Period: 8, Kind: Swap, Member: "ben", By: "ann", Made: made}}, Audit{By: "ann", Made: made, What: "swap"}); err != nil {
		t.Fatal(err)
	}
	if d, err := e.OnDuty(ctx, r, at); err != nil || d.Member != "ben" {
		t.Fatalf("after the swap: %+v, %v", d, err)
	}
	// The Clinic Duty rotation keeps its overrides apart from support's.
	if os, err := e.Store.Overrides(ctx, Of(team, config.RotationClinic).Partition, -100, 100); err != nil || len(os) != 0 {
		t.Fatalf("clinic overrides: %+v %v", os, err)
	}
	who, err := e.FirstOnDuty(ctx, team, at, config.RotationClinic, config.RotationSupport)
	if err != nil || who != "ann" { // clinic turn 4 (2-16 March) is Ann's
		t.Fatalf("FirstOnDuty = %s %v", who, err)
	}
}
