package redislimit

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
)

// callResults counts the outcomes of calls through chatapp Clients.
type callResults struct {
	ok, limitControl, deadline atomic.Int64
	mu                         sync.Mutex
	other                      []error
}

// drive calls GetChatappPhoneNumberMetric on every client from g
// goroutines each until run has passed. Clients make one attempt per call,
// so that no retry hides a System.LimitControl answer.
func drive(clients []*chatapp.Client, g int, run time.Duration) *callResults {
	var r callResults
	ctx, cancel := context.WithTimeout(context.Background(), run)
	defer cancel()
	var wg sync.WaitGroup
	for _, c := range clients {
		for range g {
			wg.Go(func() {
				for ctx.Err() == nil {
					_, err := c.GetChatappPhoneNumberMetric(ctx, &chatapp.GetChatappPhoneNumberMetricRequest{
						PhoneNumber: "8613800001234",
						Granularity: chatapp.GranularityDaily,
						Start:       time.Now().AddDate(0, 0, -7),
						End:         time.Now(),
					})
					var apiErr *chatapp.APIError
					var lde *chatapp.LimiterDeadlineError
					switch {
					case err == nil:
						r.ok.Add(1)
					case errors.As(err, &apiErr) && apiErr.Code == "System.LimitControl":
						r.limitControl.Add(1)
					case errors.As(err, &lde), ctx.Err() != nil:
						// The run's end: the next slot is past it.
						r.deadline.Add(1)
						if lde != nil {
							return
						}
					default:
						r.mu.Lock()
						r.other = append(r.other, err)
						r.mu.Unlock()
						return
					}
				}
			})
		}
	}
	wg.Wait()
	return &r
}

// Test 3: three Clients, each with its own Redis connection and Limiter,
// as three replicas would have, against the emulator's strict sliding
// window of 50 calls a second per AccessKeyId.
func TestEndToEndWithEmulator(t *testing.T) {
	rs := startRedis(t)
	const replicas, goroutines, run = 3, 4, 5 * time.Second

	// The control: three in-process buckets, one per replica, overrun the
	// emulator's window, so the test can tell a limiter that works.
	ctl := chatapptest.NewServer()
	defer ctl.Close()
	var ctlClients []*chatapp.Client
	for range replicas {
		c, err := ctl.Client(chatapp.WithRateLimiter(chatapp.NewRateLimiter(chatapp.GetChatappPhoneNumberMetricRateLimit*Headroom)), chatapp.WithMaxAttempts(1))
		if err != nil {
			t.Fatal(err)
		}
		ctlClients = append(ctlClients, c)
	}
	const ctlRun = 2 * time.Second
	cr := drive(ctlClients, goroutines, ctlRun)
	t.Logf("test 3 control: %d in-process limiters at 48/s, %v: %d OK, %d System.LimitControl", replicas, ctlRun, cr.ok.Load(), cr.limitControl.Load())
	if cr.limitControl.Load() == 0 || len(cr.other) > 0 {
		t.Fatalf("control: %d System.LimitControl, other errors %v; the emulator should have throttled", cr.limitControl.Load(), cr.other)
	}

	srv := chatapptest.NewServer()
	defer srv.Close()
	var clients []*chatapp.Client
	var limiters []*Limiter
	for range replicas {
		l := New(rs.client(t), WithRedisTimeout(stallTolerance))
		c, err := srv.Client(chatapp.WithRateLimiter(l), chatapp.WithMaxAttempts(1))
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
		limiters = append(limiters, l)
	}
	r := drive(clients, goroutines, run)
	es := srv.Stats()
	upper, lower := bounds(DefaultLimit(opMetric), run)
	t.Logf("test 3: %d Clients with Redis limiters × %d goroutines, %v: %d OK, %d System.LimitControl, %d stopped by the deadline; emulator %+v; bound %d, lower bound %.0f",
		replicas, goroutines, run, r.ok.Load(), r.limitControl.Load(), r.deadline.Load(), es, upper, lower)
	if len(r.other) > 0 {
		t.Errorf("unexpected errors: %v", r.other)
	}
	if r.limitControl.Load() != 0 || es.Throttled != 0 {
		t.Errorf("%d System.LimitControl answers (emulator counted %d), want 0", r.limitControl.Load(), es.Throttled)
	}
	if ok := r.ok.Load(); ok > upper || float64(ok) < lower {
		t.Errorf("%d calls OK, want ≤ %d and ≥ %.0f", ok, upper, lower)
	}
	for i, l := range limiters {
		if s := l.Stats(); s.RedisErrors != 0 || s.FallbackAdmitted != 0 {
			t.Errorf("limiter %d: %+v", i, s)
		}
	}
}
