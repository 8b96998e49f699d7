package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func noEnv(string) string { return "" }

// table is the parsed stdout of a run.
type table struct {
	first, last time.Time // the days of the title, midnights in UTC+8
	days        []row
	total       row
}

type row struct {
	label           string // "Fri 2026-11-20" or "TOTAL"
	sent, delivered int64
	rate            string
	peak            string // BUSIEST HALF HOUR, if shown
}

func parseTable(t *testing.T, out string) table {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.GreaterOrEqual(t, len(lines), 6, out)

	var tb table
	var first, last string
	_, err := fmt.Sscanf(lines[0], "WhatsApp messages of 8613800001234, %s to %s", &first, &last)
	require.NoError(t, err, lines[0])
	cst := chatapp.ChinaStandardTime()
	tb.first, err = time.ParseInLocation(time.DateOnly, first, cst)
	require.NoError(t, err)
	tb.last, err = time.ParseInLocation(time.DateOnly, strings.TrimSuffix(last, ","), cst)
	require.NoError(t, err)
	assert.Contains(t, lines[0], "UTC+8")
	require.Empty(t, lines[1])
	require.True(t, strings.HasPrefix(lines[2], "DAY "), lines[2])

	parse := func(line string) row {
		f := strings.Fields(line)
		if f[0] == "TOTAL" {
			f = append([]string{"", ""}, f[1:]...)
		} else {
			require.GreaterOrEqual(t, len(f), 5, line)
		}
		r := row{label: strings.TrimSpace(line[:strings.Index(line, "  ")]), rate: f[4]}
		r.sent, err = strconv.ParseInt(strings.ReplaceAll(f[2], ",", ""), 10, 64)
		require.NoError(t, err, line)
		r.delivered, err = strconv.ParseInt(strings.ReplaceAll(f[3], ",", ""), 10, 64)
		require.NoError(t, err, line)
		if len(f) > 5 {
			r.peak = strings.Join(f[5:], " ")
		}
		return r
	}
	rest := lines[3:]
	for i, line := range rest {
		if strings.HasPrefix(line, "---") {
			require.Len(t, rest, i+2, "one TOTAL row after the rule")
			tb.total = parse(rest[i+1])
			require.Equal(t, "TOTAL", tb.total.label)
			return tb
		}
		tb.days = append(tb.days, parse(line))
	}
	t.Fatalf("no rule before the totals:\n%s", out)
	return tb
}

func percent(sent, delivered int64) string {
	if sent == 0 {
		return "-"
	}
	return strconv.FormatFloat(100*float64(delivered)/float64(sent), 'f', 1, 64) + "%"
}

func TestWithoutCredentialsUsesTheEmulator(t *testing.T) {
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := run(context.Background(), nil, noEnv, &stdout, &stderr)
	require.Equal(t, exitOK, code, stderr.String())
	assert.Less(t, time.Since(start), 2*time.Second)

	assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line on stderr")
	assert.Contains(t, stderr.String(), "no Alibaba Cloud credentials")
	assert.Contains(t, stderr.String(), "built-in emulator")
	assert.Contains(t, stderr.String(), "ALIBABA_CLOUD_ACCESS_KEY_ID")

	tb := parseTable(t, stdout.String())
	cst := chatapp.ChinaStandardTime()
	y, m, d := time.Now().In(cst).Date()
	yesterday := time.Date(y, m, d-1, 0, 0, 0, 0, cst)
	// The run may have straddled midnight in UTC+8.
	assert.WithinRange(t, tb.last, yesterday.AddDate(0, 0, -1), yesterday)
	assert.Equal(t, tb.last.AddDate(0, 0, -6), tb.first)
	require.Len(t, tb.days, 7)

	// Generated data is a function of the number and the day, so a second
	// emulator tells what the first answered.
	want, err := chatapptest.NewEmulator().Metrics(&chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: samplePhone,
		Granularity: chatapp.GranularityDaily,
		Start:       tb.first,
		End:         tb.last.AddDate(0, 0, 1),
	})
	require.NoError(t, err)
	require.Len(t, want, 7)
	var sent, delivered int64
	for i, r := range tb.days {
		day := tb.first.AddDate(0, 0, i)
		assert.Equal(t, day.Format("Mon 2006-01-02"), r.label)
		assert.Equal(t, want[i].SentCount, r.sent, r.label)
		assert.Equal(t, want[i].DeliveredCount, r.delivered, r.label)
		assert.Equal(t, percent(r.sent, r.delivered), r.rate, r.label)
		sent, delivered = sent+r.sent, delivered+r.delivered
	}
	assert.Equal(t, row{label: "TOTAL", sent: sent, delivered: delivered, rate: percent(sent, delivered)}, tb.total)
}

