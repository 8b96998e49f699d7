package chatapp_test

import (
	"testing"
	"time"
	_ "time/tzdata" // America/New_York on machines without a zone database

	"github.com/chatappkit/chatapp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDeliveryRate(t *testing.T) {
	assert.Zero(t, chatapp.PhoneNumberMetric{}.DeliveryRate(), "nothing sent")
	assert.Zero(t, chatapp.PhoneNumberMetric{DeliveredCount: 3}.DeliveryRate(), "nothing sent, odd data")
	assert.InDelta(t, 0.75, chatapp.PhoneNumberMetric{SentCount: 4, DeliveredCount: 3}.DeliveryRate(), 1e-12)
	assert.InDelta(t, 1.5, chatapp.PhoneNumberMetric{SentCount: 2, DeliveredCount: 3}.DeliveryRate(), 1e-12, "not clamped")

	assert.Zero(t, chatapp.Totals{}.DeliveryRate())
	assert.InDelta(t, 0.9, chatapp.Totals{Sent: 10, Delivered: 9}.DeliveryRate(), 1e-12)
}

func TestTotal(t *testing.T) {
	points := []chatapp.PhoneNumberMetric{
		{PhoneNumber: "1", SentCount: 10, DeliveredCount: 9},
		{PhoneNumber: "2", SentCount: 5, DeliveredCount: 1},
		{PhoneNumber: "1", Granularity: chatapp.GranularityHalfHour, SentCount: 1, DeliveredCount: 1},
	}
	assert.Equal(t, chatapp.Totals{Sent: 16, Delivered: 11}, chatapp.Total(points))
	assert.Equal(t, chatapp.Totals{}, chatapp.Total(nil))

	var running chatapp.Totals
	for _, p := range points {
		running.Add(p)
	}
	assert.Equal(t, chatapp.Total(points), running)
}

func TestChinaStandardTime(t *testing.T) {
	loc := chatapp.ChinaStandardTime()
	require.Same(t, loc, chatapp.ChinaStandardTime())
	name, offset := time.Date(2026, 7, 1, 0, 0, 0, 0, loc).Zone()
	assert.Equal(t, "UTC+8", name)
	assert.Equal(t, 8*60*60, offset)
	_, winter := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).Zone()
	assert.Equal(t, offset, winter, "no daylight saving time")
}

// halfHours returns n HALF_HOUR points of one number from start, the i-th
// with i+1 sent and i delivered.
func halfHours(phone string, start time.Time, n int) []chatapp.PhoneNumberMetric {
	out := make([]chatapp.PhoneNumberMetric, n)
	for i := range out {
		s := start.Add(time.Duration(i) * 30 * time.Minute)
		out[i] = chatapp.PhoneNumberMetric{
			PhoneNumber: phone, Granularity: chatapp.GranularityHalfHour,
			Start: s.UTC(), End: s.Add(30 * time.Minute).UTC(),
			SentCount: int64(i + 1), DeliveredCount: int64(i),
		}
	}
	return out
}

// sumOf returns the Totals of halfHours points [from, to).
func sumOf(from, to int) chatapp.Totals {
	var t chatapp.Totals
	for i := from; i < to; i++ {
		t.Sent += int64(i + 1)
		t.Delivered += int64(i)
	}
	return t
}

func TestTotalsByDayInTheServicesZone(t *testing.T) {
	// Two UTC+8 days of half hours, given in reverse and for two numbers.
	a := halfHours("1", dateCST(2026, 9, 1, 0, 0), 96)
	b := halfHours("2", dateCST(2026, 9, 1, 0, 0), 96)
	var points []chatapp.PhoneNumberMetric
	for i := len(a) - 1; i >= 0; i-- {
		points = append(points, a[i], b[i])
	}

	days := chatapp.TotalsByDay(points, chatapp.ChinaStandardTime())
	require.Len(t, days, 2)
	first, second := sumOf(0, 48), sumOf(48, 96)
	assert.True(t, days[0].Day.Equal(dateCST(2026, 9, 1, 0, 0)))
	assert.Equal(t, chatapp.ChinaStandardTime(), days[0].Day.Location(), "Day is given in the chosen zone")
	assert.Equal(t, chatapp.Totals{Sent: 2 * first.Sent, Delivered: 2 * first.Delivered}, days[0].Totals)
	assert.True(t, days[1].Day.Equal(dateCST(2026, 9, 2, 0, 0)))
	assert.Equal(t, chatapp.Totals{Sent: 2 * second.Sent, Delivered: 2 * second.Delivered}, days[1].Totals)

	// nil is the service's zone.
	assert.Equal(t, days, chatapp.TotalsByDay(points, nil))
}

