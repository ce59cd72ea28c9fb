package localrun

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ScheduleExpr is a parsed EventBridge schedule expression.
type ScheduleExpr interface {
	// Next returns the first fire time strictly after t, or the zero time when there is none
	// (an at() in the past, a cron whose years are over).
	Next(t time.Time) time.Time
	String() string
}

// ParseSchedule parses an EventBridge schedule expression:
//
//	rate(N minute|minutes|hour|hours|day|days)   fires every N units from anchor
//	cron(minutes hours day-of-month month day-of-week year)
//	at(yyyy-mm-ddThh:mm:ss)                      once (EventBridge Scheduler only)
//
// cron fields accept *, ?, numbers, lists (a,b), ranges (a-b), steps (*/n, a/n, a-b/n) and the
// names JAN-DEC and SUN-SAT (day-of-week 1-7 is SUN-SAT, as in EventBridge). Exactly one of
// day-of-month and day-of-week must be ?. L, W and # are rejected with an error. cron and at
// are evaluated in loc (nil means UTC); rate fires at anchor + k*N.
func ParseSchedule(expr string, loc *time.Location, anchor time.Time) (ScheduleExpr, error) {
	if loc == nil {
		loc = time.UTC
	}
	expr = strings.TrimSpace(expr)
	inner := func(prefix string) (string, bool) {
		if strings.HasPrefix(expr, prefix+"(") && strings.HasSuffix(expr, ")") {
			return strings.TrimSpace(expr[len(prefix)+1 : len(expr)-1]), true
		}
		return "", false
	}
	if s, ok := inner("rate"); ok {
		return parseRate(s, anchor)
	}
	if s, ok := inner("cron"); ok {
		return parseCron(s, loc)
	}
	if s, ok := inner("at"); ok {
		t, err := time.ParseInLocation("2006-01-02T15:04:05", s, loc)
		if err != nil {
			return nil, fmt.Errorf("schedule %q: at() wants yyyy-mm-ddThh:mm:ss: %w", expr, err)
		}
		return atExpr{t}, nil
	}
	return nil, fmt.Errorf("schedule %q: want rate(...), cron(...) or at(...)", expr)
}

type rateExpr struct {
	every  time.Duration
	anchor time.Time
	text   string
}

func parseRate(s string, anchor time.Time) (ScheduleExpr, error) {
	fields := strings.Fields(s)
	if len(fields) != 2 {
		return nil, fmt.Errorf("schedule rate(%s): want rate(<value> <unit>)", s)
	}
	n, err := strconv.Atoi(fields[0])
	if err != nil || n <= 0 {
		return nil, fmt.Errorf("schedule rate(%s): value must be a positive integer", s)
	}
	units := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}
	unit := fields[1]
	singular := strings.TrimSuffix(unit, "s")
	d, ok := units[singular]
	if !ok {
		return nil, fmt.Errorf("schedule rate(%s): unit must be minute(s), hour(s) or day(s)", s)
	}
	// EventBridge insists on "1 minute" but "5 minutes".
	if (n == 1) != (unit == singular) {
		return nil, fmt.Errorf("schedule rate(%s): use the singular unit for 1 and the plural otherwise", s)
	}
	return rateExpr{every: time.Duration(n) * d, anchor: anchor, text: "rate(" + s + ")"}, nil
}

func (r rateExpr) Next(t time.Time) time.Time {
	if t.Before(r.anchor) {
		return r.anchor.Add(r.every)
	}
	k := t.Sub(r.anchor)/r.every + 1
	return r.anchor.Add(k * r.every)
}

func (r rateExpr) String() string { return r.text }

type atExpr struct{ t time.Time }

func (a atExpr) Next(t time.Time) time.Time {
	if a.t.After(t) {
		return a.t
	}
	return time.Time{}
}

func (a atExpr) String() string { return "at(" + a.t.Format("2006-01-02T15:04:05") + ")" }

// cronExpr holds the allowed values of each field as sets.
type cronExpr struct {
	minute, hour, dom, month, dow, year map[int]bool
	domAny, dowAny                      bool // the field is ? (or * for day-of-month)
	loc                                 *time.Location
	text                                string
}

const maxCronYear = 2199

var (
	monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
	dayNames   = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
)

