package main

import (
	"flag"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chatappkit/chatapp"
)

// config is the command line, checked.
type config struct {
	phones       []string
	since, until time.Time
	granularity  chatapp.Granularity
	format       string
	chart        string
	tz           *time.Location
	workers      int
	endpoint     string
	emulator     bool
	timeout      time.Duration
	custSpaceID  string
	// rebucket is set when DAILY rows are asked for in a zone whose days
	// are not the service's (UTC+8): the command then fetches HALF_HOUR
	// points and sums them into the zone's days.
	rebucket bool
	// typed is the command line as given, for messages that quote it.
	typedSince, typedUntil string
}

// parseFlags reads and checks the command line. A bad flag is a
// *usageError naming the flag and its rule, or the flag package's own error
// (already printed to stderr); -h gives flag.ErrHelp.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("chatapp-metrics", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		io.WriteString(fs.Output(), "Usage: chatapp-metrics -phone NUMBER[,NUMBER...] [-since 90d] [-until now] [flags]\n\n")
		fs.PrintDefaults()
	}
	phone := fs.String("phone", "", "comma-separated business numbers, country code first, no + (default with -emulator: its sample numbers)")
	since := fs.String("since", "30d", "start: `Nd` days before -until from midnight, Nw, a Go duration, a date YYYY-MM-DD, or an RFC 3339 time")
	until := fs.String("until", "now", "end: now, a date YYYY-MM-DD (through the end of that day), or an RFC 3339 time")
	granularity := fs.String("granularity", "DAILY", "DAILY or HALF_HOUR")
	format := fs.String("format", "table", "table, csv or json (one object per line)")
	chart := fs.String("chart", "", "also draw sent and delivered per day to this .svg or .png `file`")
	tz := fs.String("tz", "+08:00", "`zone` of days and dates: +08:00, UTC-5, UTC, Local or an IANA name")
	workers := fs.Int("workers", chatapp.DefaultWorkers, "numbers fetched at once")
	endpoint := fs.String("endpoint", "", "service endpoint `url` (default "+chatapp.DefaultEndpoint+")")
	emulator := fs.Bool("emulator", false, "query chatapptest's in-process emulator instead of the service")
	timeout := fs.Duration("timeout", 10*time.Minute, "bound on the whole run")
	custSpaceID := fs.String("cust-space-id", "", "the channel's space ID (CustSpaceId); without -phone, report on every number of the channel")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q: numbers go in -phone", fs.Arg(0))
	}

	cfg := &config{
		chart:    *chart,
		workers:  *workers,
		endpoint: *endpoint,
		emulator: *emulator,
		timeout:  *timeout,

		custSpaceID: *custSpaceID,
	}
	var err error
	if cfg.phones, err = parsePhones(*phone); err != nil {
		return nil, err
	}
	if len(cfg.phones) == 0 && !cfg.emulator && cfg.custSpaceID == "" {
		return nil, usagef("-phone is required (or -cust-space-id, for every number of a channel): the business numbers to report on")
	}
	if cfg.emulator && cfg.endpoint != "" {
		return nil, usagef("-endpoint and -emulator exclude each other")
	}
	if cfg.endpoint != "" {
		if err := checkEndpoint(cfg.endpoint); err != nil {
			return nil, err
		}
	}
	if cfg.tz, err = parseZone(*tz); err != nil {
		return nil, err
	}
	if cfg.until, err = parseUntil(*until, now(), cfg.tz); err != nil {
		return nil, err
	}
	if cfg.since, err = parseSince(*since, cfg.until, cfg.tz); err != nil {
		return nil, err
	}
	cfg.typedSince, cfg.typedUntil = *since, *until
	if !cfg.since.Before(cfg.until) {
		return nil, usagef("-since %q must be before -until %q (the range runs from %s to %s)",
			*since, *until, cfg.since.Format(time.RFC3339), cfg.until.Format(time.RFC3339))
	}
	if !cfg.since.Before(now()) {
		return nil, usagef("-since %q is in the future (now is %s): there is no data yet", *since, now().In(cfg.tz).Format(time.RFC3339))
	}
	if cfg.granularity = chatapp.Granularity(strings.ToUpper(*granularity)); !cfg.granularity.Valid() {
		return nil, usagef("-granularity must be DAILY or HALF_HOUR, not %q", *granularity)
	}
	if cfg.granularity == chatapp.GranularityDaily && !serviceDays(cfg.tz, cfg.since, cfg.until) {
		if at, off, ok := halfHourZone(cfg.tz, cfg.since, cfg.until); !ok {
			return nil, usagef("-tz %q: its offset is %s at %s, not a multiple of 30 minutes, so its days cannot be built from the service's half hours (use -granularity HALF_HOUR, or a zone such as +05:30)",
				*tz, formatOffset(off), at.Format(time.RFC3339))
		}
		cfg.rebucket = true
	}
	switch f := strings.ToLower(*format); f {
	case "table", "csv", "json":
		cfg.format = f
	default:
		return nil, usagef("-format must be table, csv or json, not %q", *format)
	}
	if cfg.chart != "" {
		switch strings.ToLower(filepath.Ext(cfg.chart)) {
		case ".svg", ".png":
		default:
			return nil, usagef("-chart must name a .svg or .png file, not %q", cfg.chart)
		}
		if err := checkWritable(cfg.chart); err != nil {
			return nil, err
		}
	}
	if cfg.workers < 1 {
		return nil, usagef("-workers must be at least 1, not %d", cfg.workers)
	}
	if cfg.timeout <= 0 {
		return nil, usagef("-timeout must be positive, not %s", cfg.timeout)
	}
	return cfg, nil
}

// parsePhones splits the -phone list, dropping a leading "+", which the
// service's numbers do not have.
func parsePhones(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		n := strings.TrimPrefix(strings.TrimSpace(part), "+")
		if n == "" {
			continue
		}
		if strings.Trim(n, "0123456789") != "" {
			return nil, usagef("-phone: %q is not a number of digits, country code first", part)
		}
		if seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	if strings.TrimSpace(s) != "" && len(out) == 0 {
		return nil, usagef("-phone: no number in %q", s)
	}
	return out, nil
}

// checkEndpoint applies the SDK's rules for -endpoint before any call: a
// bare host means https, plain http is for loopback hosts only, and the
// API is served at "/".
func checkEndpoint(raw string) error {
	s := raw
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return usagef("-endpoint %q is not a URL", raw)
	case u.Scheme != "https" && u.Scheme != "http":
		return usagef("-endpoint %q: the scheme must be https (or http for a loopback host)", raw)
	case u.Hostname() == "":
		return usagef("-endpoint %q has no host", raw)
	case u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return usagef("-endpoint %q must be a scheme and a host only, such as %s", raw, chatapp.DefaultEndpoint)
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return usagef("-endpoint %q: plain http is allowed only for a loopback host (an emulator); use https://%s", raw, u.Host)
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkWritable makes sure, before the query, that file can be written:
// its directory exists and takes a new file. A query of a year takes a
// while, and its result should not be lost to a typo in the path.
func checkWritable(file string) error {
	dir := filepath.Dir(file)
	info, err := os.Stat(dir)
	switch {
	case err != nil:
		return usagef("-chart %q: the directory %q does not exist", file, dir)
	case !info.IsDir():
		return usagef("-chart %q: %q is not a directory", file, dir)
	}
	if info, err := os.Stat(file); err == nil && info.IsDir() {
		return usagef("-chart %q is a directory", file)
	}
	probe, err := os.CreateTemp(dir, ".chatapp-metrics-*")
	if err != nil {
		return usagef("-chart %q: cannot write in %q", file, dir)
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}
