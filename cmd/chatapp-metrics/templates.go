package main

import (
	"context"
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

// runTemplates is `chatapp-metrics templates`: sent, delivered and read
// counts and button clicks of message templates, per day or half hour.
func runTemplates(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := newSubcommand("templates", "-template CODE[,CODE...] [-language en] [-since 30d] [-until now] [flags]", stderr)
	templates := cmd.fs.String("template", "", "comma-separated template codes (default with -emulator: every template of its channel)")
	language := cmd.fs.String("language", "", "only this language of the templates (default every language)")
	since := cmd.fs.String("since", "30d", "start: `Nd` days before -until from midnight, Nw, a Go duration, a date YYYY-MM-DD, or an RFC 3339 time")
	until := cmd.fs.String("until", "now", "end: now, a date YYYY-MM-DD (through the end of that day), or an RFC 3339 time")
	granularity := cmd.fs.String("granularity", "DAILY", "DAILY or HALF_HOUR")
	tz := cmd.fs.String("tz", "+08:00", "`zone` the times are printed in: +08:00, UTC-5, UTC, Local or an IANA name")
	if code := cmd.parse(args, stderr); code >= 0 {
		return code
	}
	q, err := templateQuery(*since, *until, *tz, *granularity)
	if err != nil {
		fmt.Fprintln(stderr, "chatapp-metrics templates:", err)
		return exitUsage
	}
	codes := splitCodes(*templates)
	if len(codes) == 0 && !*cmd.emulator {
		fmt.Fprintln(stderr, "chatapp-metrics templates: -template is required: the template codes to report on")
		return exitUsage
	}
	client, srv, closeClient, err := cmd.client(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "chatapp-metrics templates:", err)
		return exitError
	}
	defer closeClient()
	if len(codes) == 0 {
		for _, t := range srv.Templates() {
			if !slices.Contains(codes, t.Code) {
				codes = append(codes, t.Code)
			}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, *cmd.timeout)
	defer cancel()

	code := exitOK
	var points []chatapp.TemplateMetric
	for _, tc := range codes {
		req := &chatapp.GetChatappTemplateMetricRequest{
			TemplateCode: tc, Language: *language, Granularity: q.granularity,
			Start: q.since, End: q.until, CustSpaceID: *cmd.custSpaceID, IsvCode: *cmd.isvCode,
		}
		for p, err := range client.TemplateMetrics(ctx, req) {
			if err != nil {
				// The points before the failure are printed; the exit code
				// says the report is not complete.
				fmt.Fprintf(stderr, "chatapp-metrics templates: %s: %s\n", tc, describe(err))
				code = exitError
				break
			}
			points = append(points, p)
		}
	}
	if err := writeTemplates(stdout, *cmd.format, points, q); err != nil {
		fmt.Fprintln(stderr, "chatapp-metrics templates: writing:", err)
		return exitError
	}
	return code
}

// templateRange is the checked time flags of the templates subcommand.
type templateRange struct {
	since, until time.Time
	tz           *time.Location
	granularity  chatapp.Granularity
}

func templateQuery(since, until, tz, granularity string) (templateRange, error) {
	var q templateRange
	var err error
	if q.tz, err = parseZone(tz); err != nil {
		return q, err
	}
	if q.until, err = parseUntil(until, now(), q.tz); err != nil {
		return q, err
	}
	if q.since, err = parseSince(since, q.until, q.tz); err != nil {
		return q, err
	}
	if !q.since.Before(q.until) {
		return q, usagef("-since (%s) must be before -until (%s)", q.since.Format(time.RFC3339), q.until.Format(time.RFC3339))
	}
	if q.granularity, err = chatapp.ParseGranularity(granularity); err != nil {
		return q, usagef("-granularity must be DAILY or HALF_HOUR, not %q", granularity)
	}
	return q, nil
}

func splitCodes(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if p := strings.TrimSpace(part); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// ratePercent prints a rate for people; "-" when the denominator is zero.
func ratePercent(num, den int64) string {
	if den == 0 {
		return "-"
	}
	return strconv.FormatFloat(100*float64(num)/float64(den), 'f', 2, 64) + "%"
}

// clicksCell writes a point's clicks as "content (type)=count; ...".
func clicksCell(clicks []chatapp.ButtonClicks) string {
	parts := make([]string, len(clicks))
	for i, c := range clicks {
		parts[i] = c.ButtonContent + " (" + string(c.Type) + ")=" + strconv.FormatInt(c.Count, 10)
	}
	return strings.Join(parts, "; ")
}

// templateJSON is one line of -format json.
type templateJSON struct {
	Start        string      `json:"start"`
	End          string      `json:"end"`
	TemplateCode string      `json:"template_code"`
	Language     string      `json:"language"`
	Granularity  string      `json:"granularity"`
	Sent         int64       `json:"sent"`
	Delivered    int64       `json:"delivered"`
	Read         int64       `json:"read"`
	DeliveryRate float64     `json:"delivery_rate"`
	ReadRate     float64     `json:"read_rate"`
	Clicks       []clickJSON `json:"clicks"`
}

// clickJSON is one button's clicks in -format json.
type clickJSON struct {
	Button string `json:"button"`
	Type   string `json:"type"`
	Count  int64  `json:"count"`
}

func writeTemplates(w io.Writer, format string, points []chatapp.TemplateMetric, q templateRange) error {
	label := func(t time.Time) string { return t.In(q.tz).Format("2006-01-02 15:04") }
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"start", "end", "template_code", "language", "sent", "delivered", "read", "delivery_rate", "read_rate", "clicks"})
		for _, p := range points {
			_ = cw.Write([]string{p.Start.In(q.tz).Format(time.RFC3339), p.End.In(q.tz).Format(time.RFC3339), p.TemplateCode, p.Language,
				strconv.FormatInt(p.SentCount, 10), strconv.FormatInt(p.DeliveredCount, 10), strconv.FormatInt(p.ReadCount, 10),
				strconv.FormatFloat(p.DeliveryRate(), 'f', 4, 64), strconv.FormatFloat(p.ReadRate(), 'f', 4, 64), clicksCell(p.Clicks)})
		}
		cw.Flush()
		return cw.Error()
	case "json":
		enc := json.NewEncoder(w)
		for _, p := range points {
			clicks := make([]clickJSON, len(p.Clicks))
			for i, c := range p.Clicks {
				clicks[i] = clickJSON{Button: c.ButtonContent, Type: string(c.Type), Count: c.Count}
			}
			if err := enc.Encode(templateJSON{
				Start: p.Start.In(q.tz).Format(time.RFC3339), End: p.End.In(q.tz).Format(time.RFC3339),
				TemplateCode: p.TemplateCode, Language: p.Language, Granularity: string(q.granularity),
				Sent: p.SentCount, Delivered: p.DeliveredCount, Read: p.ReadCount,
				DeliveryRate: roundRate(p.DeliveryRate()), ReadRate: roundRate(p.ReadRate()), Clicks: clicks,
			}); err != nil {
				return err
			}
		}
		return nil
	}
	lines := [][]string{{"START (" + q.tz.String() + ")", "TEMPLATE", "LANG", "SENT", "DELIVERED", "READ", "DELIVERY", "READ RATE", "CLICKS"}}
	for _, p := range points {
		lines = append(lines, []string{label(p.Start), p.TemplateCode, p.Language,
			strconv.FormatInt(p.SentCount, 10), strconv.FormatInt(p.DeliveredCount, 10), strconv.FormatInt(p.ReadCount, 10),
			ratePercent(p.DeliveredCount, p.SentCount), ratePercent(p.ReadCount, p.DeliveredCount), clicksCell(p.Clicks)})
	}
	return writeColumns(w, lines)
}
