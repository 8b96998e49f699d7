package chatapp

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// defaultLimitedClient is a mock client that keeps the default limiter.
func defaultLimitedClient(t *testing.T, accessKeyID string) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	c, err := NewClient(
		WithEndpoint(testEndpoint),
		WithAccessKey(accessKeyID, "testsecret"),
		WithHTTPClient(&http.Client{Transport: mock}),
	)
	require.NoError(t, err)
	return c, mock
}

// TestDefaultLimiterSharedByAccessKey: two Clients of one AccessKeyId draw
// from one 48/s bucket; a third with another key does not wait for them.
func TestDefaultLimiterSharedByAccessKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		key := uniqueAccessKeyID(t)
		a, mockA := defaultLimitedClient(t, key)
		b, mockB := defaultLimitedClient(t, key)
		other, mockO := defaultLimitedClient(t, uniqueAccessKeyID(t))
		for _, m := range []*httpmock.MockTransport{mockA, mockB, mockO} {
			script(m, jsonAnswer(200, sevenDays))
		}
		start := time.Now()
		for i := range 10 {
			c := a
			if i%2 == 1 {
				c = b
			}
			_, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
			require.NoError(t, err)
		}
		// Burst 1 at 48/s: the tenth call is nine intervals after the first.
		assert.InDelta(t, float64(9*time.Second/48), float64(time.Since(start)), float64(time.Millisecond))

		mid := time.Now()
		_, err := other.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
		require.NoError(t, err)
		assert.Zero(t, time.Since(mid), "another AccessKeyId has its own bucket")
	})
}

// TestDefaultLimiterPerOperation: EnableWhatsappROIMetric has its own,
// slower bucket and does not hold back the metric calls.
func TestDefaultLimiterPerOperation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, mock := defaultLimitedClient(t, uniqueAccessKeyID(t))
		script(mock, jsonAnswer(200, `{"RequestId":"R","Code":"OK"}`))
		start := time.Now()
		for range 3 {
			_, err := c.EnableWhatsappROIMetric(context.Background(), nil)
			require.NoError(t, err)
		}
		// 5/s at 96 %: 4.8/s, two intervals.
		assert.InDelta(t, float64(2*time.Second)/4.8, float64(time.Since(start)), float64(time.Millisecond))

		mid := time.Now()
		_, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
		require.NoError(t, err)
		assert.Zero(t, time.Since(mid), "the metric bucket is untouched")
	})
}

// TestDefaultLimiterSlidingWindow: 8 goroutines × 40 calls; no sliding
// one-second window of sent requests holds more than 50 (the documented
// limit), with the 41 ms of headroom the 96 % rate leaves.
func TestDefaultLimiterSlidingWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, mock := defaultLimitedClient(t, uniqueAccessKeyID(t))
		var mu sync.Mutex
		var sent []time.Time
		mock.RegisterResponder(http.MethodPost, testEndpoint+"/", func(*http.Request) (*http.Response, error) {
			mu.Lock()
			sent = append(sent, time.Now())
			mu.Unlock()
			return httpmock.NewStringResponse(200, sevenDays), nil
		})
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 40 {
					_, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
					assert.NoError(t, err)
				}
			})
		}
		wg.Wait()
		sort.Slice(sent, func(i, j int) bool { return sent[i].Before(sent[j]) })
		require.Len(t, sent, 320)
		most := 0
		for i := range sent {
			// Calls in (sent[i]-1s-41ms, sent[i]]: the window plus the
			// jitter the headroom is meant to absorb.
			n := 0
			for j := i; j >= 0 && sent[i].Sub(sent[j]) < time.Second+41*time.Millisecond; j-- {
				n++
			}
			most = max(most, n)
		}
		assert.LessOrEqual(t, most, GetChatappPhoneNumberMetricRateLimit)
		elapsed := sent[len(sent)-1].Sub(sent[0])
		assert.InDelta(t, 48, float64(len(sent)-1)/elapsed.Seconds(), 0.01, "runs at 96 % of the limit")
	})
}

// TestLimiterDeadlineFailsAtOnce: a wait that cannot end before the
// deadline is refused immediately, matching ErrThrottled and
// context.DeadlineExceeded, and nothing is sent.
func TestLimiterDeadlineFailsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, mock := newMockClient(t, WithRateLimiter(NewRateLimiter(1)))
		rec := script(mock, jsonAnswer(200, sevenDays))
		_, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
		require.NoError(t, err)

		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = c.GetChatappPhoneNumberMetric(ctx, weekRequest())
		assert.Zero(t, time.Since(start))
		assert.ErrorIs(t, err, ErrThrottled)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		var wait *LimiterDeadlineError
		require.ErrorAs(t, err, &wait)
		assert.InDelta(t, float64(time.Second), float64(wait.Wait), float64(time.Millisecond))
		var opErr *OperationError
		require.ErrorAs(t, err, &opErr)
		assert.Zero(t, opErr.Attempts)
		assert.Equal(t, 1, rec.count(), "the refused call sent nothing")
	})
}

func TestLimiterWaitEndsWithContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewRateLimiter(1)
		require.NoError(t, l.Wait(context.Background()))
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			time.Sleep(300 * time.Millisecond)
			cancel()
		}()
		start := time.Now()
		err := l.Wait(ctx)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 300*time.Millisecond, time.Since(start))
		// The cancelled reservation was given back: the next call waits
		// only until the original slot.
		start = time.Now()
		require.NoError(t, l.Wait(context.Background()))
		assert.Equal(t, 700*time.Millisecond, time.Since(start))
	})
}

func TestNewRateLimiterRejectsNonPositive(t *testing.T) {
	for _, r := range []float64{0, -1} {
		err := NewRateLimiter(r).Wait(context.Background())
		assert.ErrorIs(t, err, ErrThrottled)
	}
}

func TestCallInfoRoundTrip(t *testing.T) {
	_, ok := CallInfoFromContext(context.Background())
	assert.False(t, ok)
	info := CallInfo{Operation: "Op", AccessKeyID: "id", Attempt: 2}
	got, ok := CallInfoFromContext(ContextWithCallInfo(context.Background(), info))
	assert.True(t, ok)
	assert.Equal(t, info, got)
}
