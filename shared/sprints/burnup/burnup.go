// Package burnup draws a sprint's burnup chart as a PNG with gonum/plot: the scope line and the
// done line, one point per business day. It is a package of its own because gonum/plot embeds
// its fonts (about 4 MB): only the function that posts reports imports it, so the slash
// commands and the Phabricator processor stay small.
package burnup

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/rituals-dev/rituals/shared/sprints"
)

// Size of the image in pixels: a 16:9 image Slack shows whole in a channel.
const (
	Width  = 1200
	Height = 675
	dpi    = 96
)

// Colours: scope in blue, done in green, as burnup charts are usually drawn.
var (
	ScopeColor = color.RGBA{R: 0x1f, G: 0x6f, B: 0xd0, A: 0xff}
	DoneColor  = color.RGBA{R: 0x2e, G: 0xa0, B: 0x43, A: 0xff}
)

var _ sprints.Renderer = Render

// Render draws c as a Width×Height PNG: the x axis has every label (the sprint's start and its
// business days, so the days still to come show as room to the right), the y axis starts at 0.
func Render(c sprints.Chart) ([]byte, error) {
	if len(c.Labels) == 0 {
		return nil, fmt.Errorf("burnup: no days to draw")
	}
	if len(c.Scope) != len(c.Done) || len(c.Scope) != len(c.X) {
		return nil, fmt.Errorf("burnup: %d positions, %d scope and %d done values", len(c.X), len(c.Scope), len(c.Done))
	}
	for _, x := range c.X {
		if x < 0 || x > float64(len(c.Labels)-1) {
			return nil, fmt.Errorf("burnup: position %v is outside the %d days", x, len(c.Labels))
		}
	}
	p := plot.New()
	p.Title.Text = c.Title
	p.Title.TextStyle.Font = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold, Size: vg.Points(15)}
	p.Title.Padding = vg.Points(10)
	p.Y.Label.Text = c.Unit
	p.X.Label.Text = "business days (each point is the end of the day)"
	for _, st := range []*text.Style{&p.X.Label.TextStyle, &p.Y.Label.TextStyle, &p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle} {
		st.Font = font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(11)}
	}
	p.BackgroundColor = color.White
	var ticks []plot.Tick
	for i, l := range c.Labels {
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: l})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = -0.25, float64(len(c.Labels)-1)+0.25
	top := 1.0
	for _, v := range c.Scope {
		top = math.Max(top, v)
	}
	for _, v := range c.Done {
		top = math.Max(top, v)
	}
	step := niceStep(top / 8)
	p.Y.Min, p.Y.Max = 0, math.Ceil(top*1.08/step)*step
	var yticks []plot.Tick
	for v := 0.0; v <= p.Y.Max+step/2; v += step {
		yticks = append(yticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(yticks)
	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{Y: 0xe0}
	grid.Horizontal.Color = color.Gray{Y: 0xe0}
	p.Add(grid)
	for _, s := range []struct {
		name   string
		values []float64
		col    color.Color
	}{{"Scope", c.Scope, ScopeColor}, {"Done", c.Done, DoneColor}} {
		if len(s.values) == 0 {
			continue
		}
		xys := make(plotter.XYs, len(s.values))
		for i, v := range s.values {
			xys[i] = plotter.XY{X: c.X[i], Y: v}
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("burnup: %s line: %w", s.name, err)
		}
		line.Color, line.Width = s.col, vg.Points(3)
		points.Color, points.Shape, points.Radius = s.col, draw.CircleGlyph{}, vg.Points(4)
		p.Add(line, points)
		p.Legend.Add(s.name+" ("+c.Unit+")", line, points)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(12), vg.Points(-8)

	canvas := vgimg.NewWith(vgimg.UseWH(vg.Length(Width)*vg.Inch/dpi, vg.Length(Height)*vg.Inch/dpi), vgimg.UseDPI(dpi))
	p.Draw(draw.New(canvas))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: canvas}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("burnup: encode PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// niceStep rounds a step up to 1, 2 or 5 times a power of ten (at least 1: points and tasks
// are counted in whole numbers mostly), so the y axis reads 0, 5, 10 or 0, 20, 40.
func niceStep(raw float64) float64 {
	if raw <= 1 {
		return 1
	}
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			return m * pow
		}
	}
	return 10 * pow
}
