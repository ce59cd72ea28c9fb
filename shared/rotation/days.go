package rotation

import (
	"fmt"
	"strings"

	"github.com/rituals-dev/rituals/shared/config"
)

// ParseDay reads a day as people type it in a command: "YYYY-MM-DD", "today", "tomorrow", or a
// weekday name ("fri", "Friday": the next such day, today included), relative to today.
func ParseDay(s string, today config.Date) (config.Date, error) {
	switch w := strings.ToLower(strings.TrimSpace(s)); w {
	case "today":
		return today, nil
	case "tomorrow":
		return today.AddDays(1), nil
	case "":
		return config.Date{}, fmt.Errorf("missing date")
	}
	if d, err := config.ParseDate(s); err == nil {
		return d, nil
	}
	if wd, err := config.ParseWeekday(s); err == nil {
		return today.AddDays((int(wd) - int(today.Weekday()) + 7) % 7), nil
	}
	return config.Date{}, fmt.Errorf("%q is not a date (write YYYY-MM-DD, today, tomorrow or a weekday such as fri)", s)
}
