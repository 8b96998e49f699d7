package main

import (
	"context"
	"encoding/csv"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each day the command reports in a zone other than UTC+8 is the sum of
// that zone's half hours, as the emulator serves them.
func TestDaysInAnyZoneAreSumsOfHalfHours(t *testing.T) {
	at := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	pinClock(t, at)
	srv := chatapptest.NewServer(chatapptest.WithClock(now), chatapptest.WithTimestampSkew(0))
	defer srv.Close()
	client, err := srv.Client()
	require.NoError(t, err)
	const phone = "8613800001234"

	for _, tc := range []struct{ tz, since, until string }{
		{"Asia/Kolkata", "2026-11-28", "2026-11-29"},
		{"UTC", "2026-11-28", "2026-11-29"},
		{"America/New_York", "2026-10-30", "2026-11-03"}, // DST ends on Nov 1: a 25-hour day
		{"+05:30", "2026-11-28", "2026-11-29"},
	} {
		t.Run(tc.tz, func(t *testing.T) {
			code, stdout, stderr := invoke(t, "-emulator", "-phone", phone, "-tz", tc.tz, "-since", tc.since, "-until", tc.until, "-format", "csv")
			require.Equal(t, exitOK, code, stderr)
			records, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
			require.NoError(t, err)
			loc, err := parseZone(tc.tz)
			require.NoError(t, err)
			first, _ := time.ParseInLocation(time.DateOnly, tc.since, loc)
			last, _ := time.ParseInLocation(time.DateOnly, tc.until, loc)
			var days []string
			for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
				days = append(days, d.Format(time.DateOnly))
			}
			require.Len(t, records, 1+len(days), "a row for each day asked for:\n%s", stdout)
			for i, rec := range records[1:] {
				require.Equal(t, days[i], rec[0])
				start, _ := time.ParseInLocation(time.DateOnly, rec[0], loc)
				var want chatapp.Totals
				for p, err := range client.PhoneNumberMetrics(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
					PhoneNumber: phone, Granularity: chatapp.GranularityHalfHour, Start: start, End: start.AddDate(0, 0, 1),
				}) {
					require.NoError(t, err)
					want.Add(p)
				}
				assert.Equal(t, strconv.FormatInt(want.Sent, 10), rec[2], "sent on %s", rec[0])
				assert.Equal(t, strconv.FormatInt(want.Delivered, 10), rec[3], "delivered on %s", rec[0])
				assert.Equal(t, "false", rec[5], "a past day is complete")
			}
		})
	}
}

// The table of the example, kept as a golden file.
func TestKolkataTable(t *testing.T) {
	pinClock(t, time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC))
	code, stdout, stderr := invoke(t, "-emulator", "-since", "2026-11-28", "-until", "2026-11-29", "-tz", "Asia/Kolkata")
	require.Equal(t, exitOK, code, stderr)
	golden(t, "table_kolkata", stdout)
}

func TestZoneNotOfHalfHoursIsRefused(t *testing.T) {
	pinClock(t, time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC))
	for _, tz := range []string{"+05:45", "Asia/Kathmandu"} {
		code, stdout, stderr := invoke(t, "-emulator", "-since", "2026-11-28", "-until", "2026-11-29", "-tz", tz)
		assert.Equal(t, exitUsage, code, tz)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, `-tz "`+tz+`": its offset is +05:45`)
		assert.Contains(t, stderr, "not a multiple of 30 minutes")
	}
	// Half hours themselves can be shown in such a zone.
	code, _, stderr := invoke(t, "-emulator", "-granularity", "HALF_HOUR", "-since", "2026-11-28", "-until", "2026-11-28", "-tz", "+05:45")
	assert.Equal(t, exitOK, code, stderr)
}

// Today is marked partial in every format.
func TestTodayIsPartial(t *testing.T) {
	pinClock(t, time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)) // 20:00 in UTC+8
	code, stdout, stderr := invoke(t, "-emulator", "-phone", "8613800001234", "-since", "2d", "-format", "csv")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "day,phone_number,sent,delivered,delivery_rate,partial", strings.Split(stdout, "\n")[0])
	assert.Contains(t, stdout, "2026-12-02,8613800001234,")
	assert.Regexp(t, `2026-12-02,8613800001234,\d+,\d+,[0-9.]+,false\n`, stdout)
	assert.Regexp(t, `2026-12-03,8613800001234,\d+,\d+,[0-9.]+,true\n`, stdout)

	_, stdout, _ = invoke(t, "-emulator", "-phone", "8613800001234", "-since", "2d", "-format", "json")
	assert.Contains(t, stdout, `"start":"2026-12-03T00:00:00+08:00","end":"2026-12-04T00:00:00+08:00","phone_number":"8613800001234","granularity":"DAILY"`)
	assert.Regexp(t, `"start":"2026-12-03T00:00:00\+08:00".*"partial":true}`, stdout)
	assert.Regexp(t, `"start":"2026-12-02T00:00:00\+08:00".*"partial":false}`, stdout)

	_, stdout, _ = invoke(t, "-emulator", "-phone", "8613800001234", "-since", "2d")
	assert.Contains(t, stdout, "2026-12-03 *  8613800001234")
	assert.Contains(t, stdout, "2026-12-02    8613800001234")
	assert.Contains(t, stdout, "* partial: the bucket has not ended")
}

// A run cut short prints nothing that looks complete.
func TestInterruptedRunPrintsNothing(t *testing.T) {
	pinClock(t, time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC))
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // as SIGINT does through signal.NotifyContext
	var out, errOut strings.Builder
	chart := filepath.Join(t.TempDir(), "x.svg")
	code := run(ctx, []string{"-emulator", "-since", "365d", "-chart", chart}, &out, &errOut)
	assert.Equal(t, exitInterrupted, code)
	assert.Empty(t, out.String())
	assert.NoFileExists(t, chart, "no partial chart")
	assert.Contains(t, errOut.String(), "interrupted: nothing printed")

	code, stdout, stderr := invoke(t, "-emulator", "-since", "365d", "-timeout", "1ns")
	assert.Equal(t, exitError, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "-timeout reached")
}
