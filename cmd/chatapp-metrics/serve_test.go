package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// prometheusBinary is Debian's prometheus package.
const prometheusBinary = "/usr/bin/prometheus"

// prometheusServer is a real Prometheus scraping one target.
type prometheusServer struct{ base string }

// startPrometheus starts Prometheus on a free loopback port with a
// generated config scraping target every second and a temporary data
// directory; it is killed when the test ends. Without the binary the test
// is skipped, unless CHATAPP_REQUIRE_PROMETHEUS=1.
func startPrometheus(t *testing.T, target string) *prometheusServer {
	t.Helper()
	if _, err := os.Stat(prometheusBinary); err != nil {
		if os.Getenv("CHATAPP_REQUIRE_PROMETHEUS") == "1" {
			t.Fatalf("CHATAPP_REQUIRE_PROMETHEUS=1 but %s is missing: %v", prometheusBinary, err)
		}
		t.Skipf("%s is not installed (Debian package prometheus)", prometheusBinary)
	}
	dir := t.TempDir()
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: chatapp
    static_configs:
      - targets: [%q]
`, target)
	cfgPath := filepath.Join(dir, "prometheus.yml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(config), 0o644))
	addr := freeLoopbackAddr(t)
	logFile, err := os.Create(filepath.Join(dir, "prometheus.log"))
	require.NoError(t, err)
	cmd := exec.Command(prometheusBinary,
		"--config.file="+cfgPath,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--log.level=warn",
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logFile.Close()
		if t.Failed() {
			log, _ := os.ReadFile(logFile.Name())
			t.Logf("prometheus log:\n%s", log)
		}
	})
	p := &prometheusServer{base: "http://" + addr}
	eventually(t, 2*time.Minute, "Prometheus to become ready", func() bool {
		resp, err := http.Get(p.base + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return p
}

// freeLoopbackAddr returns a loopback address with a port free a moment
// ago.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// eventually polls cond every 100ms until it holds or the deadline, which
// is generous for a loaded machine, passes.
func eventually(t *testing.T, deadline time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("gave up after %s waiting for %s", deadline, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sample is one element of an instant vector.
type sample struct {
	labels map[string]string
	value  float64
}

// query evaluates an instant PromQL query through the HTTP API.
func (p *prometheusServer) query(t *testing.T, q string) []sample {
	t.Helper()
	resp, err := http.Get(p.base + "/api/v1/query?query=" + url.QueryEscape(q))
	require.NoError(t, err)
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	require.Equal(t, "success", body.Status, "query %s: %s", q, body.Error)
	var out []sample
	for _, r := range body.Data.Result {
		v, err := strconv.ParseFloat(r.Value[1].(string), 64)
		require.NoError(t, err)
		out = append(out, sample{labels: r.Metric, value: v})
	}
	return out
}

// byNumber maps the phone_number label of each sample to its value.
func byNumber(samples []sample) map[string]float64 {
	m := map[string]float64{}
	for _, s := range samples {
		m[s.labels["phone_number"]] = s.value
	}
	return m
}

// testExporter is an exporter of an emulator, served on loopback, with
// the clock pinned at now.
func testExporter(t *testing.T, now time.Time) (*exporter, *chatapptest.Server, *httptest.Server, *atomic.Int64) {
	t.Helper()
	srv := chatapptest.NewServer()
	t.Cleanup(srv.Close)
	calls := newCallCounter()
	client, err := srv.Client(calls.option(), chatapp.WithMaxAttempts(1))
	require.NoError(t, err)
	exp := newExporter(client, nil, srv.CustSpaceID(), calls)
	exp.now = func() time.Time { return now }
	var scrapes atomic.Int64
	h := exp.handler()
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			scrapes.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(web.Close)
	return exp, srv, web, &scrapes
}

func TestServeScrapedByPrometheus(t *testing.T) {
	now := time.Now()
	exp, srv, web, scrapes := testExporter(t, now)
	prom := startPrometheus(t, web.Listener.Addr().String())
	ctx := context.Background()

	numbers := srv.PhoneNumbers()
	require.NotEmpty(t, numbers)
	require.NoError(t, exp.poll(ctx))

	complete := now.Truncate(halfHour)
	last := complete.Add(-halfHour)
	want := map[string]chatapp.Totals{}
	for _, n := range numbers {
		points, err := srv.Metrics(&chatapp.GetChatappPhoneNumberMetricRequest{
			PhoneNumber: n, Granularity: chatapp.GranularityHalfHour, Start: last, End: complete,
		})
		require.NoError(t, err)
		require.Len(t, points, 1, "the emulator has one bucket for %s at %s", n, last)
		want[n] = chatapp.Totals{Sent: points[0].SentCount, Delivered: points[0].DeliveredCount}
	}

	var sent, delivered, ratio, start map[string]float64
	eventually(t, 2*time.Minute, "Prometheus to scrape the first poll", func() bool {
		sent = byNumber(prom.query(t, `chatapp_whatsapp_sent_messages{window="half_hour"}`))
		return len(sent) == len(numbers)
	})
	delivered = byNumber(prom.query(t, `chatapp_whatsapp_delivered_messages{window="half_hour"}`))
	ratio = byNumber(prom.query(t, `chatapp_whatsapp_delivery_ratio{window="half_hour"}`))
	start = byNumber(prom.query(t, `chatapp_whatsapp_bucket_start_timestamp_seconds{window="half_hour"}`))
	for _, n := range numbers {
		assert.Equal(t, float64(want[n].Sent), sent[n], "%s sent", n)
		assert.Equal(t, float64(want[n].Delivered), delivered[n], "%s delivered", n)
		assert.InDelta(t, want[n].DeliveryRate(), ratio[n], 1e-9, "%s ratio", n)
		assert.Equal(t, float64(last.Unix()), start[n], "%s bucket start", n)
		t.Logf("PromQL chatapp_whatsapp_sent_messages{phone_number=%q,window=\"half_hour\"} = %v, delivered %v, ratio %.4f (bucket %s; emulator: %d/%d)",
			n, sent[n], delivered[n], ratio[n], last.UTC().Format(time.RFC3339), want[n].Sent, want[n].Delivered)
	}

	// today: the UTC+8 day's complete half hours, summed.
	l := now.In(chatapp.ChinaStandardTime())
	dayStart := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, l.Location())
	today := byNumber(prom.query(t, `chatapp_whatsapp_sent_messages{window="today"}`))
	for _, n := range numbers {
		var want int64
		if dayStart.Before(complete) {
			points, err := srv.Metrics(&chatapp.GetChatappPhoneNumberMetricRequest{
				PhoneNumber: n, Granularity: chatapp.GranularityHalfHour, Start: dayStart, End: complete,
			})
			require.NoError(t, err)
			want = chatapp.Total(points).Sent
		}
		assert.Equal(t, float64(want), today[n], "%s today", n)
	}
	assert.Equal(t, map[string]float64{"": 1}, byNumber(prom.query(t, `chatapp_exporter_up`)))
	info := prom.query(t, `chatapp_phone_number_info`)
	assert.Len(t, info, len(numbers))
	assert.Len(t, prom.query(t, `chatapp_phone_number_can_send`), len(numbers))

	// The README's alerts are valid PromQL; none fires on the emulator.
	assert.Empty(t, prom.query(t, `chatapp_whatsapp_delivery_ratio{window="half_hour"} < 0.5 and on(phone_number, window) chatapp_whatsapp_sent_messages{window="half_hour"} >= 20`))
	assert.Len(t, prom.query(t, `chatapp_whatsapp_delivery_ratio{window="half_hour"} < 1.01 and on(phone_number, window) chatapp_whatsapp_sent_messages{window="half_hour"} >= 0`), len(numbers))
	assert.Empty(t, prom.query(t, `chatapp_exporter_up == 0 or time() - chatapp_exporter_last_success_timestamp_seconds > 900`))

	// Scrapes never call the service.
	requests := len(srv.Requests())
	counted := prom.query(t, `sum(chatapp_exporter_api_requests_total)`)
	require.Len(t, counted, 1)
	assert.Equal(t, float64(requests), counted[0].value, "the exporter counts every request the emulator received")
	before := scrapes.Load()
	eventually(t, 2*time.Minute, "two more scrapes", func() bool { return scrapes.Load() >= before+2 })
	assert.Equal(t, requests, len(srv.Requests()), "two scrapes added API requests")
	t.Logf("one poll: %d API requests (%d numbers); after %d more scrapes still %d", requests, len(numbers), scrapes.Load()-before, len(srv.Requests()))

	// A failing service: up goes to 0, and back to 1 on recovery.
	srv.InjectFault(1000, chatapptest.Fault{Kind: chatapptest.FaultError, Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable"})
	require.Error(t, exp.poll(ctx))
	eventually(t, 2*time.Minute, "chatapp_exporter_up 0", func() bool {
		return byNumber(prom.query(t, `chatapp_exporter_up`))[""] == 0
	})
	failed := byNumber(prom.query(t, `chatapp_exporter_api_requests_total{code="ServiceUnavailable"}`))
	assert.NotEmpty(t, failed, "failed requests are counted by code")
	srv.ClearFaults()
	require.NoError(t, exp.poll(ctx))
	eventually(t, 2*time.Minute, "chatapp_exporter_up 1", func() bool {
		return byNumber(prom.query(t, `chatapp_exporter_up`))[""] == 1
	})
}

func TestServeRereadsOnlyTheLastBuckets(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 47, 0, 0, time.UTC) // 17:47 UTC+8
	exp, srv, _, _ := testExporter(t, now)
	exp.now = func() time.Time { return now }
	exp.rereadBuckets = 3
	ctx := context.Background()
	metricStarts := func() []time.Time {
		var starts []time.Time
		for _, r := range srv.Requests() {
			if r.Action != "GetChatappPhoneNumberMetric" {
				continue
			}
			ms, err := strconv.ParseInt(r.Query.Get("Start")+r.Form.Get("Start"), 10, 64)
			require.NoError(t, err)
			starts = append(starts, time.UnixMilli(ms).UTC())
		}
		srv.ClearRequests()
		return starts
	}
	require.NoError(t, exp.poll(ctx))
	dayStart := time.Date(2026, 11, 19, 16, 0, 0, 0, time.UTC)
	for _, s := range metricStarts() {
		assert.Equal(t, dayStart, s, "the first poll reads the whole day")
	}
	now = now.Add(5 * time.Minute) // 09:52: the same last complete half hour
	require.NoError(t, exp.poll(ctx))
	starts := metricStarts()
	require.NotEmpty(t, starts)
	for _, s := range starts {
		assert.Equal(t, time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC), s, "later polls re-read 3 half hours")
	}
}

func TestServeHealthReadyAndSIGTERM(t *testing.T) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	base, done, stderr := startServe(t, ctx, "-emulator", "-listen", "127.0.0.1:0", "-interval", "1h")
	get := func(path string) (int, string) { return httpGet(base + path) }
	code, _ := get("/-/healthy")
	assert.Equal(t, http.StatusOK, code)
	eventually(t, time.Minute, "/-/ready", func() bool { c, _ := get("/-/ready"); return c == http.StatusOK })
	code, body := get("/metrics")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "chatapp_exporter_up 1")
	assert.Contains(t, body, `chatapp_whatsapp_sent_messages{phone_number="8613800001234",window="half_hour"}`)

	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code, stderr.String())
	case <-time.After(time.Minute):
		t.Fatal("serve did not return after SIGTERM")
	}
	_, err := http.Get(base + "/-/healthy")
	assert.Error(t, err, "the listener is closed")
}

// startServe runs `serve args...` until ctx ends and returns its base URL,
// the channel of its exit code and its stderr.
func startServe(t *testing.T, ctx context.Context, args ...string) (string, <-chan int, *syncBuffer) {
	t.Helper()
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, args...), io.Discard, stderr) }()
	addrPattern := regexp.MustCompile(`serving http://(\S+)/metrics`)
	var base string
	eventually(t, time.Minute, "the listen address", func() bool {
		m := addrPattern.FindStringSubmatch(stderr.String())
		if m != nil {
			base = "http://" + m[1]
		}
		return m != nil
	})
	return base, done, stderr
}

