package standup

import (
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/calendar"
)

func TestPlan(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cal := calendar.NewCalendar(nil)
	tick := 5 * time.Minute
	cases := []struct {
		name    string
		now     string // end of the interval; the interval is one tick long unless from is set
		from    string
		create  []string
		nag     []string
		digests []string
	}{
		{name: "UTC-10 Honolulu due 06:00 HST is 16:00Z", now: "2026-03-03T16:00:00Z", create: []string{"acme/hana/2026-03-03"}},
		{name: "UTC-10 Honolulu nag 09:30 HST is 19:30Z", now: "2026-03-03T19:30:00Z", nag: []string{"acme/hana/2026-03-03"}},
		{name: "UTC+5:30 Kolkata due 06:00 IST is 00:30Z", now: "2026-03-03T00:30:00Z", create: []string{"acme/ravi/2026-03-03"}},
		{name: "UTC+5:30 Kolkata not at the whole hour", now: "2026-03-03T00:00:00Z"},
		{name: "UTC+13 Auckland summer: Tuesday's standup is due Monday 17:00Z", now: "2026-01-12T17:00:00Z", create: []string{"acme/nia/2026-01-13", "acme/tevita/2026-01-13"}},
		{name: "UTC+13 Auckland: Monday's standup is due Sunday 17:00Z", now: "2026-01-11T17:00:00Z", create: []string{"acme/nia/2026-01-12", "acme/tevita/2026-01-12"}},
		{name: "UTC+13: Friday 17:00Z is Saturday there, no standup", now: "2026-01-16T17:00:00Z"},
		{name: "UTC+12 Auckland in winter is due at 18:00Z", now: "2026-06-15T18:00:00Z", create: []string{"acme/nia/2026-06-16"}},
		{name: "New York before DST: 06:00 EST is 11:00Z", now: "2026-03-06T11:00:00Z", create: []string{"acme/nora/2026-03-06"}, digests: []string{"side/2026-03-06"}},
		{name: "New York after DST: 06:00 EDT is 10:00Z", now: "2026-03-09T10:00:00Z", create: []string{"acme/nora/2026-03-09"}},
		{name: "New York after DST: nothing at 11:00Z", now: "2026-03-09T11:00:00Z"},
		{name: "Sydney in summer time: 06:00 AEDT is 19:00Z the day before", now: "2026-04-01T19:00:00Z", create: []string{"acme/sid/2026-04-02"}},
		{name: "Sydney after DST ends: 06:00 AEST is 20:00Z the day before", now: "2026-04-06T20:00:00Z", create: []string{"acme/sid/2026-04-07"}},
		{name: "Sydney after DST ends: nothing at 19:00Z", now: "2026-04-06T19:00:00Z"},
		{name: "AU public holiday: Easter Monday", now: "2026-04-05T20:00:00Z"},
		{name: "weekend: nobody in Honolulu on Saturday", now: "2026-03-07T16:00:00Z"},
		{name: "US public holiday: Independence Day observed Friday 3 July", now: "2026-07-03T16:00:00Z"},
		{name: "NZ public holiday: Waitangi Day", now: "2026-02-05T17:00:00Z", create: []string{"acme/tevita/2026-02-06"}},
		{name: "country without a holiday calendar (TO): weekends only; NZ has Christmas", now: "2026-12-24T17:00:00Z", create: []string{"acme/tevita/2026-12-25"}},
		{name: "away in the config", now: "2026-03-11T06:00:00Z"},
		{name: "two clients, two standups; globex only on tue/thu/fri", now: "2026-03-10T06:00:00Z", create: []string{"acme/lee/2026-03-10", "globex/lee/2026-03-10"}},
		{name: "globex not on Monday", now: "2026-03-09T06:00:00Z", create: []string{"acme/lee/2026-03-09"}},
		{name: "digest at the team's time (London 10:30 GMT)", now: "2026-03-10T10:30:00Z", digests: []string{"core/2026-03-10"}},
		{name: "digest after the UK moves to BST is 09:30Z", now: "2026-03-31T09:30:00Z", digests: []string{"core/2026-03-31"}},
		{name: "side team digest not on Monday", now: "2026-03-09T11:00:00Z"},
		{name: "a long interval (catch-up) covers everything in it once",
			from: "2026-03-03T00:00:00Z", now: "2026-03-03T12:00:00Z",
			create:  []string{"acme/lee/2026-03-03", "acme/nora/2026-03-03", "acme/ravi/2026-03-03", "globex/lee/2026-03-03"},
			nag:     []string{"acme/lee/2026-03-03", "acme/ravi/2026-03-03", "globex/lee/2026-03-03"},
			digests: []string{"core/2026-03-03", "side/2026-03-03"}},
		{name: "an empty interval does nothing", from: "2026-03-03T16:00:00Z", now: "2026-03-03T16:00:00Z"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			now := utc(tc.now)
			from := now.Add(-tick)
			if tc.from != "" {
				from = utc(tc.from)
			}
			w := Plan(cfg, cal, from, now)
			if got, want := idsOf(w.Create), sorted(tc.create); !slices.Equal(got, want) {
				t.Errorf("create = %v, want %v", got, want)
			}
			if got, want := idsOf(w.Nag), sorted(tc.nag); !slices.Equal(got, want) {
				t.Errorf("nag = %v, want %v", got, want)
			}
			var ds []string
			for _, d := range w.Digests {
				ds = append(ds, d.Team.ID+"/"+d.Date.String())
			}
			sort.Strings(ds)
			if want := sorted(tc.digests); !slices.Equal(ds, want) {
				t.Errorf("digests = %v, want %v", ds, want)
			}
			for _, s := range w.Create {
				if !s.Due.After(from) || s.Due.After(now) {
					t.Errorf("%s due %s outside (%s, %s]", s.ID, s.Due, from, now)
				}
			}
		})
	}
}

