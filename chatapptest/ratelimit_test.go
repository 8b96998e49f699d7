package chatapptest

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// send signs a request for action at the clock's time and returns the
// answer's code.
func send(t *testing.T, e *Emulator, clock *fakeClock, id, secret, action string) string {
	t.Helper()
	c := okCall(clock.Now())
	if action == actionEnableROI {
		c = enableCall(clock.Now(), "")
	}
	c.id, c.secret = id, secret
	return serve(t, e, c.build(t)).Code
}

// TestRateLimitWindowIsExact steps a fake clock across the edges of the
// one-second window.
func TestRateLimitWindowIsExact(t *testing.T) {
	e, clock := newTestEmulator(t, t0)
	for i := range 50 {
		require.Equal(t, "OK", send(t, e, clock, "testid", "testsecret", actionGetMetric), "request %d", i)
	}
	w := okCall(clock.Now()).build(t)
	a := serve(t, e, w)
	assert.Equal(t, http.StatusBadRequest, a.Status)
	assert.Equal(t, codeLimitControl, a.Code)
	assert.Equal(t, "The system is under flow control.", a.Message)

	clock.Advance(999 * time.Millisecond)
	assert.Equal(t, codeLimitControl, send(t, e, clock, "testid", "testsecret", actionGetMetric), "at +999ms the 50 are inside the window")
	clock.Advance(time.Millisecond)
	for i := range 50 {
		require.Equal(t, "OK", send(t, e, clock, "testid", "testsecret", actionGetMetric), "at +1s, request %d", i)
	}
	assert.Equal(t, codeLimitControl, send(t, e, clock, "testid", "testsecret", actionGetMetric))

	st := e.Stats()
	assert.Equal(t, Stats{Requests: 103, OK: 100, Throttled: 3}, st)
}

// TestRateLimitRefusalsDoNotCount spreads requests over the window of the
// 5/s operation: refused ones must not push later ones out.
func TestRateLimitRefusalsDoNotCount(t *testing.T) {
	e, clock := newTestEmulator(t, t0)
	steps := []struct {
		at   time.Duration
		want string
	}{
		{0, "OK"}, {200 * time.Millisecond, "OK"}, {400 * time.Millisecond, "OK"},
		{600 * time.Millisecond, "OK"}, {800 * time.Millisecond, "OK"},
		{900 * time.Millisecond, codeLimitControl},
		{1000 * time.Millisecond, "OK"}, // the one at 0 has left (t-1s, t]
		{1100 * time.Millisecond, codeLimitControl},
		{1150 * time.Millisecond, codeLimitControl},
		{1200 * time.Millisecond, "OK"}, // refusals at 0.9, 1.1, 1.15 did not count
		{1300 * time.Millisecond, codeLimitControl},
	}
	for _, s := range steps {
		clock.Set(t0.Add(s.at))
		assert.Equal(t, s.want, send(t, e, clock, "testid", "testsecret", actionEnableROI), "at %v", s.at)
	}
}

// TestRateLimitScope: limits are per AccessKeyId and per operation, and
// refused requests are only those past the limit.
func TestRateLimitScope(t *testing.T) {
	e, clock := newTestEmulator(t, t0, WithAccessKey("second", "s2"))
	for range 5 {
		require.Equal(t, "OK", send(t, e, clock, "testid", "testsecret", actionEnableROI))
	}
	assert.Equal(t, codeLimitControl, send(t, e, clock, "testid", "testsecret", actionEnableROI))
	assert.Equal(t, "OK", send(t, e, clock, "second", "s2", actionEnableROI), "another key has its own window")
	assert.Equal(t, "OK", send(t, e, clock, "testid", "testsecret", actionGetMetric), "another operation has its own window")
}

func TestRateLimitConfiguration(t *testing.T) {
	e, clock := newTestEmulator(t, t0, WithRateLimit(actionGetMetric, 2))
	assert.Equal(t, "OK", send(t, e, clock, "testid", "testsecret", actionGetMetric))
	assert.Equal(t, "OK", send(t, e, clock, "testid", "testsecret", actionGetMetric))
	assert.Equal(t, codeLimitControl, send(t, e, clock, "testid", "testsecret", actionGetMetric))

	e.SetRateLimit(actionGetMetric, 0)
	for range 100 {
		require.Equal(t, "OK", send(t, e, clock, "testid", "testsecret", actionGetMetric))
	}
	e.SetRateLimit(actionGetMetric, 1)
	assert.Equal(t, "OK", send(t, e, clock, "testid", "testsecret", actionGetMetric), "a new limit starts from a clean window")
	assert.Equal(t, codeLimitControl, send(t, e, clock, "testid", "testsecret", actionGetMetric))

	off, offClock := newTestEmulator(t, t0, WithoutRateLimit())
	for range 60 {
		require.Equal(t, "OK", send(t, off, offClock, "testid", "testsecret", actionGetMetric))
	}
	for range 10 {
		require.Equal(t, "OK", send(t, off, offClock, "testid", "testsecret", actionEnableROI))
	}
}

// TestSlidingWindowConcurrent hammers the limiter from 256 goroutines with
// a clock that moves 1ms per reading. The clock is read under the
// limiter's lock, so the outcome is that of a sequential run whatever the
// interleaving: 2,560 requests 1ms apart, 50 admitted per second.
func TestSlidingWindowConcurrent(t *testing.T) {
	l := newSlidingWindow(map[string]int{actionGetMetric: 50})
	var ticks atomic.Int64
	now := func() time.Time { return t0.Add(time.Duration(ticks.Add(1)-1) * time.Millisecond) }
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for range 256 {
		wg.Go(func() {
			for range 10 {
				if l.allow("k", actionGetMetric, now) {
					admitted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(150), admitted.Load(), "seconds 0, 1 and 2 (up to 2.559s) admit 50 each")

	// And with a frozen clock, exactly the limit gets in.
	frozen := newSlidingWindow(map[string]int{actionGetMetric: 50})
	admitted.Store(0)
	for range 256 {
		wg.Go(func() {
			for range 4 {
				if frozen.allow("k", actionGetMetric, func() time.Time { return t0 }) {
					admitted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(50), admitted.Load())
}

// TestRateLimitUnderLoad sends from 256 goroutines over real connections
// with the real clock, with no client-side pacing: the emulator must
// admit a full window's worth and never more than the limit per second.
func TestRateLimitUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	s := NewServer(WithRequestLogLimit(0))
	defer s.Close()
	hc := s.HTTPClient()
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	began := time.Now()
	var wg sync.WaitGroup
	for range 256 {
		wg.Go(func() {
			for ctx.Err() == nil {
				resp, err := hc.Do(serverCall(s).build(t).WithContext(ctx))
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	st := s.Stats()
	windows := int(elapsed/time.Second) + 1
	t.Logf("%d requests in %v: %d OK, %d throttled", st.Requests, elapsed, st.OK, st.Throttled)
	assert.GreaterOrEqual(t, st.OK, 50, "the first second's window is used in full")
	assert.LessOrEqual(t, st.OK, 50*windows, "never more than 50 in any second")
	assert.Positive(t, st.Throttled)
	assert.Equal(t, st.Requests, st.OK+st.Throttled, "every request was either admitted or throttled")
}