func TestHalfHoursAddUpToTheDays(t *testing.T) {
	var daily, halfHour, stderr bytes.Buffer
	require.Equal(t, exitOK, run(context.Background(), []string{"-days", "3"}, noEnv, &daily, &stderr), stderr.String())
	require.Equal(t, exitOK, run(context.Background(), []string{"-days", "3", "-granularity", "half_hour"}, noEnv, &halfHour, &stderr), stderr.String())

	d, h := parseTable(t, daily.String()), parseTable(t, halfHour.String())
	require.Len(t, h.days, 3)
	assert.Equal(t, d.total, h.total)
	for i := range h.days {
		assert.Equal(t, d.days[i].sent, h.days[i].sent)
		assert.Equal(t, d.days[i].delivered, h.days[i].delivered)
		assert.Regexp(t, `^\d\d:[03]0-\d\d:[03]0 [\d,]+ sent$`, h.days[i].peak)
	}
}

func TestSince(t *testing.T) {
	cst := chatapp.ChinaStandardTime()
	since := time.Now().In(cst).AddDate(0, 0, -10).Format(time.DateOnly)
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, run(context.Background(), []string{"-since", since}, noEnv, &stdout, &stderr), stderr.String())
	tb := parseTable(t, stdout.String())
	assert.Equal(t, since, tb.first.Format(time.DateOnly))
	assert.Len(t, tb.days, 10)
}

func TestUsageErrors(t *testing.T) {
	withKey := func(name string) string {
		if name == "ALIBABA_CLOUD_ACCESS_KEY_ID" {
			return "LTAI5tExample"
		}
		return ""
	}
	tomorrow := time.Now().In(chatapp.ChinaStandardTime()).AddDate(0, 0, 1).Format(time.DateOnly)
	for _, tc := range []struct {
		args   []string
		getenv func(string) string
		want   string
	}{
		{[]string{"-nope"}, noEnv, "flag provided but not defined"},
		{[]string{"-days", "x"}, noEnv, "invalid value"},
		{[]string{"-days", "0"}, noEnv, "-days must be between 1 and 366"},
		{[]string{"-days", "367"}, noEnv, "-days must be between 1 and 366"},
		{[]string{"-since", "last week"}, noEnv, "-since must be a date"},
		{[]string{"-since", tomorrow}, noEnv, "-since must be before today"},
		{[]string{"-since", "2026-01-01", "-days", "3"}, noEnv, "exclude each other"},
		{[]string{"-granularity", "WEEKLY"}, noEnv, "-granularity must be DAILY or HALF_HOUR"},
		{[]string{"-emulator", "-endpoint", "http://127.0.0.1:9"}, noEnv, "exclude each other"},
		{[]string{"8613800001234"}, noEnv, "unexpected argument"},
		{nil, withKey, "-phone is required"},
		{[]string{"-phone", "8613800001234", "-endpoint", "http://cams.example.com"}, withKey, "-endpoint"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, exitUsage, run(context.Background(), tc.args, tc.getenv, &stdout, &stderr))
			assert.Contains(t, stderr.String(), tc.want)
			assert.NotContains(t, stderr.String(), "using the built-in emulator", "nothing was started")
			assert.Empty(t, stdout.String())
		})
	}
}

