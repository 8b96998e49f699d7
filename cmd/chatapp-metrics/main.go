// Command chatapp-metrics reports the WhatsApp messages that business
// numbers sent and had delivered, by day or by half hour, from Alibaba
// Cloud's ChatApp Message Service (GetChatappPhoneNumberMetric), as a
// table, CSV or JSON lines, and optionally as a line chart.
//
// Usage:
//
//	chatapp-metrics -phone 8613800001234,8613800005678 -since 90d [flags]
//
// Long ranges are split into windows and the numbers are fetched
// concurrently, all under the account's rate limit, so that the service
// never throttles the run. Try it offline against the in-process emulator:
//
//	chatapp-metrics -emulator -since 30d -chart metrics.svg
//
// Subcommands:
//
//	chatapp-metrics serve -phone LIST | -cust-space-id ID   a Prometheus exporter on 127.0.0.1:9464
//	chatapp-metrics sync -db sqlite:metrics.db -phone LIST  archive the series into SQLite or Postgres
//
// Against the service, credentials come from the credentials-go default
// chain: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET,
// a CLI profile, an ECS RAM role, and so on. Secrets are never flags,
// which other users could read from the process list.
//
// Subcommands: report (the default), enable-roi, numbers, templates,
// completion bash|zsh|fish and version (also --version). The flags of
// report are:
//
//	-phone list          comma-separated business numbers, country code first, no "+"
//	                     (default with -emulator: the emulator's sample numbers)
//	-since when          start: 90d (days before -until, from midnight), 2w, 36h,
//	                     a date 2026-07-01, or an RFC 3339 time (default 30d)
//	-until when          end: now, a date (through the end of that day), or an
//	                     RFC 3339 time (default now)
//	-granularity g       DAILY or HALF_HOUR (default DAILY)
//	-o f, -format f      table, csv, json (one object per line) or yaml (default table)
//	-chart file          also draw the days to file.svg or file.png
//	-chart-size WxH      the chart's size in pixels (default 1200x640)
//	-tz zone             zone of days and dates: +08:00, UTC-5, UTC, Local or an
//	                     IANA name (default +08:00, the service's day)
//	-workers n           numbers fetched at once (default 4)
//	-endpoint url        service endpoint (default the Singapore endpoint)
//	-region id           or the endpoint of a region
//	-profile name        credentials of an aliyun CLI profile
//	-emulator            query chatapptest's in-process emulator instead of the service
//	-timeout d           bound on the whole run (default 10m)
//	-cust-space-id id    the channel; without -phone, every number of it
//
// DAILY rows in +08:00 (or a zone that is UTC+8 throughout the range) are
// the service's days. In another zone the command fetches HALF_HOUR points
// and sums them into that zone's days; a zone whose offset is not a
// multiple of 30 minutes somewhere in the range is refused.
//
// A bucket that has not ended, or that the range covers in part, is marked
// partial: "*" in the table, partial=true in CSV, JSON and YAML, a ring in
// the chart. Numbers that fail are left out, rows and totals, and named on
// stderr with the error code and RequestId. A run cut short by a signal or
// -timeout prints nothing, since part of the range would read as all of it.
//
// The report's exit code is 0 on success; 1 when a number, the
// credentials, the output or -timeout failed; 2 for a usage error, found
// before any call; 130 when interrupted by SIGINT or SIGTERM. serve exits
// 0 when stopped by a signal (it has no result to lose); sync exits 1 (the
// windows stored so far stay, and it names the numbers it did not reach).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // -tz with an IANA name works on hosts without a zone database

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the service, the credentials or the output failed
	exitUsage = 2
	// exitInterrupted is the shell's code for a process ended by SIGINT.
	exitInterrupted = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// buildVersion is the version of the module this binary was built from:
// the tag when installed with go install …@v0.1.0, "(devel)" when built in
// a checkout.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// now is the clock of relative -since and -until; tests pin it.
var now = time.Now

// usageError is a bad command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// run is the command without the process around it: it reads args, writes
// the report to stdout and diagnostics to stderr, and returns the exit
// code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "version", "-version", "--version":
			fmt.Fprintln(stdout, "chatapp-metrics", buildVersion())
			return exitOK
		case "numbers":
			return runNumbers(ctx, args[1:], stdout, stderr)
		case "templates":
			return runTemplates(ctx, args[1:], stdout, stderr)
		case "serve":
			return runServe(ctx, args[1:], stdout, stderr)
		case "sync":
			return runSync(ctx, args[1:], stdout, stderr)
		case "report":
			args = args[1:]
		case "enable-roi":
			return runEnableROI(ctx, args[1:], stdout, stderr)
		case "completion":
			return runCompletion(args[1:], stdout, stderr)
		}
	}
	cfg, err := parseFlags(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case err != nil:
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(stderr, "chatapp-metrics:", err)
			fmt.Fprintln(stderr, "Run chatapp-metrics -h for usage.")
		}
		// The flag package has already printed its own complaint.
		return exitUsage
	}
	return runReport(ctx, cfg, stdout, stderr)
}

// halfHourFetchWindow is the span of one HALF_HOUR request when DAILY rows
// are built from half hours: a week is 336 points per answer, and a year
// of one number 53 requests.
const halfHourFetchWindow = 7 * 24 * time.Hour

