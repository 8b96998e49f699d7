package main

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// chartSize is a chart's size in pixels: those of the PNG, and the CSS
// pixels of the SVG.
type chartSize struct{ width, height int }

var sizePattern = regexp.MustCompile(`^(\d{3,5})x(\d{3,5})$`)

// parseChartSize reads -chart-size: WIDTHxHEIGHT in pixels.
func parseChartSize(s string) (chartSize, error) {
	m := sizePattern.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return chartSize{}, usagef("-chart-size %q is not WIDTHxHEIGHT in pixels, such as 1200x640", s)
	}
	w, _ := strconv.Atoi(m[1])
	h, _ := strconv.Atoi(m[2])
	if w < 480 || h < 320 || w > 8000 || h > 8000 {
		return chartSize{}, usagef("-chart-size %q: width must be 480 to 8000 and height 320 to 8000 pixels", s)
	}
	return chartSize{w, h}, nil
}

// length converts pixels (96 to the inch) to vg's points.
func length(px int) vg.Length { return vg.Length(px) * vg.Inch / vgimg.DefaultDPI }

// Colours of the lines.
var (
	sentColor      = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	deliveredColor = color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}
	rateColor      = color.RGBA{R: 0x9e, G: 0x4a, B: 0x9c, A: 0xff}
	partialColor   = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
)

// movingAverageAfter is the range, in days, beyond which daily lines are
// drawn faint under their 7-day moving averages: a weekly zigzag hides the
// trend of a long range.
const movingAverageAfter = 60

