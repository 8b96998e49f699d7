package chatapp

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRetryTransientThenSuccess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, mock := newMockClient(t)
		c.jitter = topOfJitter
		rec := script(mock, unavailable(), jsonAnswer(500, errorBody("InternalError", "x", "R2")), jsonAnswer(200, sevenDays))
		start := time.Now()
		resp, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
		require.NoError(t, err)
		assert.Len(t, resp.Data, 7)
		assert.Equal(t, 3, rec.count())
		// Base 100ms: the pauses' ceilings are 100ms, then 200ms.
		assert.Equal(t, 300*time.Millisecond, time.Since(start))
		nonces := map[string]bool{}
		for i := range 3 {
			nonces[rec.request(i).Header.Get("X-Acs-Signature-Nonce")] = true
		}
		assert.Len(t, nonces, 3, "every attempt is signed with a fresh nonce")
	})
}

func TestRetryThrottlingBacksOffLonger(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, mock := newMockClient(t, WithMaxAttempts(4))
		c.jitter = topOfJitter
		rec := script(mock, throttled(), throttled(), throttled(), throttled())
		start := time.Now()
		_, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
		require.ErrorIs(t, err, ErrThrottled)
		requireAttempts(t, err, 4)
		assert.Equal(t, 4, rec.count())
		// ThrottleBase 1s doubling: 1s + 2s + 4s.
		assert.Equal(t, 7*time.Second, time.Since(start))
	})
}

func TestRetryHonoursServerHintCapped(t *testing.T) {
	for _, tc := range []struct {
		timeLeft string
		want     time.Duration
	}{
		{"300", 330 * time.Millisecond}, // the hint plus at most 10 % jitter
		{"600000", 20 * time.Second},    // capped at Backoff.Max
		{"9223372036854775807", 20 * time.Second},
	} {
		t.Run(tc.timeLeft, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, mock := newMockClient(t)
				c.jitter = topOfJitter
				hint := "Limit:50,Remain:0,TimeLeft:" + tc.timeLeft + ",Reset:1"
				script(mock, throttled("X-Ratelimit-User-Api", hint), jsonAnswer(200, sevenDays))
				start := time.Now()
				_, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
				require.NoError(t, err)
				assert.Equal(t, tc.want, time.Since(start))
			})
		})
	}
}

func TestRetryAfterHeaderParsing(t *testing.T) {
	h := http.Header{}
	h.Set("X-Ratelimit-User", "Limit:10,Remain:0,TimeLeft:120,Reset:1")
	h.Set("X-Ratelimit-User-Api", "Limit:50, Remain:0, TimeLeft:450, Reset:1")
	assert.Equal(t, 450*time.Millisecond, retryAfter(h), "the larger TimeLeft wins")
	assert.Equal(t, 3*time.Second, retryAfter(http.Header{"Retry-After": {"3"}}))
	assert.Zero(t, retryAfter(http.Header{"X-Ratelimit-User": {"TimeLeft:-5"}}))
	assert.Zero(t, retryAfter(http.Header{"X-Ratelimit-User": {"garbage"}}))
}

func TestNoRetryOnClientErrors(t *testing.T) {
	for _, code := range []string{"InvalidGranularity", "SignatureDoesNotMatch", "Ram.PermissionDeny", "InvalidAccessKeyId.NotFound", "Product.Unsubscript", "InvalidApi.NotFound"} {
		t.Run(code, func(t *testing.T) {
			c, mock := newMockClient(t)
			rec := script(mock, jsonAnswer(400, errorBody(code, "m", "R")), jsonAnswer(200, sevenDays))
			_, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
			require.Error(t, err)
			assert.Equal(t, 1, rec.count())
			requireAttempts(t, err, 1)
		})
	}
}

func TestRetryConnectionErrorBeforeResponse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, mock := newMockClient(t)
		reset := func(*http.Request) (*http.Response, error) { return nil, errors.New("read: connection reset by peer") }
		rec := script(mock, reset, jsonAnswer(200, sevenDays))
		_, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
		require.NoError(t, err)
		assert.Equal(t, 2, rec.count())
	})
}

func TestMaxAttemptsOneDisablesRetries(t *testing.T) {
	c, mock := newMockClient(t, WithMaxAttempts(1))
	rec := script(mock, unavailable(), jsonAnswer(200, sevenDays))
	_, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
	assert.ErrorIs(t, err, ErrServer)
	requireAttempts(t, err, 1)
	assert.Equal(t, 1, rec.count())
}

