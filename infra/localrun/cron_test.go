package localrun

import (
	"strings"
	"testing"
	"time"
)

func TestScheduleNext(t *testing.T) {
	t.Parallel()
	utc := func(s string) time.Time {
		tm, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	anchor := utc("2024-05-06 07:00")
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, expr string
		loc        *time.Location
		after      string
		want       []string // successive fire times
	}{
		{"rate minutes from the anchor", "rate(5 minutes)", nil, "2024-05-06 07:07", []string{"2024-05-06 07:10", "2024-05-06 07:15"}},
		{"rate before the anchor", "rate(1 hour)", nil, "2024-05-01 00:00", []string{"2024-05-06 08:00", "2024-05-06 09:00"}},
		{"rate one day", "rate(1 day)", nil, "2024-05-06 07:00", []string{"2024-05-07 07:00"}},
		{"every 5 minutes", "cron(0/5 * * * ? *)", nil, "2024-05-06 07:07", []string{"2024-05-06 07:10", "2024-05-06 07:15"}},
		{"weekdays at 07:30", "cron(30 7 ? * MON-FRI *)", nil, "2024-05-10 08:00", []string{"2024-05-13 07:30", "2024-05-14 07:30"}},
		{"numeric day of week 2-6 is MON-FRI", "cron(30 7 ? * 2-6 *)", nil, "2024-05-10 08:00", []string{"2024-05-13 07:30"}},
		{"day of week list", "cron(0 9 ? * SUN,WED *)", nil, "2024-05-06 00:00", []string{"2024-05-08 09:00", "2024-05-12 09:00"}},
		{"first of the month", "cron(0 0 1 * ? *)", nil, "2024-01-31 12:00", []string{"2024-02-01 00:00", "2024-03-01 00:00"}},
		{"31st skips short months", "cron(0 12 31 * ? *)", nil, "2024-04-01 00:00", []string{"2024-05-31 12:00", "2024-07-31 12:00"}},
		{"leap day", "cron(0 0 29 FEB ? *)", nil, "2024-03-01 00:00", []string{"2028-02-29 00:00"}},
		{"month range with step", "cron(15 10 1 JAN-DEC/3 ? *)", nil, "2024-02-01 00:00", []string{"2024-04-01 10:15", "2024-07-01 10:15"}},
		{"hour list and range", "cron(0 8-9,17 * * ? *)", nil, "2024-05-06 09:30", []string{"2024-05-06 17:00", "2024-05-07 08:00", "2024-05-07 09:00"}},
		{"year bound", "cron(0 0 1 1 ? 2025-2026)", nil, "2024-06-01 00:00", []string{"2025-01-01 00:00", "2026-01-01 00:00", "0001-01-01 00:00"}},
		{"strictly after", "cron(30 7 * * ? *)", nil, "2024-05-06 07:30", []string{"2024-05-07 07:30"}},
		{"time zone", "cron(0 9 * * ? *)", paris, "2024-05-06 00:00", []string{"2024-05-06 07:00", "2024-05-07 07:00"}},
		{"at once", "at(2024-05-07T10:00:00)", nil, "2024-05-06 00:00", []string{"2024-05-07 10:00", "0001-01-01 00:00"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			expr, err := ParseSchedule(c.expr, c.loc, anchor)
			if err != nil {
				t.Fatal(err)
			}
			at := utc(c.after)
			for _, w := range c.want {
				at = expr.Next(at)
				if want := utc(w); !at.Equal(want) && !(want.Year() == 1 && at.IsZero()) {
					t.Fatalf("%s: next = %s, want %s", c.expr, at.UTC().Format("2006-01-02 15:04 Mon"), w)
				}
				if at.IsZero() {
					break
				}
			}
		})
	}
}

func TestParseScheduleErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ expr, wantErr string }{
		{"every day", "want rate(...), cron(...) or at(...)"},
		{"rate(1 minutes)", "singular"},
		{"rate(5 minute)", "singular"},
		{"rate(0 minutes)", "positive integer"},
		{"rate(5 weeks)", "unit must be"},
		{"rate(5)", "want rate(<value> <unit>)"},
		{"cron(0 12 * * *)", "want 6 fields"},
		{"cron(0 12 * * * *)", "must be ?"},
		{"cron(0 12 ? * ? *)", "only one of"},
		{"cron(0 12 L * ? *)", "not supported"},
		{"cron(0 12 15W * ? *)", "not supported"},
		{"cron(0 12 ? * 2#1 *)", "not supported"},
		{"cron(60 12 * * ? *)", "outside 0-59"},
		{"cron(0 25 * * ? *)", "outside 0-23"},
		{"cron(0 12 * FOO ? *)", "not a number or name"},
		{"cron(0 12 * * ? 1969)", "outside 1970-2199"},
		{"cron(0 12 20-10 * ? *)", "backwards"},
		{"cron(0/0 12 * * ? *)", "step must be"},
		{"cron(? 12 * * ? *)", "only allowed in day-of-month or day-of-week"},
		{"at(tomorrow)", "at() wants"},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			t.Parallel()
			_, err := ParseSchedule(c.expr, nil, time.Time{})
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("err = %v, want it to mention %q", err, c.wantErr)
			}
		})
	}
}