func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, exitOK, run(context.Background(), []string{"-h"}, noEnv, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "Usage:")
	assert.Contains(t, stderr.String(), "-granularity")
}

// withCredentials puts srv's AccessKey where the credentials-go default
// chain looks first, so that run takes the path it takes with a real account.
func withCredentials(t *testing.T, srv *chatapptest.Server) {
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", srv.AccessKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", srv.AccessKeySecret)
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "")
}

func TestCredentialsFromTheEnvironment(t *testing.T) {
	srv := chatapptest.NewServer()
	defer srv.Close()
	withCredentials(t, srv)

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-endpoint", srv.URL, "-phone", "+8613800005678", "-days", "2"}, os.Getenv, &stdout, &stderr)
	require.Equal(t, exitOK, code, stderr.String())
	assert.Empty(t, stderr.String())
	assert.Contains(t, stdout.String(), "WhatsApp messages of 8613800005678,")

	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, srv.AccessKeyID, reqs[0].AccessKeyID)
	assert.Equal(t, "GetChatappPhoneNumberMetric", reqs[0].Action)
	assert.Equal(t, "8613800005678", reqs[0].Query.Get("PhoneNumber"))
	assert.Equal(t, "DAILY", reqs[0].Query.Get("Granularity"))
	assert.Contains(t, reqs[0].Header.Get("User-Agent"), "chatapp-quickstart")
}

func TestAPIErrorExitsOne(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fault    chatapptest.Fault
		n        int
		want     []string
		attempts int
	}{
		{
			name:     "not subscribed",
			fault:    chatapptest.Fault{Status: 400, Code: "Product.Unsubscript"},
			n:        1,
			want:     []string{"Product.Unsubscript (HTTP 400)", "hint: activate ChatApp Message Service"},
			attempts: 1,
		},
		{
			name:     "throttled after every retry",
			fault:    chatapptest.ThrottlingFault(5 * time.Millisecond),
			n:        chatapp.DefaultMaxAttempts,
			want:     []string{"Throttling.User (HTTP 400)", "(after 3 attempts)", "hint: the account's rate limit"},
			attempts: 3,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := chatapptest.NewServer()
			defer srv.Close()
			withCredentials(t, srv)
			srv.InjectFault(tc.n, tc.fault)

			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"-endpoint", srv.URL, "-phone", samplePhone}, os.Getenv, &stdout, &stderr)
			assert.Equal(t, exitFailure, code)
			assert.Empty(t, stdout.String())

			reqs := srv.Requests()
			require.Len(t, reqs, tc.attempts)
			msg := stderr.String()
			assert.Equal(t, 1, strings.Count(msg, "\n"), "one line: %q", msg)
			assert.True(t, strings.HasPrefix(msg, "quickstart: "), msg)
			for _, w := range append(tc.want, "RequestId "+reqs[len(reqs)-1].RequestID) {
				assert.Contains(t, msg, w)
			}
		})
	}
}

func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	assert.Equal(t, exitInterrupted, run(ctx, nil, noEnv, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "quickstart: interrupted")
	assert.Empty(t, stdout.String())
}

func TestNoData(t *testing.T) {
	cfg := &config{phone: samplePhone, granularity: chatapp.GranularityDaily}
	cfg.end = time.Date(2026, 7, 8, 0, 0, 0, 0, chatapp.ChinaStandardTime())
	cfg.start = cfg.end.AddDate(0, 0, -2)
	var out strings.Builder
	require.NoError(t, writeTable(&out, cfg, nil))
	tb := parseTable(t, out.String())
	assert.Equal(t, []row{
		{label: "Mon 2026-07-06", rate: "-"},
		{label: "Tue 2026-07-07", rate: "-"},
	}, tb.days)
	assert.Equal(t, row{label: "TOTAL", rate: "-"}, tb.total)
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0", 7: "7", 999: "999", 1000: "1,000", 18869: "18,869",
		123456789: "123,456,789", -1234: "-1,234",
	} {
		assert.Equal(t, want, thousands(n))
	}
}
