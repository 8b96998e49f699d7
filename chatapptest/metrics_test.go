package chatapptest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// now8 is a Wednesday afternoon in UTC+8: 2026-03-04 13:00 +08.
// utc8 is the emulator's default zone.
var utc8 = chatapp.ChinaStandardTime()

var now8 = time.Date(2026, 3, 4, 13, 0, 0, 0, utc8)

// metricCall is a metric request at now with the given parameters, as
// name, value pairs; an empty value leaves the parameter out.
func metricCall(now time.Time, params ...string) call {
	c := okCall(now)
	c.query = url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		if params[i+1] == "" {
			c.query.Del(params[i])
		} else {
			c.query.Set(params[i], params[i+1])
		}
	}
	return c
}

// query asks e for a series and requires success.
func query(t *testing.T, e *Emulator, clock *fakeClock, params ...string) answer {
	t.Helper()
	a := serve(t, e, metricCall(clock.Now(), params...).build(t))
	require.Equal(t, http.StatusOK, a.Status, a.raw)
	require.Equal(t, "OK", a.Code)
	return a
}

func TestDailySeries(t *testing.T) {
	e, clock := newTestEmulator(t, now8)
	start := now8.AddDate(0, 0, -10).Add(-3 * time.Hour) // 10:00 +08, ten days back
	a := query(t, e, clock, "Start", ms(start), "End", ms(now8), "PhoneNumber", "8613800001234", "Granularity", "DAILY")
	// Midnights after start, up to today's (started at 00:00 today).
	require.Len(t, a.Data, 10)
	for i, p := range a.Data {
		s := time.UnixMilli(p.Start).In(utc8)
		assert.Equal(t, 0, s.Hour()+s.Minute()+s.Second()+s.Nanosecond(), "aligned to midnight UTC+8: %v", s)
		assert.Equal(t, int64(24*time.Hour/time.Millisecond), p.End-p.Start)
		assert.Equal(t, "8613800001234", p.PhoneNumber)
		assert.Equal(t, "DAILY", p.Granularity)
		assert.LessOrEqual(t, p.DeliveredCount, p.SentCount)
		assert.Positive(t, p.SentCount, "a working number sends every day")
		assert.Less(t, p.SentCount, int64(1)<<31, "counts fit the SDKs' int32")
		if i > 0 {
			assert.Equal(t, a.Data[i-1].End, p.Start, "contiguous, in time order")
		}
	}
	assert.GreaterOrEqual(t, a.Data[0].Start, start.UnixMilli())
	assert.Equal(t, dayStart(now8, utc8).UnixMilli(), a.Data[9].Start, "today has started")

	// Absent Granularity means DAILY.
	b := query(t, e, clock, "Start", ms(start), "End", ms(now8), "PhoneNumber", "8613800001234")
	assert.Equal(t, a.Data, b.Data)
	assert.True(t, strings.HasPrefix(b.raw, `{"RequestId":"`), b.raw[:40])
	assert.Contains(t, b.raw, `","Code":"OK","Message":"OK","Data":[{"SentCount":`)
}

func TestHalfHourSumsToDaily(t *testing.T) {
	e, clock := newTestEmulator(t, now8)
	e.AddPhoneNumber("8613900000001")
	from := dayStart(now8, utc8).AddDate(0, 0, -7)
	to := dayStart(now8, utc8)
	daily := query(t, e, clock, "Start", ms(from), "End", ms(to), "PhoneNumber", "8613900000001")
	half := query(t, e, clock, "Start", ms(from), "End", ms(to), "PhoneNumber", "8613900000001", "Granularity", "HALF_HOUR")
	require.Len(t, daily.Data, 7)
	require.Len(t, half.Data, 7*48)
	for d, day := range daily.Data {
		var sent, delivered int64
		for i, p := range half.Data[d*48 : (d+1)*48] {
			assert.Equal(t, day.Start+int64(i)*30*60*1000, p.Start, "half hours counted from midnight")
			assert.Equal(t, p.Start+30*60*1000, p.End)
			assert.Equal(t, "HALF_HOUR", p.Granularity)
			assert.LessOrEqual(t, p.DeliveredCount, p.SentCount)
			sent += p.SentCount
			delivered += p.DeliveredCount
		}
		assert.Equal(t, day.SentCount, sent, "day %d", d)
		assert.Equal(t, day.DeliveredCount, delivered, "day %d", d)
	}
}

