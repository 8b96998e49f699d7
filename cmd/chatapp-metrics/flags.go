package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"
	"github.com/chatappkit/chatapp"

	alicred "github.com/aliyun/credentials-go/credentials"
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
	profile      string
	region       string
	chartSize    chartSize
	// rebucket is set when DAILY rows are asked for in a zone whose days
	// are not the service's (UTC+8): the command then fetches HALF_HOUR
	// points and sums them into the zone's days.
	rebucket bool
	// typed is the command line as given, for messages that quote it.
	typedSince, typedUntil string
}

// reportFlagValues are the report's flags as typed.
type reportFlagValues struct {
	phone, since, until, granularity, format, chart, tz *string
	endpoint, custSpaceID, profile, region, chartSize   *string
	workers                                             *int
	emulator                                            *bool
	timeout                                             *time.Duration
}

// reportFlags defines the report's flags, which completion also lists.
func reportFlags(stderr io.Writer) (*flag.FlagSet, *reportFlagValues) {
	fs := flag.NewFlagSet("chatapp-metrics", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		io.WriteString(fs.Output(), "Usage: chatapp-metrics [report] -phone NUMBER[,NUMBER...] [-since 90d] [-until now] [flags]\n"+
			"       chatapp-metrics enable-roi | numbers | templates | completion bash|zsh|fish | version\n\n")
		fs.PrintDefaults()
	}
	f := &reportFlagValues{
		phone:       fs.String("phone", "", "comma-separated business numbers, country code first, no + (default with -emulator: its sample numbers)"),
		since:       fs.String("since", "30d", "start: `Nd` days before -until from midnight, Nw, a Go duration, a date YYYY-MM-DD, or an RFC 3339 time"),
		until:       fs.String("until", "now", "end: now, a date YYYY-MM-DD (through the end of that day), or an RFC 3339 time"),
		granularity: fs.String("granularity", "DAILY", "DAILY or HALF_HOUR"),
		format:      new(string),
		chart:       fs.String("chart", "", "also draw sent and delivered per day, and the delivery rate, to this .svg or .png `file`"),
		chartSize:   fs.String("chart-size", "1200x640", "`WIDTHxHEIGHT` of -chart in pixels (of the PNG; CSS pixels of the SVG)"),
		tz:          fs.String("tz", "+08:00", "`zone` of days and dates: +08:00, UTC-5, UTC, Local or an IANA name"),
		workers:     fs.Int("workers", chatapp.DefaultWorkers, "numbers fetched at once"),
		endpoint:    fs.String("endpoint", "", "service endpoint `url` (default "+chatapp.DefaultEndpoint+")"),
		emulator:    fs.Bool("emulator", false, "query chatapptest's in-process emulator instead of the service"),
		timeout:     fs.Duration("timeout", 10*time.Minute, "bound on the whole run"),
		custSpaceID: fs.String("cust-space-id", "", "the channel's space ID (CustSpaceId); without -phone, report on every number of the channel"),
	}
	f.profile, f.region = serviceFlags(fs)
	formatFlags(fs, f.format, "table, csv, json (one object per line) or yaml")
	return fs, f
}

// formatFlags defines -o and its alias -format on one value.
func formatFlags(fs *flag.FlagSet, format *string, usage string) {
	fs.StringVar(format, "o", "table", "output `format`: "+usage)
	fs.StringVar(format, "format", "table", "the same as -o")
}

// serviceFlags defines -profile and -region.
func serviceFlags(fs *flag.FlagSet) (profile, region *string) {
	profile = fs.String("profile", "", "`name` of the aliyun CLI profile (~/.aliyun/config.json) to take credentials from (default: the credentials-go default chain, which honours ALIBABA_CLOUD_PROFILE)")
	region = fs.String("region", "", "region `id`, for the endpoint https://cams.<id>.aliyuncs.com (default ap-southeast-1)")
	return profile, region
}

// checkService checks -profile, -region, -endpoint and -emulator together.
func checkService(profile, region, endpoint string, emulator bool) error {
	switch {
	case emulator && endpoint != "":
		return usagef("-endpoint and -emulator exclude each other")
	case region != "" && endpoint != "":
		return usagef("-region %q and -endpoint %q exclude each other", region, endpoint)
	case emulator && (region != "" || profile != ""):
		return usagef("-emulator takes no -region or -profile")
	case region != "" && !regionPattern.MatchString(region):
		return usagef("-region %q is not a region id such as ap-southeast-1", region)
	case strings.TrimSpace(profile) != profile:
		return usagef("-profile %q has spaces around it", profile)
	case endpoint != "":
		return checkEndpoint(endpoint)
	}
	return nil
}

var regionPattern = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+)+$`)

// serviceOptions are the client options of -profile, -region and
// -endpoint. Without -profile, credentials come from the credentials-go
// default chain.
func serviceOptions(profile, region, endpoint string) ([]chatapp.Option, error) {
	opts := []chatapp.Option{chatapp.WithUserAgent("chatapp-metrics")}
	if region != "" {
		opts = append(opts, chatapp.WithRegion(region))
	}
	if endpoint != "" {
		opts = append(opts, chatapp.WithEndpoint(endpoint))
	}
	if profile != "" {
		p, err := providers.NewCLIProfileCredentialsProviderBuilder().WithProfileName(profile).Build()
		if err != nil {
			return nil, fmt.Errorf("-profile %q: %w", profile, err)
		}
		opts = append(opts, chatapp.WithCredential(alicred.FromCredentialsProvider("cli_profile", p)))
	}
	return opts, nil
}

// parseFlags reads and checks the command line. A bad flag is a
// *usageError naming the flag and its rule, or the flag package's own error
// (already printed to stderr); -h gives flag.ErrHelp.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs, f := reportFlags(stderr)
	phone, since, until, granularity, format, chart, tz := f.phone, f.since, f.until, f.granularity, f.format, f.chart, f.tz
	workers, endpoint, emulator, timeout, custSpaceID := f.workers, f.endpoint, f.emulator, f.timeout, f.custSpaceID
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
		profile:     *f.profile,
		region:      *f.region,
	}
	var err error
	if cfg.phones, err = parsePhones(*phone); err != nil {
		return nil, err
	}
	if len(cfg.phones) == 0 && !cfg.emulator && cfg.custSpaceID == "" {
		return nil, usagef("-phone is required (or -cust-space-id, for every number of a channel): the business numbers to report on")
	}
	if err := checkService(cfg.profile, cfg.region, cfg.endpoint, cfg.emulator); err != nil {
		return nil, err
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
	if cfg.granularity, err = chatapp.ParseGranularity(*granularity); err != nil {
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
	case "table", "csv", "json", "yaml":
		cfg.format = f
	default:
		return nil, usagef("-o (-format) must be table, csv, json or yaml, not %q", *format)
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
	if cfg.chartSize, err = parseChartSize(*f.chartSize); err != nil {
		return nil, err
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
	// User information is refused before anything repeats the value: it
	// would put a password on stderr.
	authority, _, _ := strings.Cut(s[strings.Index(s, "://")+3:], "/")
	if strings.Contains(authority, "@") {
		return usagef("-endpoint must not carry a user name or password (credentials come from -profile or the default chain)")
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
