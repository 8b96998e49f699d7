package chatapp_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const oneDay = 24 * time.Hour

func dateCST(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, zoneCST)
}

func TestPhoneNumberMetricsSplitsDailyRangeIntoAlignedWindows(t *testing.T) {
	f := &fakeService{}
	c := newFakeClient(t, f)
	start, end := dateCST(2026, 1, 1, 0, 0), dateCST(2026, 4, 6, 0, 0) // 95 days
	points, errs := collectRange(c.PhoneNumberMetrics(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: "8613800001234", Granularity: chatapp.GranularityDaily, Start: start, End: end,
	}))
	require.Empty(t, errs)

	want := []windowQuery{
		{"8613800001234", "DAILY", start, dateCST(2026, 1, 31, 0, 0)},
		{"8613800001234", "DAILY", dateCST(2026, 1, 31, 0, 0), dateCST(2026, 3, 2, 0, 0)},
		{"8613800001234", "DAILY", dateCST(2026, 3, 2, 0, 0), dateCST(2026, 4, 1, 0, 0)},
		{"8613800001234", "DAILY", dateCST(2026, 4, 1, 0, 0), end},
	}
	requireWindows(t, want, f.calls())
	requireSeries(t, points, start, oneDay, 95)
	require.Equal(t, fakeBuckets(startsInRange, "8613800001234", chatapp.GranularityDaily, start, end), points,
		"the split query returns what one request over the whole range would")
}

func TestPhoneNumberMetricsKeepsAnUnalignedStartAndEnd(t *testing.T) {
	f := &fakeService{}
	c := newFakeClient(t, f)
	// Mid-day: the first window begins at Start, the inner cuts fall on
	// UTC+8 midnights, and the last window ends at End.
	start, end := dateCST(2026, 1, 1, 10, 0), dateCST(2026, 2, 15, 18, 0)
	points, errs := collectRange(c.PhoneNumberMetrics(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: "8613800001234", Start: start, End: end,
	}))
	require.Empty(t, errs)
	requireWindows(t, []windowQuery{
		{"8613800001234", "", start, dateCST(2026, 1, 31, 0, 0)},
		{"8613800001234", "", dateCST(2026, 1, 31, 0, 0), end},
	}, f.calls())
	// The service returns the buckets that start in the range: from Jan 2.
	requireSeries(t, points, dateCST(2026, 1, 2, 0, 0), oneDay, 45)
}

func TestPhoneNumberMetricsDropsBucketsReturnedByTwoWindows(t *testing.T) {
	start, end := dateCST(2026, 1, 1, 10, 0), dateCST(2026, 3, 15, 18, 0)
	for _, tc := range []struct {
		name string
		opts []chatapp.RangeOption
	}{
		// Aligned cuts: only the partial first bucket differs from the
		// emulator's rule.
		{"aligned windows", nil},
		// Cuts at UTC midnights fall inside UTC+8 days, so each straddling
		// day comes back from both windows next to the cut.
		{"windows cut in a wrong zone", []chatapp.RangeOption{chatapp.BucketZone(time.UTC)}},
		{"one-day windows in a wrong zone", []chatapp.RangeOption{chatapp.BucketZone(time.UTC), chatapp.DailyWindow(1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeService{rule: overlapsRange}
			c := newFakeClient(t, f)
			points, errs := collectRange(c.PhoneNumberMetrics(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
				PhoneNumber: "8613800001234", Granularity: chatapp.GranularityDaily, Start: start, End: end,
			}, tc.opts...))
			require.Empty(t, errs)
			requireSeries(t, points, dateCST(2026, 1, 1, 0, 0), oneDay, 74)
		})
	}
}

func TestPhoneNumberMetricsHalfHourWindows(t *testing.T) {
	f := &fakeService{}
	c := newFakeClient(t, f)
	start, end := dateCST(2026, 3, 1, 0, 0), dateCST(2026, 3, 4, 1, 0)
	points, errs := collectRange(c.PhoneNumberMetrics(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: "8613800001234", Granularity: chatapp.GranularityHalfHour, Start: start, End: end,
	}))
	require.Empty(t, errs)
	requireWindows(t, []windowQuery{
		{"8613800001234", "HALF_HOUR", start, dateCST(2026, 3, 2, 0, 0)},
		{"8613800001234", "HALF_HOUR", dateCST(2026, 3, 2, 0, 0), dateCST(2026, 3, 3, 0, 0)},
		{"8613800001234", "HALF_HOUR", dateCST(2026, 3, 3, 0, 0), dateCST(2026, 3, 4, 0, 0)},
		{"8613800001234", "HALF_HOUR", dateCST(2026, 3, 4, 0, 0), end},
	}, f.calls())
	requireSeries(t, points, start, 30*time.Minute, 3*48+2)
}