// TestRangeRule pins: Start <= bucket start < End, and bucket start <= now.
func TestRangeRule(t *testing.T) {
	e, clock := newTestEmulator(t, now8)
	day := dayStart(now8, utc8).AddDate(0, 0, -3)
	count := func(g string, start, end time.Time) int {
		return len(query(t, e, clock, "Start", ms(start), "End", ms(end), "PhoneNumber", "8613800001234", "Granularity", g).Data)
	}
	assert.Equal(t, 1, count("DAILY", day, day.Add(time.Millisecond)), "a bucket starting at Start is in")
	assert.Equal(t, 0, count("DAILY", day.Add(time.Millisecond), day.Add(24*time.Hour)), "one starting before Start is out")
	assert.Equal(t, 1, count("DAILY", day, day.Add(24*time.Hour)), "one starting at End is out")
	assert.Equal(t, 2, count("DAILY", day, day.Add(24*time.Hour+time.Millisecond)))
	assert.Equal(t, 2, count("HALF_HOUR", day.Add(-time.Millisecond), day.Add(30*time.Minute+time.Millisecond)))

	// The clock: buckets that have not started are not returned.
	half := bucketStart(chatapp.GranularityHalfHour, utc8, now8)
	clock.Set(half)
	assert.Equal(t, 1, count("HALF_HOUR", half.Add(-time.Millisecond), half.Add(24*time.Hour)), "the bucket starting now has started")
	clock.Set(half.Add(-time.Millisecond))
	assert.Equal(t, 0, count("HALF_HOUR", half.Add(-time.Millisecond), half.Add(24*time.Hour)))
	clock.Set(now8)
	assert.Equal(t, 1, count("DAILY", dayStart(now8, utc8), now8.AddDate(1, 0, 0)), "today only; tomorrow has not started")
	assert.Equal(t, 0, count("DAILY", now8.AddDate(0, 0, 1), now8.AddDate(0, 0, 5)), "the future is empty")
}

func TestDataIsDeterministic(t *testing.T) {
	from, to := now8.AddDate(0, 0, -20), now8
	e1, c1 := newTestEmulator(t, now8)
	e2, c2 := newTestEmulator(t, now8.AddDate(0, 1, 0))
	a := query(t, e1, c1, "Start", ms(from), "End", ms(to), "PhoneNumber", "8613800001234", "Granularity", "HALF_HOUR")
	b := query(t, e2, c2, "Start", ms(from), "End", ms(to), "PhoneNumber", "8613800001234", "Granularity", "HALF_HOUR")
	assert.Equal(t, a.Data, b.Data, "same number and buckets, same data, whatever the emulator or the time of asking")

	mid := now8.AddDate(0, 0, -9).Add(17 * time.Minute)
	left := query(t, e1, c1, "Start", ms(from), "End", ms(mid), "PhoneNumber", "8613800001234", "Granularity", "HALF_HOUR")
	right := query(t, e1, c1, "Start", ms(mid), "End", ms(to), "PhoneNumber", "8613800001234", "Granularity", "HALF_HOUR")
	assert.Equal(t, a.Data, append(left.Data, right.Data...), "a bucket's value does not depend on the range asked")

	other := query(t, e1, c1, "Start", ms(from), "End", ms(to), "PhoneNumber", "8613800005678", "Granularity", "HALF_HOUR")
	var sa, so int64
	for i := range a.Data {
		sa += a.Data[i].SentCount
		so += other.Data[i].SentCount
	}
	assert.NotEqual(t, sa, so, "numbers differ")
}

