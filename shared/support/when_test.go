package support

import (
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

func TestParseDay(t *testing.T) {
	t.Parallel()
	today := config.Date{Year: 2026, Month: time.December, Day: 30} // a Wednesday
	cases := []struct {
		in, want, err string
	}{
		{"2027-01-04", "2027-01-04", ""},
		{"today", "2026-12-30", ""},
		{"Tomorrow", "2026-12-31", ""},
		{"wed", "2026-12-30", ""},
		{"fri", "2027-01-01", ""},
		{"Monday", "2027-01-04", ""},
		{"tue", "2027-01-05", ""},
		{"2026-13-01", "", `"2026-13-01" is not a date`},
		{"tomorow", "", `"tomorow" is not a date`},
		{"", "", "missing date"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDay(tc.in, today)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got.String() != tc.want {
				t.Fatalf("ParseDay(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestParseETA(t *testing.T) {
	t.Parallel()
	ldn := london(t)
	ny, _ := time.LoadLocation("America/New_York")
	// Friday 27 March 2026, 16:00 in London; the clocks go forward on Sunday 29 March.
	now := time.Date(2026, 3, 27, 16, 0, 0, 0, ldn)
	cases := []struct {
		name, in string
		loc      *time.Location
		want     time.Time
		err      string
	}{
		{"in hours", "in 2h", ldn, now.Add(2 * time.Hour), ""},
		{"in minutes spelled out", "in 45 minutes", ldn, now.Add(45 * time.Minute), ""},
		{"in Go duration", "in 1h30m", ldn, now.Add(90 * time.Minute), ""},
		{"in days keeps the wall clock across DST", "in 3 days", ldn, time.Date(2026, 3, 30, 16, 0, 0, 0, ldn), ""},
		{"clock today", "17:30", ldn, time.Date(2026, 3, 27, 17, 30, 0, 0, ldn), ""},
		{"tomorrow with time", "tomorrow 15:00", ldn, time.Date(2026, 3, 28, 15, 0, 0, 0, ldn), ""},
		{"weekday after DST change", "mon 09:00", ldn, time.Date(2026, 3, 30, 9, 0, 0, 0, ldn), ""},
		{"bare day means end of day", "2026-03-31", ldn, time.Date(2026, 3, 31, 17, 0, 0, 0, ldn), ""},
		{"bare weekday", "tue", ldn, time.Date(2026, 3, 31, 17, 0, 0, 0, ldn), ""},
		{"in the acknowledger's zone", "tomorrow 09:00", ny, time.Date(2026, 3, 28, 9, 0, 0, 0, ny), ""},
		{"capitals and spaces", "  Tomorrow   15:00 ", ldn, time.Date(2026, 3, 28, 15, 0, 0, 0, ldn), ""},
		{"past clock", "09:00", ldn, time.Time{}, "in the past"},
		{"today at end of day is fine", "today", ldn, time.Date(2026, 3, 27, 17, 0, 0, 0, ldn), ""},
		{"past date", "2026-03-01", ldn, time.Time{}, "in the past"},
		{"too far", "in 200 days", ldn, time.Time{}, "more than 180 days"},
		{"bad time", "tomorrow 25:00", ldn, time.Time{}, `"25:00" is not a time of day`},
		{"gibberish", "soonish", ldn, time.Time{}, `"soonish" is not a date`},
		{"bad in", "in a while", ldn, time.Time{}, `not an ETA I understand`},
		{"empty", "", ldn, time.Time{}, "give an ETA"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseETA(tc.in, now, tc.loc)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !got.Equal(tc.want) {
				t.Fatalf("ParseETA(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestResolveETA(t *testing.T) {
	t.Parallel()
	ldn := london(t)
	now := time.Date(2026, 3, 27, 16, 0, 0, 0, ldn)
	cases := []struct {
		name  string
		in    ETAInput
		want  time.Time
		block string
	}{
		{"text", ETAInput{Text: "in 2h"}, now.Add(2 * time.Hour), ""},
		{"date only", ETAInput{Date: "2026-03-30"}, time.Date(2026, 3, 30, 17, 0, 0, 0, ldn), ""},
		{"date and time", ETAInput{Date: "2026-03-30", Time: "10:15"}, time.Date(2026, 3, 30, 10, 15, 0, 0, ldn), ""},
		{"both text and date", ETAInput{Text: "in 2h", Date: "2026-03-30"}, time.Time{}, "eta"},
		{"time without date", ETAInput{Time: "10:00"}, time.Time{}, "eta_date"},
		{"nothing", ETAInput{}, time.Time{}, "eta"},
		{"past date", ETAInput{Date: "2026-03-20"}, time.Time{}, "eta_date"},
		{"bad text", ETAInput{Text: "whenever"}, time.Time{}, "eta"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, block, err := ResolveETA(tc.in, now, ldn)
			if tc.block != "" {
				if err == nil || block != tc.block {
					t.Fatalf("ResolveETA = %v, %q, %v; want an error on %q", got, block, err, tc.block)
				}
				return
			}
			if err != nil || !got.Equal(tc.want) {
				t.Fatalf("ResolveETA = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestResolvePerson(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cases := []struct {
		arg, want, err string
	}{
		{"<@U0ANN00001|ann.lee>", "ann", ""},
		{"<@U0BEN00002>", "ben", ""},
		{"@cat", "cat", ""},
		{"catruiz", "cat", ""},
		{"<@U0NOBODY99|ghost>", "", "<@U0NOBODY99> is not in the Rituals config"},
		{"@ghost", "", `"@ghost" is not a person I know`},
	}
	for _, tc := range cases {
		t.Run(tc.arg, func(t *testing.T) {
			t.Parallel()
			p, err := slackapp.PersonArg(cfg, tc.arg)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || p.ID != tc.want {
				t.Fatalf("slackapp.PersonArg(%q) = %v, %v", tc.arg, p, err)
			}
		})
	}
}
