package main

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chatappkit/chatapp"
)

// row is one line of the report: a number's day (DAILY) or half hour.
type row struct {
	start, end time.Time // in the report's zone
	phone      string
	totals     chatapp.Totals
}

// report is what the command prints and draws.
type report struct {
	granularity chatapp.Granularity
	tz          *time.Location
	phones      []string // in -phone order
	rows        []row    // by start, then by number in -phone order
	perPhone    []chatapp.Totals
	all         chatapp.Totals
	days        []chatapp.DayTotals // every number's points summed per day of tz
}

func newReport(cfg *config, results []chatapp.PhoneNumberSeries) *report {
	r := &report{granularity: cfg.granularity, tz: cfg.tz}
	order := map[string]int{}
	var all []chatapp.PhoneNumberMetric
	for i, s := range results {
		r.phones = append(r.phones, s.PhoneNumber)
		order[s.PhoneNumber] = i
		r.perPhone = append(r.perPhone, chatapp.Total(s.Points))
		all = append(all, s.Points...)
		if cfg.granularity == chatapp.GranularityDaily {
			for _, d := range chatapp.TotalsByDay(s.Points, cfg.tz) {
				r.rows = append(r.rows, row{start: d.Day, end: d.Day.AddDate(0, 0, 1), phone: s.PhoneNumber, totals: d.Totals})
			}
			continue
		}
		for _, p := range s.Points {
			r.rows = append(r.rows, row{
				start: p.Start.In(cfg.tz), end: p.End.In(cfg.tz), phone: p.PhoneNumber,
				totals: chatapp.Totals{Sent: p.SentCount, Delivered: p.DeliveredCount},
			})
		}
	}
	slices.SortStableFunc(r.rows, func(a, b row) int {
		if c := a.start.Compare(b.start); c != 0 {
			return c
		}
		return cmp.Compare(order[a.phone], order[b.phone])
	})
	r.all = chatapp.Total(all)
	r.days = chatapp.TotalsByDay(all, cfg.tz)
	return r
}

// label is how a row's start is printed: a date for days, a time for half
// hours.
func (r *report) label(t time.Time) string {
	if r.granularity == chatapp.GranularityDaily {
		return t.Format(time.DateOnly)
	}
	return t.Format("2006-01-02 15:04")
}

// write prints the report to w in format: "csv", "json", or else the table.
func (r *report) write(w io.Writer, format string) error {
	bw := bufio.NewWriter(w)
	var err error
	switch format {
	case "csv":
		err = r.writeCSV(bw)
	case "json":
		err = r.writeJSON(bw)
	default:
		err = r.writeTable(bw)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// percent prints a rate for people; "-" when nothing was sent, where a
// rate of 0 would read as a failure.
func percent(t chatapp.Totals) string {
	if t.Sent == 0 {
		return "-"
	}
	return strconv.FormatFloat(100*t.DeliveryRate(), 'f', 2, 64) + "%"
}

// writeTable prints aligned columns, text left and numbers right, then
// the totals of each number and of all of them.
func (r *report) writeTable(w io.Writer) error {
	first := "DAY"
	if r.granularity == chatapp.GranularityHalfHour {
		first = "HALF HOUR (" + r.tz.String() + ")"
	}
	cells := func(label, phone string, t chatapp.Totals) []string {
		return []string{label, phone, strconv.FormatInt(t.Sent, 10), strconv.FormatInt(t.Delivered, 10), percent(t)}
	}
	lines := [][]string{{first, "PHONE NUMBER", "SENT", "DELIVERED", "RATE"}}
	for _, row := range r.rows {
		lines = append(lines, cells(r.label(row.start), row.phone, row.totals))
	}
	rule := len(lines)
	for i, phone := range r.phones {
		lines = append(lines, cells("TOTAL", phone, r.perPhone[i]))
	}
	if len(r.phones) > 1 {
		lines = append(lines, cells("TOTAL", "all numbers", r.all))
	}

	widths := make([]int, len(lines[0]))
	for _, l := range lines {
		for i, cell := range l {
			widths[i] = max(widths[i], len(cell))
		}
	}
	lineWidth := 2 * (len(widths) - 1)
	for _, wd := range widths {
		lineWidth += wd
	}
	var b strings.Builder
	for n, l := range lines {
		if n == rule {
			b.WriteString(strings.Repeat("-", lineWidth) + "\n")
		}
		for i, cell := range l {
			pad := strings.Repeat(" ", widths[i]-len(cell))
			switch {
			case i >= 2: // counts and rate
				b.WriteString("  " + pad + cell)
			case i == 0:
				b.WriteString(cell + pad)
			default:
				b.WriteString("  " + cell + pad)
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeCSV prints a header row, then one record per row; rates are
// fractions with four decimals, 0 when nothing was sent.
func (r *report) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	first := "day"
	if r.granularity == chatapp.GranularityHalfHour {
		first = "start"
	}
	if err := cw.Write([]string{first, "phone_number", "sent", "delivered", "delivery_rate"}); err != nil {
		return err
	}
	for _, row := range r.rows {
		start := row.start.Format(time.DateOnly)
		if r.granularity == chatapp.GranularityHalfHour {
			start = row.start.Format(time.RFC3339)
		}
		if err := cw.Write([]string{start, row.phone,
			strconv.FormatInt(row.totals.Sent, 10), strconv.FormatInt(row.totals.Delivered, 10),
			strconv.FormatFloat(row.totals.DeliveryRate(), 'f', 4, 64)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// jsonRow is one line of -format json.
type jsonRow struct {
	Start        string  `json:"start"`
	End          string  `json:"end"`
	PhoneNumber  string  `json:"phone_number"`
	Granularity  string  `json:"granularity"`
	Sent         int64   `json:"sent"`
	Delivered    int64   `json:"delivered"`
	DeliveryRate float64 `json:"delivery_rate"`
}

// writeJSON prints one object per row and line, for jq and friends.
func (r *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	for _, row := range r.rows {
		err := enc.Encode(jsonRow{
			Start:        row.start.Format(time.RFC3339),
			End:          row.end.Format(time.RFC3339),
			PhoneNumber:  row.phone,
			Granularity:  string(r.granularity),
			Sent:         row.totals.Sent,
			Delivered:    row.totals.Delivered,
			DeliveryRate: roundRate(row.totals.DeliveryRate()),
		})
		if err != nil {
			return fmt.Errorf("encoding JSON: %w", err)
		}
	}
	return nil
}

// roundRate keeps six decimals: enough for any count the service reports
// per bucket, and no binary noise in the output.
func roundRate(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 6, 64), 64)
	return v
}
