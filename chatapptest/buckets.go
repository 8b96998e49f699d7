package chatapptest

import (
	"time"

	"github.com/chatappkit/chatapp"
)

const halfHour = 30 * time.Minute

// dayStart returns the midnight in loc that begins t's day there.
func dayStart(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// nextDay returns the midnight in loc after the day that begins at day.
// Days are not always 24 hours long where clocks change.
func nextDay(day time.Time, loc *time.Location) time.Time {
	y, m, d := day.In(loc).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

// bucketStart returns the start of the bucket of g that holds t: t's
// midnight in loc for DAILY, the half hour counted from that midnight for
// HALF_HOUR.
func bucketStart(g chatapp.Granularity, loc *time.Location, t time.Time) time.Time {
	day := dayStart(t, loc)
	if g == chatapp.GranularityDaily {
		return day
	}
	return day.Add(t.Sub(day) / halfHour * halfHour)
}

// forEachBucket calls fn with the start and end of every bucket of g that
// starts in [from, to), in time order. DAILY buckets run from one midnight
// in loc to the next; HALF_HOUR buckets are the half hours counted from
// each midnight in loc (the last one of a day is cut short if a change of
// clocks makes the day's length no multiple of 30 minutes).
func forEachBucket(g chatapp.Granularity, loc *time.Location, from, to time.Time, fn func(start, end time.Time)) {
	day := dayStart(from, loc)
	next := nextDay(day, loc)
	if g == chatapp.GranularityDaily {
		if day.Before(from) {
			day, next = next, nextDay(next, loc)
		}
		for day.Before(to) {
			fn(day, next)
			day, next = next, nextDay(next, loc)
		}
		return
	}
	b := day
	if b.Before(from) {
		b = day.Add((from.Sub(day) + halfHour - 1) / halfHour * halfHour)
	}
	for b.Before(to) {
		if !b.Before(next) {
			b, next = next, nextDay(next, loc)
			continue
		}
		end := b.Add(halfHour)
		if end.After(next) {
			end = next
		}
		fn(b, end)
		b = end
	}
}
