package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/redislimit"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
)

// halfHour is the length of a HALF_HOUR bucket.
const halfHour = 30 * time.Minute

// defaultRereadBuckets is how many of the last complete half hours every
// poll fetches again, for the service's late corrections.
const defaultRereadBuckets = 4

// runServe is `chatapp-metrics serve`: a Prometheus exporter that polls the
// service in the background and answers scrapes from what it last read.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("chatapp-metrics serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		io.WriteString(fs.Output(), "Usage: chatapp-metrics serve [-listen 127.0.0.1:9464] [-interval 5m] -phone NUMBER[,NUMBER...] | -cust-space-id ID [flags]\n\n")
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:9464", "`address` to serve /metrics on (loopback by default)")
	interval := fs.Duration("interval", 5*time.Minute, "time between polls of the service")
	reread := fs.Int("reread", defaultRereadBuckets, "complete half hours every poll fetches again, for late corrections")
	phone := fs.String("phone", "", "comma-separated business numbers, country code first, no + (default with -emulator: its sample numbers)")
	custSpaceID := fs.String("cust-space-id", "", "the channel's space ID (CustSpaceId); without -phone, export every number of the channel")
	endpoint := fs.String("endpoint", "", "service endpoint `url` (default "+chatapp.DefaultEndpoint+")")
	emulator := fs.Bool("emulator", false, "query chatapptest's in-process emulator instead of the service")
	redisAddr := fs.String("redis", "", "share the account's quota with other replicas through Redis: host:port, a socket path or a redis:// URL")
	pollTimeout := fs.Duration("timeout", 2*time.Minute, "bound on one poll")
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case err != nil:
		return exitUsage
	}
	cfg := &config{endpoint: *endpoint, emulator: *emulator, custSpaceID: *custSpaceID}
	problem := ""
	if cfg.phones, err = parsePhones(*phone); err != nil {
		problem = err.Error()
	}
	switch {
	case problem != "":
	case fs.NArg() > 0:
		problem = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case len(cfg.phones) == 0 && !cfg.emulator && cfg.custSpaceID == "":
		problem = "-phone or -cust-space-id is required: the numbers to export"
	case *interval < time.Second:
		problem = fmt.Sprintf("-interval must be at least 1s, not %s", *interval)
	case *reread < 1 || *reread > 48:
		problem = fmt.Sprintf("-reread must be from 1 to 48 half hours, not %d", *reread)
	case *pollTimeout <= 0:
		problem = fmt.Sprintf("-timeout must be positive, not %s", *pollTimeout)
	default:
		if err := checkService("", "", cfg.endpoint, cfg.emulator); err != nil {
			problem = err.Error()
		}
	}
	if problem != "" {
		fmt.Fprintln(stderr, "chatapp-metrics serve:", problem)
		return exitUsage
	}

	calls := newCallCounter()
	opts := []chatapp.Option{calls.option()}
	if *redisAddr != "" {
		rdb, err := newRedisClient(*redisAddr)
		if err != nil {
			fmt.Fprintln(stderr, "chatapp-metrics serve: -redis:", err)
			return exitUsage
		}
		defer rdb.Close()
		lim := redislimit.New(rdb, redislimit.WithLogger(slog.New(slog.NewTextHandler(stderr, nil))))
		if err := lim.Err(); err != nil {
			fmt.Fprintln(stderr, "chatapp-metrics serve: -redis:", err)
			return exitUsage
		}
		opts = append(opts, chatapp.WithRateLimiter(lim))
	}
	client, numbers, closeClient, err := connect(cfg, stderr, opts...)
	if err != nil {
		fmt.Fprintln(stderr, "chatapp-metrics serve:", err)
		return exitError
	}
	defer closeClient()
	if len(cfg.phones) == 0 && cfg.custSpaceID != "" {
		numbers = nil // every number of the channel, listed on each poll
	}

	exp := newExporter(client, numbers, cfg.custSpaceID, calls)
	exp.rereadBuckets = *reread
	exp.pollTimeout = *pollTimeout
	exp.logger = slog.New(slog.NewTextHandler(stderr, nil))

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(stderr, "chatapp-metrics serve: -listen:", err)
		return exitError
	}
	fmt.Fprintf(stderr, "chatapp-metrics serve: serving http://%s/metrics\n", ln.Addr())
	ticker := time.NewTicker(*interval)
	defer ticker.Stop()
	if err := exp.serve(ctx, ln, ticker.C); err != nil {
		fmt.Fprintln(stderr, "chatapp-metrics serve:", err)
		return exitError
	}
	return exitOK
}

