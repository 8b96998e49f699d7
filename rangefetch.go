package chatapp

import (
	"slices"
	"time"
)

// fetchWindows runs a validated and planned range query (start and end
// on milliseconds, split into windows by plan) window by window: fetch asks for one window, order sorts a window's points, and
// key tells points apart, so that a point two adjacent windows both return
// is yielded once. progress, if set, is called after every window with
// phone as RangeProgress.PhoneNumber. A failed fetch is yielded after the
// points before it and ends the sequence; nothing is fetched once yield
// returns false.
//
// It is written for any operation's points; TemplateMetrics uses it, and
// PhoneNumberMetrics' loop (series.go) is the same algorithm.
func fetchWindows[P any, K comparable](start, end time.Time, plan windowPlan, windows int, progress func(RangeProgress), phone string,
	fetch func(from, to time.Time) ([]P, error), order func(a, b P) int, key func(P) K, yield func(P, error) bool) {
	// A duplicate can only come from the window next door, so the keys of
	// two windows are kept rather than those of the whole range.
	seen, previous := map[K]struct{}{}, map[K]struct{}{}
	for i, from := 1, start; from.Before(end); i++ {
		to := plan.end(from, end)
		points, err := fetch(from, to)
		if err != nil {
			var zero P
			yield(zero, err)
			return
		}
		if progress != nil {
			progress(RangeProgress{PhoneNumber: phone, Window: i, Windows: windows})
		}
		slices.SortStableFunc(points, order)
		clear(previous)
		seen, previous = previous, seen
		for _, p := range points {
			k := key(p)
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