func TestPhoneNumberMetricsWindowOptions(t *testing.T) {
	for _, tc := range []struct {
		name        string
		granularity chatapp.Granularity
		start, end  time.Time
		opt         chatapp.RangeOption
		windows     []windowQuery
		// the series: its first bucket, their size and how many
		first time.Time
		size  time.Duration
		n     int
	}{
		{
			name: "DailyWindow", start: dateCST(2026, 5, 3, 7, 0), end: dateCST(2026, 5, 20, 0, 0), opt: chatapp.DailyWindow(7),
			windows: []windowQuery{
				{"1", "", dateCST(2026, 5, 3, 7, 0), dateCST(2026, 5, 10, 0, 0)},
				{"1", "", dateCST(2026, 5, 10, 0, 0), dateCST(2026, 5, 17, 0, 0)},
				{"1", "", dateCST(2026, 5, 17, 0, 0), dateCST(2026, 5, 20, 0, 0)},
			},
			first: dateCST(2026, 5, 4, 0, 0), size: oneDay, n: 16,
		},
		{
			name: "HalfHourWindow", granularity: chatapp.GranularityHalfHour,
			start: dateCST(2026, 5, 3, 7, 10), end: dateCST(2026, 5, 3, 20, 0), opt: chatapp.HalfHourWindow(6 * time.Hour),
			windows: []windowQuery{
				{"1", "HALF_HOUR", dateCST(2026, 5, 3, 7, 10), dateCST(2026, 5, 3, 13, 0)},
				{"1", "HALF_HOUR", dateCST(2026, 5, 3, 13, 0), dateCST(2026, 5, 3, 19, 0)},
				{"1", "HALF_HOUR", dateCST(2026, 5, 3, 19, 0), dateCST(2026, 5, 3, 20, 0)},
			},
			first: dateCST(2026, 5, 3, 7, 30), size: 30 * time.Minute, n: 25,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeService{}
			c := newFakeClient(t, f)
			points, errs := collectRange(c.PhoneNumberMetrics(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
				PhoneNumber: "1", Granularity: tc.granularity, Start: tc.start, End: tc.end,
			}, tc.opt))
			require.Empty(t, errs)
			requireWindows(t, tc.windows, f.calls())
			requireSeries(t, points, tc.first, tc.size, tc.n)
		})
	}
	t.Run("BucketZone with daylight saving time", func(t *testing.T) {
		ny, err := time.LoadLocation("America/New_York")
		require.NoError(t, err)
		f := &fakeService{}
		c := newFakeClient(t, f)
		// Clocks go forward on 2026-03-08: that day is 23 hours long.
		start := time.Date(2026, 3, 7, 0, 0, 0, 0, ny)
		_, errs := collectRange(c.PhoneNumberMetrics(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
			PhoneNumber: "1", Start: start, End: time.Date(2026, 3, 10, 0, 0, 0, 0, ny),
		}, chatapp.DailyWindow(1), chatapp.BucketZone(ny)))
		require.Empty(t, errs)
		var cuts []time.Time
		for _, q := range f.calls() {
			cuts = append(cuts, q.End)
		}
		require.Len(t, cuts, 3)
		for i, cut := range cuts {
			want := time.Date(2026, 3, 8+i, 0, 0, 0, 0, ny)
			require.Truef(t, want.Equal(cut), "window %d ends at %s, want the midnight %s", i, cut.In(ny), want)
		}
	})
}

func TestPhoneNumberMetricsYieldsInTimeOrderOnce(t *testing.T) {
	f := &fakeService{reverse: true, repeat: true, numbers: []string{"8613800005678", "8613800001234"}}
	c := newFakeClient(t, f)
	start := dateCST(2026, 6, 1, 0, 0)
	points, errs := collectRange(c.PhoneNumberMetrics(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
		Start: start, End: start.Add(40 * oneDay),
	}))
	require.Empty(t, errs)
	require.Len(t, points, 80)
	for i, p := range points {
		require.True(t, p.Start.Equal(start.Add(time.Duration(i/2)*oneDay)), "point %d at %s", i, p.Start)
		require.Equal(t, []string{"8613800001234", "8613800005678"}[i%2], p.PhoneNumber, "point %d", i)
	}
}

