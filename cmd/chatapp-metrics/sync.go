package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/cmd/chatapp-metrics/internal/archive"
)

// runSync is `chatapp-metrics sync`: it archives the numbers' series into
// a SQL database, fetching only what is new since the last run plus an
// overlap for the service's late corrections.
func runSync(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("chatapp-metrics sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		io.WriteString(fs.Output(), "Usage: chatapp-metrics sync -db sqlite:FILE|postgres://... -phone NUMBER[,NUMBER...] | -cust-space-id ID [flags]\n\n")
		fs.PrintDefaults()
	}
	dsn := fs.String("db", "sqlite:metrics.db", "database: sqlite:`FILE` or a postgres:// URL")
	phone := fs.String("phone", "", "comma-separated business numbers, country code first, no + (default with -emulator: its sample numbers)")
	custSpaceID := fs.String("cust-space-id", "", "the channel's space ID (CustSpaceId); without -phone, archive every number of the channel")
	since := fs.String("since", "90d", "start of the first run: `Nd` days before -until from midnight, Nw, a Go duration, a date YYYY-MM-DD, or an RFC 3339 time")
	until := fs.String("until", "now", "end: now, a date YYYY-MM-DD (through the end of that day), or an RFC 3339 time")
	granularity := fs.String("granularity", "DAILY", "DAILY or HALF_HOUR")
	overlap := fs.Duration("overlap", 48*time.Hour, "how far before the last stored bucket a later run starts reading again, for late corrections")
	endpoint := fs.String("endpoint", "", "service endpoint `url` (default "+chatapp.DefaultEndpoint+")")
	emulator := fs.Bool("emulator", false, "query chatapptest's in-process emulator instead of the service")
	timeout := fs.Duration("timeout", 30*time.Minute, "bound on the whole run")
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case err != nil:
		return exitUsage
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "chatapp-metrics sync:", err)
		return exitUsage
	}
	cfg := &config{endpoint: *endpoint, emulator: *emulator, custSpaceID: *custSpaceID, tz: chatapp.ChinaStandardTime()}
	if cfg.phones, err = parsePhones(*phone); err != nil {
		return fail(err)
	}
	if cfg.until, err = parseUntil(*until, now(), cfg.tz); err != nil {
		return fail(err)
	}
	if cfg.since, err = parseSince(*since, cfg.until, cfg.tz); err != nil {
		return fail(err)
	}
	if cfg.granularity, err = chatapp.ParseGranularity(*granularity); err != nil {
		return fail(fmt.Errorf("-granularity must be DAILY or HALF_HOUR, not %q", *granularity))
	}
	switch {
	case fs.NArg() > 0:
		return fail(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	case len(cfg.phones) == 0 && !cfg.emulator && cfg.custSpaceID == "":
		return fail(errors.New("-phone or -cust-space-id is required: the numbers to archive"))
	case !cfg.since.Before(cfg.until):
		return fail(fmt.Errorf("-since (%s) must be before -until (%s)", cfg.since.Format(time.RFC3339), cfg.until.Format(time.RFC3339)))
	case *overlap < 0:
		return fail(fmt.Errorf("-overlap must not be negative, not %s", *overlap))
	case *timeout <= 0:
		return fail(fmt.Errorf("-timeout must be positive, not %s", *timeout))
	}
	if err := checkService("", "", cfg.endpoint, cfg.emulator); err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	store, err := archive.Open(ctx, *dsn)
	if err != nil {
		fmt.Fprintln(stderr, "chatapp-metrics sync:", err)
		if errors.Is(err, archive.ErrDSN) {
			return exitUsage
		}
		return exitError
	}
	defer store.Close()
	client, numbers, closeClient, err := connect(cfg, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "chatapp-metrics sync:", err)
		return exitError
	}
	defer closeClient()
	if cfg.custSpaceID != "" && len(cfg.phones) == 0 {
		if numbers, err = channelNumbers(ctx, client, cfg.custSpaceID); err != nil {
			fmt.Fprintln(stderr, "chatapp-metrics sync: listing the channel's numbers:", describe(err))
			return exitError
		}
	}
	s := &syncer{client: client, store: store, granularity: cfg.granularity, since: cfg.since, until: cfg.until,
		overlap: *overlap, custSpaceID: cfg.custSpaceID}
	return s.syncAll(ctx, numbers, stdout, stderr)
}