// TestContextEndingAroundBackoffKeepsTheLastAnswer: when the caller's
// context ends while the client pauses before a retry (or the pause would
// outlast its deadline), the call returns at that instant, not when the
// pause would have ended, with the context's error; the answer that caused
// the pause stays reachable with errors.As, and nothing more is sent.
func TestContextEndingAroundBackoffKeepsTheLastAnswer(t *testing.T) {
	for _, tc := range []struct {
		name    string
		backoff Backoff
		answer  httpmock.Responder
		// ctx ends the context its own way.
		ctx     func() (context.Context, context.CancelFunc)
		elapsed time.Duration
		wantIs  []error
		// the last answer
		status          int
		code, requestID string
	}{
		{
			name:    "cancelled mid-pause after a 503",
			backoff: Backoff{Base: time.Second},
			answer:  jsonAnswer(503, `{"Code":"ServiceUnavailable","Message":"busy"}`, "X-Acs-Request-Id", "HDR-503"),
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(250*time.Millisecond, cancel)
				return ctx, cancel
			},
			elapsed: 250 * time.Millisecond,
			wantIs:  []error{context.Canceled, ErrServer},
			status:  503, code: "ServiceUnavailable", requestID: "HDR-503",
		},
		{
			name:   "cancelled mid-pause after throttling",
			answer: throttled(),
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(400*time.Millisecond, cancel)
				return ctx, cancel
			},
			elapsed: 400 * time.Millisecond,
			wantIs:  []error{context.Canceled, ErrThrottled},
			status:  400, code: "System.LimitControl", requestID: "REQ-T",
		},
		{
			// ThrottleBase is 1s: the pause is not taken at all.
			name:   "deadline before the pause would end",
			answer: throttled(),
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 500*time.Millisecond)
			},
			elapsed: 0,
			wantIs:  []error{context.DeadlineExceeded, ErrThrottled},
			status:  400, code: "System.LimitControl", requestID: "REQ-T",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, mock := newMockClient(t, WithBackoff(tc.backoff))
				c.jitter = topOfJitter
				rec := script(mock, tc.answer)
				ctx, cancel := tc.ctx()
				defer cancel()
				start := time.Now()
				resp, err := c.GetChatappPhoneNumberMetric(ctx, weekRequest())
				assert.Equal(t, tc.elapsed, time.Since(start), "returns when the context ends, not when the pause would")
				assert.Nil(t, resp)
				for _, want := range tc.wantIs {
					assert.ErrorIs(t, err, want)
				}
				apiErr := requireAPIError(t, err, tc.status, tc.requestID)
				assert.Equal(t, tc.code, apiErr.Code, "the last answer stays reachable")
				requireAttempts(t, err, 1)
				assert.Equal(t, 1, rec.count(), "no attempt after the context ended")
			})
		})
	}
}

func TestFullJitterBounds(t *testing.T) {
	c := &Client{backoff: defaultBackoff}
	var ceilings []int64
	c.jitter = func(n int64) int64 { ceilings = append(ceilings, n); return 0 }
	for retry := 1; retry <= 40; retry++ {
		c.fullJitter(time.Second, retry)
	}
	require.Len(t, ceilings, 40)
	assert.Equal(t, int64(time.Second)+1, ceilings[0])
	assert.Equal(t, int64(2*time.Second)+1, ceilings[1])
	for _, n := range ceilings {
		assert.LessOrEqual(t, n, int64(defaultBackoff.Max)+1, "never above Max, even when the shift overflows")
		assert.Positive(t, n)
	}
}

// countingLimiter records the CallInfo of every Wait.
type countingLimiter struct {
	mu    sync.Mutex
	calls []CallInfo
}

func (l *countingLimiter) Wait(ctx context.Context) error {
	info, _ := CallInfoFromContext(ctx)
	l.mu.Lock()
	l.calls = append(l.calls, info)
	l.mu.Unlock()
	return nil
}

func TestLimiterWaitsOncePerAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lim := &countingLimiter{}
		c, mock := newMockClient(t, WithAccessKey("LTAIcounting", "s"), WithRateLimiter(lim))
		script(mock, unavailable(), unavailable(), jsonAnswer(200, sevenDays))
		_, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
		require.NoError(t, err)
		assert.Equal(t, []CallInfo{
			{Operation: "GetChatappPhoneNumberMetric", AccessKeyID: "LTAIcounting", Attempt: 1},
			{Operation: "GetChatappPhoneNumberMetric", AccessKeyID: "LTAIcounting", Attempt: 2},
			{Operation: "GetChatappPhoneNumberMetric", AccessKeyID: "LTAIcounting", Attempt: 3},
		}, lim.calls)
	})
}

// TestRetryReasons checks the reason the one retry decision gives each
// kind of retried failure, and none to a failure it does not retry.
func TestRetryReasons(t *testing.T) {
	c, _ := newMockClient(t)
	for _, tc := range []struct {
		err    error
		reason string
	}{
		{&APIError{StatusCode: 400, Code: "Throttling.User"}, "throttled"},
		{&APIError{StatusCode: 400, Code: "Throttling.User", RetryAfter: time.Second}, "throttled"},
		{&APIError{StatusCode: 503, Code: "ServiceUnavailable"}, "server"},
		{&APIError{StatusCode: 400, Code: "SignatureNonceUsed"}, "nonce"},
		{&APIError{StatusCode: 400, Code: "InvalidSecurityToken.Expired"}, "token-expired"},
		{&ResponseError{StatusCode: 200, cut: true}, "truncated"},
		{&ResponseError{StatusCode: 502}, "server"},
		{&ResponseError{StatusCode: 429}, "throttled"},
		{errors.New("connection reset by peer"), "transport"},
		{&APIError{StatusCode: 403, Code: "Forbidden.RAM"}, ""},
		{&ResponseError{StatusCode: 200, tooLarge: true}, ""},
	} {
		_, reason, retry := c.retryDelay(tc.err, 1)
		assert.Equal(t, tc.reason, reason, "%v", tc.err)
		assert.Equal(t, tc.reason != "", retry, "%v", tc.err)
	}
}
