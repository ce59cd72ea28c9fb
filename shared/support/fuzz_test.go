package support

import (
	"testing"
	"time"
)

// FuzzParseETA: whatever is typed as an ETA in the acknowledge modal is either refused with a
// message, or is a time after now and within 180 days — in any zone, across DST changes.
func FuzzParseETA(f *testing.F) {
	for _, s := range []string{"in 2h", "in 30 minutes", "in 1h30m", "15:00", "tomorrow 15:00", "fri 10:00", "2026-03-31 14:00", "tomorrow", "2026-03-29 02:30", "in 99999 days", "", "25:00", "in -1h"} {
		f.Add(s, int64(0))
	}
	zones := []string{"Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham"}
	base := time.Date(2026, 3, 28, 23, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text string, offset int64) {
		now := base.Add(time.Duration(offset%(400*24)) * time.Hour)
		loc, _ := time.LoadLocation(zones[int(uint64(offset)%uint64(len(zones)))])
		eta, err := ParseETA(text, now, loc)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("%q: an empty refusal", text)
			}
			return
		}
		if !eta.After(now) || eta.Sub(now) > maxETA {
			t.Fatalf("%q at %v in %v: ETA %v is not after now and within 180 days", text, now, loc, eta)
		}
	})
}
