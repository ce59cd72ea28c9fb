package support

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/rotation"
)

// ParseDay reads a day as people type it in a command (see rotation.ParseDay).
func ParseDay(s string, today config.Date) (config.Date, error) { return rotation.ParseDay(s, today) }

var (
	inRE    = regexp.MustCompile(`^in\s+(\d+)\s*(m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks)$`)
	clockRE = regexp.MustCompile(`^([01]?\d|2[0-3])[:.h]([0-5]\d)$`)
)

// EndOfDay is the time of day an ETA given as a bare day means.
var EndOfDay = config.Clock{Hour: 17, Minute: 0}

// maxETA bounds how far ahead an ETA may be: further is surely a typo.
const maxETA = 180 * 24 * time.Hour

// ParseETA reads an ETA typed in the modal, in loc (the acknowledger's time zone): "in 2h",
// "in 30 minutes", "in 3 days", "in 1h30m", "15:00" (today), "tomorrow 15:00", "fri 10:00",
// "2026-03-31 14:00", or a bare day ("tomorrow", "fri", "2026-03-31", meaning 17:00 that day).
// The ETA must be after now and within 180 days; the error says what to type instead.
func ParseETA(text string, now time.Time, loc *time.Location) (time.Time, error) {
	s := strings.ToLower(strings.Join(strings.Fields(text), " "))
	local := now.In(loc)
	var eta time.Time
	switch {
	case s == "":
		return time.Time{}, fmt.Errorf("give an ETA, e.g. \"in 2h\", \"tomorrow 15:00\" or \"2026-03-31\"")
	case strings.HasPrefix(s, "in "):
		d, err := parseIn(s)
		if err != nil {
			return time.Time{}, err
		}
		eta = d(local)
	default:
		dayPart, clockPart := s, ""
		// A bare day means EndOfDay on it; otherwise the last word is the time of day.
		if _, err := ParseDay(s, config.DateOf(local)); err != nil {
			if i := strings.LastIndexByte(s, ' '); i >= 0 {
				dayPart, clockPart = s[:i], s[i+1:]
			} else if clockRE.MatchString(s) {
				dayPart, clockPart = "today", s
			}
		}
		clock := EndOfDay
		if clockPart != "" {
			m := clockRE.FindStringSubmatch(clockPart)
			if m == nil {
				return time.Time{}, fmt.Errorf("%q is not a time of day (write HH:MM, e.g. 15:00)", clockPart)
			}
			h, _ := strconv.Atoi(m[1])
			mi, _ := strconv.Atoi(m[2])
			clock = config.Clock{Hour: h, Minute: mi}
		}
		day, err := ParseDay(dayPart, config.DateOf(local))
		if err != nil {
			return time.Time{}, fmt.Errorf("%w; or \"in 2h\"", err)
		}
		eta = clock.On(day, loc)
	}
	if !eta.After(now) {
		return time.Time{}, fmt.Errorf("%s is in the past; give a time after now", eta.In(loc).Format("Mon 2 Jan 15:04 MST"))
	}
	if eta.Sub(now) > maxETA {
		return time.Time{}, fmt.Errorf("%s is more than 180 days ahead; check the date", eta.In(loc).Format("2 Jan 2006"))
	}
	return eta, nil
}

func parseIn(s string) (func(time.Time) time.Time, error) {
	if m := inRE.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		switch m[2][0] {
		case 'm':
			return func(t time.Time) time.Time { return t.Add(time.Duration(n) * time.Minute) }, nil
		case 'h':
			return func(t time.Time) time.Time { return t.Add(time.Duration(n) * time.Hour) }, nil
		case 'd':
			return func(t time.Time) time.Time { return t.AddDate(0, 0, n) }, nil
		default:
			return func(t time.Time) time.Time { return t.AddDate(0, 0, 7*n) }, nil
		}
	}
	if d, err := time.ParseDuration(strings.TrimPrefix(s, "in ")); err == nil && d > 0 {
		return func(t time.Time) time.Time { return t.Add(d) }, nil
	}
	return nil, fmt.Errorf("%q is not an ETA I understand (write e.g. \"in 2h\", \"in 3 days\", \"tomorrow 15:00\" or \"2026-03-31 14:00\")", s)
}
