package httpmock_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/examples/testing/deliveryreport"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// endpoint is what the client posts every call to: the service's URL with
// the path "/", the parameters in the query.
const endpoint = chatapp.DefaultEndpoint + "/"

const phone = "8613800001234"

var cst = chatapp.ChinaStandardTime()

// yesterday is the day the tests report on; the Service's clock is set to
// the morning after.
var yesterday = time.Date(2026, 3, 10, 0, 0, 0, 0, cst)

// okBody is a success answer in the documented shape, for 10 March 2026
// (1773072000000 is its midnight in UTC+8). Like the documentation's
// example, End is the last second of the day.
const okBody = `{"RequestId":"90E63D28-E31D-1EB2-8939-A9486641E8F1","Code":"OK","Message":"SUCCESS","AccessDeniedDetail":"",
"Data":[{"SentCount":1200,"DeliveredCount":1140,"Start":1773072000000,"End":1773158399000,"PhoneNumber":"8613800001234","Granularity":"DAILY"}]}`

// throttledBody is the gateway's flow control answer, sent with HTTP 400.
const throttledBody = `{"RequestId":"5C6E5D2B-7A3C-4F1E-9D1B-2E3F4A5B6C7D","HostId":"cams.ap-southeast-1.aliyuncs.com",
"Code":"Throttling.User","Message":"Request was denied due to user flow control.",
"Recommend":"https://api.aliyun.com/troubleshoot?q=Throttling.User"}`

// newService returns a Service whose client sends through a mock transport.
func newService(t *testing.T) (*deliveryreport.Service, *httpmock.MockTransport) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	client, err := chatapp.NewClient(
		chatapp.WithHTTPClient(&http.Client{Transport: mock}),
		chatapp.WithEndpoint(chatapp.DefaultEndpoint),
		chatapp.WithAccessKey("testid", "testsecret"),
		// Short pauses keep the retry tests fast.
		chatapp.WithBackoff(chatapp.Backoff{Base: time.Millisecond, ThrottleBase: time.Millisecond, Max: 10 * time.Millisecond}),
	)
	require.NoError(t, err)
	svc := &deliveryreport.Service{
		Metrics: client,
		Now:     func() time.Time { return yesterday.Add(33 * time.Hour) }, // 09:00 the day after
	}
	return svc, mock
}

// isAction matches requests for one operation: under the default signature
// scheme, ACS3, the action travels in the x-acs-action header.
func isAction(action string) httpmock.Matcher {
	return httpmock.HeaderIs("x-acs-action", action)
}

// recorder keeps the requests a responder saw, for assertions after the
// call.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *recorder) wrap(next httpmock.Responder) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		r.mu.Lock()
		r.reqs = append(r.reqs, req)
		r.mu.Unlock()
		return next(req)
	}
}

func (r *recorder) requests() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*http.Request(nil), r.reqs...)
}

func TestYesterday(t *testing.T) {
	t.Parallel()
	svc, mock := newService(t)
	var rec recorder
	mock.RegisterMatcherResponder(http.MethodPost, endpoint, isAction("GetChatappPhoneNumberMetric"),
		rec.wrap(httpmock.NewStringResponder(http.StatusOK, okBody).HeaderSet(http.Header{"Content-Type": {"application/json;charset=utf-8"}})))

	r, err := svc.Yesterday(context.Background(), phone)
	require.NoError(t, err)
	assert.Equal(t, chatapp.Totals{Sent: 1200, Delivered: 1140}, r.Totals)
	assert.InDelta(t, 0.95, r.DeliveryRate(), 1e-9)
	assert.True(t, yesterday.Equal(r.Day))

	// What the service asked for.
	reqs := rec.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, url.Values{
		"PhoneNumber": {phone},
		"Granularity": {"DAILY"},
		"Start":       {strconv.FormatInt(yesterday.UnixMilli(), 10)},
		"End":         {strconv.FormatInt(yesterday.AddDate(0, 0, 1).UnixMilli(), 10)},
	}, reqs[0].URL.Query())
	assert.Equal(t, "1773072000000", reqs[0].URL.Query().Get("Start"), "okBody's day")
	h := reqs[0].Header
	assert.Equal(t, "2020-06-06", h.Get("x-acs-version"))
	assert.True(t, strings.HasPrefix(h.Get("Authorization"), "ACS3-HMAC-SHA256 Credential=testid,"), h.Get("Authorization"))
	assert.Equal(t, 1, mock.GetTotalCallCount())
}

