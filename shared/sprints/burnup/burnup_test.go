package burnup

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"testing"

	"github.com/rituals-dev/rituals/shared/sprints"
)

// sample is a ten-day sprint after seven days: walk-ons on day 3, a removal on day 5, points
// changed on day 7.
var sample = sprints.Chart{
	Title:  "Rocket Sprint 1 — burnup (Wed 28 Oct – Tue 10 Nov 2026)",
	Unit:   "points",
	Labels: []string{"start", "Wed 28", "Thu 29", "Fri 30", "Mon 2", "Tue 3", "Wed 4", "Thu 5", "Fri 6", "Mon 9", "Tue 10"},
	X:      []float64{0, 1, 2, 3, 4, 5, 6, 7},
	Scope:  []float64{21, 21, 21, 29, 29, 26, 26, 31},
	Done:   []float64{0, 0, 2, 2, 5, 5, 8, 8},
}

// near reports whether c is within a few steps of want on every channel (anti-aliasing blends
// the lines' edges).
func near(c color.Color, want color.RGBA) bool {
	r, g, b, _ := c.RGBA()
	d := func(x uint32, y uint8) int { v := int(x>>8) - int(y); return max(v, -v) }
	return d(r, want.R) < 24 && d(g, want.G) < 24 && d(b, want.B) < 24
}

// TestRenderDecodes: the PNG decodes at the promised size, and its plot area holds both lines
// (pixels of each line's colour), not only axes and labels.
func TestRenderDecodes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		chart sprints.Chart
	}{
		{"partway", sample},
		{"whole sprint", func() sprints.Chart {
			c := sample
			c.X = append(append([]float64{}, sample.X...), 8, 9, 10)
			c.Scope = append(append([]float64{}, sample.Scope...), 31, 31, 31)
			c.Done = append(append([]float64{}, sample.Done...), 13, 29, 29)
			return c
		}()},
		{"started today", sprints.Chart{Title: "T", Unit: "tasks", Labels: []string{"start", "Mon 2"}, X: []float64{0}, Scope: []float64{4}, Done: []float64{1}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := Render(tt.chart)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("not a PNG: %v", err)
			}
			if got := img.Bounds(); got != image.Rect(0, 0, Width, Height) {
				t.Fatalf("bounds %v, want %dx%d", got, Width, Height)
			}
			scope, done := 0, 0
			// The plot area: inside the axes' margins.
			for y := Height / 20; y < Height*19/20; y++ {
				for x := Width / 10; x < Width*19/20; x++ {
					c := img.At(x, y)
					if near(c, ScopeColor) {
						scope++
					}
					if near(c, DoneColor) {
						done++
					}
				}
			}
			if scope < 50 || done < 50 { // a point alone is a dot of about 80 pixels
				t.Errorf("plot area has %d scope and %d done pixels: the lines are missing", scope, done)
			}
			if os.Getenv("BURNUP_PNG") != "" && tt.name == "whole sprint" {
				_ = os.WriteFile(os.Getenv("BURNUP_PNG"), b, 0o644)
			}
		})
	}
}

func TestRenderRefusesMismatchedData(t *testing.T) {
	t.Parallel()
	for _, c := range []sprints.Chart{
		{Title: "no days"},
		{Labels: []string{"start"}, X: []float64{0, 1}, Scope: []float64{1, 2}, Done: []float64{0, 0}},
		{Labels: []string{"start", "Mon 2"}, X: []float64{0}, Scope: []float64{1}, Done: []float64{0, 1}},
		{Labels: []string{"start", "Mon 2"}, X: []float64{2}, Scope: []float64{1}, Done: []float64{0}},
	} {
		if _, err := Render(c); err == nil {
			t.Errorf("Render(%+v) succeeded", c)
		}
	}
}

func TestNiceStep(t *testing.T) {
	t.Parallel()
	for raw, want := range map[float64]float64{0: 1, 0.7: 1, 1.2: 2, 4.6: 5, 6: 10, 12: 20, 37.0 / 8: 5, 260: 500} {
		if got := niceStep(raw); got != want {
			t.Errorf("niceStep(%v) = %v, want %v", raw, got, want)
		}
	}
}
