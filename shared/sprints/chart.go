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
	// Labels name the x positions: "start", then each business day ("Wed 28").
	Labels []string
	// Scope and Done have one value per point so far (at most len(Labels)).
	Scope, Done []float64
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
	for _, p := range f.Series {
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
	return c.Title + ": scope " + strconv.FormatFloat(c.Scope[last], 'f', -1, 64) + " " + c.Unit + ", done " + strconv.FormatFloat(c.Done[last], 'f', -1, 64) + " " + c.Unit + " after " + c.Labels[last] + "."
}