// newRedisClient connects to Redis at addr: host:port, a Unix socket path,
// or a redis://, rediss:// or unix:// URL.
func newRedisClient(addr string) (*redis.Client, error) {
	if strings.Contains(addr, "://") {
		opts, err := redis.ParseURL(addr)
		if err != nil {
			// net/url's errors quote the whole URL, password included:
			// keep only what was wrong with it.
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			return nil, err
		}
		return redis.NewClient(opts), nil
	}
	if strings.HasPrefix(addr, "/") {
		return redis.NewClient(&redis.Options{Network: "unix", Addr: addr}), nil
	}
	return redis.NewClient(&redis.Options{Addr: addr}), nil
}

// exporter polls the service and holds what it read for scrapes.
type exporter struct {
	client      *chatapp.Client
	numbers     []string // nil: every number of custSpaceID
	custSpaceID string
	now         func() time.Time
	logger      *slog.Logger

	rereadBuckets int           // complete half hours re-read on every poll
	pollTimeout   time.Duration // bound on one poll

	registry    *prometheus.Registry
	up          prometheus.Gauge
	lastSuccess prometheus.Gauge
	ready       atomic.Bool

	pollMu  sync.Mutex                          // one poll at a time
	buckets map[string]map[int64]chatapp.Totals // number → UNIX start → counts; under pollMu
	fetched time.Time                           // end of the range last fetched in full; under pollMu
	snapMu  sync.Mutex                          // guards snap
	snap    *snapshot                           // what scrapes report
}

// snapshot is the state of one successful (or partly successful) poll.
type snapshot struct {
	windows []windowValue
	infos   []chatapp.PhoneNumberInfo
	canSend map[string]bool
}

// windowValue is one number's counts over one window.
type windowValue struct {
	phone, window string
	start         time.Time
	totals        chatapp.Totals
}

var (
	descSent = prometheus.NewDesc("chatapp_whatsapp_sent_messages",
		"WhatsApp messages the number sent in the window (half_hour: the last complete half hour; today: the current UTC+8 day's complete half hours).",
		[]string{"phone_number", "window"}, nil)
	descDelivered = prometheus.NewDesc("chatapp_whatsapp_delivered_messages",
		"WhatsApp messages of the number delivered in the window.",
		[]string{"phone_number", "window"}, nil)
	descRatio = prometheus.NewDesc("chatapp_whatsapp_delivery_ratio",
		"Delivered divided by sent in the window; absent when nothing was sent.",
		[]string{"phone_number", "window"}, nil)
	descBucketStart = prometheus.NewDesc("chatapp_whatsapp_bucket_start_timestamp_seconds",
		"When the window began, in UNIX seconds.",
		[]string{"phone_number", "window"}, nil)
	descInfo = prometheus.NewDesc("chatapp_phone_number_info",
		"The number's settings as QueryChatappPhoneNumbers lists them; always 1.",
		[]string{"phone_number", "verified_name", "status", "quality_rating", "messaging_limit_tier"}, nil)
	descCanSend = prometheus.NewDesc("chatapp_phone_number_can_send",
		"1 when GetWhatsappHealthStatus says the number can send (AVAILABLE), else 0; only with -cust-space-id.",
		[]string{"phone_number"}, nil)
)

func newExporter(client *chatapp.Client, numbers []string, custSpaceID string, calls *callCounter) *exporter {
	e := &exporter{
		client:        client,
		numbers:       numbers,
		custSpaceID:   custSpaceID,
		now:           time.Now,
		logger:        slog.New(slog.DiscardHandler),
		rereadBuckets: defaultRereadBuckets,
		pollTimeout:   2 * time.Minute,
		registry:      prometheus.NewRegistry(),
		up: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "chatapp_exporter_up", Help: "1 when the last poll of the service succeeded, 0 while it failed.",
		}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "chatapp_exporter_last_success_timestamp_seconds", Help: "When the last successful poll ended, in UNIX seconds.",
		}),
		buckets: map[string]map[int64]chatapp.Totals{},
		snap:    &snapshot{},
	}
	e.registry.MustRegister(e.up, e.lastSuccess, calls.requests, collector{e})
	return e
}

// collector reports the exporter's snapshot; collecting never calls the
// service.
type collector struct{ e *exporter }

