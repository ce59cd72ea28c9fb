package support

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

func date(s string) config.Date {
	d, err := config.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestDutyAt: the base rotation (Mon 09:00 Europe/London; ann, ben, cat from 2026-01-05) with
// overrides, across both DST changes and the year end.
func TestDutyAt(t *testing.T) {
	t.Parallel()
	team := testConfig(t).Team("triage")
	ldn := london(t)
	made := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	overrides := []Override{
		// ben covers New Year's Eve and Day (week 51, ann's).
		{Period: 51, Kind: Cover, Member: "ben", From: date("2026-12-31"), To: date("2027-01-01"), Made: made},
		// cat takes week 12 (ann's, the first after the spring change) by a swap...
		{Period: 12, Kind: Swap, Member: "cat", Made: made},
		// ...and later ben covers its Wednesday: the later override wins that day.
		{Period: 12, Kind: Cover, Member: "ben", From: date("2026-04-01"), To: date("2026-04-01"), Made: made.Add(time.Hour)},
	}
	cases := []struct {
		name   string
		at     time.Time
		week   int
		member string
	}{
		{"start of the rotation", time.Date(2026, 1, 5, 9, 0, 0, 0, ldn), 0, "ann"},
		{"a second before the first handover", time.Date(2026, 1, 5, 8, 59, 59, 0, ldn), -1, "cat"},
		{"before the spring change (GMT)", time.Date(2026, 3, 30, 7, 59, 0, 0, time.UTC), 11, "cat"},
		{"spring handover is 08:00 UTC (09:00 BST)", time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC), 12, "cat"},
		{"cover within a swapped week", time.Date(2026, 4, 1, 12, 0, 0, 0, ldn), 12, "ben"},
		{"day after the cover", time.Date(2026, 4, 2, 0, 0, 0, 0, ldn), 12, "cat"},
		{"base week after the swap", time.Date(2026, 4, 6, 9, 0, 0, 0, ldn), 13, "ben"},
		{"autumn: 09:00 BST is not yet the handover", time.Date(2026, 10, 26, 8, 0, 0, 0, time.UTC), 41, "cat"},
		{"autumn handover is 09:00 UTC (09:00 GMT)", time.Date(2026, 10, 26, 9, 0, 0, 0, time.UTC), 42, "ann"},
		{"last week of the year", time.Date(2026, 12, 30, 12, 0, 0, 0, ldn), 51, "ann"},
		{"New Year's Eve is covered", time.Date(2026, 12, 31, 23, 30, 0, 0, ldn), 51, "ben"},
		{"New Year's Day is covered", time.Date(2027, 1, 1, 8, 0, 0, 0, ldn), 51, "ben"},
		{"2 January is ann's again", time.Date(2027, 1, 2, 8, 0, 0, 0, ldn), 51, "ann"},
		{"first handover of 2027", time.Date(2027, 1, 4, 9, 0, 0, 0, ldn), 52, "ben"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := DutyAt(team, overrides, tc.at)
			if d.Shift.Period != tc.week || d.Member != tc.member {
				t.Fatalf("DutyAt(%v) = week %d %s, want week %d %s", tc.at, d.Shift.Period, d.Member, tc.week, tc.member)
			}
		})
	}
}

