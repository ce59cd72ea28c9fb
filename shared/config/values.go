package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Span is a length of time written in the config. It is either a clock Duration ("15m", "2h",
// "1h30m": Go syntax) or a number of BusinessDays ("3d"). After Parse exactly one of the two is
// non-zero and it is positive. Business days are modelled apart from durations because "1d" on a
// Friday afternoon means Monday afternoon, not Saturday, and which days are business days
// depends on the person's country (public holidays), which only the caller knows.
type Span struct {
	Duration     time.Duration
	BusinessDays int
}

// ParseSpan parses "15m", "2h", "1h30m" (any positive Go duration) or "Nd" (N business days).
func ParseSpan(s string) (Span, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok && n != "" && isDigits(n) {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 {
			return Span{}, fmt.Errorf("duration %q must be a positive number of business days, e.g. 2d", s)
		}
		return Span{BusinessDays: days}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		if isDigits(s) {
			return Span{}, fmt.Errorf("duration %q needs a unit: e.g. %sm, %sh or %sd (business days)", s, s, s, s)
		}
		return Span{}, fmt.Errorf("duration %q must look like 15m, 2h, 1h30m or 3d (business days)", s)
	}
	if d <= 0 {
		return Span{}, fmt.Errorf("duration %q must be positive", s)
	}
	return Span{Duration: d}, nil
}

// IsZero reports whether the span is unset.
func (s Span) IsZero() bool { return s.Duration == 0 && s.BusinessDays == 0 }

// String renders the span the way it is written in the config ("2d", "1h30m0s").
func (s Span) String() string {
	if s.BusinessDays != 0 {
		return strconv.Itoa(s.BusinessDays) + "d"
	}
	return s.Duration.String()
}

// After returns the instant s after t. A Duration is simply added. Business days step forward
// one calendar day at a time in t's location, counting the days isBusinessDay accepts, and keep
// t's wall-clock time (so a request at Friday 16:00 with "1d" is due Monday 16:00). A nil
// isBusinessDay means Monday to Friday; callers pass one that also skips the person's public
// holidays and away days.
func (s Span) After(t time.Time, isBusinessDay func(Date) bool) time.Time {
	if s.BusinessDays == 0 {
		return t.Add(s.Duration)
	}
	if isBusinessDay == nil {
		isBusinessDay = func(d Date) bool { return BusinessWeek.Has(d.Weekday()) }
	}
	d := DateOf(t)
	// The cap guards against a callback that never returns true (e.g. everyone away forever).
	for left, steps := s.BusinessDays, 0; left > 0 && steps < 3660; steps++ {
		d = d.AddDays(1)
		if isBusinessDay(d) {
			left--
		}
	}
	return time.Date(d.Year, d.Month, d.Day, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

// Clock is a wall-clock time of day, written "HH:MM" (24-hour) in the config. Which time zone it
// is in depends on the field: standup due/nag times are in each developer's own zone, everything
// else in the team's zone.
type Clock struct {
	Hour, Minute int
}

// ParseClock parses "HH:MM" (24-hour, two-digit hour). The error suggests the intended form for
// common slips such as "9:30" or "6pm".
func ParseClock(s string) (Clock, error) {
	if len(s) == 5 && s[2] == ':' && isDigits(s[:2]) && isDigits(s[3:]) {
		h, _ := strconv.Atoi(s[:2])
		m, _ := strconv.Atoi(s[3:])
		if h < 24 && m < 60 {
			return Clock{h, m}, nil
		}
	}
	if c, ok := guessClock(s); ok {
		return Clock{}, fmt.Errorf("time %q must be HH:MM (24-hour): write %q", s, c.String())
	}
	return Clock{}, fmt.Errorf("time %q must be HH:MM (24-hour), e.g. \"09:30\"", s)
}

// guessClock reads "9:30", "6am", "6:30pm" and the like, only to suggest the HH:MM spelling.
func guessClock(s string) (Clock, bool) {
	s = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	pm := strings.HasSuffix(s, "pm")
	am := strings.HasSuffix(s, "am")
	if am || pm {
		s = s[:len(s)-2]
	}
	hs, ms, hasMin := strings.Cut(s, ":")
	if !hasMin {
		ms = "0"
	}
	if hs == "" || !isDigits(hs) || !isDigits(ms) || len(hs) > 2 || len(ms) > 2 {
		return Clock{}, false
	}
	h, _ := strconv.Atoi(hs)
	m, _ := strconv.Atoi(ms)
	if (am || pm) && (h < 1 || h > 12) {
		return Clock{}, false
	}
	if !am && !pm && !hasMin {
		return Clock{}, false
	}
	if pm && h != 12 {
		h += 12
	}
	if am && h == 12 {
		h = 0
	}
	if h > 23 || m > 59 {
		return Clock{}, false
	}
	return Clock{h, m}, true
}

// String renders "HH:MM".
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }

// Minutes returns the minutes since midnight, handy for comparing clocks.
func (c Clock) Minutes() int { return c.Hour*60 + c.Minute }

// On returns the instant this clock shows on day d in loc. When the clock skips that time
// (daylight saving starts), it returns the instant it would have shown had it not jumped, e.g.
// 02:30 on a spring-forward day is 03:30 new time: a standup is never created early.
func (c Clock) On(d Date, loc *time.Location) time.Time {
	t := time.Date(d.Year, d.Month, d.Day, c.Hour, c.Minute, 0, 0, loc)
	if t.Hour() == c.Hour && t.Minute() == c.Minute {
		return t
	}
	// time.Date leaves the choice of offset in a gap unspecified; try both and take the later.
	naive := time.Date(d.Year, d.Month, d.Day, c.Hour, c.Minute, 0, 0, time.UTC)
	_, before := t.Add(-12 * time.Hour).Zone()
	_, after := t.Add(12 * time.Hour).Zone()
	a := naive.Add(-time.Duration(before) * time.Second).In(loc)
	b := naive.Add(-time.Duration(after) * time.Second).In(loc)
	if a.After(b) {
		return a
	}
	return b
}

// Date is a calendar day without a time zone, written "YYYY-MM-DD" in the config.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q must be YYYY-MM-DD, e.g. 2026-01-05", s)
	}
	return DateOf(t), nil
}