// TestDataShape checks the plausibility of generated data: weekdays
// busier than weekends, days busier than nights.
func TestDataShape(t *testing.T) {
	e, clock := newTestEmulator(t, now8)
	from := dayStart(now8, utc8).AddDate(0, 0, -28)
	a := query(t, e, clock, "Start", ms(from), "End", ms(dayStart(now8, utc8)), "PhoneNumber", "8613800001234", "Granularity", "HALF_HOUR")
	var byWeekday [7]int64
	var byHour [24]int64
	for _, p := range a.Data {
		s := time.UnixMilli(p.Start).In(utc8)
		byWeekday[s.Weekday()] += p.SentCount
		byHour[s.Hour()] += p.SentCount
	}
	assert.Greater(t, byWeekday[time.Wednesday], byWeekday[time.Sunday])
	assert.Greater(t, byWeekday[time.Monday], byWeekday[time.Saturday])
	assert.Greater(t, byHour[11], 5*byHour[3])
}

func TestPhoneNumbers(t *testing.T) {
	e, clock := newTestEmulator(t, now8)
	from, to := dayStart(now8, utc8).AddDate(0, 0, -2), dayStart(now8, utc8)
	a := query(t, e, clock, "Start", ms(from), "End", ms(to))
	require.Len(t, a.Data, 4)
	assert.Equal(t, []string{"8613800001234", "8613800001234", "8613800005678", "8613800005678"},
		[]string{a.Data[0].PhoneNumber, a.Data[1].PhoneNumber, a.Data[2].PhoneNumber, a.Data[3].PhoneNumber},
		"one series per known number, numbers in order, points in time order")
	assert.Less(t, a.Data[0].Start, a.Data[1].Start)

	require.NoError(t, e.SeedMetrics(chatapp.PhoneNumberMetric{PhoneNumber: "447700900123", Start: from, SentCount: 3, DeliveredCount: 2}))
	e.AddPhoneNumber("6590000000", "", "8613800001234") // empty and known numbers change nothing
	assert.Equal(t, []string{"447700900123", "6590000000", "8613800001234", "8613800005678"}, e.PhoneNumbers())
	a = query(t, e, clock, "Start", ms(from), "End", ms(to))
	require.Len(t, a.Data, 8)
	assert.Equal(t, "447700900123", a.Data[0].PhoneNumber)
	assert.Equal(t, int64(3), a.Data[0].SentCount)

	// A number that is not the channel's gets an empty series, Code OK.
	a = query(t, e, clock, "Start", ms(from), "End", ms(to), "PhoneNumber", "15550001111")
	assert.Empty(t, a.Data)
	assert.Contains(t, a.raw, `"Code":"OK"`)
	e.AddPhoneNumber("15550001111")
	a = query(t, e, clock, "Start", ms(from), "End", ms(to), "PhoneNumber", "15550001111")
	require.Len(t, a.Data, 2)
	assert.Equal(t, "15550001111", a.Data[0].PhoneNumber)

	only, onlyClock := newTestEmulator(t, now8, WithPhoneNumbers("1"))
	a = query(t, only, onlyClock, "Start", ms(from), "End", ms(to))
	require.Len(t, a.Data, 2)
	assert.Equal(t, "1", a.Data[0].PhoneNumber)
}

