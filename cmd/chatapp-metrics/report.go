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
	// partial is set for a bucket or day that has not ended, or that the
	// range covers only in part: its counts are not the whole bucket's.
	partial bool
}

// report is what the command prints and draws.
type report struct {
	granularity chatapp.Granularity
	tz          *time.Location
	phones      []string // in -phone order
	rows        []row    // by start, then by number in -phone order
	perPhone    []chatapp.Totals
	all         chatapp.Totals
	failed      int                 // numbers left out because their query failed
	days        []chatapp.DayTotals // every number's points summed per day of tz
}

// allLabel names the sum of every number shown: "all numbers", or, when
// some failed and are left out, how many of them the sum covers, so that
// it never reads as the whole set.
func (r *report) allLabel() string {
	if r.failed == 0 {
		return "all numbers"
	}
	return fmt.Sprintf("%d of %d numbers", len(r.phones), len(r.phones)+r.failed)
}

// newReport builds the report of the numbers that succeeded, at the
// instant now; failed numbers have no rows and no totals.
func newReport(cfg *config, results []chatapp.PhoneNumberSeries, now time.Time) *report {
	r := &report{granularity: cfg.granularity, tz: cfg.tz}
	partial := func(start, end time.Time) bool {
		return end.After(now) || end.After(cfg.until) || start.Before(cfg.since)
	}
	order := map[string]int{}
	var all []chatapp.PhoneNumberMetric
	for _, s := range results {
		if s.Err != nil {
			r.failed++
			continue
		}
		order[s.PhoneNumber] = len(r.phones)
		r.phones = append(r.phones, s.PhoneNumber)
		r.perPhone = append(r.perPhone, chatapp.Total(s.Points))
		all = append(all, s.Points...)
		if cfg.granularity == chatapp.GranularityDaily {
			// DAILY points are the service's days, in tz when tz is UTC+8;
			// otherwise they are half hours (cfg.rebucket), summed here into
			// the days of tz.
			for _, d := range chatapp.TotalsByDay(s.Points, cfg.tz) {
				end := d.Day.AddDate(0, 0, 1)
				r.rows = append(r.rows, row{start: d.Day, end: end, phone: s.PhoneNumber, totals: d.Totals, partial: partial(d.Day, end)})
			}
			continue
		}
		for _, p := range s.Points {
			start, end := p.Start.In(cfg.tz), p.End.In(cfg.tz)
			r.rows = append(r.rows, row{
				start: start, end: end, phone: p.PhoneNumber,
				totals:  chatapp.Totals{Sent: p.SentCount, Delivered: p.DeliveredCount},
				partial: partial(start, end),
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

// dayPartial reports whether a day of r.days has not ended at the report's
// instant or lies partly outside the range.
func (r *report) dayPartial(i int) bool {
	start := r.days[i].Day
	for _, row := range r.rows {
		if row.partial && !row.start.Before(start) && row.start.Before(start.AddDate(0, 0, 1)) {
			return true
		}
	}
	return false
}

// anyPartial reports whether a row is partial.
func (r *report) anyPartial() bool {
	for _, row := range r.rows {
		if row.partial {
			return true
		}
	}
	return false
}

// partialMark is the table's marker of a partial row.
const partialMark = " *"

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
	case "yaml":
		err = r.writeYAML(bw)
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
	if len(r.phones) == 0 {
		return nil // every number failed: no header, no zero totals
	}
	lines := [][]string{{first, "PHONE NUMBER", "SENT", "DELIVERED", "RATE"}}
	for _, row := range r.rows {
		label := r.label(row.start)
		if row.partial {
			label += partialMark
		}
		lines = append(lines, cells(label, row.phone, row.totals))
	}
	rule := len(lines)
	for i, phone := range r.phones {
		lines = append(lines, cells("TOTAL", phone, r.perPhone[i]))
	}
	if len(r.phones) > 1 {
		lines = append(lines, cells("TOTAL", r.allLabel(), r.all))
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
	if r.anyPartial() {
		b.WriteString("* partial: the bucket has not ended, or the range covers only part of it\n")
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
	if err := cw.Write([]string{first, "phone_number", "sent", "delivered", "delivery_rate", "partial"}); err != nil {
		return err
	}
	for _, row := range r.rows {
		start := row.start.Format(time.DateOnly)
		if r.granularity == chatapp.GranularityHalfHour {
			start = row.start.Format(time.RFC3339)
		}
		if err := cw.Write([]string{start, row.phone,
			strconv.FormatInt(row.totals.Sent, 10), strconv.FormatInt(row.totals.Delivered, 10),
			strconv.FormatFloat(row.totals.DeliveryRate(), 'f', 4, 64), strconv.FormatBool(row.partial)}); err != nil {
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
	// Partial is true for a bucket that has not ended or that the range
	// covers only in part.
	Partial bool `json:"partial"`
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
			Partial:      row.partial,
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

// writeYAML prints the rows as a YAML sequence of the JSON rows' fields.
func (r *report) writeYAML(w io.Writer) error {
	var b strings.Builder
	if len(r.rows) == 0 {
		b.WriteString("[]\n")
	}
	for _, row := range r.rows {
		fmt.Fprintf(&b, "- start: %q\n  end: %q\n  phone_number: %q\n  granularity: %s\n  sent: %d\n  delivered: %d\n  delivery_rate: %s\n  partial: %t\n",
			row.start.Format(time.RFC3339), row.end.Format(time.RFC3339), row.phone, r.granularity,
			row.totals.Sent, row.totals.Delivered, strconv.FormatFloat(roundRate(row.totals.DeliveryRate()), 'f', -1, 64), row.partial)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
