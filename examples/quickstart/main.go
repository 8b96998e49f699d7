// Command quickstart prints how many WhatsApp messages a business number
// sent and had delivered on each of the last 7 days, with the delivery
// rate and a totals row: the first program to run with this module.
//
//	go run ./examples/quickstart
//
// Without Alibaba Cloud credentials in the environment it answers from
// chatapptest's in-process emulator, whose data is generated, and says so
// on stderr, so it works from a fresh clone. With credentials
// (ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or any
// other source of the credentials-go default chain) it queries the service:
//
//	ALIBABA_CLOUD_ACCESS_KEY_ID=... ALIBABA_CLOUD_ACCESS_KEY_SECRET=... \
//		go run ./examples/quickstart -phone 8613800001234 -days 14
//
// Days run from midnight to midnight UTC+8, as the service's DAILY buckets
// do, and the last day shown is yesterday, the last whole one. Flags:
//
//	-phone NUMBER          business number, country code first, no +
//	                       (required with real credentials; default with the
//	                       emulator: its sample number 8613800001234)
//	-days N                how many whole days to show (default 7)
//	-since YYYY-MM-DD      first day to show, instead of -days
//	-granularity G         DAILY, or HALF_HOUR to fetch half hours, sum them
//	                       into days and show each day's busiest half hour
//	-endpoint URL          service endpoint (default the Singapore one)
//	-emulator              use the built-in emulator even with credentials;
//	                       -emulator=false uses the default credential chain
//	                       (CLI profile, ECS RAM role, ...) without them
//
// It exits 0 on success, 1 when the query fails (with the error code and
// RequestId of an API error), 2 on a usage error and 130 on Ctrl-C.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
)

// samplePhone is one of the numbers the emulator has data for.
const samplePhone = "8613800001234"

// credentialVars are the environment variables from which the
// credentials-go default chain can take credentials. Any of them means the
// user has set up a real account; only then is the service worth calling.
var credentialVars = []string{
	"ALIBABA_CLOUD_ACCESS_KEY_ID",
	"ALIBABA_CLOUD_CREDENTIALS_URI",
	"ALIBABA_CLOUD_ROLE_ARN",
	"ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
	"ALIBABA_CLOUD_OIDC_TOKEN_FILE",
	"ALIBABA_CLOUD_ECS_METADATA",
	"ALIBABA_CLOUD_PROFILE",
	"ALIBABA_CLOUD_CREDENTIALS_FILE",
	"ALIBABA_CLOUD_CONFIG_FILE",
}

// Exit codes.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130 // as a shell reports a command ended by SIGINT
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config is the command line, checked.
type config struct {
	phone       string
	start, end  time.Time // midnights in UTC+8
	granularity chatapp.Granularity
	endpoint    string
	emulator    bool
	// noCredentials says the emulator was chosen because the environment
	// has no credentials, which the user should be told.
	noCredentials bool
}

// usageError is a command line that cannot be run.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, getenv, time.Now(), stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case err != nil:
		// The flag package has already printed its own errors and the usage.
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "quickstart: %v (see -h)\n", ue)
		}
		return exitUsage
	}

	var client *chatapp.Client
	if cfg.noCredentials {
		fmt.Fprintln(stderr, "quickstart: no Alibaba Cloud credentials in the environment, so using the built-in emulator (generated data);"+
			" set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or pass -emulator=false, to query your account")
	}
	if cfg.emulator {
		srv := chatapptest.NewServer()
		defer srv.Close()
		srv.AddPhoneNumber(cfg.phone) // the emulator has data for its channel's numbers only
		if client, err = srv.Client(); err != nil {
			fmt.Fprintln(stderr, "quickstart:", err)
			return exitFailure
		}
	} else {
		opts := []chatapp.Option{chatapp.WithUserAgent("chatapp-quickstart")}
		if cfg.endpoint != "" {
			opts = append(opts, chatapp.WithEndpoint(cfg.endpoint))
		}
		// Only the endpoint can be wrong here: the credentials are
		// fetched, and checked, by the first call.
		if client, err = chatapp.NewClient(opts...); err != nil {
			fmt.Fprintf(stderr, "quickstart: -endpoint: %v\n", err)
			return exitUsage
		}
	}

	// PhoneNumberMetrics splits long ranges into several calls, so that
	// a year of days or a month of half hours work as well as the default week.
	var points []chatapp.PhoneNumberMetric
	for p, err := range client.PhoneNumberMetrics(ctx, &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: cfg.phone,
		Granularity: cfg.granularity,
		Start:       cfg.start,
		End:         cfg.end,
	}) {
		if err != nil {
			if ctx.Err() != nil {
				fmt.Fprintln(stderr, "quickstart: interrupted")
				return exitInterrupted
			}
			fmt.Fprintln(stderr, "quickstart:", describe(err))
			return exitFailure
		}
		points = append(points, p)
	}

	if err := writeTable(stdout, cfg, points); err != nil {
		fmt.Fprintln(stderr, "quickstart:", err)
		return exitFailure
	}
	if len(points) == 0 {
		fmt.Fprintln(stderr, "quickstart: no data for these days: the service counts messages only from the day after EnableWhatsappROIMetric was first called")
	}
	return exitOK
}

