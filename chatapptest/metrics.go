package chatapptest

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/chatappkit/chatapp"
)

// maxPoints bounds the points of one answer (a year of HALF_HOUR data is
// 17,520 points per number). The service's own bound is undocumented.
const maxPoints = 100_000

// metricQuery is a GetChatappPhoneNumberMetric request after validation.
type metricQuery struct {
	phone       string // "" asks for every known number
	granularity chatapp.Granularity
	start, end  time.Time
	custSpaceID string
}

// parseMetricQuery validates the operation's parameters: Start and End are
// required UNIX milliseconds, End after Start; Granularity is DAILY (also
// when absent) or HALF_HOUR.
func parseMetricQuery(p url.Values) (metricQuery, *apiError) {
	q := metricQuery{phone: p.Get("PhoneNumber"), custSpaceID: p.Get("CustSpaceId")}
	startParam, endParam := p.Get("Start"), p.Get("End")
	if startParam == "" {
		return q, errMissing("Start")
	}
	if endParam == "" {
		return q, errMissing("End")
	}
	start, err := strconv.ParseInt(startParam, 10, 64)
	if err != nil || start < 0 {
		return q, errInvalid("Start", "It must be a UNIX time in milliseconds.")
	}
	end, err := strconv.ParseInt(endParam, 10, 64)
	if err != nil || end < 0 {
		return q, errInvalid("End", "It must be a UNIX time in milliseconds.")
	}
	if end <= start {
		return q, errInvalid("End", "It must be after Start.")
	}
	q.start, q.end = time.UnixMilli(start), time.UnixMilli(end)
	switch g := chatapp.Granularity(p.Get("Granularity")); g {
	case "", chatapp.GranularityDaily:
		q.granularity = chatapp.GranularityDaily
	case chatapp.GranularityHalfHour:
		q.granularity = g
	default:
		return q, errInvalid("Granularity", "Valid values: DAILY, HALF_HOUR.")
	}
	return q, nil
}

// series computes the answer to q at time now. A bucket is returned iff it
// has data (ROI collection was on before the day it falls on), Start <=
// bucket start < End, and it has started (bucket start <= now). Series
// come one number after another, numbers in byte order, points in time
// order.
func (e *Emulator) series(q metricQuery, now time.Time) ([]chatapp.PhoneNumberMetric, *apiError) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	from, to, ok := e.dataRange(q, now)
	if !ok || (q.phone != "" && !e.isChannelNumber(q.phone)) {
		// A number that is not the channel's has no data: Code "OK" with
		// empty Data, what the service most likely answers.
		return []chatapp.PhoneNumberMetric{}, nil
	}
	phones := []string{q.phone}
	if q.phone == "" {
		phones = e.phoneNumbers // read under e.mu, which is held throughout
	}
	perSeries, err := pointsPerSeries(q.granularity, from, to, len(phones))
	if err != nil {
		return nil, err
	}
	out := make([]chatapp.PhoneNumberMetric, 0, perSeries*int64(len(phones)))
	for _, phone := range phones {
		ph, seeds := phoneHash(phone), e.seeds[phone]
		forEachBucket(q.granularity, e.loc, from, to, func(start, end time.Time) {
			var c counts
			if q.granularity == chatapp.GranularityDaily {
				c = e.daily(ph, seeds, start, end, now)
			} else {
				c = e.halfHour(ph, seeds, start)
			}
			out = append(out, chatapp.PhoneNumberMetric{
				PhoneNumber:    phone,
				Granularity:    q.granularity,
				Start:          start.UTC(),
				End:            end.UTC(),
				SentCount:      c.sent,
				DeliveredCount: c.delivered,
			})
		})
	}
	return out, nil
}

// pointsPerSeries bounds the points of one series over [from, to), and
// refuses a range whose series would hold more than maxPoints together.
func pointsPerSeries(g chatapp.Granularity, from, to time.Time, series int) (int64, *apiError) {
	// A day is at least 23 hours long, even where clocks change.
	step := halfHour
	if g == chatapp.GranularityDaily {
		step = 23 * time.Hour
	}
	perSeries := int64(to.Sub(from)/step) + 2
	if perSeries*int64(series) > maxPoints {
		return 0, errInvalid("End", fmt.Sprintf("The range holds more than %d points; ask for a shorter one.", maxPoints))
	}
	return perSeries, nil
}

