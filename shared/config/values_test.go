package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseSpan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     Span
		wantErr  string
	}{
		{name: "minutes", in: "15m", want: Span{Duration: 15 * time.Minute}},
		{name: "hours", in: "2h", want: Span{Duration: 2 * time.Hour}},
		{name: "compound", in: "1h30m", want: Span{Duration: 90 * time.Minute}},
		{name: "business days", in: "3d", want: Span{BusinessDays: 3}},
		{name: "no unit", in: "30", wantErr: `duration "30" needs a unit: e.g. 30m, 30h or 30d (business days)`},
		{name: "zero", in: "0m", wantErr: "must be positive"},
		{name: "zero days", in: "0d", wantErr: "positive number of business days"},
		{name: "negative", in: "-5m", wantErr: "must be positive"},
		{name: "words", in: "soon", wantErr: `duration "soon" must look like 15m, 2h, 1h30m or 3d`},
		{name: "days and hours", in: "1d2h", wantErr: "must look like"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSpan(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseSpan(%q) error = %v, want it to contain %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseSpan(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestSpanAfter(t *testing.T) {
	t.Parallel()
	nz, _ := time.LoadLocation("Pacific/Auckland")
	fri := time.Date(2026, 3, 6, 16, 0, 0, 0, nz) // a Friday
	christmas := Date{2026, 12, 25}
	tests := []struct {
		name     string
		span     Span
		from     time.Time
		business func(Date) bool
		want     time.Time
	}{
		{name: "duration is added", span: Span{Duration: 90 * time.Minute}, from: fri, want: fri.Add(90 * time.Minute)},
		{name: "one business day from friday is monday", span: Span{BusinessDays: 1}, from: fri, want: time.Date(2026, 3, 9, 16, 0, 0, 0, nz)},
		{name: "three business days", span: Span{BusinessDays: 3}, from: fri, want: time.Date(2026, 3, 11, 16, 0, 0, 0, nz)},
		{name: "from saturday", span: Span{BusinessDays: 1}, from: fri.AddDate(0, 0, 1), want: time.Date(2026, 3, 9, 16, 0, 0, 0, nz)},
		{
			name: "holiday skipped", span: Span{BusinessDays: 1}, from: time.Date(2026, 12, 24, 9, 0, 0, 0, time.UTC),
			business: func(d Date) bool { return d != christmas && BusinessWeek.Has(d.Weekday()) },
			want:     time.Date(2026, 12, 28, 9, 0, 0, 0, time.UTC),
		},
		{
			name: "never a business day gives up", span: Span{BusinessDays: 1}, from: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			business: func(Date) bool { return false },
			want:     time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 3660),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.span.After(tt.from, tt.business); !got.Equal(tt.want) {
				t.Fatalf("%v.After(%v) = %v, want %v", tt.span, tt.from, got, tt.want)
			}
		})
	}
}

func TestParseClock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     Clock
		wantErr  string
	}{
		{name: "morning", in: "06:00", want: Clock{6, 0}},
		{name: "late", in: "23:59", want: Clock{23, 59}},
		{name: "one-digit hour", in: "9:30", wantErr: `time "9:30" must be HH:MM (24-hour): write "09:30"`},
		{name: "am", in: "6am", wantErr: `write "06:00"`},
		{name: "pm with minutes", in: "6:30pm", wantErr: `write "18:30"`},
		{name: "noon", in: "12pm", wantErr: `write "12:00"`},
		{name: "midnight", in: "12am", wantErr: `write "00:00"`},
		{name: "out of range", in: "25:00", wantErr: `time "25:00" must be HH:MM (24-hour), e.g. "09:30"`},
		{name: "words", in: "noon", wantErr: `e.g. "09:30"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseClock(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseClock(%q) error = %v, want it to contain %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want || got.String() != tt.in {
				t.Fatalf("ParseClock(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestClockOnAcrossDST(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	tests := []struct {
		name  string
		clock Clock
		day   Date
		want  string
	}{
		{name: "winter", clock: Clock{6, 0}, day: Date{2026, 1, 6}, want: "2026-01-06T06:00:00-05:00"},
		{name: "summer", clock: Clock{6, 0}, day: Date{2026, 7, 7}, want: "2026-07-07T06:00:00-04:00"},
		{name: "skipped hour moves forward", clock: Clock{2, 30}, day: Date{2026, 3, 8}, want: "2026-03-08T03:30:00-04:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.clock.On(tt.day, ny).Format(time.RFC3339); got != tt.want {
				t.Fatalf("%v.On(%v) = %s, want %s", tt.clock, tt.day, got, tt.want)
			}
		})
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	d, err := ParseDate("2026-01-05")
	if err != nil || d != (Date{2026, time.January, 5}) || d.String() != "2026-01-05" {
		t.Fatalf("ParseDate = %v, %v", d, err)
	}
	if d.Weekday() != time.Monday {
		t.Errorf("weekday = %v, want Monday", d.Weekday())
	}
	if got := d.AddDays(-5); got != (Date{2025, 12, 31}) {
		t.Errorf("AddDays(-5) = %v", got)
	}
	if got := (Date{2026, 3, 1}).daysSince(Date{2026, 2, 1}); got != 28 {
		t.Errorf("daysSince = %d, want 28", got)
	}
	if _, err := ParseDate("05/01/2026"); err == nil || !strings.Contains(err.Error(), "must be YYYY-MM-DD") {
		t.Errorf("ParseDate(05/01/2026) error = %v", err)
	}
	r := DateRange{From: Date{2026, 12, 24}, To: Date{2027, 1, 1}}
	for _, c := range []struct {
		d    Date
		want bool
	}{{Date{2026, 12, 23}, false}, {Date{2026, 12, 24}, true}, {Date{2027, 1, 1}, true}, {Date{2027, 1, 2}, false}} {
		if got := r.Contains(c.d); got != c.want {
			t.Errorf("Contains(%v) = %v, want %v", c.d, got, c.want)
		}
	}
}

func TestWeekdays(t *testing.T) {
	t.Parallel()
	if got := BusinessWeek.String(); got != "weekdays" {
		t.Errorf("BusinessWeek = %q", got)
	}
	w := Weekdays(1<<time.Tuesday | 1<<time.Sunday | 1<<time.Friday)
	if got := w.String(); got != "tue,fri,sun" {
		t.Errorf("String = %q, want Monday-first order", got)
	}
	if !w.Has(time.Sunday) || w.Has(time.Monday) {
		t.Errorf("Has is wrong for %v", w)
	}
	for _, in := range []string{"mon", "Monday", "MON", " monday "} {
		if d, err := ParseWeekday(in); err != nil || d != time.Monday {
			t.Errorf("ParseWeekday(%q) = %v, %v", in, d, err)
		}
	}
	if _, err := ParseWeekday("thurs"); err == nil {
		t.Error("ParseWeekday(thurs) should fail")
	}
}