// sans is the chart's font: Liberation Sans, which gonum/plot carries and
// the SVG embeds, so that every renderer measures text as the layout did.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// writeChart draws every number's messages sent and delivered per day of
// the report's zone, and the delivery rate below them, and writes them to
// file, as SVG or PNG by its extension.
func writeChart(file string, r *report, size chartSize) error {
	if len(r.days) == 0 {
		return errors.New("no data to draw")
	}
	w, h := length(size.width), length(size.height)
	var c interface {
		vg.CanvasSizer
		io.WriterTo
	}
	switch strings.ToLower(filepath.Ext(file)) {
	case ".svg":
		c = vgsvg.NewWith(vgsvg.UseWH(w, h), vgsvg.EmbedFonts(true))
	default:
		c = vgimg.PngCanvas{Canvas: vgimg.New(w, h)}
	}
	if err := drawChart(draw.New(c), r); err != nil {
		return err
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := c.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// drawChart lays out the counts panel over the rate panel, with the
// legend to the right of both, outside the data.
func drawChart(dc draw.Canvas, r *report) error {
	old := plot.DefaultFont
	plot.DefaultFont = sans
	defer func() { plot.DefaultFont = old }()

	days := len(r.days)
	xmin := float64(r.days[0].Day.Unix()) - 43200 // half a day of margin
	xmax := float64(r.days[days-1].Day.Unix()) + 43200
	ticks := dayTicks{loc: r.tz, withYear: withYear(r.days[0].Day, r.days[days-1].Day)}

	counts := plot.New()
	counts.Title.Text = chartTitle(r)
	counts.Title.Padding = vg.Points(8)
	counts.Y.Label.Text = "Messages per day"
	counts.Y.Min = 0
	counts.Y.Tick.Marker = countTicks{}
	counts.X.Tick.Marker = unlabelled{ticks}
	counts.X.Min, counts.X.Max = xmin, xmax
	counts.Add(plotter.NewGrid())

	rates := plot.New()
	rates.X.Label.Text = "Day (" + r.tz.String() + ")"
	rates.Y.Label.Text = "Delivery rate"
	rates.Y.Tick.Marker = percentTicks{}
	rates.X.Tick.Marker = ticks
	rates.X.Min, rates.X.Max = xmin, xmax
	rates.Add(plotter.NewGrid())

	legend := plot.NewLegend()
	legend.Top, legend.Left, legend.Padding = true, true, vg.Points(4)
	long := days > movingAverageAfter

	sent, delivered, rate := make(plotter.XYs, days), make(plotter.XYs, days), make(plotter.XYs, 0, days)
	var partial, partialRate plotter.XYs
	for i, d := range r.days {
		x := float64(d.Day.Unix())
		sent[i] = plotter.XY{X: x, Y: float64(d.Sent)}
		delivered[i] = plotter.XY{X: x, Y: float64(d.Delivered)}
		if d.Sent > 0 {
			rate = append(rate, plotter.XY{X: x, Y: 100 * d.DeliveryRate()})
		}
		if r.dayPartial(i) {
			partial = append(partial, sent[i], delivered[i])
			if d.Sent > 0 {
				partialRate = append(partialRate, plotter.XY{X: x, Y: 100 * d.DeliveryRate()})
			}
		}
	}
	for _, s := range []struct {
		name  string
		xys   plotter.XYs
		color color.RGBA
		dash  []vg.Length
	}{
		{"Sent", sent, sentColor, nil},
		{"Delivered", delivered, deliveredColor, []vg.Length{vg.Points(6), vg.Points(3)}},
	} {
		line, err := plotter.NewLine(s.xys)
		if err != nil {
			return err
		}
		line.Color, line.Width, line.Dashes = s.color, vg.Points(1.5), s.dash
		if long {
			line.Color, line.Width, line.Dashes = faint(s.color), vg.Points(0.75), nil
		}
		counts.Add(line)
		legend.Add(s.name+" per day", line)
		if long {
			avg, err := plotter.NewLine(movingAverage(r, s.xys))
			if err != nil {
				return err
			}
			avg.Color, avg.Width, avg.Dashes = s.color, vg.Points(2), s.dash
			counts.Add(avg)
			legend.Add(s.name+", 7-day average", avg)
		}
	}
	if len(rate) > 0 {
		line, err := plotter.NewLine(rate)
		if err != nil {
			return err
		}
		line.Color, line.Width = rateColor, vg.Points(1.25)
		if long {
			line.Color, line.Width = faint(rateColor), vg.Points(0.75)
		}
		rates.Add(line)
		legend.Add("Delivery rate per day", line)
		if long {
			avg, err := plotter.NewLine(movingRate(r, sent, delivered))
			if err != nil {
				return err
			}
			avg.Color, avg.Width = rateColor, vg.Points(2)
			rates.Add(avg)
			legend.Add("Delivery rate, 7 days", avg)
		}
	}
	// Days that have not ended (or that the range covers in part) hold
	// fewer messages than a day does: hollow rings mark them.
	if len(partial) > 0 {
		rings, err := plotter.NewScatter(partial)
		if err != nil {
			return err
		}
		rings.Shape, rings.Radius, rings.Color = draw.RingGlyph{}, vg.Points(5), partialColor
		counts.Add(rings)
		legend.Add("Partial day (not ended)", rings)
		if len(partialRate) > 0 {
			rr, err := plotter.NewScatter(partialRate)
			if err != nil {
				return err
			}
			rr.Shape, rr.Radius, rr.Color = draw.RingGlyph{}, vg.Points(5), partialColor
			rates.Add(rr)
		}
	}

	// The legend gets a column of its own on the right.
	legendWidth := legend.Rectangle(dc).Size().X + vg.Points(24)
	plots := draw.Crop(dc, 0, -legendWidth, 0, -vg.Points(6))
	legend.YOffs = -vg.Points(48)
	legend.Draw(draw.Crop(dc, dc.Size().X-legendWidth+vg.Points(12), 0, 0, 0))

	height := plots.Size().Y
	top := draw.Crop(plots, 0, 0, height*0.34, 0)
	bottom := draw.Crop(plots, 0, 0, 0, -height*0.66)
	// Line the panels' data areas up on the left.
	switch d := counts.DataCanvas(top).Min.X - rates.DataCanvas(bottom).Min.X; {
	case d > 0:
		bottom = draw.Crop(bottom, d, 0, 0, 0)
	case d < 0:
		top = draw.Crop(top, -d, 0, 0, 0)
	}
	counts.Draw(top)
	rates.Draw(bottom)
	return nil
}

// faint is c at a third of its opacity.
func faint(c color.RGBA) color.Color { return color.NRGBA{R: c.R, G: c.G, B: c.B, A: 0x55} }

// movingAverage is the trailing 7-day mean of xys, over whole weeks
// only: seven consecutive days, none of them partial (a partial day would
// pull the mean down, and a day without points is not in r.days, so seven
// entries could span more than seven days).
func movingAverage(r *report, xys plotter.XYs) plotter.XYs {
	var out plotter.XYs
	for i := 6; i < len(xys); i++ {
		if !r.wholeWeekTo(i) {
			continue
		}
		sum := 0.0
		for _, p := range xys[i-6 : i+1] {
			sum += p.Y
		}
		out = append(out, plotter.XY{X: xys[i].X, Y: sum / 7})
	}
	if len(out) == 0 {
		out = append(out, xys[0])
	}
	return out
}

// wholeWeekTo reports whether r.days[i-6:i+1] are seven consecutive days,
// none of them partial.
func (r *report) wholeWeekTo(i int) bool {
	if !r.days[i-6].Day.AddDate(0, 0, 6).Equal(r.days[i].Day) {
		return false
	}
	for j := i - 6; j <= i; j++ {
		if r.dayPartial(j) {
			return false
		}
	}
	return true
}

// movingRate is the delivery rate of the trailing 7 whole days.
func movingRate(r *report, sent, delivered plotter.XYs) plotter.XYs {
	s, d := movingAverage(r, sent), movingAverage(r, delivered)
	out := make(plotter.XYs, 0, len(s))
	for i := range s {
		if s[i].Y > 0 {
			out = append(out, plotter.XY{X: s[i].X, Y: 100 * d[i].Y / s[i].Y})
		}
	}
	if len(out) == 0 {
		out = append(out, plotter.XY{X: sent[0].X, Y: 0})
	}
	return out
}

func chartTitle(r *report) string {
	numbers := r.phones[0]
	switch {
	case r.failed > 0:
		numbers = r.allLabel() // "2 of 3 numbers": the failed ones are not in it
	case len(r.phones) > 1:
		numbers = fmt.Sprintf("%d numbers", len(r.phones))
	}
	first, last := r.days[0].Day, r.days[len(r.days)-1].Day
	return fmt.Sprintf("WhatsApp messages sent and delivered, %s, %s to %s (%.2f%% delivered)",
		numbers, first.Format(time.DateOnly), last.Format(time.DateOnly), 100*r.all.DeliveryRate())
}

// withYear reports whether date labels need the year: across a year
// boundary, or over more than about nine months.
func withYear(first, last time.Time) bool {
	return first.Year() != last.Year() || last.Sub(first) > 270*24*time.Hour
}

// dayTicks puts major ticks on midnights of loc, a day, two days, a week
// or two weeks apart so that about ten are labelled, and minor ticks on
// the days between when there is room for them; beyond 120 days, on the
// first of each month (or of every other month).
type dayTicks struct {
	loc      *time.Location
	withYear bool
}

func (t dayTicks) Ticks(min, max float64) []plot.Tick {
	first := time.Unix(int64(math.Ceil(min)), 0).In(t.loc)
	last := time.Unix(int64(math.Floor(max)), 0)
	days := max/86400 - min/86400
	y, m, d := first.Date()
	if days > 120 {
		months := 1
		if days > 400 {
			months = 2
		}
		day := time.Date(y, m, 1, 0, 0, 0, 0, t.loc)
		if day.Before(first) {
			day = day.AddDate(0, 1, 0)
		}
		var ticks []plot.Tick
		for i := 0; !day.After(last); i++ {
			tick := plot.Tick{Value: float64(day.Unix())}
			if i%months == 0 {
				tick.Label = day.Format("Jan")
				if t.withYear && (day.Month() == time.January || i == 0) {
					tick.Label = day.Format("Jan\n2006")
				}
			}
			ticks = append(ticks, tick)
			day = day.AddDate(0, 1, 0)
		}
		return ticks
	}
	step := 1
	for _, s := range []int{1, 2, 7, 14} {
		step = s
		if days/float64(s) <= 12 {
			break
		}
	}
	day := time.Date(y, m, d, 0, 0, 0, 0, t.loc)
	if day.Before(first) {
		day = day.AddDate(0, 0, 1)
	}
	var ticks []plot.Tick
	for i := 0; !day.After(last); i++ {
		tick := plot.Tick{Value: float64(day.Unix())}
		if i%step == 0 {
			tick.Label = day.Format("Jan 2")
			if t.withYear {
				tick.Label = day.Format("Jan 2\n2006")
			}
		}
		ticks = append(ticks, tick)
		day = day.AddDate(0, 0, 1)
	}
	return ticks
}

// unlabelled keeps a marker's ticks and drops their labels, for a panel
// whose x axis the panel below labels.
type unlabelled struct{ plot.Ticker }

func (u unlabelled) Ticks(min, max float64) []plot.Tick {
	ticks := u.Ticker.Ticks(min, max)
	for i := range ticks {
		ticks[i].Label = ""
	}
	return ticks
}

// countTicks labels the count axis with whole numbers with thousands
// separators.
type countTicks struct{}

func (countTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = thousands(int64(math.Round(ticks[i].Value)))
		}
	}
	return ticks
}

// percentTicks labels the rate axis in percent.
type percentTicks struct{}

func (percentTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', -1, 64) + "%"
		}
	}
	return ticks
}

// thousands prints n with a comma between groups of three digits.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
