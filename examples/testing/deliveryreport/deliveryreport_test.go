package deliveryreport_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/chatappkit/chatapp/examples/testing/deliveryreport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const phone = "8613800001234"

var cst = chatapp.ChinaStandardTime()

// morning is when the tests run the service: 09:30 on 11 March 2026 in
// UTC+8, so that yesterday is 10 March.
var morning = time.Date(2026, 3, 11, 9, 30, 0, 0, cst)

// newService starts an emulator and returns a Service whose client talks
// to it and whose clock reads now.
func newService(t *testing.T, now time.Time, opts ...chatapptest.ServerOption) (*deliveryreport.Service, *chatapptest.Server) {
	t.Helper()
	srv := chatapptest.NewServer(opts...)
	t.Cleanup(srv.Close)
	// Short pauses keep the retry tests fast; the retries themselves are
	// what the client does in production.
	client, err := srv.Client(chatapp.WithBackoff(chatapp.Backoff{Base: time.Millisecond, ThrottleBase: time.Millisecond}))
	require.NoError(t, err)
	return &deliveryreport.Service{Metrics: client, Now: func() time.Time { return now }}, srv
}

func TestYesterday(t *testing.T) {
	t.Parallel()
	svc, srv := newService(t, morning)
	day := time.Date(2026, 3, 10, 0, 0, 0, 0, cst)
	require.NoError(t, srv.SeedMetrics(chatapp.PhoneNumberMetric{
		PhoneNumber: phone, Granularity: chatapp.GranularityDaily, Start: day,
		SentCount: 1200, DeliveredCount: 1140,
	}))

	r, err := svc.Yesterday(context.Background(), phone)
	require.NoError(t, err)
	assert.Equal(t, phone, r.PhoneNumber)
	assert.True(t, day.Equal(r.Day), r.Day)
	assert.Equal(t, chatapp.Totals{Sent: 1200, Delivered: 1140}, r.Totals)
	assert.InDelta(t, 0.95, r.DeliveryRate(), 1e-9)
	assert.True(t, r.Below(0.96))
	assert.False(t, r.Below(0.95))

	// The one request the service sent, as the emulator received it.
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	req := reqs[0]
	assert.Equal(t, "GetChatappPhoneNumberMetric", req.Action)
	assert.Equal(t, chatapptest.SchemeV3, req.Scheme)
	assert.Equal(t, srv.AccessKeyID, req.AccessKeyID)
	assert.Equal(t, "OK", req.Code)
	assert.Equal(t, phone, req.Query.Get("PhoneNumber"))
	assert.Equal(t, "DAILY", req.Query.Get("Granularity"))
	assert.Equal(t, strconv.FormatInt(day.UnixMilli(), 10), req.Query.Get("Start"), "midnight of 10 March, UTC+8")
	assert.Equal(t, strconv.FormatInt(day.AddDate(0, 0, 1).UnixMilli(), 10), req.Query.Get("End"))
	assert.Empty(t, req.Query.Get("CustSpaceId"), "a direct customer sends no CustSpaceId")
}

// TestYesterdayIsAServiceDay pins the clock to a time that is still the
// 10th in UTC but already the 11th in UTC+8, where the service's days are.
func TestYesterdayIsAServiceDay(t *testing.T) {
	t.Parallel()
	svc, srv := newService(t, time.Date(2026, 3, 10, 20, 0, 0, 0, time.UTC))
	r, err := svc.Yesterday(context.Background(), phone)
	require.NoError(t, err)
	assert.Equal(t, "2026-03-10", r.Day.Format(time.DateOnly))
	assert.Equal(t, "2026-03-09T16:00:00Z", r.Day.UTC().Format(time.RFC3339))

	// Unseeded, the emulator generates the day's counts; Metrics tells
	// what it answered.
	want, err := srv.Metrics(&chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: phone, Granularity: chatapp.GranularityDaily,
		Start: r.Day, End: r.Day.AddDate(0, 0, 1),
	})
	require.NoError(t, err)
	assert.Equal(t, chatapp.Total(want), r.Totals)
	assert.Positive(t, r.Sent)
}

func TestNoDataBeforeROICollection(t *testing.T) {
	t.Parallel()
	// A new account: collection is off until EnableWhatsappROIMetric.
	svc, _ := newService(t, morning, chatapptest.WithROIDisabled())
	_, err := svc.Yesterday(context.Background(), phone)
	assert.ErrorIs(t, err, deliveryreport.ErrNoData)
}

func TestServiceErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		fault    chatapptest.Fault
		want     error
		requests int
	}{
		{
			name:     "permission denied is not retried",
			fault:    chatapptest.Fault{Status: 400, Code: "Ram.PermissionDeny"},
			want:     chatapp.ErrPermissionDenied,
			requests: 1,
		},
		{
			name:     "throttled on every attempt",
			fault:    chatapptest.ThrottlingFault(time.Millisecond),
			want:     chatapp.ErrThrottled,
			requests: chatapp.DefaultMaxAttempts,
		},
		{
			name:     "server errors on every attempt",
			fault:    chatapptest.Fault{Status: 503, Code: "ServiceUnavailable"},
			want:     chatapp.ErrServer,
			requests: chatapp.DefaultMaxAttempts,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svc, srv := newService(t, morning)
			srv.InjectFault(chatapp.DefaultMaxAttempts, tc.fault)

			_, err := svc.Yesterday(context.Background(), phone)
			require.ErrorIs(t, err, tc.want)
			assert.ErrorContains(t, err, "deliveryreport: "+phone+" on 2026-03-10")
			var apiErr *chatapp.APIError
			require.ErrorAs(t, err, &apiErr, "the service's answer is in the chain")
			assert.Equal(t, tc.fault.Code, apiErr.Code)
			assert.Len(t, srv.Requests(), tc.requests)
		})
	}
}

func TestOneThrottledAnswerIsRiddenOut(t *testing.T) {
	t.Parallel()
	svc, srv := newService(t, morning)
	srv.InjectFault(1, chatapptest.ThrottlingFault(time.Millisecond))

	_, err := svc.Yesterday(context.Background(), phone)
	require.NoError(t, err)
	stats := srv.Stats()
	assert.Equal(t, 1, stats.Throttled)
	assert.Equal(t, 1, stats.OK)
}
