package labels

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// pendingTimers creates n timers of rule needs-info on issues from first, due at due(i).
func pendingTimers(t *testing.T, r *rig, first, n int, due func(i int) time.Time) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := r.p.Timers.Create(context.Background(), Timer{
			Team: "triage", Rule: "needs-info", Repo: "Codertocat/Hello-World", Number: first + i,
			Activation: "a1", Activated: monday, Due: due(i),
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSweepReadsTrackTimersDue: however many timers are pending, a sweep queries one day of the
// due index and reads only the timers due.
func TestSweepReadsTrackTimersDue(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	tests := []struct{ pending, due int }{{0, 3}, {300, 3}, {300, 0}}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d pending, %d due", tc.pending, tc.due), func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			// Later today, and on each of the next 30 days: pending, not due.
			pendingTimers(t, r, 1000, tc.pending, func(i int) time.Time { return now.Add(time.Duration(i%31)*24*time.Hour + time.Minute) })
			pendingTimers(t, r, 1, tc.due, func(i int) time.Time { return now.Add(-time.Duration(i) * time.Minute) })
			st := r.sweep(now)
			if st.Read != tc.due || st.Queries != 1 || st.Days != 1 {
				t.Fatalf("sweep: %+v", st)
			}
			// The issues are not mirrored, so the due timers end without acting; a second sweep
			// reads nothing.
			if st.Cancelled != tc.due {
				t.Fatalf("sweep: %+v", st)
			}
			if again := r.sweep(now); again.Read != 0 {
				t.Fatalf("second sweep: %+v", again)
			}
		})
	}
}

// TestTimerBeforeTheCursorIsFound: a timer created late (its due day is before the sweep
// cursor's) lowers the cursor, so the next sweep still fires it.
func TestTimerBeforeTheCursorIsFound(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	now := time.Date(2026, 12, 10, 15, 0, 0, 0, time.UTC)
	pendingTimers(t, r, 1, 1, func(int) time.Time { return now.Add(time.Hour) })
	r.sweep(now) // nothing due: the cursor stays at the first timer's day
	if c, _ := r.p.Timers.Cursor(context.Background()); c != "2026-12-10" {
		t.Fatalf("cursor = %q", c)
	}
	pendingTimers(t, r, 2, 1, func(int) time.Time { return now.AddDate(0, 0, -5) })
	if c, _ := r.p.Timers.Cursor(context.Background()); c != "2026-12-05" {
		t.Fatalf("cursor after a late timer = %q", c)
	}
	st := r.sweep(now)
	if st.Read != 1 || st.Days != 6 || st.NewCursor != "2026-12-09" {
		t.Fatalf("sweep: %+v", st)
	}
}
