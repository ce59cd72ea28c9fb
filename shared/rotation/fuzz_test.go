package rotation

import (
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
)

// FuzzParseDay: whatever is typed after /support override or /clinic override, ParseDay either
// refuses it with a message that says what to write, or returns a valid day; a weekday name is
// the next such day within a week, today included.
func FuzzParseDay(f *testing.F) {
	for _, s := range []string{"today", "tomorrow", "fri", "Friday", "2026-02-29", "2028-02-29", "", " ", "2026-13-01", "mon tue", "\x00"} {
		f.Add(s)
	}
	today := config.Date{Year: 2026, Month: 11, Day: 30}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDay(s, today)
		if err != nil {
			if !strings.Contains(err.Error(), "date") {
				t.Fatalf("%q: the refusal does not say what to write: %v", s, err)
			}
			return
		}
		if _, perr := config.ParseDate(d.String()); perr != nil {
			t.Fatalf("%q gave %v, not a valid date", s, d)
		}
		if _, werr := config.ParseWeekday(s); werr == nil {
			if n := int(d.In(time.UTC).Sub(today.In(time.UTC)).Hours() / 24); n < 0 || n > 6 {
				t.Fatalf("weekday %q gave %v, %d days from today", s, d, n)
			}
		}
	})
}