// runReport runs the report subcommand with a checked command line.
func runReport(parent context.Context, cfg *config, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithTimeout(parent, cfg.timeout)
	defer cancel()

	client, numbers, closeClient, err := connect(cfg, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "chatapp-metrics:", err)
		return exitError
	}
	defer closeClient()
	if cfg.custSpaceID != "" && len(cfg.phones) == 0 {
		// Every number of the channel.
		if numbers, err = channelNumbers(ctx, client, cfg.custSpaceID); err != nil {
			if code, ok := interrupted(parent, ctx, stderr); ok {
				return code
			}
			fmt.Fprintln(stderr, "chatapp-metrics: listing the channel's numbers:", describe(err))
			return exitError
		}
	}

	req := &chatapp.GetChatappPhoneNumberMetricRequest{
		Granularity: cfg.granularity,
		Start:       cfg.since,
		End:         cfg.until,
		CustSpaceID: cfg.custSpaceID,
	}
	opts := []chatapp.QueryOption{chatapp.Workers(cfg.workers)}
	if cfg.rebucket {
		req.Granularity = chatapp.GranularityHalfHour
		opts = append(opts, chatapp.HalfHourWindow(halfHourFetchWindow))
	}
	bar := newProgress(stderr, len(numbers))
	if bar != nil {
		opts = append(opts, chatapp.ReportProgress(bar.update))
	}
	results, queryErr := client.QueryPhoneNumbers(ctx, numbers, req, opts...)
	bar.done()
	if code, ok := interrupted(parent, ctx, stderr); ok {
		return code
	}
	if errors.Is(queryErr, chatapp.ErrInvalidRequest) {
		// The flags were checked, so this is a range the SDK refuses.
		fmt.Fprintln(stderr, "chatapp-metrics:", queryErr)
		return exitUsage
	}

	code := exitOK
	var failed []chatapp.PhoneNumberSeries
	for _, r := range results {
		if r.Err != nil {
			failed = append(failed, r)
		}
	}
	if len(failed) > 0 {
		code = exitError
		fmt.Fprintf(stderr, "chatapp-metrics: %d of %d numbers failed; their rows and totals are left out:\n", len(failed), len(results))
		for _, r := range failed {
			fmt.Fprintf(stderr, "  %s: %s\n", r.PhoneNumber, describe(r.Err))
		}
	}
	rep := newReport(cfg, results, now())
	if err := rep.write(stdout, cfg.format); err != nil {
		fmt.Fprintln(stderr, "chatapp-metrics: writing the report:", err)
		return exitError
	}
	if cfg.chart != "" && len(rep.phones) > 0 {
		if err := writeChart(cfg.chart, rep, cfg.chartSize); err != nil {
			fmt.Fprintln(stderr, "chatapp-metrics: chart:", err)
			return exitError
		}
	}
	return code
}

// interrupted reports whether the run was cut short, by a signal (parent
// is done: exit 130) or by -timeout (ctx is done: exit 1). Such a run
// prints nothing on stdout and writes no chart: the days it got would read
// as the whole range.
func interrupted(parent, ctx context.Context, stderr io.Writer) (int, bool) {
	switch {
	case parent.Err() != nil:
		fmt.Fprintln(stderr, "chatapp-metrics: interrupted: nothing printed, since part of the range would look like all of it")
		return exitInterrupted, true
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "chatapp-metrics: -timeout reached before the range was fetched: nothing printed, since part of the range would look like all of it")
		return exitError, true
	}
	return 0, false
}

// connect returns a client of the service, or of an in-process emulator,
// the numbers to query, and what to call when done. extra options are
// applied after the command's own.
func connect(cfg *config, stderr io.Writer, extra ...chatapp.Option) (*chatapp.Client, []string, func(), error) {
	if !cfg.emulator {
		opts, err := serviceOptions(cfg.profile, cfg.region, cfg.endpoint)
		if err != nil {
			return nil, nil, nil, err
		}
		opts = append(opts, extra...)
		client, err := chatapp.NewClient(opts...)
		if err != nil {
			return nil, nil, nil, err
		}
		return client, cfg.phones, func() {}, nil
	}
	// The emulator shares the command's clock, so that today is partial
	// at the same instant for both; it lives in this process, so the
	// check of request timestamps against that clock proves nothing.
	srv := chatapptest.NewServer(chatapptest.WithClock(now), chatapptest.WithTimestampSkew(0))
	client, err := srv.Client(append([]chatapp.Option{chatapp.WithUserAgent("chatapp-metrics")}, extra...)...)
	if err != nil {
		srv.Close()
		return nil, nil, nil, err
	}
	numbers := cfg.phones
	if len(numbers) == 0 {
		numbers = srv.PhoneNumbers()
	}
	srv.AddPhoneNumber(numbers...) // the emulator has data for its channel's numbers only
	fmt.Fprintln(stderr, "chatapp-metrics: querying the in-process emulator (chatapptest): the data is generated")
	return client, numbers, srv.Close, nil
}

// describe says what went wrong in a line an operator can act on: the
// service's code and RequestId come from *chatapp.APIError's message.
func describe(err error) string {
	var apiErr *chatapp.APIError
	if errors.As(err, &apiErr) {
		msg := apiErr.Error()
		if apiErr.RequestID == "" {
			msg += " [no RequestId]"
		}
		var op *chatapp.OperationError
		if errors.As(err, &op) && op.Attempts > 1 {
			msg += fmt.Sprintf(" after %d attempts", op.Attempts)
		}
		return msg
	}
	return strings.TrimPrefix(err.Error(), "chatapp: ")
}
