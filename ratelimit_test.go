package chatapp

import (
	"context"
	"net/http"
	"slices"
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

// callsTake makes n calls in a row, each of which must succeed, and
// returns how long they took.
func callsTake(t *testing.T, n int, call func(i int) error) time.Duration {
	t.Helper()
	start := time.Now()
	for i := range n {
		require.NoError(t, call(i))
	}
	return time.Since(start)
}

// getMetric is a call for callsTake: GetChatappPhoneNumberMetric of
// weekRequest on c.
func getMetric(c *Client) func(int) error {
	return func(int) error {
		_, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
		return err
	}
}

// requireLimiterRefusal checks the error of a call the limiter refused
// because its wait would outlast the deadline: it matches ErrThrottled and
// context.DeadlineExceeded, names the wait (within delta), and no attempt
// was made.
func requireLimiterRefusal(t *testing.T, err error, wait, delta time.Duration) {
	t.Helper()
	assert.ErrorIs(t, err, ErrThrottled)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var lde *LimiterDeadlineError
	require.ErrorAs(t, err, &lde)
	assert.InDelta(t, float64(wait), float64(lde.Wait), float64(delta))
	requireAttempts(t, err, 0)
}

// TestDefaultLimiterSharedByAccessKey: two Clients of one AccessKeyId draw
// from one 48/s bucket; a third with another key does not wait for them.
func TestDefaultLimiterSharedByAccessKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		key := uniqueAccessKeyID()
		a, mockA := defaultLimitedClient(t, key)
		b, mockB := defaultLimitedClient(t, key)
		other, mockO := defaultLimitedClient(t, uniqueAccessKeyID())
		for _, m := range []*httpmock.MockTransport{mockA, mockB, mockO} {
			script(m, jsonAnswer(200, sevenDays))
		}
		took := callsTake(t, 10, func(i int) error {
			return getMetric([]*Client{a, b}[i%2])(i)
		})
		// Burst 1 at 48/s: the tenth call is nine intervals after the first.
		assert.InDelta(t, float64(9*time.Second/48), float64(took), float64(time.Millisecond))
		assert.Zero(t, callsTake(t, 1, getMetric(other)), "another AccessKeyId has its own bucket")
	})
}

// TestDefaultLimiterPerOperation: EnableWhatsappROIMetric has its own,
// slower bucket and does not hold back the metric calls.
func TestDefaultLimiterPerOperation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, mock := defaultLimitedClient(t, uniqueAccessKeyID())
		script(mock, jsonAnswer(200, `{"RequestId":"R","Code":"OK"}`))
		took := callsTake(t, 3, func(int) error {
			_, err := c.EnableWhatsappROIMetric(context.Background(), nil)
			return err
		})
		// 5/s at 96 %: 4.8/s, two intervals.
		assert.InDelta(t, float64(2*time.Second)/4.8, float64(took), float64(time.Millisecond))
		assert.Zero(t, callsTake(t, 1, getMetric(c)), "the metric bucket is untouched")
	})
}

// TestDefaultLimiterSlidingWindow: 8 goroutines × 40 calls; no sliding
// one-second window of sent requests holds more than 50 (the documented
// limit), with the 41 ms of headroom the 96 % rate leaves.
func TestDefaultLimiterSlidingWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, mock := defaultLimitedClient(t, uniqueAccessKeyID())
		rec := script(mock, jsonAnswer(200, sevenDays))
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
		sent := rec.arrivals()
		require.Len(t, sent, 320)
		require.True(t, slices.IsSortedFunc(sent, time.Time.Compare), "arrivals are recorded in order")
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
		resp, err := c.GetChatappPhoneNumberMetric(ctx, weekRequest())
		assert.Zero(t, time.Since(start))
		assert.Nil(t, resp)
		requireLimiterRefusal(t, err, time.Second, time.Millisecond)
		assert.Equal(t, 1, rec.count(), "the refused call sent nothing")
	})
}

func TestLimiterWaitEndsWithContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewRateLimiter(1)
		require.NoError(t, l.Wait(context.Background()))
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(300*time.Millisecond, cancel)
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

// TestOperationsAreIndexedByID: the default limiter finds an operation's
// bucket by its id, so every operation must sit at its id, and each bucket
// must run at its own operation's documented rate.
func TestOperationsAreIndexedByID(t *testing.T) {
	for i, op := range operations {
		assert.Equal(t, i, op.id, "%s", op.name)
		assert.Positive(t, op.rateLimit, "%s", op.name)
	}
	a := newAccountLimiter()
	for _, op := range operations {
		b, ok := a[op.id].(*bucket)
		require.True(t, ok, "%s: %T", op.name, a[op.id])
		assert.InDelta(t, op.rateLimit*limitHeadroom, float64(b.lim.Limit()), 1e-9, "%s", op.name)
	}
	assert.NotEqual(t, opGetChatappPhoneNumberMetric.rateLimit, opEnableWhatsappROIMetric.rateLimit)
}