func TestSeedMetrics(t *testing.T) {
	e, clock := newTestEmulator(t, now8)
	day := dayStart(now8, utc8).AddDate(0, 0, -1)
	before := query(t, e, clock, "Start", ms(day), "End", ms(day.Add(time.Hour)), "PhoneNumber", "8613800001234", "Granularity", "DAILY")
	require.Len(t, before.Data, 1)
	halves := query(t, e, clock, "Start", ms(day), "End", ms(day.Add(time.Hour)), "PhoneNumber", "8613800001234", "Granularity", "HALF_HOUR")
	require.Len(t, halves.Data, 2)

	// A half hour replaces the generated one and moves the day with it.
	require.NoError(t, e.SeedMetrics(chatapp.PhoneNumberMetric{
		PhoneNumber: "8613800001234", Granularity: chatapp.GranularityHalfHour, Start: day.Add(30 * time.Minute),
		SentCount: 1000, DeliveredCount: 990,
	}))
	after := query(t, e, clock, "Start", ms(day), "End", ms(day.Add(time.Hour)), "PhoneNumber", "8613800001234", "Granularity", "HALF_HOUR")
	assert.Equal(t, halves.Data[0], after.Data[0])
	assert.Equal(t, int64(1000), after.Data[1].SentCount)
	assert.Equal(t, int64(990), after.Data[1].DeliveredCount)
	d := query(t, e, clock, "Start", ms(day), "End", ms(day.Add(time.Hour)), "PhoneNumber", "8613800001234")
	assert.Equal(t, before.Data[0].SentCount-halves.Data[1].SentCount+1000, d.Data[0].SentCount)

	// An explicit day wins over the sum, and is answered as given.
	require.NoError(t, e.SeedMetrics(chatapp.PhoneNumberMetric{PhoneNumber: "8613800001234", Start: day, SentCount: 7, DeliveredCount: 9}))
	d = query(t, e, clock, "Start", ms(day), "End", ms(day.Add(time.Hour)), "PhoneNumber", "8613800001234")
	assert.Equal(t, int64(7), d.Data[0].SentCount)
	assert.Equal(t, int64(9), d.Data[0].DeliveredCount)

	// Bad points are refused, and none of a bad batch is stored.
	err := e.SeedMetrics(
		chatapp.PhoneNumberMetric{PhoneNumber: "999", Start: day, SentCount: 1},
		chatapp.PhoneNumberMetric{PhoneNumber: "999", Start: day.Add(time.Hour)},
	)
	assert.ErrorContains(t, err, "point 1")
	assert.NotContains(t, e.PhoneNumbers(), "999")
	assert.Error(t, e.SeedMetrics(chatapp.PhoneNumberMetric{PhoneNumber: "9", Granularity: chatapp.GranularityHalfHour, Start: day.Add(time.Minute)}))
	assert.Error(t, e.SeedMetrics(chatapp.PhoneNumberMetric{PhoneNumber: "9", Granularity: "WEEKLY", Start: day}))
	assert.Error(t, e.SeedMetrics(chatapp.PhoneNumberMetric{Start: day}))
	assert.NoError(t, e.SeedMetrics())
}

func TestValidation(t *testing.T) {
	from, to := ms(now8.AddDate(0, 0, -1)), ms(now8)
	cases := []struct {
		name   string
		params []string
		code   string
	}{
		{"no Start", []string{"Start", "", "End", to}, "MissingStart"},
		{"no End", []string{"Start", from, "End", ""}, "MissingEnd"},
		{"Start not a number", []string{"Start", "yesterday", "End", to}, "InvalidStart"},
		{"Start negative", []string{"Start", "-5", "End", to}, "InvalidStart"},
		{"Start fractional", []string{"Start", "1.5", "End", to}, "InvalidStart"},
		{"End not a number", []string{"Start", from, "End", "1e12"}, "InvalidEnd"},
		{"End equals Start", []string{"Start", from, "End", from}, "InvalidEnd"},
		{"End before Start", []string{"Start", to, "End", from}, "InvalidEnd"},
		{"lower-case granularity", []string{"Start", from, "End", to, "Granularity", "daily"}, "InvalidGranularity"},
		{"monthly", []string{"Start", from, "End", to, "Granularity", "MONTH"}, "InvalidGranularity"},
		{"too many points", []string{"Start", "0", "End", to, "Granularity", "HALF_HOUR"}, "InvalidEnd"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, _ := newTestEmulator(t, now8)
			a := serve(t, e, metricCall(now8, c.params...).build(t))
			assert.Equal(t, http.StatusBadRequest, a.Status)
			assert.Equal(t, c.code, a.Code, a.raw)
			assert.NotEmpty(t, a.Message)
		})
	}
}