func TestNoData(t *testing.T) {
	t.Parallel()
	// Before ROI collection the service answers OK with no points; the
	// documentation allows Data to be missing, null or empty.
	for _, data := range []string{``, `,"Data":null`, `,"Data":[]`} {
		svc, mock := newService(t)
		mock.RegisterResponder(http.MethodPost, endpoint,
			httpmock.NewStringResponder(http.StatusOK, `{"RequestId":"A1B2C3D4-0000-0000-0000-000000000000","Code":"OK","Message":"SUCCESS"`+data+`}`))

		_, err := svc.Yesterday(context.Background(), phone)
		assert.ErrorIs(t, err, deliveryreport.ErrNoData, data)
		assert.ErrorContains(t, err, "A1B2C3D4-0000-0000-0000-000000000000", "the RequestId, for a support ticket")
	}
}

func TestThrottled(t *testing.T) {
	t.Parallel()
	throttled := httpmock.NewStringResponder(http.StatusBadRequest, throttledBody).
		HeaderSet(http.Header{"x-ratelimit-user-api": {"Limit:50,Remain:0,TimeLeft:5,Reset:1773104400000"}})

	t.Run("on every attempt", func(t *testing.T) {
		t.Parallel()
		svc, mock := newService(t)
		mock.RegisterResponder(http.MethodPost, endpoint, throttled)

		_, err := svc.Yesterday(context.Background(), phone)
		require.ErrorIs(t, err, chatapp.ErrThrottled)
		var apiErr *chatapp.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "Throttling.User", apiErr.Code)
		assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
		assert.Equal(t, "5C6E5D2B-7A3C-4F1E-9D1B-2E3F4A5B6C7D", apiErr.RequestID)
		assert.Equal(t, 5*time.Millisecond, apiErr.RetryAfter, "the header's TimeLeft")
		var opErr *chatapp.OperationError
		require.ErrorAs(t, err, &opErr)
		assert.Equal(t, chatapp.DefaultMaxAttempts, opErr.Attempts)
		assert.Equal(t, chatapp.DefaultMaxAttempts, mock.GetTotalCallCount())
	})

	t.Run("once, then served", func(t *testing.T) {
		t.Parallel()
		svc, mock := newService(t)
		mock.RegisterResponder(http.MethodPost, endpoint,
			throttled.Once().Then(httpmock.NewStringResponder(http.StatusOK, okBody)))

		r, err := svc.Yesterday(context.Background(), phone)
		require.NoError(t, err)
		assert.Equal(t, int64(1200), r.Sent)
		assert.Equal(t, 2, mock.GetTotalCallCount())
	})

	t.Run("System.LimitControl", func(t *testing.T) {
		t.Parallel()
		svc, mock := newService(t)
		// The operation's own flow-control code, which the official Go SDK
		// does not treat as throttling; this client does.
		mock.RegisterResponder(http.MethodPost, endpoint, httpmock.NewStringResponder(http.StatusBadRequest,
			`{"RequestId":"0F7A2B3C-1111-2222-3333-444455556666","Code":"System.LimitControl","Message":"The system is under flow control."}`))

		_, err := svc.Yesterday(context.Background(), phone)
		assert.ErrorIs(t, err, chatapp.ErrThrottled)
		assert.Equal(t, chatapp.DefaultMaxAttempts, mock.GetTotalCallCount())
	})
}

func TestPermissionDenied(t *testing.T) {
	t.Parallel()
	svc, mock := newService(t)
	// RAM sends AccessDeniedDetail as an object in error answers.
	mock.RegisterResponder(http.MethodPost, endpoint, httpmock.NewStringResponder(http.StatusBadRequest,
		`{"RequestId":"7D9E0F1A-AAAA-BBBB-CCCC-DDDDEEEEFFFF","Code":"Ram.PermissionDeny","Message":"You are not authorized to perform the operation.",
"AccessDeniedDetail":{"AuthAction":"cams:GetChatappPhoneNumberMetric","PolicyType":"AccountLevelIdentityBasedPolicy","NoPermissionType":"ImplicitDeny"}}`))

	_, err := svc.Yesterday(context.Background(), phone)
	require.ErrorIs(t, err, chatapp.ErrPermissionDenied)
	var apiErr *chatapp.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.AccessDeniedDetail, `"AuthAction":"cams:GetChatappPhoneNumberMetric"`)
	assert.Equal(t, 1, mock.GetTotalCallCount(), "not retried")
}
