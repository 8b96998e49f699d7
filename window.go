package chatapp

import (
	"context"
	"strconv"
	"time"
)

const halfHourLength = 30 * time.Minute

// windowPlan splits a range into the ranges of single requests.
//
// Every window but the last ends on a bucket boundary in the service's
// zone, so that no bucket straddles two requests: the answer is then the
// same whether the service returns the buckets that start in a range (as
// the emulator does), those that overlap it, or only those inside it. The
// first window begins at the request's Start, whatever its alignment, and
// the last ends at its End, so a split query asks for exactly what one
// request over the whole range would.
type windowPlan struct {
	daily bool
	days  int           // DAILY window length, in calendar days of zone
	span  time.Duration // HALF_HOUR window length
	zone  *time.Location
}

func newWindowPlan(g Granularity, cfg *rangeConfig) windowPlan {
	// An empty Granularity is DAILY at the service.
	return windowPlan{
		daily: g != GranularityHalfHour,
		days:  cfg.dailyDays,
		span:  cfg.halfHourWindow,
		zone:  cfg.zone,
	}
}

// end returns the end of the window that begins at from, for a range that
// ends at rangeEnd.
func (p windowPlan) end(from, rangeEnd time.Time) time.Time {
	var cut time.Time
	if p.daily {
		// Calendar days rather than 24-hour steps, so that a zone with
		// daylight saving time still cuts at its midnights.
		y, m, d := from.In(p.zone).Date()
		cut = time.Date(y, m, d+p.days, 0, 0, 0, 0, p.zone)
	} else {
		cut = halfHourFloor(from.Add(p.span), p.zone)
		if !cut.After(from) {
			// Only where a change of clocks makes a bucket shorter than
			// 30 minutes; never stall.
			cut = from.Add(halfHourLength)
		}
	}
	if cut.After(rangeEnd) {
		return rangeEnd
	}
	return cut
}

// count returns how many windows [start, end) is split into, times
// copies (the numbers of a QueryPhoneNumbers), if that is at most
// maxCalls. A range that would take more fails at once with a
// *ValidationError saying about how many calls it would take; the count
// itself stops when ctx ends. start and end are already on milliseconds.
func (p windowPlan) count(ctx context.Context, start, end time.Time, copies, maxCalls int) (int, error) {
	// An estimate in whole seconds first, which neither loops nor
	// overflows: a range ending in the year 9999 in 30-minute windows is
	// refused without walking its 140 million windows.
	window := int64(p.span / time.Second)
	if p.daily {
		window = int64(p.days) * 24 * 3600
	}
	seconds := end.Unix() - start.Unix()
	estimate := seconds/window + 1
	tooMany := func(n int64) error {
		return &ValidationError{Field: "End", Rule: "the range would take about " + strconv.FormatInt(n, 10) +
			" calls, more than the limit of " + strconv.Itoa(maxCalls) + " (raise it with MaxCalls, or shorten the range)"}
	}
	// A change of clocks can make a day 25 hours, so fewer windows fit
	// the range than seconds/window says: refuse on a lower bound that
	// allows for it, and count exactly otherwise.
	if lower := seconds / (window + window/23 + 1); lower-1 > int64(maxCalls/copies) {
		return 0, tooMany(estimate * int64(copies))
	}
	n := 0
	for from := start; from.Before(end); from = p.end(from, end) {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		n++
		if n*copies > maxCalls {
			return 0, tooMany(max(estimate, int64(n)) * int64(copies))
		}
	}
	return n, nil
}

// startOfDay returns the midnight in loc that begins t's day there.
func startOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// halfHourFloor returns the start of the half hour holding t, counted from
// t's midnight in loc, as the service counts HALF_HOUR buckets.
func halfHourFloor(t time.Time, loc *time.Location) time.Time {
	day := startOfDay(t, loc)
	return day.Add(t.Sub(day) / halfHourLength * halfHourLength)
}
