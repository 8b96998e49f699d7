package main

import (
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot/plotter"
)

func decodePNG(t *testing.T, file string) image.Image {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	return img
}

// ink returns the share of pixels that are not near white, and the box
// that holds them.
func ink(img image.Image) (float64, image.Rectangle) {
	b := img.Bounds()
	var n int
	box := image.Rectangle{Min: b.Max, Max: b.Min}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xe000 || g < 0xe000 || bl < 0xe000 {
				n++
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return float64(n) / float64(b.Dx()*b.Dy()), box
}

// The SVG, drawn by a real browser, looks like the PNG that gonum/plot
// renders itself: same size, ink in the same box, about as much of it.
// Fonts embedded in the SVG are what make the two agree.
func TestChartRendersInABrowser(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("no chromium installed")
	}
	pinClock(t, time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC))
	dir := t.TempDir()
	svg, own := filepath.Join(dir, "chart.svg"), filepath.Join(dir, "chart.png")
	args := []string{"-emulator", "-since", "2025-12-01", "-until", "2026-03-31", "-o", "csv", "-chart-size", "1000x560", "-chart"}
	for _, file := range []string{svg, own} {
		code, _, stderr := invoke(t, append(args, file)...)
		require.Equal(t, exitOK, code, stderr)
	}
	raw, err := os.ReadFile(svg)
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(raw), "@font-face"), "fonts embedded")

	shot := filepath.Join(dir, "browser.png")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--screenshot="+shot, "--window-size=1000,560", "file://"+svg)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)

	browser, ours := decodePNG(t, shot), decodePNG(t, own)
	require.Equal(t, ours.Bounds(), browser.Bounds(), "the browser's size is the PNG renderer's")
	assert.Equal(t, image.Rect(0, 0, 1000, 560), ours.Bounds(), "-chart-size")
	browserInk, browserBox := ink(browser)
	oursInk, oursBox := ink(ours)
	assert.Greater(t, browserInk, 0.03, "not blank")
	assert.InDelta(t, oursInk, browserInk, oursInk/3, "about as much ink")
	for _, d := range []int{browserBox.Min.X - oursBox.Min.X, browserBox.Min.Y - oursBox.Min.Y,
		browserBox.Max.X - oursBox.Max.X, browserBox.Max.Y - oursBox.Max.Y} {
		assert.LessOrEqual(t, max(d, -d), 12, "ink in the same box: browser %v, PNG %v", browserBox, oursBox)
	}
}

func TestChartLabels(t *testing.T) {
	pinClock(t, time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC))
	file := filepath.Join(t.TempDir(), "c.svg")
	code, _, stderr := invoke(t, "-emulator", "-since", "2025-12-01", "-until", "2026-03-31", "-o", "csv", "-chart", file)
	require.Equal(t, exitOK, code, stderr)
	raw, err := os.ReadFile(file)
	require.NoError(t, err)
	svg := string(raw)
	for _, want := range []string{">Jan<", ">2026<", ">6,000<", ">Delivery rate<", "7-day average", "Messages per day"} {
		assert.Contains(t, svg, want)
	}
	assert.NotContains(t, svg, "Partial day", "a past range has no partial day")

	code, _, stderr = invoke(t, "-emulator", "-since", "14d", "-o", "csv", "-chart", file)
	require.Equal(t, exitOK, code, stderr)
	raw, _ = os.ReadFile(file)
	assert.Contains(t, string(raw), "Partial day (not ended)")
	assert.NotContains(t, string(raw), "7-day average", "short ranges show the days themselves")

	assert.Equal(t, "1,234,567", thousands(1234567))
	assert.Equal(t, "999", thousands(999))
	assert.Equal(t, "-1,000", thousands(-1000))

	for _, bad := range []string{"big", "100x100", "1200*600"} {
		code, _, stderr := invoke(t, "-emulator", "-chart-size", bad)
		assert.Equal(t, exitUsage, code, bad)
		assert.Contains(t, stderr, "-chart-size \""+bad+"\"")
	}
}

// TestChartTitleSaysWhenNumbersAreLeftOut checks that the chart of a
// report whose numbers partly failed says how many it covers, as the
// table's sum line does, instead of reading as every number's.
func TestChartTitleSaysWhenNumbersAreLeftOut(t *testing.T) {
	day := time.Date(2026, 9, 1, 0, 0, 0, 0, chatapp.ChinaStandardTime())
	r := &report{phones: []string{"8613800001234", "8613800005678"}, failed: 1,
		days: []chatapp.DayTotals{{Day: day}}}
	assert.Contains(t, chartTitle(r), ", 2 of 3 numbers, ")
	r.failed = 0
	assert.Contains(t, chartTitle(r), ", 2 numbers, ")
}

// TestMovingAverageUsesWholeWeeksOnly checks that the 7-day line leaves
// out every week with a partial day in it (not only the weeks ending on
// one) and every seven entries that span more than seven days.
func TestMovingAverageUsesWholeWeeksOnly(t *testing.T) {
	cst := chatapp.ChinaStandardTime()
	day := func(i int) time.Time { return time.Date(2026, 9, 1, 0, 0, 0, 0, cst).AddDate(0, 0, i) }
	build := func(days []int, partialDay int) (*report, plotter.XYs) {
		r := &report{}
		var xys plotter.XYs
		for _, d := range days {
			r.days = append(r.days, chatapp.DayTotals{Day: day(d)})
			xys = append(xys, plotter.XY{X: float64(day(d).Unix()), Y: 7})
			r.rows = append(r.rows, row{start: day(d), end: day(d + 1), partial: d == partialDay})
		}
		return r, xys
	}
	// Eight days, the first partial (the range starts at noon): only the
	// week of days 1-7 is whole.
	r, xys := build([]int{0, 1, 2, 3, 4, 5, 6, 7}, 0)
	got := movingAverage(r, xys)
	require.Len(t, got, 1)
	assert.Equal(t, float64(day(7).Unix()), got[0].X)
	assert.Equal(t, 7.0, got[0].Y)
	// Eight entries over nine days (day 3 has no points): the seven
	// entries ending at day 7 span eight days, those ending at day 8 too.
	r, xys = build([]int{0, 1, 2, 4, 5, 6, 7, 8}, -1)
	got = movingAverage(r, xys)
	require.Len(t, got, 1, "no whole week: the fallback point only")
	assert.Equal(t, xys[0], got[0])
}