// dataRange returns the part of q's range that holds data at now: from
// the first day of ROI collection to the last bucket begun. ok is false
// when nothing is left. The caller holds e.mu.
func (e *Emulator) dataRange(q metricQuery, now time.Time) (from, to time.Time, ok bool) {
	roi := e.roiFor(q.custSpaceID)
	if !roi.enabled {
		return from, to, false
	}
	from = q.start
	if first := roi.firstBucket(e.loc); first.After(from) {
		from = first
	}
	to = q.end
	if now.Before(to) {
		to = now.Add(1) // buckets that start at now have started
	}
	return from, to, from.Before(to)
}

// halfHour returns the counts of the half hour at start: seeded, else
// generated. The caller holds e.mu.
func (e *Emulator) halfHour(ph uint64, seeds *seedSet, start time.Time) counts {
	if seeds != nil {
		if c, ok := seeds.halfHour[start.UnixMilli()]; ok {
			return c
		}
	}
	return generated(ph, start, e.loc)
}

// daily returns the counts of the day [start, end): seeded, else the sum
// of its half hours that have begun by now, seeded ones included. The
// caller holds e.mu.
func (e *Emulator) daily(ph uint64, seeds *seedSet, start, end, now time.Time) counts {
	if seeds != nil {
		if c, ok := seeds.daily[start.UnixMilli()]; ok {
			return c
		}
	}
	var sum counts
	for b := start; b.Before(end) && !b.After(now); b = b.Add(halfHour) {
		c := e.halfHour(ph, seeds, b)
		sum.sent += c.sent
		sum.delivered += c.delivered
	}
	return sum
}

// serveGetMetric answers GetChatappPhoneNumberMetric.
func (e *Emulator) serveGetMetric(in *incoming, now time.Time) *response {
	q, err := parseMetricQuery(in.params)
	if err != nil {
		return errorResponse(err)
	}
	points, err := e.series(q, now)
	if err != nil {
		return errorResponse(err)
	}
	id := newRequestID()
	return okResponse(id, appendMetricBody(make([]byte, 0, 96+110*len(points)), id, points))
}

// appendMetricBody writes the operation's JSON answer, with the fields in
// the order of the API reference's example.
func appendMetricBody(b []byte, requestID string, points []chatapp.PhoneNumberMetric) []byte {
	b = append(b, `{"RequestId":"`...)
	b = append(b, requestID...)
	b = append(b, `","Code":"OK","Message":"OK","Data":[`...)
	var lastPhone string
	var quotedPhone []byte
	for i, p := range points {
		if i > 0 {
			b = append(b, ',')
		}
		if quotedPhone == nil || p.PhoneNumber != lastPhone {
			lastPhone, quotedPhone = p.PhoneNumber, appendJSONString(nil, p.PhoneNumber)
		}
		b = append(b, `{"SentCount":`...)
		b = strconv.AppendInt(b, p.SentCount, 10)
		b = append(b, `,"DeliveredCount":`...)
		b = strconv.AppendInt(b, p.DeliveredCount, 10)
		b = append(b, `,"Start":`...)
		b = strconv.AppendInt(b, p.Start.UnixMilli(), 10)
		b = append(b, `,"End":`...)
		b = strconv.AppendInt(b, p.End.UnixMilli(), 10)
		b = append(b, `,"PhoneNumber":`...)
		b = append(b, quotedPhone...)
		b = append(b, `,"Granularity":"`...)
		b = append(b, p.Granularity...)
		b = append(b, `"}`...)
	}
	return append(b, "]}"...)
}

// Metrics returns the points GetChatappPhoneNumberMetric would answer req
// with right now, so that a test can compare what a client decoded with
// what the emulator sent. Times are in UTC and whole milliseconds, as a
// client decodes them. It fails as the operation would for a request the
// service refuses (missing or reversed Start and End, unknown Granularity).
func (e *Emulator) Metrics(req *chatapp.GetChatappPhoneNumberMetricRequest) ([]chatapp.PhoneNumberMetric, error) {
	if req == nil {
		return nil, errors.New("chatapptest: Metrics: nil request")
	}
	p := url.Values{}
	set := func(name, value string) {
		if value != "" {
			p.Set(name, value)
		}
	}
	if !req.Start.IsZero() {
		set("Start", strconv.FormatInt(req.Start.UnixMilli(), 10))
	}
	if !req.End.IsZero() {
		set("End", strconv.FormatInt(req.End.UnixMilli(), 10))
	}
	set("Granularity", string(req.Granularity))
	set("PhoneNumber", req.PhoneNumber)
	set("CustSpaceId", req.CustSpaceID)
	q, err := parseMetricQuery(p)
	if err != nil {
		return nil, err
	}
	points, err := e.series(q, e.now())
	if err != nil {
		return nil, err
	}
	return points, nil
}