func TestPlanSwap(t *testing.T) {
	t.Parallel()
	team := testConfig(t).Team("triage")
	ldn := london(t)
	now := time.Date(2026, 12, 30, 12, 0, 0, 0, ldn) // week 51, ann's
	cases := []struct {
		name      string
		existing  []Override
		a, b      string
		weeks     [2]int
		wantError string
	}{
		{"on duty now with a later week", nil, "ann", "cat", [2]int{51, 53}, ""},
		{"both later, across the year end", nil, "ben", "cat", [2]int{52, 53}, ""},
		{"after an earlier swap", []Override{{Period: 52, Kind: Swap, Member: "cat"}}, "ben", "cat", [2]int{55, 52}, ""},
		{"same person", nil, "ann", "ann", [2]int{}, "two different people"},
		{"someone outside the rotation", nil, "ann", "emma", [2]int{}, "emma has no support week in the next 7 weeks"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			plan, err := PlanSwap(team, tc.existing, now, tc.a, tc.b, "ann")
			if tc.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantError) {
					t.Fatalf("err = %v, want %q", err, tc.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if plan[0].Period != tc.weeks[0] || plan[0].Member != tc.b || plan[1].Period != tc.weeks[1] || plan[1].Member != tc.a {
				t.Fatalf("plan %+v, want %s gets %d and %s gets %d", plan, tc.b, tc.weeks[0], tc.a, tc.weeks[1])
			}
			all := append(append([]Override{}, tc.existing...), plan...)
			if got := weekMember(team, all, tc.weeks[0]); got != tc.b {
				t.Errorf("week %d is %s's after the swap, want %s", tc.weeks[0], got, tc.b)
			}
		})
	}
}

func TestPlanCover(t *testing.T) {
	t.Parallel()
	team := testConfig(t).Team("triage")
	now := time.Date(2026, 12, 28, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		from, to string
		weeks    []int
		err      string
	}{
		{"within a week", "2026-12-31", "2027-01-01", []int{51}, ""},
		{"over a handover (Monday before 09:00 is the old week)", "2027-01-02", "2027-01-05", []int{51, 52}, ""},
		{"single Monday touches two shifts", "2027-01-04", "2027-01-04", []int{51, 52}, ""},
		{"reversed", "2027-01-05", "2027-01-02", nil, "ends (2027-01-02) before it starts (2027-01-05)"},
		{"too long", "2027-01-01", "2027-02-15", nil, "46 days long; at most 31"},
		{"in the past", "2026-12-01", "2026-12-02", nil, "entirely in the past"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			plan, err := PlanCover(team, "ben", date(tc.from), date(tc.to), "cat", now)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var weeks []int
			for _, o := range plan {
				weeks = append(weeks, o.Period)
			}
			if len(weeks) != len(tc.weeks) || weeks[0] != tc.weeks[0] || weeks[len(weeks)-1] != tc.weeks[len(tc.weeks)-1] {
				t.Fatalf("weeks %v, want %v", weeks, tc.weeks)
			}
		})
	}
}

// TestOverridesStore stores overrides (with negative and year-end weeks) and reads them back
// by week range, with the audit record.
func TestOverridesStore(t *testing.T) {
	t.Parallel()
	client, tables := dynamotest.New(t)
	st := Store{API: client, Table: tables.State}
	team := testConfig(t).Team("triage")
	ctx := context.Background()
	made := time.Date(2026, 12, 28, 12, 0, 0, 0, time.UTC)
	os := []Override{
		{Period: -2, Kind: Swap, Member: "ben", By: "ann", Made: made},
		{Period: 51, Kind: Cover, Member: "ben", From: date("2026-12-31"), To: date("2027-01-01"), By: "cat", Made: made},
		{Period: 52, Kind: Swap, Member: "cat", By: "cat", Made: made},
	}
	if err := st.SaveOverrides(ctx, "triage", os, Audit{By: "cat", Made: made, What: "test change"}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Overrides(ctx, "triage", 51, 52)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Period != 51 || got[0].From != date("2026-12-31") || got[0].By != "cat" || got[1].Member != "cat" {
		t.Fatalf("overrides 51..52: %+v", got)
	}
	if got, _ := st.Overrides(ctx, "triage", -3, -1); len(got) != 1 || got[0].Period != -2 {
		t.Fatalf("negative weeks: %+v", got)
	}
	d, err := st.OnDuty(ctx, team, time.Date(2026, 12, 31, 10, 0, 0, 0, time.UTC))
	if err != nil || d.Member != "ben" || d.Override == nil || d.Override.By != "cat" {
		t.Fatalf("OnDuty = %+v, %v", d, err)
	}
	audit, err := st.AuditLog(ctx, "triage", made.Add(-time.Hour))
	if err != nil || len(audit) != 1 || audit[0].By != "cat" || audit[0].What != "test change" {
		t.Fatalf("audit %+v %v", audit, err)
	}
}