// httpGet returns the status and body of a GET; status 0 when it failed.
func httpGet(u string) (int, string) {
	resp, err := http.Get(u)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeSharesQuotaThroughRedis(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skipf("redis-server is not installed: %v", err)
	}
	sock := filepath.Join(t.TempDir(), "redis.sock")
	redisCmd := exec.Command("redis-server", "--port", "0", "--unixsocket", sock, "--unixsocketperm", "700", "--save", "", "--appendonly", "no")
	require.NoError(t, redisCmd.Start())
	t.Cleanup(func() { _ = redisCmd.Process.Kill(); _ = redisCmd.Wait() })
	rdb, err := newRedisClient(sock)
	require.NoError(t, err)
	defer rdb.Close()
	eventually(t, time.Minute, "redis-server", func() bool { return rdb.Ping(context.Background()).Err() == nil })

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	base, done, stderr := startServe(t, ctx, "-emulator", "-listen", "127.0.0.1:0", "-interval", "1h", "-redis", sock)
	eventually(t, time.Minute, "/-/ready", func() bool { c, _ := httpGet(base + "/-/ready"); return c == http.StatusOK })
	keys, err := rdb.Keys(context.Background(), "*").Result()
	require.NoError(t, err)
	assert.NotEmpty(t, keys, "the polls took their slots from Redis")
	cancel()
	assert.Equal(t, exitOK, <-done, stderr.String())
}