func parseFlags(args []string, getenv func(string) string, now time.Time, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: go run ./examples/quickstart [flags]\n\n"+
			"Prints a WhatsApp business number's messages sent and delivered per day (UTC+8).\n"+
			"Without ALIBABA_CLOUD_* credentials in the environment it uses a built-in emulator.\n\n")
		fs.PrintDefaults()
	}
	phone := fs.String("phone", "", "business `number`, country code first, no + (default with the emulator: "+samplePhone+")")
	days := fs.Int("days", 7, "how many whole days to show, ending yesterday (UTC+8)")
	since := fs.String("since", "", "first `day` to show, YYYY-MM-DD, instead of -days")
	granularity := fs.String("granularity", string(chatapp.GranularityDaily), "DAILY, or HALF_HOUR to also show each day's busiest half hour")
	endpoint := fs.String("endpoint", "", "service endpoint `url` (default "+chatapp.DefaultEndpoint+")")
	emulator := fs.Bool("emulator", false, "use the built-in emulator even with credentials; -emulator=false never uses it (default: use it when no credentials are set)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	cfg := &config{
		phone:       strings.TrimPrefix(strings.TrimSpace(*phone), "+"),
		granularity: chatapp.Granularity(strings.ToUpper(*granularity)),
		endpoint:    *endpoint,
		emulator:    *emulator,
	}
	if !cfg.granularity.Valid() {
		return nil, usagef("-granularity must be DAILY or HALF_HOUR, not %q", *granularity)
	}
	if !set["emulator"] {
		// A chosen endpoint is a service to call, not the emulator.
		cfg.emulator = cfg.endpoint == "" && !hasCredentials(getenv)
		cfg.noCredentials = cfg.emulator
	}
	if cfg.emulator && cfg.endpoint != "" {
		return nil, usagef("-endpoint and -emulator exclude each other")
	}
	if cfg.phone == "" {
		if !cfg.emulator {
			return nil, usagef("-phone is required: your WhatsApp business number, e.g. -phone 8613800001234")
		}
		cfg.phone = samplePhone
	}

	// The service's days run midnight to midnight UTC+8; today is not over.
	cst := chatapp.ChinaStandardTime()
	y, m, d := now.In(cst).Date()
	cfg.end = time.Date(y, m, d, 0, 0, 0, 0, cst)
	switch {
	case set["since"] && set["days"]:
		return nil, usagef("-days and -since exclude each other")
	case set["since"]:
		day, err := time.ParseInLocation(time.DateOnly, *since, cst)
		if err != nil {
			return nil, usagef("-since must be a date such as %s, not %q", cfg.end.AddDate(0, 0, -7).Format(time.DateOnly), *since)
		}
		if !day.Before(cfg.end) {
			return nil, usagef("-since must be before today (%s in UTC+8): today is not over", cfg.end.Format(time.DateOnly))
		}
		cfg.start = day
	default:
		// A year is as long a table as anyone reads.
		if *days < 1 || *days > 366 {
			return nil, usagef("-days must be between 1 and 366, not %d", *days)
		}
		cfg.start = cfg.end.AddDate(0, 0, -*days)
	}
	return cfg, nil
}

func hasCredentials(getenv func(string) string) bool {
	for _, v := range credentialVars {
		if getenv(v) != "" {
			return true
		}
	}
	return false
}