func parseCron(s string, loc *time.Location) (ScheduleExpr, error) {
	f := strings.Fields(s)
	if len(f) != 6 {
		return nil, fmt.Errorf("schedule cron(%s): want 6 fields (minutes hours day-of-month month day-of-week year), got %d", s, len(f))
	}
	c := cronExpr{loc: loc, text: "cron(" + s + ")"}
	specs := []struct {
		name     string
		text     string
		min, max int
		names    map[string]int
		dst      *map[int]bool
		question bool
	}{
		{"minutes", f[0], 0, 59, nil, &c.minute, false},
		{"hours", f[1], 0, 23, nil, &c.hour, false},
		{"day-of-month", f[2], 1, 31, nil, &c.dom, true},
		{"month", f[3], 1, 12, monthNames, &c.month, false},
		{"day-of-week", f[4], 1, 7, dayNames, &c.dow, true},
		{"year", f[5], 1970, maxCronYear, nil, &c.year, false},
	}
	for _, sp := range specs {
		if sp.text == "?" {
			if !sp.question {
				return nil, fmt.Errorf("schedule cron(%s): ? is only allowed in day-of-month or day-of-week", s)
			}
			*sp.dst = nil
			continue
		}
		set, err := parseCronField(sp.text, sp.min, sp.max, sp.names)
		if err != nil {
			return nil, fmt.Errorf("schedule cron(%s): %s: %w", s, sp.name, err)
		}
		*sp.dst = set
	}
	switch {
	case f[2] == "?" && f[4] == "?":
		return nil, fmt.Errorf("schedule cron(%s): only one of day-of-month and day-of-week may be ?", s)
	case f[2] != "?" && f[4] != "?":
		return nil, fmt.Errorf("schedule cron(%s): one of day-of-month and day-of-week must be ?", s)
	}
	c.domAny, c.dowAny = f[2] == "?", f[4] == "?"
	return c, nil
}

func parseCronField(text string, min, max int, names map[string]int) (map[int]bool, error) {
	set := map[int]bool{}
	for _, part := range strings.Split(text, ",") {
		rng, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n <= 0 {
				return nil, fmt.Errorf("%q: step must be a positive integer", part)
			}
			step = n
		}
		lo, hi := min, max
		switch {
		case rng == "*":
		case strings.Contains(rng, "-"):
			a, b, _ := strings.Cut(rng, "-")
			var err error
			if lo, err = cronValue(a, min, max, names); err != nil {
				return nil, err
			}
			if hi, err = cronValue(b, min, max, names); err != nil {
				return nil, err
			}
			if lo > hi {
				return nil, fmt.Errorf("%q: range runs backwards", part)
			}
		default:
			v, err := cronValue(rng, min, max, names)
			if err != nil {
				return nil, err
			}
			lo = v
			if !hasStep {
				hi = v
			}
		}
		for v := lo; v <= hi; v += step {
			set[v] = true
		}
	}
	return set, nil
}

func cronValue(s string, min, max int, names map[string]int) (int, error) {
	if v, ok := names[strings.ToUpper(s)]; ok {
		return v, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		if strings.ContainsAny(strings.ToUpper(s), "LW#") {
			return 0, fmt.Errorf("%q: L, W and # are not supported locally", s)
		}
		return 0, fmt.Errorf("%q is not a number or name", s)
	}
	if v < min || v > max {
		return 0, fmt.Errorf("%d is outside %d-%d", v, min, max)
	}
	return v, nil
}

// Next walks forward field by field (year, month, day, hour, minute), jumping whole units
// that cannot match, so it is fast even for sparse expressions.
func (c cronExpr) Next(t time.Time) time.Time {
	t = t.In(c.loc).Truncate(time.Minute).Add(time.Minute)
	for t.Year() <= maxCronYear {
		if !c.year[t.Year()] {
			t = time.Date(t.Year()+1, 1, 1, 0, 0, 0, 0, c.loc)
			continue
		}
		if !c.month[int(t.Month())] {
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, c.loc)
			continue
		}
		if !c.dayMatches(t) {
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, c.loc)
			continue
		}
		if !c.hour[t.Hour()] {
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour()+1, 0, 0, 0, c.loc)
			continue
		}
		if !c.minute[t.Minute()] {
			t = t.Add(time.Minute)
			continue
		}
		return t
	}
	return time.Time{}
}

func (c cronExpr) dayMatches(t time.Time) bool {
	if c.domAny {
		return c.dow[int(t.Weekday())+1]
	}
	return c.dom[t.Day()]
}

func (c cronExpr) String() string { return c.text }