// Describe implements prometheus.Collector.
func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descSent, descDelivered, descRatio, descBucketStart, descInfo, descCanSend} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c collector) Collect(ch chan<- prometheus.Metric) {
	c.e.snapMu.Lock()
	s := c.e.snap
	c.e.snapMu.Unlock()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, w := range s.windows {
		gauge(descSent, float64(w.totals.Sent), w.phone, w.window)
		gauge(descDelivered, float64(w.totals.Delivered), w.phone, w.window)
		if w.totals.Sent > 0 {
			gauge(descRatio, w.totals.DeliveryRate(), w.phone, w.window)
		}
		gauge(descBucketStart, float64(w.start.Unix()), w.phone, w.window)
	}
	for _, n := range s.infos {
		gauge(descInfo, 1, n.PhoneNumber, n.VerifiedName, string(n.Status), string(n.QualityRating), string(n.MessagingLimitTier))
	}
	for phone, ok := range s.canSend {
		v := 0.0
		if ok {
			v = 1
		}
		gauge(descCanSend, v, phone)
	}
}

// handler serves /metrics, /-/healthy and /-/ready.
func (e *exporter) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(e.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "OK\n")
	})
	mux.HandleFunc("GET /-/ready", func(w http.ResponseWriter, _ *http.Request) {
		if !e.ready.Load() {
			http.Error(w, "no successful poll yet", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "OK\n")
	})
	return mux
}