// syncAll syncs the numbers in turn, a line each on stdout, and returns
// the exit code. A number that fails is reported and the others still
// run, unless ctx has ended: then the numbers not started are named, so
// that an interrupted run never reads as a complete one.
func (s *syncer) syncAll(ctx context.Context, numbers []string, stdout, stderr io.Writer) int {
	code := exitOK
	for i, n := range numbers {
		st, err := s.syncNumber(ctx, n)
		fmt.Fprintf(stdout, "%s: from %s, %d windows read, %d points stored\n", n, st.from.Format(time.RFC3339), st.windows, st.points)
		if err != nil {
			fmt.Fprintf(stderr, "chatapp-metrics sync: %s: %s (the windows before are stored; the next run resumes)\n", n, describe(err))
			code = exitError
			if ctx.Err() != nil {
				if rest := numbers[i+1:]; len(rest) > 0 {
					fmt.Fprintf(stderr, "chatapp-metrics sync: %d numbers not synced: %s\n", len(rest), strings.Join(rest, ", "))
				}
				break
			}
		}
	}
	return code
}

// syncer archives series into a store.
type syncer struct {
	client      *chatapp.Client
	store       *archive.Store
	granularity chatapp.Granularity
	since       time.Time // start of a number's first run
	until       time.Time
	overlap     time.Duration
	custSpaceID string
	now         func() time.Time // the fetched_at clock; nil: time.Now
	// afterWindow, if set, is called after each stored window (tests
	// interrupt runs with it).
	afterWindow func()
}

// syncStats says what one number's run did.
type syncStats struct {
	from            time.Time
	windows, points int
}

// syncNumber fetches a number's range window by window, each stored in a
// transaction of its own, in time order, so that a run that stops leaves
// a prefix of the range, from which the next one resumes.
func (s *syncer) syncNumber(ctx context.Context, phone string) (syncStats, error) {
	loc := chatapp.ChinaStandardTime()
	from := s.since
	first, last, ok, err := s.store.Span(ctx, phone, s.granularity)
	if err != nil {
		return syncStats{from: from}, fmt.Errorf("reading the archive: %w", err)
	}
	from = bucketFloor(s.granularity, from, loc)
	if ok {
		// Resume: re-read the overlap, but not before the archive begins.
		from = bucketFloor(s.granularity, last.Add(-s.overlap), loc)
		if from.Before(first) {
			from = first
		}
	}
	st := syncStats{from: from}
	for start := from; start.Before(s.until); {
		end := windowEnd(s.granularity, start, loc)
		if end.After(s.until) {
			end = s.until
		}
		resp, err := s.client.GetChatappPhoneNumberMetric(ctx, &chatapp.GetChatappPhoneNumberMetricRequest{
			PhoneNumber: phone, Granularity: s.granularity, Start: start, End: end, CustSpaceID: s.custSpaceID,
		})
		if err != nil {
			return st, err
		}
		fetchedAt := time.Now()
		if s.now != nil {
			fetchedAt = s.now()
		}
		var points []chatapp.PhoneNumberMetric
		for _, p := range resp.Data {
			if p.PhoneNumber == "" || p.PhoneNumber == phone {
				p.PhoneNumber, p.Granularity = phone, s.granularity
				points = append(points, p)
			}
		}
		if err := s.store.Put(ctx, points, fetchedAt); err != nil {
			return st, fmt.Errorf("storing %s to %s: %w", start.Format(time.RFC3339), end.Format(time.RFC3339), err)
		}
		st.windows++
		st.points += len(points)
		if s.afterWindow != nil {
			s.afterWindow()
		}
		start = end
	}
	return st, nil
}

// bucketFloor is the start of the bucket t falls in: its UTC+8 day, or its
// half hour.
func bucketFloor(g chatapp.Granularity, t time.Time, loc *time.Location) time.Time {
	if g == chatapp.GranularityHalfHour {
		return t.Truncate(halfHour)
	}
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}

// windowEnd is where the request starting at start ends: the SDK's
// default window, on a bucket boundary.
func windowEnd(g chatapp.Granularity, start time.Time, loc *time.Location) time.Time {
	if g == chatapp.GranularityHalfHour {
		return start.Add(chatapp.DefaultHalfHourWindow)
	}
	return start.In(loc).AddDate(0, 0, chatapp.DefaultDailyWindowDays)
}
