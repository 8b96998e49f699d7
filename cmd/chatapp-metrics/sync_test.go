package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/chatappkit/chatapp/cmd/chatapp-metrics/internal/archive"
	"github.com/chatappkit/chatapp/cmd/chatapp-metrics/internal/pgtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// forEachDB runs fn against a fresh SQLite file and a fresh Postgres
// server: the same suite for both.
func forEachDB(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite:"+filepath.Join(t.TempDir(), "metrics.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgtest.Start(t)) })
}

// dailySums sums the archive per number and UTC+8 day in SQL, as a
// dashboard would: "day,phone" → "sent,delivered".
func dailySums(t *testing.T, s *archive.Store, g chatapp.Granularity) map[string]string {
	t.Helper()
	day := `date(bucket_start, '+8 hours')`
	param := "?"
	if s.Dialect() == "postgres" {
		day = `to_char(bucket_start AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')`
		param = "$1"
	}
	rows, err := s.DB().Query(`SELECT `+day+` AS day, phone_number, sum(sent), sum(delivered)
		FROM phone_number_metrics WHERE granularity = `+param+` GROUP BY 1, 2`, string(g))
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var d, phone string
		var sent, delivered int64
		require.NoError(t, rows.Scan(&d, &phone, &sent, &delivered))
		out[d+","+phone] = strconv.FormatInt(sent, 10) + "," + strconv.FormatInt(delivered, 10)
	}
	require.NoError(t, rows.Err())
	return out
}

// reportSums runs `report -format csv` and keys its rows as dailySums does.
func reportSums(t *testing.T, args ...string) map[string]string {
	t.Helper()
	code, stdout, stderr := invoke(t, append([]string{"report", "-emulator", "-format", "csv", "-granularity", "DAILY"}, args...)...)
	require.Equal(t, exitOK, code, stderr)
	records, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	require.NoError(t, err)
	out := map[string]string{}
	for _, r := range records[1:] {
		out[r[0]+","+r[1]] = r[2] + "," + r[3]
	}
	return out
}

func TestSyncArchiveEqualsReport(t *testing.T) {
	phones := "8613800001234,8613800005678,6588887777"
	forEachDB(t, func(t *testing.T, dsn string) {
		for _, tc := range []struct {
			granularity  chatapp.Granularity
			since, until string
		}{
			{chatapp.GranularityDaily, "2026-08-01", "2026-10-31"},
			{chatapp.GranularityHalfHour, "2026-10-01", "2026-10-05"},
		} {
			code, stdout, stderr := invoke(t, "sync", "-emulator", "-db", dsn, "-phone", phones,
				"-granularity", string(tc.granularity), "-since", tc.since, "-until", tc.until)
			require.Equal(t, exitOK, code, stderr)
			t.Logf("sync %s:\n%s", tc.granularity, stdout)
			s, err := archive.Open(context.Background(), dsn)
			require.NoError(t, err)
			got := dailySums(t, s, tc.granularity)
			s.Close()
			want := reportSums(t, "-phone", phones, "-since", tc.since, "-until", tc.until)
			require.NotEmpty(t, want)
			assert.Equal(t, want, got, "%s: the archive's sums per number and day are the report's", tc.granularity)
		}
	})
}

// syncFixture is an emulator and a store for the syncer.
type syncFixture struct {
	srv   *chatapptest.Server
	store *archive.Store
	sync  *syncer
}

