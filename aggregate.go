package chatapp

import (
	"slices"
	"time"
)

// chinaStandardTime is shared so that every caller gets the same zone.
var chinaStandardTime = time.FixedZone("UTC+8", 8*60*60)

// ChinaStandardTime returns a fixed UTC+8 zone, named "UTC+8": China
// Standard Time, which has no daylight saving time. The service's DAILY
// buckets appear to run from midnight to midnight in it (the API
// reference's examples end at 23:59:59 UTC+8; the service does not say),
// and chatapptest's emulator assumes so by default. Range queries align
// their windows to it unless BucketZone says otherwise.
func ChinaStandardTime() *time.Location { return chinaStandardTime }

// DeliveryRate returns DeliveredCount ÷ SentCount, or 0 when nothing was
// sent. It is not clamped: a point that reports more deliveries than sends
// gives a rate above 1.
func (m PhoneNumberMetric) DeliveryRate() float64 {
	return deliveryRate(m.DeliveredCount, m.SentCount)
}

// Totals are message counts summed over points.
type Totals struct {
	Sent      int64 // sum of SentCount
	Delivered int64 // sum of DeliveredCount
}

// Add counts one more point, so that a range can be totalled as it is
// iterated.
func (t *Totals) Add(p PhoneNumberMetric) {
	t.Sent += p.SentCount
	t.Delivered += p.DeliveredCount
}

// DeliveryRate returns Delivered ÷ Sent, or 0 when nothing was sent.
func (t Totals) DeliveryRate() float64 {
	return deliveryRate(t.Delivered, t.Sent)
}

func deliveryRate(delivered, sent int64) float64 {
	if sent == 0 {
		return 0
	}
	return float64(delivered) / float64(sent)
}

// Total sums the counts of points, of any numbers and granularities.
func Total(points []PhoneNumberMetric) Totals {
	var t Totals
	for _, p := range points {
		t.Add(p)
	}
	return t
}

// DayTotals are the counts of one day.
type DayTotals struct {
	Day time.Time // the midnight that begins the day, in the chosen zone
	Totals
}

// TotalsByDay sums points into the days of loc that their Start falls on,
// and returns the days that have points, earliest first. A nil loc means
// ChinaStandardTime, the service's day.
//
// HALF_HOUR points re-bucket exactly into the days of any zone whose
// offset is a whole number of half hours. A DAILY point cannot be split:
// it counts toward the day its Start falls on, so totalling DAILY points
// in a zone other than the service's labels each service day with the
// date its first instant has in loc (the previous day, west of UTC+8).
// Fetch HALF_HOUR points for the days of another zone.
//
// Points of several numbers add up into the same days; total a single
// number by passing only its points.
func TotalsByDay(points []PhoneNumberMetric, loc *time.Location) []DayTotals {
	if loc == nil {
		loc = chinaStandardTime
	}
	index := make(map[int64]int) // by the day's UNIX time
	var days []DayTotals
	for _, p := range points {
		day := startOfDay(p.Start, loc)
		i, ok := index[day.Unix()]
		if !ok {
			i = len(days)
			index[day.Unix()] = i
			days = append(days, DayTotals{Day: day})
		}
		days[i].Add(p)
	}
	slices.SortFunc(days, func(a, b DayTotals) int { return a.Day.Compare(b.Day) })
	return days
}