// describe turns a failed query into one line: the error, which carries
// the code and RequestId of an API error, how many attempts were made, and
// what to do about the common failures.
func describe(err error) string {
	var b strings.Builder
	b.WriteString(err.Error())
	var oe *chatapp.OperationError
	if errors.As(err, &oe) && oe.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", oe.Attempts)
	}
	var hint string
	switch {
	case errors.Is(err, chatapp.ErrCredentials):
		hint = "set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or run with -emulator"
	case errors.Is(err, chatapp.ErrAuthentication):
		hint = "check ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, and the system clock"
	case errors.Is(err, chatapp.ErrPermissionDenied):
		hint = "grant the RAM identity cams:GetChatappPhoneNumberMetric"
	case errors.Is(err, chatapp.ErrProductNotSubscribed):
		hint = "activate ChatApp Message Service for this account"
	case errors.Is(err, chatapp.ErrThrottled):
		hint = "the account's rate limit held after every retry; try again in a moment"
	}
	if hint != "" {
		b.WriteString("; hint: ")
		b.WriteString(hint)
	}
	return b.String()
}

// day is one row of the table.
type day struct {
	start  time.Time
	totals chatapp.Totals
	peak   *chatapp.PhoneNumberMetric // the busiest half hour, when fetched
}

// writeTable prints a title, then one aligned row per day of the range,
// days without data included, and the totals.
func writeTable(w io.Writer, cfg *config, points []chatapp.PhoneNumberMetric) error {
	cst := cfg.start.Location()
	var days []day
	index := map[time.Time]int{}
	for t := cfg.start; t.Before(cfg.end); t = t.AddDate(0, 0, 1) {
		index[t] = len(days)
		days = append(days, day{start: t})
	}
	// Half hours add up into their day exactly; so does a day's own point.
	for _, dt := range chatapp.TotalsByDay(points, cst) {
		if i, ok := index[dt.Day]; ok {
			days[i].totals = dt.Totals
		}
	}
	if cfg.granularity == chatapp.GranularityHalfHour {
		for _, p := range points {
			y, m, d := p.Start.In(cst).Date()
			i, ok := index[time.Date(y, m, d, 0, 0, 0, 0, cst)]
			if ok && p.SentCount > 0 && (days[i].peak == nil || p.SentCount > days[i].peak.SentCount) {
				days[i].peak = &p
			}
		}
	}

	header := []string{"DAY", "SENT", "DELIVERED", "DELIVERY RATE"}
	if cfg.granularity == chatapp.GranularityHalfHour {
		header = append(header, "BUSIEST HALF HOUR")
	}
	rows := [][]string{header}
	for _, d := range days {
		row := []string{d.start.Format("Mon 2006-01-02"), thousands(d.totals.Sent), thousands(d.totals.Delivered), rate(d.totals)}
		if cfg.granularity == chatapp.GranularityHalfHour {
			peak := "-"
			if d.peak != nil {
				peak = fmt.Sprintf("%s-%s  %s sent", d.peak.Start.In(cst).Format("15:04"), d.peak.End.In(cst).Format("15:04"), thousands(d.peak.SentCount))
			}
			row = append(row, peak)
		}
		rows = append(rows, row)
	}
	total := chatapp.Total(points)
	totalRow := []string{"TOTAL", thousands(total.Sent), thousands(total.Delivered), rate(total)}

	last := cfg.end.AddDate(0, 0, -1)
	var b strings.Builder
	fmt.Fprintf(&b, "WhatsApp messages of %s, %s to %s (days run midnight to midnight UTC+8, as the service counts them)\n\n",
		cfg.phone, cfg.start.Format(time.DateOnly), last.Format(time.DateOnly))
	writeAligned(&b, append(rows, totalRow), len(rows))
	_, err := io.WriteString(w, b.String())
	return err
}

// writeAligned writes rows as columns, the first and any after the counts
// left-aligned, the counts and rate right-aligned, with a rule before row
// ruleAt.
func writeAligned(b *strings.Builder, rows [][]string, ruleAt int) {
	var widths []int
	for _, row := range rows {
		for i, cell := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	lineWidth := 3 * (len(widths) - 1)
	for _, wd := range widths {
		lineWidth += wd
	}
	for n, row := range rows {
		if n == ruleAt {
			b.WriteString(strings.Repeat("-", lineWidth) + "\n")
		}
		var line strings.Builder
		for i, cell := range row {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell))
			if i > 0 {
				line.WriteString("   ")
			}
			if i == 0 || i > 3 {
				line.WriteString(cell + pad)
			} else {
				line.WriteString(pad + cell)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

// rate prints a delivery rate as a percentage; "-" when nothing was sent,
// where 0% would read as a failure.
func rate(t chatapp.Totals) string {
	if t.Sent == 0 {
		return "-"
	}
	return strconv.FormatFloat(100*t.DeliveryRate(), 'f', 1, 64) + "%"
}

// thousands prints n with comma separators, which people read faster in
// a column of five-digit counts.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
