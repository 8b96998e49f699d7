package chatapp

import "time"

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

// count returns how many windows [start, end) is split into.
func (p windowPlan) count(start, end time.Time) int {
	n := 0
	for from := start; from.Before(end); from = p.end(from, end) {
		n++
	}
	return n
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