func TestServeUsage(t *testing.T) {
	for _, args := range [][]string{
		{"serve"},
		{"serve", "-emulator", "-interval", "0s"},
		{"serve", "-emulator", "-reread", "0"},
		{"serve", "-phone", "12ab"},
		{"serve", "-emulator", "extra"},
	} {
		code, _, stderr := invoke(t, args...)
		assert.Equal(t, exitUsage, code, "%v: %s", args, stderr)
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestServeReadyAfterFirstSuccessfulPoll(t *testing.T) {
	exp, srv, web, _ := testExporter(t, time.Now())
	code, _ := httpGet(web.URL + "/-/ready")
	assert.Equal(t, http.StatusServiceUnavailable, code, "before any poll")
	srv.InjectFault(1000, chatapptest.Fault{Kind: chatapptest.FaultError, Status: http.StatusInternalServerError})
	require.Error(t, exp.poll(context.Background()))
	code, _ = httpGet(web.URL + "/-/ready")
	assert.Equal(t, http.StatusServiceUnavailable, code, "after a failed poll")
	code, _ = httpGet(web.URL + "/-/healthy")
	assert.Equal(t, http.StatusOK, code)
	srv.ClearFaults()
	require.NoError(t, exp.poll(context.Background()))
	code, _ = httpGet(web.URL + "/-/ready")
	assert.Equal(t, http.StatusOK, code, "after a successful poll")
}

func TestServeTodayIsTheUTC8DaySoFar(t *testing.T) {
	now := time.Date(2026, 11, 20, 16, 10, 0, 0, time.UTC) // 00:10 on 21 November, UTC+8
	exp, srv, web, _ := testExporter(t, now)
	exp.now = func() time.Time { return now }
	phone := srv.PhoneNumbers()[0]
	metric := func(name, window string) float64 { return scrapedValue(t, web.URL, phone, name, window) }
	emulator := func(from, to time.Time) chatapp.Totals {
		points, err := srv.Metrics(&chatapp.GetChatappPhoneNumberMetricRequest{PhoneNumber: phone, Granularity: chatapp.GranularityHalfHour, Start: from, End: to})
		require.NoError(t, err)
		return chatapp.Total(points)
	}
	midnight := time.Date(2026, 11, 20, 16, 0, 0, 0, time.UTC)

	require.NoError(t, exp.poll(context.Background()))
	assert.Equal(t, 0.0, metric("chatapp_whatsapp_sent_messages", "today"), "no complete half hour yet today")
	assert.Equal(t, float64(midnight.Unix()), metric("chatapp_whatsapp_bucket_start_timestamp_seconds", "today"))
	assert.Equal(t, float64(midnight.Add(-halfHour).Unix()), metric("chatapp_whatsapp_bucket_start_timestamp_seconds", "half_hour"))
	assert.Equal(t, float64(emulator(midnight.Add(-halfHour), midnight).Sent), metric("chatapp_whatsapp_sent_messages", "half_hour"))

	now = midnight.Add(65 * time.Minute) // two complete half hours today
	require.NoError(t, exp.poll(context.Background()))
	today := emulator(midnight, midnight.Add(time.Hour))
	assert.Equal(t, float64(today.Sent), metric("chatapp_whatsapp_sent_messages", "today"))
	assert.Equal(t, float64(today.Delivered), metric("chatapp_whatsapp_delivered_messages", "today"))
}

// TestServeKeepsTheLastReadWindowsOfAFailedNumber checks that a poll that
// cannot read a number publishes that number's windows as the last poll
// read them, bucket start included, instead of the new half hour it never
// read (which would export 0, a false drop).
func TestServeKeepsTheLastReadWindowsOfAFailedNumber(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 47, 0, 0, time.UTC) // 17:47 UTC+8
	exp, srv, web, _ := testExporter(t, now)
	exp.now = func() time.Time { return now }
	phone := srv.PhoneNumbers()[0]
	metric := func(name, window string) float64 { return scrapedValue(t, web.URL, phone, name, window) }
	require.NoError(t, exp.poll(context.Background()))
	sent, start := metric("chatapp_whatsapp_sent_messages", "half_hour"), metric("chatapp_whatsapp_bucket_start_timestamp_seconds", "half_hour")
	today := metric("chatapp_whatsapp_sent_messages", "today")
	require.Positive(t, sent)

	now = now.Add(30 * time.Minute) // a new complete half hour
	srv.InjectFault(1000, chatapptest.Fault{Kind: chatapptest.FaultError, Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable"})
	require.Error(t, exp.poll(context.Background()))
	assert.Equal(t, start, metric("chatapp_whatsapp_bucket_start_timestamp_seconds", "half_hour"), "the bucket start says the figures are the last poll's")
	assert.Equal(t, sent, metric("chatapp_whatsapp_sent_messages", "half_hour"))
	assert.Equal(t, today, metric("chatapp_whatsapp_sent_messages", "today"))

	srv.ClearFaults()
	require.NoError(t, exp.poll(context.Background()))
	assert.Equal(t, start+1800, metric("chatapp_whatsapp_bucket_start_timestamp_seconds", "half_hour"))
}

// TestServeReadsAllOfTodayForANumberFirstSeen checks that a number that
// joins the channel after the first poll has all of today read, not only
// the re-read half hours.
func TestServeReadsAllOfTodayForANumberFirstSeen(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 47, 0, 0, time.UTC) // 17:47 UTC+8
	exp, srv, web, _ := testExporter(t, now)
	exp.now = func() time.Time { return now }
	require.NoError(t, exp.poll(context.Background()))

	const fresh = "8613900009999"
	srv.AddPhoneNumber(fresh)
	now = now.Add(5 * time.Minute)
	require.NoError(t, exp.poll(context.Background()))
	dayStart := time.Date(2026, 11, 19, 16, 0, 0, 0, time.UTC)
	points, err := srv.Metrics(&chatapp.GetChatappPhoneNumberMetricRequest{PhoneNumber: fresh, Granularity: chatapp.GranularityHalfHour,
		Start: dayStart, End: time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)})
	require.NoError(t, err)
	want := chatapp.Total(points)
	require.Positive(t, want.Sent)
	_, body := httpGet(web.URL + "/metrics")
	assert.Contains(t, body, `chatapp_whatsapp_sent_messages{phone_number="`+fresh+`",window="today"} `+strconv.FormatInt(want.Sent, 10)+"\n")
}

// scrapedValue scrapes base's /metrics and returns the sample of name for
// phone and window.
func scrapedValue(t *testing.T, base, phone, name, window string) float64 {
	t.Helper()
	_, body := httpGet(base + "/metrics")
	m := regexp.MustCompile(`(?m)^` + name + `\{phone_number="` + phone + `",window="` + window + `"\} (\S+)$`).FindStringSubmatch(body)
	require.NotNil(t, m, "%s{window=%q} in\n%s", name, window, body)
	v, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	return v
}