func newSyncFixture(t *testing.T, dsn string, g chatapp.Granularity, since, until time.Time) *syncFixture {
	t.Helper()
	srv := chatapptest.NewServer()
	t.Cleanup(srv.Close)
	client, err := srv.Client()
	require.NoError(t, err)
	store, err := archive.Open(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	return &syncFixture{srv: srv, store: store, sync: &syncer{
		client: client, store: store, granularity: g, since: since, until: until, overlap: 48 * time.Hour,
	}}
}

// run syncs every number of the emulator and returns the metric calls it
// made with the Start of each.
func (f *syncFixture) run(t *testing.T, ctx context.Context) (calls []time.Time, err error) {
	t.Helper()
	f.srv.ClearRequests()
	for _, n := range f.srv.PhoneNumbers() {
		if _, err = f.sync.syncNumber(ctx, n); err != nil {
			break
		}
	}
	for _, r := range f.srv.Requests() {
		if r.Action == "GetChatappPhoneNumberMetric" {
			ms, perr := strconv.ParseInt(r.Query.Get("Start")+r.Form.Get("Start"), 10, 64)
			require.NoError(t, perr)
			calls = append(calls, time.UnixMilli(ms).UTC())
		}
	}
	return calls, err
}

// assertArchiveIsSeries checks that the archive holds exactly the
// emulator's series over [since, until) for every number: no gap, no
// duplicate, no other row.
func (f *syncFixture) assertArchiveIsSeries(t *testing.T, since, until time.Time) {
	t.Helper()
	total := 0
	for _, n := range f.srv.PhoneNumbers() {
		want, err := f.srv.Metrics(&chatapp.GetChatappPhoneNumberMetricRequest{PhoneNumber: n, Granularity: f.sync.granularity, Start: since, End: until})
		require.NoError(t, err)
		got, err := f.store.Points(context.Background(), n, f.sync.granularity)
		require.NoError(t, err)
		require.Equal(t, len(want), len(got), "%s: points", n)
		for i := range want {
			require.True(t, want[i].Start.Equal(got[i].Start) && want[i].End.Equal(got[i].End), "%s: bucket %d is %s, want %s", n, i, got[i].Start, want[i].Start)
			require.Equal(t, want[i].SentCount, got[i].SentCount, "%s at %s", n, want[i].Start)
			require.Equal(t, want[i].DeliveredCount, got[i].DeliveredCount, "%s at %s", n, want[i].Start)
		}
		total += len(want)
	}
	var rows int
	require.NoError(t, f.store.DB().QueryRow(`SELECT count(*) FROM phone_number_metrics`).Scan(&rows))
	assert.Equal(t, total, rows, "rows in the table")
}

func TestSyncSecondRunFetchesOnlyNewWindowsAndOverlap(t *testing.T) {
	cst := chatapp.ChinaStandardTime()
	since := time.Date(2026, 8, 1, 0, 0, 0, 0, cst)
	until := time.Date(2026, 10, 31, 0, 0, 0, 0, cst) // 91 days: windows of 30, 30, 30 and 1
	forEachDB(t, func(t *testing.T, dsn string) {
		f := newSyncFixture(t, dsn, chatapp.GranularityDaily, since, until)
		numbers := len(f.srv.PhoneNumbers())
		first, err := f.run(t, context.Background())
		require.NoError(t, err)
		assert.Len(t, first, 4*numbers, "first run: 4 windows per number")
		f.assertArchiveIsSeries(t, since, until)

		// Ten days later: from the last stored day (30 October) less the
		// 48h overlap, in one window.
		f.sync.until = until.AddDate(0, 0, 10)
		second, err := f.run(t, context.Background())
		require.NoError(t, err)
		require.Len(t, second, numbers, "second run: one window per number")
		for _, start := range second {
			assert.Equal(t, time.Date(2026, 10, 28, 0, 0, 0, 0, cst).UTC(), start, "the second run starts 48h before the last stored bucket")
		}
		f.assertArchiveIsSeries(t, since, f.sync.until)
		t.Logf("%s: first run %d GetChatappPhoneNumberMetric calls (%d numbers, %s..%s DAILY); second run 10 days later %d calls",
			dsn[:strings.Index(dsn, ":")], len(first), numbers, since.Format(time.DateOnly), until.Format(time.DateOnly), len(second))
	})
}

func TestSyncInterruptedRunResumes(t *testing.T) {
	since := time.Date(2026, 10, 1, 16, 0, 0, 0, time.UTC)
	until := since.Add(5 * 24 * time.Hour) // HALF_HOUR: 5 windows of 24h per number
	forEachDB(t, func(t *testing.T, dsn string) {
		f := newSyncFixture(t, dsn, chatapp.GranularityHalfHour, since, until)
		ctx, cancel := context.WithCancel(context.Background())
		windows := 0
		f.sync.afterWindow = func() {
			if windows++; windows == 7 {
				cancel() // killed in the second number's second window
			}
		}
		_, err := f.run(t, ctx)
		require.ErrorIs(t, err, context.Canceled)
		cancel()

		// What is stored is whole windows: the first number's 5, the
		// second's 2.
		numbers := f.srv.PhoneNumbers()
		stored := map[string]int{}
		for _, n := range numbers {
			points, err := f.store.Points(context.Background(), n, chatapp.GranularityHalfHour)
			require.NoError(t, err)
			stored[n] = len(points)
		}
		assert.Equal(t, 5*48, stored[numbers[0]])
		assert.Equal(t, 2*48, stored[numbers[1]])

		f.sync.afterWindow = nil
		calls, err := f.run(t, context.Background())
		require.NoError(t, err)
		f.assertArchiveIsSeries(t, since, until)
		t.Logf("resumed with %d calls", len(calls))
	})
}

// The monthly delivery rate queries of the README.
const (
	monthlySQLite = `SELECT strftime('%Y-%m', bucket_start, '+8 hours') AS month, phone_number,
       sum(sent) AS sent, sum(delivered) AS delivered,
       round(1.0 * sum(delivered) / nullif(sum(sent), 0), 4) AS delivery_rate
FROM phone_number_metrics
WHERE granularity = 'DAILY'
GROUP BY month, phone_number
ORDER BY month, phone_number;`
	monthlyPostgres = `SELECT to_char(bucket_start AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month, phone_number,
       sum(sent) AS sent, sum(delivered) AS delivered,
       round(sum(delivered)::numeric / nullif(sum(sent), 0), 4) AS delivery_rate
FROM phone_number_metrics
WHERE granularity = 'DAILY'
GROUP BY month, phone_number
ORDER BY month, phone_number;`
)

func TestSyncMonthlyDeliveryRateQuery(t *testing.T) {
	if readme, err := os.ReadFile("../../README.md"); err == nil { // absent in the module's zip
		assert.Contains(t, string(readme), monthlySQLite)
		assert.Contains(t, string(readme), monthlyPostgres)
	}
	phones := "8613800001234,8613800005678"
	forEachDB(t, func(t *testing.T, dsn string) {
		code, _, stderr := invoke(t, "sync", "-emulator", "-db", dsn, "-phone", phones, "-since", "2026-09-01", "-until", "2026-11-30")
		require.Equal(t, exitOK, code, stderr)
		// The report's days, summed per month.
		want := map[string]chatapp.Totals{}
		for k, v := range reportSums(t, "-phone", phones, "-since", "2026-09-01", "-until", "2026-11-30") {
			day, phone, _ := strings.Cut(k, ",")
			sent, delivered, _ := strings.Cut(v, ",")
			s, _ := strconv.ParseInt(sent, 10, 64)
			d, _ := strconv.ParseInt(delivered, 10, 64)
			tot := want[day[:7]+","+phone]
			tot.Sent += s
			tot.Delivered += d
			want[day[:7]+","+phone] = tot
		}
		s, err := archive.Open(context.Background(), dsn)
		require.NoError(t, err)
		defer s.Close()
		q := monthlySQLite
		if s.Dialect() == "postgres" {
			q = monthlyPostgres
		}
		rows, err := s.DB().Query(q)
		require.NoError(t, err)
		defer rows.Close()
		got := map[string]chatapp.Totals{}
		for rows.Next() {
			var month, phone string
			var tot chatapp.Totals
			var rate float64
			require.NoError(t, rows.Scan(&month, &phone, &tot.Sent, &tot.Delivered, &rate))
			got[month+","+phone] = tot
			assert.InDelta(t, tot.DeliveryRate(), rate, 0.00005, "%s %s", month, phone)
			t.Logf("%s %s sent %d delivered %d rate %.4f", month, phone, tot.Sent, tot.Delivered, rate)
		}
		require.NoError(t, rows.Err())
		assert.Len(t, got, 3*2)
		assert.Equal(t, want, got)
	})
}

// A Postgres URL's password never reaches the messages, whether the URL
// does not parse or the server cannot be reached.
func TestSyncNeverPrintsTheDatabasePassword(t *testing.T) {
	for _, dsn := range []string{"postgres://bob:hunter2PW@127.0.0.1:1/x", "postgres://bob:hunter2PW@127.0.0.1:bad/x"} {
		code, stdout, stderr := invoke(t, "sync", "-db", dsn, "-emulator", "-since", "2d")
		assert.NotEqual(t, exitOK, code, dsn)
		assert.NotContains(t, stdout+stderr, "hunter2PW", dsn)
		assert.Contains(t, stderr, "chatapp-metrics sync:", dsn)
	}
}

// TestSyncInterruptedRunNamesTheNumbersNotSynced checks that a run cut
// short says which numbers it did not reach, instead of ending on the
// interrupted number's line as if the others had nothing to do.
func TestSyncInterruptedRunNamesTheNumbersNotSynced(t *testing.T) {
	since := time.Date(2026, 10, 1, 16, 0, 0, 0, time.UTC)
	f := newSyncFixture(t, "sqlite:"+filepath.Join(t.TempDir(), "m.db"), chatapp.GranularityHalfHour, since, since.Add(5*24*time.Hour))
	f.srv.AddPhoneNumber("8613900009999")
	numbers := f.srv.PhoneNumbers()
	require.GreaterOrEqual(t, len(numbers), 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	windows := 0
	f.sync.afterWindow = func() {
		if windows++; windows == 7 {
			cancel() // in the second number's second window
		}
	}
	var stdout, stderr strings.Builder
	assert.Equal(t, exitError, f.sync.syncAll(ctx, numbers, &stdout, &stderr))
	rest := numbers[2:]
	assert.Contains(t, stderr.String(), fmt.Sprintf("%d numbers not synced: %s\n", len(rest), strings.Join(rest, ", ")))
	assert.Equal(t, 2, strings.Count(stdout.String(), "\n"), "a line for each number started:\n%s", stdout.String())
}

// TestSyncPartialBucketReadsAsPartial checks the archive's rule for a
// bucket read before it ended: its fetched_at is before its bucket_end, and
// the next run, later, replaces it with the whole bucket.
func TestSyncPartialBucketReadsAsPartial(t *testing.T) {
	cst := chatapp.ChinaStandardTime()
	since := time.Date(2026, 10, 1, 0, 0, 0, 0, cst)
	midday := time.Date(2026, 10, 3, 12, 0, 0, 0, cst)
	f := newSyncFixture(t, "sqlite:"+filepath.Join(t.TempDir(), "m.db"), chatapp.GranularityDaily, since, midday)
	f.sync.now = func() time.Time { return midday }
	phone := f.srv.PhoneNumbers()[0]
	_, err := f.sync.syncNumber(context.Background(), phone)
	require.NoError(t, err)
	partial := func() (n int) {
		require.NoError(t, f.store.DB().QueryRow(`SELECT count(*) FROM phone_number_metrics WHERE phone_number = ? AND fetched_at < bucket_end`, phone).Scan(&n))
		return n
	}
	require.Equal(t, 1, partial(), "the day of -until, read at noon")

	f.sync.until = time.Date(2026, 10, 5, 0, 0, 0, 0, cst)
	f.sync.now = func() time.Time { return f.sync.until }
	_, err = f.sync.syncNumber(context.Background(), phone)
	require.NoError(t, err)
	assert.Equal(t, 0, partial(), "re-read whole by the next run")
}