// serve answers HTTP on ln and polls at once and then on every tick,
// until ctx ends; then it finishes the poll in flight and the requests
// being answered, and returns nil.
func (e *exporter) serve(ctx context.Context, ln net.Listener, ticks <-chan time.Time) error {
	srv := &http.Server{Handler: e.handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	polled := make(chan struct{})
	go func() {
		defer close(polled)
		for {
			if err := e.poll(ctx); err != nil && ctx.Err() == nil {
				e.logger.Warn("poll failed", "error", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-ticks:
			}
		}
	}()

	var err error
	select {
	case <-ctx.Done():
	case err = <-served:
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if shutErr := srv.Shutdown(shutdownCtx); err == nil && shutErr != nil {
		err = shutErr
	}
	<-polled
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// poll reads the numbers, their health and the last half hours from the
// service and publishes them; chatapp_exporter_up says whether it all
// succeeded. Numbers that were read are published even when others
// failed.
func (e *exporter) poll(ctx context.Context) error {
	e.pollMu.Lock()
	defer e.pollMu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, e.pollTimeout)
	defer cancel()
	err := e.pollLocked(ctx)
	if err != nil {
		e.up.Set(0)
		return err
	}
	e.up.Set(1)
	e.lastSuccess.Set(float64(e.now().UnixMilli()) / 1000)
	e.ready.Store(true)
	return nil
}

func (e *exporter) pollLocked(ctx context.Context) error {
	now := e.now()
	complete := bucketFloor(chatapp.GranularityHalfHour, now, nil) // end of the last complete half hour
	last := complete.Add(-halfHour)                                // its start
	// Today is the current UTC+8 day: right after midnight it has no
	// complete half hour yet.
	dayStart := bucketFloor(chatapp.GranularityDaily, now, chatapp.ChinaStandardTime())
	keepFrom := dayStart // the buckets kept: today's and the last complete one
	if last.Before(keepFrom) {
		keepFrom = last
	}

	var errs []error
	infos, numbers, err := e.listNumbers(ctx)
	if err != nil {
		errs = append(errs, fmt.Errorf("QueryChatappPhoneNumbers: %w", err))
	}
	canSend := map[string]bool{}
	if e.custSpaceID != "" {
		for _, n := range numbers {
			h, err := e.client.GetWhatsappHealthStatus(ctx, &chatapp.GetWhatsappHealthStatusRequest{
				NodeType: chatapp.NodePhone, CustSpaceID: e.custSpaceID, PhoneNumber: n,
			})
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: GetWhatsappHealthStatus: %w", n, err))
				continue
			}
			canSend[n] = h.CanSendMessage == chatapp.SendAvailable
		}
	}

	// Re-read the last few complete half hours, all of today's on the
	// first poll, and whatever a long gap since the last poll left out.
	reread := time.Duration(e.rereadBuckets) * halfHour
	from := complete.Add(-reread)
	switch {
	case e.fetched.IsZero():
		from = keepFrom
	case e.fetched.Before(from):
		from = e.fetched.Add(-reread)
	}
	for _, n := range numbers {
		if e.buckets[n] == nil {
			from = keepFrom // a number not read before: all of today
		}
	}
	if from.Before(keepFrom) {
		from = keepFrom
	}
	fetchedAll := true
	unread := map[string]bool{} // numbers this poll could not read
	if len(numbers) > 0 {
		results, err := e.client.QueryPhoneNumbers(ctx, numbers, &chatapp.GetChatappPhoneNumberMetricRequest{
			Granularity: chatapp.GranularityHalfHour, Start: from, End: complete, CustSpaceID: e.custSpaceID,
		})
		if err != nil && len(results) == 0 {
			errs = append(errs, err)
			fetchedAll = false
			for _, n := range numbers {
				unread[n] = true
			}
		}
		for _, r := range results {
			if r.Err != nil {
				errs = append(errs, fmt.Errorf("%s: GetChatappPhoneNumberMetric: %w", r.PhoneNumber, r.Err))
				fetchedAll = false
				unread[r.PhoneNumber] = true
				continue // keep what the last poll read for this number
			}
			b := e.buckets[r.PhoneNumber]
			if b == nil {
				b = map[int64]chatapp.Totals{}
				e.buckets[r.PhoneNumber] = b
			}
			for start := range b {
				if start >= from.Unix() {
					delete(b, start) // re-read: a bucket now missing is empty
				}
			}
			for _, p := range r.Points {
				b[p.Start.Unix()] = chatapp.Totals{Sent: p.SentCount, Delivered: p.DeliveredCount}
			}
		}
	}
	if fetchedAll {
		e.fetched = complete
	}

	e.snapMu.Lock()
	previous := e.snap
	e.snapMu.Unlock()
	s := &snapshot{canSend: canSend}
	for _, n := range numbers {
		if unread[n] {
			// Not this poll's figures: the windows the last poll published
			// stay, with the bucket starts that say how old they are (none
			// if it never read the number), rather than windows of buckets
			// never read, which would show as a drop to zero.
			for _, w := range previous.windows {
				if w.phone == n {
					s.windows = append(s.windows, w)
				}
			}
			continue
		}
		b := e.buckets[n]
		for start := range b {
			if start < keepFrom.Unix() {
				delete(b, start)
			}
		}
		var today chatapp.Totals
		for start, t := range b {
			if start >= dayStart.Unix() && start < complete.Unix() {
				today.Sent += t.Sent
				today.Delivered += t.Delivered
			}
		}
		s.windows = append(s.windows,
			windowValue{phone: n, window: "half_hour", start: last, totals: b[last.Unix()]},
			windowValue{phone: n, window: "today", start: dayStart, totals: today})
	}
	for n := range e.buckets {
		if !slices.Contains(numbers, n) {
			delete(e.buckets, n)
		}
	}
	s.infos = infos
	e.snapMu.Lock()
	e.snap = s
	e.snapMu.Unlock()
	return errors.Join(errs...)
}

// listNumbers returns the numbers to export with what the service lists
// about them: every number of the channel, or those of -phone.
func (e *exporter) listNumbers(ctx context.Context) ([]chatapp.PhoneNumberInfo, []string, error) {
	list, err := e.client.QueryChatappPhoneNumbers(ctx, &chatapp.QueryChatappPhoneNumbersRequest{CustSpaceID: e.custSpaceID})
	if err != nil {
		if e.numbers == nil {
			// Without a list there is nothing to poll; keep the last one.
			var last []string
			e.snapMu.Lock()
			for _, w := range e.snap.windows {
				if w.window == "today" {
					last = append(last, w.phone)
				}
			}
			infos := e.snap.infos
			e.snapMu.Unlock()
			return infos, last, err
		}
		return nil, e.numbers, err
	}
	if e.numbers == nil {
		numbers := make([]string, len(list.PhoneNumbers))
		for i, n := range list.PhoneNumbers {
			numbers[i] = n.PhoneNumber
		}
		return list.PhoneNumbers, numbers, nil
	}
	var infos []chatapp.PhoneNumberInfo
	for _, n := range list.PhoneNumbers {
		if slices.Contains(e.numbers, n.PhoneNumber) {
			infos = append(infos, n)
		}
	}
	return infos, e.numbers, nil
}

// callCounter counts every attempt the SDK makes, retries included, into
// chatapp_exporter_api_requests_total, through the SDK's Observer hook.
type callCounter struct {
	requests *prometheus.CounterVec
}

func newCallCounter() *callCounter {
	return &callCounter{requests: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "chatapp_exporter_api_requests_total",
		Help: "HTTP requests the exporter sent to the service, by operation and answer code (OK, an error code, http_STATUS, or transport_error).",
	}, []string{"operation", "code"})}
}

// option installs the counter on a Client.
func (c *callCounter) option() chatapp.Option {
	return chatapp.WithObserver(chatapp.Observer{AttemptDone: func(_ context.Context, a chatapp.AttemptDoneInfo) {
		code := a.Code
		switch {
		case code != "":
		case a.Err == nil:
			code = "OK"
		case a.Status != 0:
			code = fmt.Sprintf("http_%d", a.Status)
		default:
			code = "transport_error"
		}
		c.requests.WithLabelValues(a.Operation, code).Inc()
	}})
}