func TestPhoneNumberMetricsValidatesFirst(t *testing.T) {
	start := dateCST(2026, 1, 1, 0, 0)
	valid := chatapp.GetChatappPhoneNumberMetricRequest{PhoneNumber: "1", Start: start, End: start.Add(oneDay)}
	with := func(change func(*chatapp.GetChatappPhoneNumberMetricRequest)) *chatapp.GetChatappPhoneNumberMetricRequest {
		r := valid
		change(&r)
		return &r
	}
	for _, tc := range []struct {
		name  string
		req   *chatapp.GetChatappPhoneNumberMetricRequest
		opts  []chatapp.RangeOption
		field string
	}{
		{"nil request", nil, nil, "request"},
		{"no Start", with(func(r *chatapp.GetChatappPhoneNumberMetricRequest) { r.Start = time.Time{} }), nil, "Start"},
		{"no End", with(func(r *chatapp.GetChatappPhoneNumberMetricRequest) { r.End = time.Time{} }), nil, "End"},
		{"End before Start", with(func(r *chatapp.GetChatappPhoneNumberMetricRequest) { r.End = start.Add(-oneDay) }), nil, "End"},
		{"End within a millisecond of Start", with(func(r *chatapp.GetChatappPhoneNumberMetricRequest) { r.End = start.Add(time.Microsecond) }), nil, "End"},
		{"bad Granularity", with(func(r *chatapp.GetChatappPhoneNumberMetricRequest) { r.Granularity = "HOURLY" }), nil, "Granularity"},
		{"DailyWindow 0", &valid, []chatapp.RangeOption{chatapp.DailyWindow(0)}, "DailyWindow"},
		{"HalfHourWindow 45m", &valid, []chatapp.RangeOption{chatapp.HalfHourWindow(45 * time.Minute)}, "HalfHourWindow"},
		{"HalfHourWindow negative", &valid, []chatapp.RangeOption{chatapp.HalfHourWindow(-time.Hour)}, "HalfHourWindow"},
		{"BucketZone nil", &valid, []chatapp.RangeOption{chatapp.BucketZone(nil)}, "BucketZone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeService{}
			c := newFakeClient(t, f)
			points, errs := collectRange(c.PhoneNumberMetrics(context.Background(), tc.req, tc.opts...))
			require.Empty(t, points)
			require.Len(t, errs, 1)
			require.ErrorIs(t, errs[0], chatapp.ErrInvalidRequest)
			var ve *chatapp.ValidationError
			require.ErrorAs(t, errs[0], &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.NotEmpty(t, ve.Rule)
			assert.Empty(t, f.calls(), "nothing is sent")
		})
	}
}

func TestPhoneNumberMetricsSendsNothingAfterBreak(t *testing.T) {
	f := &fakeService{}
	c := newFakeClient(t, f)
	start := dateCST(2026, 1, 1, 0, 0)
	seq := c.PhoneNumberMetrics(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: "1", Start: start, End: start.Add(365 * oneDay),
	})
	n := 0
	for _, err := range seq {
		require.NoError(t, err)
		if n++; n == 35 { // five points into the second window
			break
		}
	}
	require.Len(t, f.calls(), 2)

	// Breaking during the first window's points sends nothing more either.
	f2 := &fakeService{}
	c2 := newFakeClient(t, f2)
	for range c2.PhoneNumberMetrics(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: "1", Start: start, End: start.Add(365 * oneDay),
	}) {
		break
	}
	require.Len(t, f2.calls(), 1)
}

func TestPhoneNumberMetricsStopsAtTheFirstError(t *testing.T) {
	f := &fakeService{fail: func(n int, _ windowQuery) httpmock.Responder {
		if n == 2 {
			return fakeAPIError(400, "Ram.PermissionDeny", "REQ-THIRD-WINDOW")
		}
		return nil
	}}
	c := newFakeClient(t, f)
	start := dateCST(2026, 1, 1, 0, 0)
	var points []chatapp.PhoneNumberMetric
	var errs []error
	afterError := 0
	for p, err := range c.PhoneNumberMetrics(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: "1", Start: start, End: start.Add(150 * oneDay),
	}) {
		if len(errs) > 0 {
			afterError++
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		points = append(points, p)
	}
	requireSeries(t, points, start, oneDay, 60)
	require.Len(t, errs, 1)
	require.Zero(t, afterError, "nothing is yielded after the error")
	require.ErrorIs(t, errs[0], chatapp.ErrPermissionDenied)
	var apiErr *chatapp.APIError
	require.ErrorAs(t, errs[0], &apiErr)
	assert.Equal(t, "REQ-THIRD-WINDOW", apiErr.RequestID)
	assert.Len(t, f.calls(), 3, "no window after the failed one is asked for")
}

func TestPhoneNumberMetricsStopsWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f := &fakeService{fail: func(n int, _ windowQuery) httpmock.Responder {
		if n != 1 {
			return nil
		}
		cancel()
		return func(req *http.Request) (*http.Response, error) {
			<-req.Context().Done()
			return nil, req.Context().Err()
		}
	}}
	c := newFakeClient(t, f)
	start := dateCST(2026, 1, 1, 0, 0)
	points, errs := collectRange(c.PhoneNumberMetrics(ctx, &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: "1", Start: start, End: start.Add(365 * oneDay),
	}))
	require.Len(t, points, 30)
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], context.Canceled)
	require.Len(t, f.calls(), 2)
}

func TestPhoneNumberMetricsReportsProgress(t *testing.T) {
	f := &fakeService{}
	c := newFakeClient(t, f)
	start := dateCST(2026, 1, 1, 12, 0)
	var got []chatapp.RangeProgress
	_, errs := collectRange(c.PhoneNumberMetrics(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: "1", Start: start, End: start.Add(70 * oneDay),
	}, chatapp.ReportProgress(func(p chatapp.RangeProgress) { got = append(got, p) })))
	require.Empty(t, errs)
	require.Equal(t, []chatapp.RangeProgress{
		{PhoneNumber: "1", Window: 1, Windows: 3},
		{PhoneNumber: "1", Window: 2, Windows: 3},
		{PhoneNumber: "1", Window: 3, Windows: 3},
	}, got)
}

func TestPhoneNumberMetricsUsesTheRequestAsGiven(t *testing.T) {
	f := &fakeService{}
	c := newFakeClient(t, f)
	start := dateCST(2026, 1, 1, 0, 0)
	req := &chatapp.GetChatappPhoneNumberMetricRequest{PhoneNumber: "1", Start: start, End: start.Add(3 * oneDay), CustSpaceID: "cams-x"}
	seq := c.PhoneNumberMetrics(context.Background(), req)
	req.PhoneNumber, req.End = "2", start.Add(300*oneDay)
	points, errs := collectRange(seq)
	require.Empty(t, errs)
	requireSeries(t, points, start, oneDay, 3)
	require.Equal(t, "1", points[0].PhoneNumber)
	// Ranging again queries anew.
	again, errs := collectRange(seq)
	require.Empty(t, errs)
	require.Equal(t, points, again)
	require.Len(t, f.calls(), 2)
}

func TestPhoneNumberMetricsMatchesTheEmulator(t *testing.T) {
	srv := chatapptest.NewServer()
	defer srv.Close()
	c, err := srv.Client()
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		req  chatapp.GetChatappPhoneNumberMetricRequest
	}{
		{"DAILY, a quarter and a bit, unaligned", chatapp.GetChatappPhoneNumberMetricRequest{
			PhoneNumber: "8613800001234", Granularity: chatapp.GranularityDaily,
			Start: dateCST(2026, 6, 30, 15, 0), End: dateCST(2026, 10, 2, 9, 0),
		}},
		{"HALF_HOUR, three and a half days", chatapp.GetChatappPhoneNumberMetricRequest{
			PhoneNumber: "8613800005678", Granularity: chatapp.GranularityHalfHour,
			Start: dateCST(2026, 9, 1, 6, 15), End: dateCST(2026, 9, 4, 18, 0),
		}},
		{"every number", chatapp.GetChatappPhoneNumberMetricRequest{
			Start: dateCST(2026, 8, 1, 0, 0), End: dateCST(2026, 10, 1, 0, 0),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := srv.Metrics(&tc.req)
			require.NoError(t, err)
			got, errs := collectRange(c.PhoneNumberMetrics(context.Background(), &tc.req))
			require.Empty(t, errs)
			require.ElementsMatch(t, want, got)
			require.IsNonDecreasing(t, startsOf(got))
		})
	}
}

func startsOf(points []chatapp.PhoneNumberMetric) []int64 {
	out := make([]int64, len(points))
	for i, p := range points {
		out[i] = p.Start.UnixMilli()
	}
	return out
}

func requireWindows(t *testing.T, want, got []windowQuery) {
	t.Helper()
	w, g := make([]string, len(want)), make([]string, len(got))
	for i := range want {
		w[i] = want[i].String()
	}
	for i := range got {
		g[i] = got[i].String()
	}
	require.Equal(t, w, g)
}