func TestLocation(t *testing.T) {
	e, clock := newTestEmulator(t, now8, WithLocation(time.UTC))
	a := query(t, e, clock, "Start", ms(now8.AddDate(0, 0, -3)), "End", ms(now8))
	require.NotEmpty(t, a.Data)
	for _, p := range a.Data {
		assert.Zero(t, p.Start%(24*3600*1000), "UTC midnights")
	}

	// Where clocks change, days are 23 or 25 hours long, and the half hours
	// of each still add up to it.
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	springDay := time.Date(2026, 3, 8, 0, 0, 0, 0, ny) // 23 hours
	e, clock = newTestEmulator(t, springDay.AddDate(0, 0, 5), WithLocation(ny))
	daily := query(t, e, clock, "Start", ms(springDay), "End", ms(springDay.AddDate(0, 0, 2)), "PhoneNumber", "8613800001234")
	require.Len(t, daily.Data, 2)
	assert.Equal(t, int64(23*3600*1000), daily.Data[0].End-daily.Data[0].Start)
	half := query(t, e, clock, "Start", ms(springDay), "End", ms(springDay.AddDate(0, 0, 1)), "Granularity", "HALF_HOUR")
	require.Len(t, half.Data, 2*46, "two numbers, 46 half hours each")
	var sum int64
	for _, p := range half.Data[:46] {
		sum += p.SentCount
	}
	assert.Equal(t, daily.Data[0].SentCount, sum)
}

// TestMetricsMatchesAnswer checks the helper against the handler.
func TestMetricsMatchesAnswer(t *testing.T) {
	e, clock := newTestEmulator(t, now8)
	req := &chatapp.GetChatappPhoneNumberMetricRequest{
		Granularity: chatapp.GranularityHalfHour,
		Start:       now8.Add(-5 * time.Hour),
		End:         now8,
	}
	want, err := e.Metrics(req)
	require.NoError(t, err)
	a := query(t, e, clock, "Start", ms(req.Start), "End", ms(req.End), "Granularity", "HALF_HOUR")
	require.Len(t, want, len(a.Data))
	for i, p := range a.Data {
		assert.Equal(t, p.PhoneNumber, want[i].PhoneNumber)
		assert.Equal(t, p.Start, want[i].Start.UnixMilli())
		assert.Equal(t, p.End, want[i].End.UnixMilli())
		assert.Equal(t, time.UTC, want[i].Start.Location())
		assert.Equal(t, p.SentCount, want[i].SentCount)
		assert.Equal(t, p.DeliveredCount, want[i].DeliveredCount)
	}
	_, err = e.Metrics(&chatapp.GetChatappPhoneNumberMetricRequest{Start: now8})
	assert.ErrorContains(t, err, "MissingEnd")
	_, err = e.Metrics(nil)
	assert.Error(t, err)
}

// TestLongHalfHourQueryIsCheap: a 30-day HALF_HOUR series (1,440 points)
// is answered in far less than a client's patience, even under -race.
func TestLongHalfHourQueryIsCheap(t *testing.T) {
	e, clock := newTestEmulator(t, now8)
	began := time.Now()
	a := query(t, e, clock, "Start", ms(now8.AddDate(0, 0, -30)), "End", ms(now8), "PhoneNumber", "8613800001234", "Granularity", "HALF_HOUR")
	elapsed := time.Since(began)
	assert.Len(t, a.Data, 1440)
	assert.Less(t, elapsed, 500*time.Millisecond)
}

func BenchmarkHalfHour30Days(b *testing.B) {
	e, _ := newTestEmulator(b, now8, WithoutRateLimit(), WithRequestLogLimit(0))
	q := metricQuery{phone: "8613800001234", granularity: chatapp.GranularityHalfHour, start: now8.AddDate(0, 0, -30), end: now8}
	for b.Loop() {
		points, err := e.series(q, now8)
		if err != nil || len(points) != 1440 {
			b.Fatal(err, len(points))
		}
		_ = appendMetricBody(nil, "ID", points)
	}
}
