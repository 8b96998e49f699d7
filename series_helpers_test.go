package chatapp_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
)

const rangeTestEndpoint = "https://cams.ap-southeast-1.aliyuncs.com"

// zoneCST is the service's zone as the tests see it, written out independently
// of the package's ChinaStandardTime.
var zoneCST = time.FixedZone("CST", 8*60*60)

var rangeKeySeq atomic.Int64

// bucketRule says which buckets a fake service returns for a range.
type bucketRule int

const (
	startsInRange bucketRule = iota // Start <= bucket start < End, as the emulator
	overlapsRange                   // bucket end > Start and bucket start < End
)

// fakeService answers GetChatappPhoneNumberMetric through httpmock with
// buckets aligned to UTC+8 days and half hours, and records every request.
type fakeService struct {
	rule    bucketRule
	numbers []string // the numbers reported when a request names none
	// fail, when set, may answer a request instead: return nil to answer
	// normally.
	fail func(n int, q windowQuery) httpmock.Responder
	// reverse sends each answer's points in reverse order; repeat sends
	// each point twice.
	reverse, repeat bool

	mu       sync.Mutex
	requests []windowQuery
}

// windowQuery is a request as the fake service saw it.
type windowQuery struct {
	Phone       string
	Granularity string
	Start, End  time.Time
}

func (q windowQuery) String() string {
	return fmt.Sprintf("%s %s [%s, %s)", q.Phone, q.Granularity,
		q.Start.In(zoneCST).Format(time.DateTime), q.End.In(zoneCST).Format(time.DateTime))
}

// newFakeClient returns a Client without a rate limiter whose every
// request the fake service answers.
func newFakeClient(t *testing.T, f *fakeService, opts ...chatapp.Option) *chatapp.Client {
	t.Helper()
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder(http.MethodPost, rangeTestEndpoint+"/", f.respond)
	base := []chatapp.Option{
		chatapp.WithEndpoint(rangeTestEndpoint),
		chatapp.WithAccessKey(fmt.Sprintf("LTAIrange%d", rangeKeySeq.Add(1)), "testsecret"),
		chatapp.WithHTTPClient(&http.Client{Transport: mock}),
		chatapp.WithRateLimiter(nil),
		chatapp.WithBackoff(chatapp.Backoff{Base: time.Millisecond, ThrottleBase: time.Millisecond, Max: time.Millisecond}),
	}
	c, err := chatapp.NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

func (f *fakeService) respond(req *http.Request) (*http.Response, error) {
	q := req.URL.Query()
	ms := func(name string) time.Time {
		v, err := strconv.ParseInt(q.Get(name), 10, 64)
		if err != nil {
			panic("fake service: bad " + name)
		}
		return time.UnixMilli(v)
	}
	wq := windowQuery{Phone: q.Get("PhoneNumber"), Granularity: q.Get("Granularity"), Start: ms("Start"), End: ms("End")}
	f.mu.Lock()
	n := len(f.requests)
	f.requests = append(f.requests, wq)
	f.mu.Unlock()
	if f.fail != nil {
		if r := f.fail(n, wq); r != nil {
			return r(req)
		}
	}
	phones := []string{wq.Phone}
	if wq.Phone == "" {
		phones = f.numbers
	}
	var data []map[string]any
	for _, phone := range phones {
		for _, p := range fakeBuckets(f.rule, phone, chatapp.Granularity(wq.Granularity), wq.Start, wq.End) {
			item := map[string]any{
				"SentCount": p.SentCount, "DeliveredCount": p.DeliveredCount,
				"Start": p.Start.UnixMilli(), "End": p.End.UnixMilli(),
				"PhoneNumber": p.PhoneNumber, "Granularity": string(p.Granularity),
			}
			data = append(data, item)
			if f.repeat {
				data = append(data, item)
			}
		}
	}
	if f.reverse {
		slices.Reverse(data)
	}
	body, err := json.Marshal(map[string]any{
		"RequestId": fmt.Sprintf("FAKE-%04d", n), "Code": "OK", "Message": "OK", "Data": data,
	})
	if err != nil {
		return nil, err
	}
	resp := httpmock.NewBytesResponse(http.StatusOK, body)
	resp.Header.Set("Content-Type", "application/json;charset=utf-8")
	return resp, nil
}

func (f *fakeService) calls() []windowQuery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// fakeBuckets returns the points of one number that rule selects from
// [start, end): UTC+8 days or half hours, with counts that depend on the
// number and the bucket.
func fakeBuckets(rule bucketRule, phone string, g chatapp.Granularity, start, end time.Time) []chatapp.PhoneNumberMetric {
	const offset = 8 * 60 * 60 * 1000 // UTC+8, in milliseconds
	size := int64(24 * 60 * 60 * 1000)
	if g == chatapp.GranularityHalfHour {
		size = 30 * 60 * 1000
	} else {
		g = chatapp.GranularityDaily
	}
	first := floorDiv(start.UnixMilli()+offset, size)*size - offset
	var out []chatapp.PhoneNumberMetric
	for b := first; b < end.UnixMilli(); b += size {
		if rule == startsInRange && b < start.UnixMilli() {
			continue
		}
		if rule == overlapsRange && b+size <= start.UnixMilli() {
			continue
		}
		sent := 100 + (b/size)%97 + int64(len(phone))
		out = append(out, chatapp.PhoneNumberMetric{
			PhoneNumber: phone, Granularity: g,
			Start: time.UnixMilli(b).UTC(), End: time.UnixMilli(b + size).UTC(),
			SentCount: sent, DeliveredCount: sent - (b/size)%7,
		})
	}
	return out
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// fakeAPIError answers with a service error body.
func fakeAPIError(status int, code, requestID string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		body, _ := json.Marshal(map[string]string{
			"RequestId": requestID, "HostId": "cams.ap-southeast-1.aliyuncs.com",
			"Code": code, "Message": "injected by the test",
		})
		resp := httpmock.NewBytesResponse(status, body)
		resp.Header.Set("Content-Type", "application/json;charset=utf-8")
		return resp, nil
	}
}

// collectRange ranges over seq and returns its points and errors in order.
func collectRange(seq func(func(chatapp.PhoneNumberMetric, error) bool)) (points []chatapp.PhoneNumberMetric, errs []error) {
	for p, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		points = append(points, p)
	}
	return points, errs
}

// requireSeries checks that points are n consecutive buckets of size
// from first, each once, all of one number.
func requireSeries(t *testing.T, points []chatapp.PhoneNumberMetric, first time.Time, size time.Duration, n int) {
	t.Helper()
	require.Len(t, points, n)
	for i, p := range points {
		want := first.Add(time.Duration(i) * size)
		require.Truef(t, p.Start.Equal(want), "point %d starts at %s, want %s", i, p.Start.In(zoneCST), want.In(zoneCST))
		require.Equalf(t, size, p.End.Sub(p.Start), "point %d spans one bucket", i)
		require.Equalf(t, points[0].PhoneNumber, p.PhoneNumber, "point %d is of the same number", i)
	}
}

// concurrency counts the callers inside a section at once, and the most
// there ever were.
type concurrency struct{ now, most atomic.Int64 }

func (c *concurrency) enter() {
	n := c.now.Add(1)
	for {
		m := c.most.Load()
		if n <= m || c.most.CompareAndSwap(m, n) {
			return
		}
	}
}

func (c *concurrency) leave() { c.now.Add(-1) }