func TestTotalsByDayInAnotherZone(t *testing.T) {
	points := halfHours("1", dateCST(2026, 9, 1, 0, 0), 96)
	days := chatapp.TotalsByDay(points, time.UTC)
	// UTC+8 midnight is 16:00 UTC the day before: 16 half hours fall on
	// Aug 31 in UTC, 48 on Sep 1, and the last 32 on Sep 2.
	require.Len(t, days, 3)
	assert.Equal(t, time.Date(2026, 8, 31, 0, 0, 0, 0, time.UTC), days[0].Day)
	assert.Equal(t, sumOf(0, 16), days[0].Totals)
	assert.Equal(t, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), days[1].Day)
	assert.Equal(t, sumOf(16, 64), days[1].Totals)
	assert.Equal(t, time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC), days[2].Day)
	assert.Equal(t, sumOf(64, 96), days[2].Totals)
}

func TestTotalsByDayAcrossAChangeOfClocks(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	// 2026-11-01 is 25 hours long in New York: 50 half hours.
	points := halfHours("1", time.Date(2026, 10, 31, 0, 0, 0, 0, ny), 48+50+48)
	days := chatapp.TotalsByDay(points, ny)
	require.Len(t, days, 3)
	assert.Equal(t, time.Date(2026, 10, 31, 0, 0, 0, 0, ny), days[0].Day)
	assert.Equal(t, sumOf(0, 48), days[0].Totals)
	assert.Equal(t, time.Date(2026, 11, 1, 0, 0, 0, 0, ny), days[1].Day)
	assert.Equal(t, sumOf(48, 98), days[1].Totals)
	assert.Equal(t, time.Date(2026, 11, 2, 0, 0, 0, 0, ny), days[2].Day)
	assert.Equal(t, sumOf(98, 146), days[2].Totals)
}

func TestTotalsByDayOfDailyPoints(t *testing.T) {
	points := []chatapp.PhoneNumberMetric{
		{PhoneNumber: "1", Granularity: chatapp.GranularityDaily, Start: dateCST(2026, 9, 2, 0, 0), SentCount: 7, DeliveredCount: 6},
		{PhoneNumber: "1", Granularity: chatapp.GranularityDaily, Start: dateCST(2026, 9, 1, 0, 0), SentCount: 5, DeliveredCount: 5},
	}
	days := chatapp.TotalsByDay(points, chatapp.ChinaStandardTime())
	require.Len(t, days, 2)
	assert.Equal(t, "2026-09-01", days[0].Day.Format(time.DateOnly))
	assert.Equal(t, chatapp.Totals{Sent: 5, Delivered: 5}, days[0].Totals)
	assert.Equal(t, "2026-09-02", days[1].Day.Format(time.DateOnly))
	assert.Equal(t, chatapp.Totals{Sent: 7, Delivered: 6}, days[1].Totals)

	// West of UTC+8 a service day begins on the date before.
	days = chatapp.TotalsByDay(points, time.UTC)
	require.Len(t, days, 2)
	assert.Equal(t, "2026-08-31", days[0].Day.Format(time.DateOnly))
	assert.Equal(t, chatapp.Totals{Sent: 5, Delivered: 5}, days[0].Totals)
	assert.Equal(t, "2026-09-01", days[1].Day.Format(time.DateOnly))
	assert.Equal(t, chatapp.Totals{Sent: 7, Delivered: 6}, days[1].Totals)
	assert.Empty(t, chatapp.TotalsByDay(nil, time.UTC))
}