// DateOf returns the calendar day of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d == Date{} }

// String renders "YYYY-MM-DD".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// In returns midnight at the start of d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns the date n calendar days later (earlier when n is negative).
func (d Date) AddDays(n int) Date { return DateOf(d.In(time.UTC).AddDate(0, 0, n)) }

// Weekday returns the day of the week.
func (d Date) Weekday() time.Weekday { return d.In(time.UTC).Weekday() }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int { return d.In(time.UTC).Compare(o.In(time.UTC)) }

// daysSince returns the number of calendar days from o to d (negative when d is before o).
func (d Date) daysSince(o Date) int {
	return int(d.In(time.UTC).Sub(o.In(time.UTC)).Hours()) / 24
}

// DateRange is an inclusive range of calendar days.
type DateRange struct {
	From, To Date
	// Note is free text for humans ("parental leave").
	Note string
}

// Contains reports whether d is within the range, both ends included.
func (r DateRange) Contains(d Date) bool { return d.Compare(r.From) >= 0 && d.Compare(r.To) <= 0 }

// Weekdays is a set of days of the week; bit i stands for time.Weekday(i).
type Weekdays uint8

// BusinessWeek is Monday to Friday, what "weekdays" means in the config.
const BusinessWeek Weekdays = 1<<time.Monday | 1<<time.Tuesday | 1<<time.Wednesday | 1<<time.Thursday | 1<<time.Friday

// Has reports whether d is in the set.
func (w Weekdays) Has(d time.Weekday) bool { return w&(1<<d) != 0 }

// Days lists the set Monday first, as people read a week.
func (w Weekdays) Days() []time.Weekday {
	var out []time.Weekday
	for i := 1; i <= 7; i++ {
		if d := time.Weekday(i % 7); w.Has(d) {
			out = append(out, d)
		}
	}
	return out
}

// String renders "weekdays" or a comma-separated list of short names ("tue,thu,fri").
func (w Weekdays) String() string {
	if w == BusinessWeek {
		return "weekdays"
	}
	var names []string
	for _, d := range w.Days() {
		names = append(names, weekdayShort[d])
	}
	return strings.Join(names, ",")
}

var weekdayShort = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseWeekday reads a day name: "mon".."sun" or the full English name, in any case.
func ParseWeekday(s string) (time.Weekday, error) {
	l := strings.ToLower(strings.TrimSpace(s))
	for i, short := range weekdayShort {
		if l == short || l == strings.ToLower(time.Weekday(i).String()) {
			return time.Weekday(i), nil
		}
	}
	return 0, fmt.Errorf("day %q must be a weekday name: mon, tue, wed, thu, fri, sat or sun", s)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