func sorted(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}

// TestPlanPartitions checks that consecutive ticks over two weeks create each standup exactly
// once, whatever the zone (DST changes included), and that a tick repeated adds nothing.
func TestPlanPartitions(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cal := calendar.NewCalendar(nil)
	for _, start := range []string{"2026-03-02T00:00:00Z", "2026-03-30T00:00:00Z", "2026-10-20T00:00:00Z"} {
		t.Run(start, func(t *testing.T) {
			t.Parallel()
			begin := utc(start)
			end := begin.Add(14 * 24 * time.Hour)
			seen := map[string]int{}
			nags := map[string]int{}
			for from := begin; from.Before(end); from = from.Add(5 * time.Minute) {
				w := Plan(cfg, cal, from, from.Add(5*time.Minute))
				for _, s := range w.Create {
					seen[s.ID.String()]++
				}
				for _, s := range w.Nag {
					nags[s.ID.String()]++
				}
			}
			whole := Plan(cfg, cal, begin, end)
			if len(whole.Create) != len(seen) || len(whole.Nag) != len(nags) {
				t.Fatalf("ticks created %d and nagged %d, one interval %d and %d", len(seen), len(nags), len(whole.Create), len(whole.Nag))
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("%s created %d times", id, n)
				}
			}
			for _, s := range whole.Create {
				if seen[s.ID.String()] != 1 {
					t.Errorf("%s not created by the ticks", s.ID)
				}
			}
		})
	}
}

func TestCalendar(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cal := calendar.NewCalendar(nil)
	cases := []struct {
		person, day string
		want        calendar.DayOff
	}{
		{"hana", "2026-07-03", "holiday: Independence Day"},
		{"hana", "2026-07-02", ""},
		{"hana", "2026-07-04", calendar.Weekend},
		{"nia", "2026-02-06", "holiday: Waitangi Day"},
		{"lee", "2026-03-11", calendar.Away},
		{"lee", "2026-12-25", "holiday: Christmas Day"},
		{"lee", "2026-12-28", "holiday: Boxing Day"}, // 26 Dec is a Saturday: observed Monday
		{"sid", "2026-01-26", "holiday: Australia Day"},
		{"ravi", "2026-01-26", ""}, // no Indian calendar: weekends only
	}
	for _, tc := range cases {
		t.Run(tc.person+" "+tc.day, func(t *testing.T) {
			t.Parallel()
			got := cal.Off(cfg.PersonByID(tc.person), nil, date(tc.day))
			if tc.want == "" || tc.want == calendar.Weekend || tc.want == calendar.Away {
				if got != tc.want {
					t.Fatalf("Off = %q, want %q", got, tc.want)
				}
				return
			}
			if _, ok := got.IsHoliday(); !ok {
				t.Fatalf("Off = %q, want a holiday like %q", got, tc.want)
			}
		})
	}
	if got := cal.BusinessDaysBack(cfg.PersonByID("hana"), nil, date("2026-07-06"), 3); got != date("2026-06-30") {
		t.Errorf("3 business days before Mon 6 July (Fri 3rd a holiday) = %s, want 2026-06-30", got)
	}
	for _, c := range []string{"US", "GB", "NZ", "AU", "DE", "FR", "IE", "JP", "BR"} {
		if !calendar.KnownCountry(c) {
			t.Errorf("no holidays for %s", c)
		}
	}
}
