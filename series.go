package chatapp

import (
	"cmp"
	"context"
	"iter"
	"slices"
	"time"
)

// PhoneNumberMetrics returns the points of req's range, however long, as
// an iterator. It splits the range into windows of DefaultDailyWindowDays
// days (DAILY) or DefaultHalfHourWindow (HALF_HOUR), which DailyWindow and
// HalfHourWindow change, and calls GetChatappPhoneNumberMetric for one
// window after another, so every call waits for the Client's rate limiter.
//
// Windows end on the service's bucket boundaries (midnights in BucketZone,
// UTC+8 by default, and the half hours counted from them), so none cuts a
// bucket in two; the first window begins at req.Start and the last ends at
// req.End, so the points are those one call over the whole range would
// return. To get whole days, pass a Start and End at midnight in the
// service's zone.
//
// Points come in time order (by Start, then PhoneNumber when req asks for
// every number). A point a server returns in two windows is yielded once:
// points are told apart by PhoneNumber, Granularity and Start.
//
// The request is validated first: an invalid request or option, or a
// range that would take more than MaxCalls calls, yields a single error
// matching ErrInvalidRequest and sends nothing. A failed call
// yields its error, after the points of the windows before it, and ends
// the sequence. Nothing is sent once the caller stops ranging. Each range
// over the sequence queries the service anew, with req as it was when
// PhoneNumberMetrics was called.
func (c *Client) PhoneNumberMetrics(ctx context.Context, req *GetChatappPhoneNumberMetricRequest, opts ...RangeOption) iter.Seq2[PhoneNumberMetric, error] {
	var snapshot *GetChatappPhoneNumberMetricRequest
	if req != nil {
		r := *req
		snapshot = &r
	}
	return func(yield func(PhoneNumberMetric, error) bool) {
		cfg, err := newRangeConfig(opts)
		if err == nil {
			err = snapshot.validate()
		}
		if err != nil {
			yield(PhoneNumberMetric{}, c.fail(opGetChatappPhoneNumberMetric, 0, err, nil))
			return
		}
		c.fetchRange(ctx, snapshot, cfg, yield)
	}
}

// seriesKey identifies a bucket of a series.
type seriesKey struct {
	phone       string
	granularity Granularity
	start       int64 // UNIX milliseconds
}

// fetchRange runs a validated range query, window by window.
func (c *Client) fetchRange(ctx context.Context, req *GetChatappPhoneNumberMetricRequest, cfg *rangeConfig, yield func(PhoneNumberMetric, error) bool) {
	// The wire carries milliseconds; cutting on them keeps every window
	// non-empty as the service sees it.
	start, end := time.UnixMilli(req.Start.UnixMilli()), time.UnixMilli(req.End.UnixMilli())
	plan := newWindowPlan(req.Granularity, cfg)
	windows, err := plan.count(ctx, start, end, 1, cfg.maxCalls)
	if err != nil {
		yield(PhoneNumberMetric{}, c.fail(opGetChatappPhoneNumberMetric, 0, err, nil))
		return
	}
	// A duplicate can only come from the window next door, so the keys of
	// two windows are kept rather than those of the whole range.
	seen, previous := map[seriesKey]struct{}{}, map[seriesKey]struct{}{}
	window := *req
	for i, from := 1, start; from.Before(end); i++ {
		to := plan.end(from, end)
		window.Start, window.End = from, to
		resp, err := c.GetChatappPhoneNumberMetric(ctx, &window)
		if err != nil {
			yield(PhoneNumberMetric{}, err)
			return
		}
		if cfg.progress != nil {
			cfg.progress(RangeProgress{PhoneNumber: req.PhoneNumber, Window: i, Windows: windows})
		}
		points := resp.Data
		slices.SortStableFunc(points, comparePoints)
		clear(previous)
		seen, previous = previous, seen
		for _, p := range points {
			k := seriesKey{p.PhoneNumber, p.Granularity, p.Start.UnixMilli()}
			if _, dup := previous[k]; dup {
				continue
			}
			if _, dup := seen[k]; dup {
				continue
			}
			seen[k] = struct{}{}
			if !yield(p, nil) {
				return
			}
		}
		from = to
	}
}

// comparePoints orders points by Start, then PhoneNumber.
func comparePoints(a, b PhoneNumberMetric) int {
	if c := a.Start.Compare(b.Start); c != 0 {
		return c
	}
	return cmp.Compare(a.PhoneNumber, b.PhoneNumber)
}
