package main

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Chart size: wide, since a quarter has some ninety days.
const (
	chartWidth  = 10 * vg.Inch
	chartHeight = 5 * vg.Inch
)

// writeChart draws every number's messages sent and delivered per day of
// the report's zone as two lines, and writes them to file, as SVG or PNG
// by its extension.
func writeChart(file string, r *report) error {
	if len(r.days) == 0 {
		return errors.New("no data to draw")
	}
	p := plot.New()
	p.Title.Text = chartTitle(r)
	p.X.Label.Text = "Day (" + r.tz.String() + ")"
	p.Y.Label.Text = "Messages per day"
	p.Title.Padding = vg.Points(8)
	p.Y.Min = 0
	p.Y.Tick.Marker = countTicks{}
	p.X.Tick.Marker = dayTicks{loc: r.tz}
	p.Add(plotter.NewGrid())

	sent, delivered := make(plotter.XYs, len(r.days)), make(plotter.XYs, len(r.days))
	for i, d := range r.days {
		x := float64(d.Day.Unix())
		sent[i] = plotter.XY{X: x, Y: float64(d.Sent)}
		delivered[i] = plotter.XY{X: x, Y: float64(d.Delivered)}
	}
	for _, s := range []struct {
		name  string
		xys   plotter.XYs
		color color.Color
		dash  []vg.Length
	}{
		{"Sent", sent, color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, nil},
		{"Delivered", delivered, color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}, []vg.Length{vg.Points(6), vg.Points(3)}},
	} {
		line, points, err := plotter.NewLinePoints(s.xys)
		if err != nil {
			return err
		}
		line.Color, line.Width, line.Dashes = s.color, vg.Points(1.5), s.dash
		points.Color, points.Shape, points.Radius = s.color, draw.CircleGlyph{}, vg.Points(1.5)
		p.Add(line, points)
		p.Legend.Add(s.name, line, points)
	}
	// Days that have not ended (or that the range covers in part) hold
	// fewer messages than a day does: hollow rings mark them.
	var partial plotter.XYs
	for i, d := range r.days {
		if r.dayPartial(i) {
			partial = append(partial, plotter.XY{X: float64(d.Day.Unix()), Y: float64(d.Sent)}, plotter.XY{X: float64(d.Day.Unix()), Y: float64(d.Delivered)})
		}
	}
	if len(partial) > 0 {
		rings, err := plotter.NewScatter(partial)
		if err != nil {
			return err
		}
		rings.Shape, rings.Radius, rings.Color = draw.RingGlyph{}, vg.Points(5), color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
		p.Add(rings)
		p.Legend.Add("partial day (not ended)", rings)
	}
	// Bottom right: counts start at zero, so the lines seldom reach there.
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(8), vg.Points(8)
	// Half a day of margin, so that the first and last labels fit.
	p.X.Min = float64(r.days[0].Day.Unix()) - 43200
	p.X.Max = float64(r.days[len(r.days)-1].Day.Unix()) + 43200

	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(file)), ".")
	wt, err := p.WriterTo(chartWidth, chartHeight, format)
	if err != nil {
		return err
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := wt.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func chartTitle(r *report) string {
	numbers := r.phones[0]
	if len(r.phones) > 1 {
		numbers = fmt.Sprintf("%d numbers", len(r.phones))
	}
	first, last := r.days[0].Day, r.days[len(r.days)-1].Day
	return fmt.Sprintf("WhatsApp messages sent and delivered, %s, %s to %s (%.2f%% delivered)",
		numbers, first.Format(time.DateOnly), last.Format(time.DateOnly), 100*r.all.DeliveryRate())
}

// dayTicks puts major ticks on midnights of loc, a day, two days, a week
// or a month apart so that about ten are labelled, and minor ticks on the
// days between when there is room for them.
type dayTicks struct{ loc *time.Location }

func (t dayTicks) Ticks(min, max float64) []plot.Tick {
	first := time.Unix(int64(math.Ceil(min)), 0).In(t.loc)
	last := time.Unix(int64(math.Floor(max)), 0)
	days := max/86400 - min/86400
	step := 1
	for _, s := range []int{1, 2, 7, 14, 28} {
		step = s
		if days/float64(s) <= 12 {
			break
		}
	}
	y, m, d := first.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, t.loc)
	if day.Before(first) {
		day = day.AddDate(0, 0, 1)
	}
	var ticks []plot.Tick
	for i := 0; !day.After(last); i++ {
		tick := plot.Tick{Value: float64(day.Unix())}
		if i%step == 0 {
			tick.Label = day.Format("Jan 2")
		}
		if tick.Label != "" || days <= 120 {
			ticks = append(ticks, tick)
		}
		day = day.AddDate(0, 0, 1)
	}
	return ticks
}

// countTicks labels the count axis with whole numbers.
type countTicks struct{}

func (countTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', -1, 64)
		}
	}
	return ticks
}
