package sprints

import (
	"strconv"
	"time"
)

// Chart is a burnup chart's data: a scope line and a done line, one value per point of the
// sprint (its start, then the end of each business day so far), over every business day of
// the sprint. Package burnup draws it.
type Chart struct {
	Title string
	// Unit is "points", or "tasks" for a sprint without estimates.
	Unit string
	// Labels name the x positions 0, 1, 2...: "start", then each business day ("Wed 28").
	Labels []string
	// X, Scope and Done have one entry per point so far: its position among Labels and its
	// values. The start is at 0 unless the sprint was started late (then at the last day that
	// had ended), and days to come have no point yet.
	X, Scope, Done []float64
}

// Renderer draws a chart as a PNG image.
type Renderer func(Chart) ([]byte, error)

// ChartOf is the figures' burnup chart.
func ChartOf(f *Figures, loc *time.Location) Chart {
	c := Chart{Title: f.Sprint.Milestone.Name + " — burnup (" + f.Sprint.Dates() + ")", Unit: "points", Labels: []string{"start"}}
	points := f.UsesPoints()
	if !points {
		c.Unit = "tasks"
	}
	for _, d := range f.Days {
		c.Labels = append(c.Labels, d.In(loc).Format("Mon 2"))
	}
	for i, p := range f.Series {
		x := float64(len(f.Days))
		for j, d := range f.Days {
			if d == p.Day {
				x = float64(j + 1)
			}
		}
		if i == 0 {
			x = 0
			for j, d := range f.Days {
				if !d.AddDays(1).In(loc).After(p.At) {
					x = float64(j + 1)
				}
			}
		}
		c.X = append(c.X, x)
		if points {
			c.Scope, c.Done = append(c.Scope, p.ScopePoints), append(c.Done, p.DonePoints)
		} else {
			c.Scope, c.Done = append(c.Scope, float64(p.ScopeTasks)), append(c.Done, float64(p.DoneTasks))
		}
	}
	return c
}

// FileName is the chart's file name in Slack.
func (c Chart) FileName(sp *Sprint, at time.Time) string {
	return "burnup-" + slug(sp.Milestone.Name) + "-" + at.UTC().Format("20060102") + ".png"
}

func slug(s string) string {
	var out []byte
	dash := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			out, dash = append(out, byte(r)), false
		case r >= 'A' && r <= 'Z':
			out, dash = append(out, byte(r-'A'+'a')), false
		case !dash && len(out) > 0:
			out, dash = append(out, '-'), true
		}
	}
	for len(out) > 0 && out[len(out)-1] == '-' {
		out = out[:len(out)-1]
	}
	if len(out) == 0 {
		return "sprint"
	}
	if len(out) > 60 {
		out = out[:60]
	}
	return string(out)
}

// AltText describes the chart for screen readers.
func (c Chart) AltText() string {
	if len(c.Scope) == 0 {
		return c.Title
	}
	last := len(c.Scope) - 1
	label := ""
	if x := int(c.X[last]); x >= 0 && x < len(c.Labels) {
		label = " after " + c.Labels[x]
	}
	return c.Title + ": scope " + strconv.FormatFloat(c.Scope[last], 'f', -1, 64) + " " + c.Unit + ", done " + strconv.FormatFloat(c.Done[last], 'f', -1, 64) + " " + c.Unit + label + "."
}
