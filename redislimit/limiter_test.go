package redislimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatappkit/chatapp"
)

// fakeGCRA is an in-memory stand-in for the Redis script, on the local
// clock, so that time-based tests run in a synctest bubble.
type fakeGCRA struct {
	mu    sync.Mutex
	tat   map[string]time.Time
	err   error         // returned by every call while set
	stall chan struct{} // while non-nil, calls block on it (see hold)
	calls atomic.Int64
}

func newFake() *fakeGCRA { return &fakeGCRA{tat: make(map[string]time.Time)} }

func (f *fakeGCRA) setErr(err error) {
	f.mu.Lock()
	f.err = err
	f.mu.Unlock()
}

// hold makes calls block until release, ignoring ctx, like a go-redis
// client without ContextTimeoutEnabled.
func (f *fakeGCRA) hold() {
	f.mu.Lock()
	f.stall = make(chan struct{})
	f.mu.Unlock()
}

// release lets held calls, and later ones, through.
func (f *fakeGCRA) release() {
	f.mu.Lock()
	close(f.stall)
	f.stall = nil
	f.mu.Unlock()
}

func (f *fakeGCRA) allow(_ context.Context, key string, lim Limit) (bool, time.Duration, error) {
	f.calls.Add(1)
	f.mu.Lock()
	stall := f.stall
	f.mu.Unlock()
	if stall != nil {
		<-stall
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return false, 0, f.err
	}
	now := time.Now()
	t := lim.interval()
	tat := f.tat[key]
	if tat.Before(now) {
		tat = now
	}
	next := tat.Add(t)
	allowAt := next.Add(-time.Duration(lim.Burst) * t)
	if now.Before(allowAt) {
		return false, allowAt.Sub(now), nil
	}
	f.tat[key] = next
	return true, 0, nil
}

// logRecorder keeps the records a Limiter logs.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	r.records = append(r.records, rec)
	r.mu.Unlock()
	return nil
}
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *logRecorder) WithGroup(string) slog.Handler      { return r }

func (r *logRecorder) count(level slog.Level) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, rec := range r.records {
		if rec.Level == level {
			n++
		}
	}
	return n
}

func callCtx(ctx context.Context, op string) context.Context {
	return chatapp.ContextWithCallInfo(ctx, chatapp.CallInfo{Operation: op, AccessKeyID: "LTAI-test", Attempt: 1})
}

const opMetric = "GetChatappPhoneNumberMetric"

// deadlineRefusal reports whether err is the refusal of a Wait that would
// outlast its deadline: a *chatapp.LimiterDeadlineError matching both
// chatapp.ErrThrottled and context.DeadlineExceeded.
func deadlineRefusal(err error) (*chatapp.LimiterDeadlineError, bool) {
	var lde *chatapp.LimiterDeadlineError
	ok := errors.As(err, &lde) && errors.Is(err, chatapp.ErrThrottled) && errors.Is(err, context.DeadlineExceeded)
	return lde, ok
}

// hammer runs g goroutines calling Wait until the deadline and returns how
// many Waits were admitted.
func hammer(ctx context.Context, l *Limiter, g int, deadline time.Time) int64 {
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	var n atomic.Int64
	var wg sync.WaitGroup
	for range g {
		wg.Go(func() {
			// The first error is the deadline coming near: a loop that
			// went on would spin without letting synctest's clock move.
			for l.Wait(ctx) == nil {
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return n.Load()
}

func TestDefaultLimitKeepsSlidingWindowWithinDocumentedLimit(t *testing.T) {
	for _, tc := range []struct {
		op         string
		documented int
		want       Limit
	}{
		{"GetChatappPhoneNumberMetric", chatapp.GetChatappPhoneNumberMetricRateLimit, Limit{47.04, 2}},
		{"EnableWhatsappROIMetric", chatapp.EnableWhatsappROIMetricRateLimit, Limit{4.8, 1}},
		{"SomeFutureAction", chatapp.EnableWhatsappROIMetricRateLimit, Limit{4.8, 1}},
	} {
		got := DefaultLimit(tc.op)
		if math.Abs(got.PerSecond-tc.want.PerSecond) > 1e-9 || got.Burst != tc.want.Burst {
			t.Errorf("DefaultLimit(%q) = %+v, want %+v", tc.op, got, tc.want)
		}
		// Grants in a window of 1 s stretched by 41 ms of jitter.
		worst := got.Burst + int(math.Floor(1.041*got.PerSecond))
		if worst > tc.documented {
			t.Errorf("%s: a 1.041 s window can hold %d grants, over the documented %d", tc.op, worst, tc.documented)
		}
	}
}

func TestOptionErrorsNameTheOptionAndRule(t *testing.T) {
	for _, tc := range []struct {
		opt  Option
		want string
	}{
		{WithLimit(opMetric, Limit{PerSecond: 0, Burst: 1}), "WithLimit: the PerSecond field must be between 1e-6 and 1e6"},
		{WithLimit(opMetric, Limit{PerSecond: math.NaN(), Burst: 1}), "WithLimit: the PerSecond field must be between 1e-6 and 1e6"},
		{WithLimit("", Limit{PerSecond: math.Inf(1), Burst: 1}), "WithLimit: the PerSecond field must be between 1e-6 and 1e6"},
		{WithLimit(opMetric, Limit{PerSecond: 1e-7, Burst: 1}), "WithLimit: the PerSecond field must be between 1e-6 and 1e6, got 1e-07"},
		{WithLimit(opMetric, Limit{PerSecond: 10, Burst: 0}), "WithLimit: the Burst field must be at least 1"},
		{WithAccount(""), "WithAccount: the account must not be empty"},
		{WithKeyFunc(nil), "WithKeyFunc: the key function must not be nil"},
		{WithExpectedReplicas(0), "WithExpectedReplicas: n must be at least 1, got 0"},
		{WithFaultPolicy(FaultPolicy(7)), "WithFaultPolicy: the policy must be Fallback or FailClosed, got FaultPolicy(7)"},
		{WithRedisTimeout(0), "WithRedisTimeout: the timeout must be positive"},
		{WithProbeInterval(-time.Second), "WithProbeInterval: the interval must be at least 10ms, got -1s"},
		{WithProbeInterval(time.Nanosecond), "WithProbeInterval: the interval must be at least 10ms, got 1ns"},
	} {
		l := newLimiter(newFake(), []Option{tc.opt})
		if l.Err() == nil || !strings.Contains(l.Err().Error(), tc.want) {
			t.Errorf("Err() = %v, want it to contain %q", l.Err(), tc.want)
			continue
		}
		if err := l.Wait(callCtx(context.Background(), opMetric)); err != l.Err() {
			t.Errorf("Wait = %v, want the configuration error", err)
		}
	}
	if err := New(nil).Wait(context.Background()); err == nil || !strings.Contains(err.Error(), "must not be nil") {
		t.Errorf("New(nil).Wait = %v, want the nil-client error", err)
	}
	var nilLimiter *Limiter
	if err := nilLimiter.Wait(context.Background()); err == nil || nilLimiter.Stats() != (Stats{}) {
		t.Errorf("nil *Limiter: Wait = %v", err)
	}
	if err := newLimiter(newFake(), []Option{nil, WithLogger(nil)}).Err(); err != nil {
		t.Errorf("nil options: Err() = %v", err)
	}
}

func TestKeys(t *testing.T) {
	l := newLimiter(newFake(), nil)
	info := chatapp.CallInfo{Operation: opMetric, AccessKeyID: "LTAI5tExampleKey"}
	key := l.keyFor(info)
	if want := "chatapp:" + AccountKey("LTAI5tExampleKey") + ":" + opMetric; key != want {
		t.Errorf("key = %q, want %q", key, want)
	}
	if strings.Contains(key, "LTAI5tExampleKey") {
		t.Errorf("key %q holds the AccessKeyId", key)
	}
	if ak := AccountKey("LTAI5tExampleKey"); !strings.HasPrefix(ak, "ak-") || len(ak) != 3+16 {
		t.Errorf("AccountKey = %q, want ak- and 16 hex digits", ak)
	}
	if got := l.keyFor(chatapp.CallInfo{}); got != "chatapp:_:_" {
		t.Errorf("key without CallInfo = %q", got)
	}
	l = newLimiter(newFake(), []Option{WithAccount("acme")})
	if got := l.keyFor(info); got != "chatapp:acme:"+opMetric {
		t.Errorf("WithAccount key = %q", got)
	}
	l = newLimiter(newFake(), []Option{WithKeyFunc(func(chatapp.CallInfo) string { return "" })})
	if err := l.Wait(callCtx(context.Background(), opMetric)); err == nil || !strings.Contains(err.Error(), "WithKeyFunc") {
		t.Errorf("empty key: Wait = %v", err)
	}
}

func TestJitterBounds(t *testing.T) {
	for _, tc := range []struct{ interval, want time.Duration }{
		{time.Second / 48, 2 * time.Millisecond},
		{10 * time.Millisecond, time.Millisecond},
		{time.Millisecond, 100 * time.Microsecond},
		{time.Second / 5, 2 * time.Millisecond},
	} {
		if got := maxJitter(tc.interval); got != tc.want {
			t.Errorf("maxJitter(%v) = %v, want %v", tc.interval, got, tc.want)
		}
	}
	// The sleep is the retry-after plus a draw from [0, maxJitter].
	for _, draw := range []string{"low", "high"} {
		t.Run(draw, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := newLimiter(newFake(), []Option{WithLimit(opMetric, Limit{PerSecond: 5, Burst: 1})})
				var asked int64
				l.jitter = func(n int64) int64 {
					asked = n
					if draw == "low" {
						return 0
					}
					return n - 1
				}
				ctx := callCtx(t.Context(), opMetric)
				if err := l.Wait(ctx); err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				if err := l.Wait(ctx); err != nil {
					t.Fatal(err)
				}
				want := 200 * time.Millisecond
				if draw == "high" {
					want += maxJitter(200 * time.Millisecond)
				}
				if got := time.Since(start); got != want {
					t.Errorf("waited %v, want %v", got, want)
				}
				if asked != int64(maxJitter(200*time.Millisecond))+1 {
					t.Errorf("jitter drawn from [0, %d), want [0, maxJitter]", asked)
				}
			})
		})
	}
}

func TestWaitPacesToTheLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(newFake(), nil)
		const d = 10 * time.Second
		n := hammer(callCtx(t.Context(), opMetric), l, 8, time.Now().Add(d))
		lim := DefaultLimit(opMetric)
		upper := int64(lim.PerSecond*d.Seconds()) + int64(lim.Burst)
		t.Logf("admitted %d in %v, bound %d", n, d, upper)
		if n > upper || float64(n) < 0.99*float64(upper) {
			t.Errorf("admitted %d, want ≤ %d and ≥ 99%% of it", n, upper)
		}
		if s := l.Stats(); s.Admitted != uint64(n) || s.RedisErrors != 0 || s.Degraded {
			t.Errorf("stats %+v", s)
		}
	})
}

func TestDeadlineShorterThanWaitFailsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(newFake(), []Option{WithLimit(opMetric, Limit{PerSecond: 1, Burst: 1})})
		if err := l.Wait(callCtx(t.Context(), opMetric)); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(callCtx(t.Context(), opMetric), 500*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := l.Wait(ctx)
		if elapsed := time.Since(start); elapsed != 0 {
			t.Errorf("Wait slept %v before failing", elapsed)
		}
		lde, ok := deadlineRefusal(err)
		if !ok {
			t.Fatalf("Wait = %v, want a *LimiterDeadlineError matching both sentinels", err)
		}
		if lde.Wait != time.Second {
			t.Errorf("Wait field = %v, want 1s", lde.Wait)
		}
	})
}

func TestDeadlineBehindLocalQueueFailsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		l := newLimiter(f, []Option{WithLimit(opMetric, Limit{PerSecond: 10, Burst: 1})})
		ctx := callCtx(t.Context(), opMetric)
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() { _ = l.Wait(ctx) })
		}
		synctest.Wait() // one holds the gate and sleeps, four queue
		calls := f.calls.Load()
		short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := l.Wait(short)
		if _, ok := deadlineRefusal(err); time.Since(start) != 0 || !ok {
			t.Errorf("after %v: Wait = %v, want an immediate deadline error", time.Since(start), err)
		}
		if f.calls.Load() != calls {
			t.Errorf("the refused Wait asked Redis")
		}
		wg.Wait()
		if s := l.Stats(); s.DeadlineRefusals != 1 || s.Admitted != 5 {
			t.Errorf("stats %+v", s)
		}
	})
}

func TestCancelWhileWaitingReturnsPromptly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(newFake(), []Option{WithLimit(opMetric, Limit{PerSecond: 1, Burst: 1})})
		start := time.Now()
		ctx, cancel := context.WithCancel(callCtx(t.Context(), opMetric))
		if err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 2)
		for range 2 { // one sleeping for its slot, one queued behind it
			go func() { errs <- l.Wait(ctx) }()
		}
		time.Sleep(100 * time.Millisecond)
		cancel()
		for range 2 {
			if err := <-errs; err != context.Canceled {
				t.Errorf("Wait = %v, want context.Canceled", err)
			}
		}
		if d := time.Since(start); d != 100*time.Millisecond {
			t.Errorf("returned %v after start, want right after the cancel", d)
		}
	})
}

func TestFallbackEngagesLogsOnceAndRecovers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		logs := &logRecorder{}
		l := newLimiter(f, []Option{
			WithExpectedReplicas(4),
			WithLogger(slog.New(logs)),
			WithProbeInterval(time.Second),
		})
		ctx := callCtx(t.Context(), opMetric)
		lim := DefaultLimit(opMetric)

		f.setErr(errors.New("dial unix /nowhere: connect: connection refused"))
		const d = 10 * time.Second
		n := hammer(ctx, l, 8, time.Now().Add(d))
		localRate := lim.PerSecond / 4
		t.Logf("fallback admitted %d in %v at %.2f/s", n, d, localRate)
		if upper := int64(localRate*d.Seconds()) + 1; n > upper || float64(n) < 0.98*float64(upper) {
			t.Errorf("fallback admitted %d, want about %d", n, upper)
		}
		s := l.Stats()
		if !s.Degraded || s.Outages != 1 || s.FallbackAdmitted != uint64(n) || s.Admitted != 0 {
			t.Errorf("stats during outage %+v", s)
		}
		// One failed call opens the outage, then one probe per interval.
		if s.RedisErrors < 9 || s.RedisErrors > 11 {
			t.Errorf("%d Redis errors in %v, want about one per probe interval", s.RedisErrors, d)
		}
		if w := logs.count(slog.LevelWarn); w != 1 {
			t.Errorf("%d warnings, want 1", w)
		}

		f.setErr(nil)
		time.Sleep(time.Second)
		before := s
		n = hammer(ctx, l, 8, time.Now().Add(d))
		s = l.Stats()
		// Calls that arrive while the probe is in flight use the fallback
		// bucket; the one token it holds after a quiet second may go to
		// one of them, and the rest return to Redis when the probe
		// succeeds.
		local := s.FallbackAdmitted - before.FallbackAdmitted
		if s.Degraded || s.Admitted+local != uint64(n) || local > 1 {
			t.Errorf("stats after recovery %+v, admitted %d", s, n)
		}
		if upper := int64(lim.PerSecond*d.Seconds()) + int64(lim.Burst); n > upper+1 || float64(n) < 0.99*float64(upper) {
			t.Errorf("admitted %d after recovery, want about %d", n, upper)
		}
		if w, i := logs.count(slog.LevelWarn), logs.count(slog.LevelInfo); w != 1 || i != 1 {
			t.Errorf("%d warnings and %d infos, want one of each", w, i)
		}
	})
}

func TestFailClosed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		cause := errors.New("READONLY You can't write against a read only replica")
		f.setErr(cause)
		l := newLimiter(f, []Option{WithFaultPolicy(FailClosed), WithLogger(nil)})
		ctx := callCtx(t.Context(), opMetric)
		for range 3 {
			err := l.Wait(ctx)
			if !errors.Is(err, ErrUnavailable) || !errors.Is(err, cause) || errors.Is(err, chatapp.ErrThrottled) {
				t.Fatalf("Wait = %v, want ErrUnavailable wrapping the cause", err)
			}
		}
		if s := l.Stats(); s.Refused != 3 || s.RedisErrors != 1 {
			t.Errorf("stats %+v", s)
		}
		f.setErr(nil)
		time.Sleep(DefaultProbeInterval)
		if err := l.Wait(ctx); err != nil {
			t.Errorf("after recovery: Wait = %v", err)
		}
	})
}

func TestStalledRedisIsBoundedByTheTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.hold()
		l := newLimiter(f, []Option{WithRedisTimeout(150 * time.Millisecond), WithLogger(nil)})
		ctx := callCtx(t.Context(), opMetric)
		start := time.Now()
		if err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if got := time.Since(start); got != 150*time.Millisecond {
			t.Errorf("first Wait took %v, want the Redis timeout", got)
		}
		// Until the next probe, calls go straight to the fallback.
		start = time.Now()
		if err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if got := time.Since(start); got > DefaultLimit(opMetric).interval()+time.Millisecond {
			t.Errorf("second Wait took %v", got)
		}
		s := l.Stats()
		var timeout errRedisTimeout
		if !s.Degraded || !errors.As(l.health.cause(), &timeout) {
			t.Errorf("stats %+v, cause %v", s, l.health.cause())
		}
		f.release()
	})
}

func TestOneProbeAtATime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.setErr(errors.New("down"))
		l := newLimiter(f, []Option{WithLogger(nil), WithExpectedReplicas(1)})
		if err := l.Wait(callCtx(t.Context(), opMetric)); err != nil {
			t.Fatal(err)
		}
		f.hold()
		time.Sleep(DefaultProbeInterval)
		before := f.calls.Load()
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() { _ = l.Wait(callCtx(t.Context(), opMetric)) })
		}
		synctest.Wait()
		if got := f.calls.Load() - before; got != 1 {
			t.Errorf("%d concurrent probes, want 1", got)
		}
		f.release()
		wg.Wait()
	})
}

func TestNoCallInfoUsesTheOtherLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(newFake(), []Option{WithLimit("", Limit{PerSecond: 2, Burst: 1})})
		n := hammer(t.Context(), l, 2, time.Now().Add(5*time.Second))
		// Slots at 0, 0.5 s, ..., 4.5 s, and the one at 5 s ties with the
		// deadline.
		if n != 10 && n != 11 {
			t.Errorf("admitted %d in 5s at 2/s with burst 1, want 10 or 11", n)
		}
	})
}

// The default key is derived once per AccessKeyId and operation, not on
// every Wait; calls whose keys are equal still share one state.
func TestStateForDerivesTheKeyOnce(t *testing.T) {
	info := chatapp.CallInfo{Operation: opMetric, AccessKeyID: "LTAI5tExampleKey", Attempt: 1}
	for _, opts := range [][]Option{nil, {WithAccount("acme")}} {
		l := newLimiter(newFake(), opts)
		ks, err := l.stateFor(info)
		if err != nil {
			t.Fatal(err)
		}
		if ks.key != l.keyFor(info) || ks.limit != DefaultLimit(opMetric) {
			t.Errorf("state %q %+v, want %q %+v", ks.key, ks.limit, l.keyFor(info), DefaultLimit(opMetric))
		}
		if allocs := testing.AllocsPerRun(100, func() { _, _ = l.stateFor(info) }); allocs != 0 {
			t.Errorf("stateFor of a known call: %v allocations, want 0", allocs)
		}
		other := info
		other.AccessKeyID = "LTAI5tOtherKey"
		ks2, _ := l.stateFor(other)
		if shared := ks2 == ks; shared != (opts != nil) {
			t.Errorf("options %d: another AccessKeyId shares the state: %v", len(opts), shared)
		}
		roi := info
		roi.Operation = "EnableWhatsappROIMetric"
		if ks3, _ := l.stateFor(roi); ks3 == ks {
			t.Errorf("another operation shares the state")
		}
	}
	// A key function may read any field, so it runs for every call.
	var calls int
	l := newLimiter(newFake(), []Option{WithKeyFunc(func(chatapp.CallInfo) string { calls++; return "k" })})
	a, _ := l.stateFor(info)
	b, _ := l.stateFor(info)
	if calls != 2 || a != b {
		t.Errorf("key function ran %d times for 2 calls; same state %v", calls, a == b)
	}
}

// A Wait whose own probe fails goes to the fault policy; it does not probe
// again, however short the probe interval, so a stalled Redis cannot keep
// a Wait without deadline asking it forever (issue 11.9c). The interval is
// set below what WithProbeInterval accepts, to show that the loop does not
// depend on it.
func TestFailedProbeGoesToFaultPolicyWithoutLooping(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.hold() // Redis stalls: every call runs into the Redis timeout
		defer f.release()
		l := newLimiter(f, []Option{WithRedisTimeout(100 * time.Millisecond), WithLogger(nil)})
		l.cfg.probeInterval = 0
		ctx, cancel := context.WithCancel(callCtx(t.Context(), opMetric))
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- l.Wait(ctx) }() // no deadline
		time.Sleep(2 * time.Second)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Wait = %v, want admission by the fallback", err)
			}
		default:
			t.Errorf("Wait still running after 2s against a stalled Redis; %d Redis calls", f.calls.Load())
			cancel()
			<-done
		}
		if s := l.Stats(); s.RedisCalls != 1 || s.FallbackAdmitted != 1 {
			t.Errorf("stats %+v, want one Redis call, then the fallback", s)
		}
	})
}

// replyError is a Redis error reply, as go-redis returns one.
type replyError string

func (e replyError) Error() string { return string(e) }
func (replyError) RedisError()     {}

// Only errors caused by the key's value are bucket faults; errors of the
// whole server still start an outage (issue 11.9a).
func TestKeyFaultClassification(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{replyError("WRONGTYPE Operation against a key holding the wrong kind of value script: f52a, on @user_script:26."), true},
		{replyError("ERR user_script:34: bad argument #1 to 'max' (number expected, got nil) script: f52a, on @user_script:34."), true},
		{fmt.Errorf("parse: %w", &strconv.NumError{Func: "ParseFloat", Num: "-nan", Err: strconv.ErrSyntax}), true},
		{replyError("READONLY You can't write against a read only replica."), false},
		{replyError("LOADING Redis is loading the dataset in memory"), false},
		{replyError("BUSY Redis is busy running a script."), false},
		{replyError("OOM command not allowed when used memory > 'maxmemory'."), false},
		{replyError("NOAUTH Authentication required."), false},
		{replyError("ERR unknown command 'EVALSHA'"), false},
		{errors.New("dial unix /nowhere: connect: connection refused"), false},
		{context.DeadlineExceeded, false},
		{errRedisTimeout{time.Second}, false},
	} {
		if got := keyFault(tc.err); got != tc.want {
			t.Errorf("keyFault(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// A call sleeping for its slot holds no lock: a caller behind it with a
// deadline it cannot meet learns so at once, instead of waiting at the
// per-key gate (issue 11.9b).
func TestSleeperDoesNotHoldTheGate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		l := newLimiter(f, []Option{WithLimit(opMetric, Limit{PerSecond: 1, Burst: 2})})
		l.jitter = func(int64) int64 { return 0 }
		ctx := callCtx(t.Context(), opMetric)
		for range 2 { // the burst
			if err := l.Wait(ctx); err != nil {
				t.Fatal(err)
			}
		}
		start := time.Now()
		third := make(chan error, 1)
		go func() { third <- l.Wait(ctx) }() // sleeps 1s for the next slot
		synctest.Wait()
		short, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
		defer cancel()
		// The next free slot after the sleeper's is at 2s.
		err := l.Wait(short)
		if _, ok := deadlineRefusal(err); !ok || time.Since(start) != 0 {
			t.Errorf("after %v: Wait = %v, want an immediate deadline refusal", time.Since(start), err)
		}
		if err := <-third; err != nil || time.Since(start) != time.Second {
			t.Errorf("sleeper: Wait = %v after %v, want nil after 1s", err, time.Since(start))
		}
		// A caller with a deadline that can be met gets the next slot.
		ok, cancel2 := context.WithTimeout(ctx, 1500*time.Millisecond)
		defer cancel2()
		if err := l.Wait(ok); err != nil || time.Since(start) != 2*time.Second {
			t.Errorf("Wait = %v after %v, want nil after 2s", err, time.Since(start))
		}
	})
}

// A go-redis client with ContextTimeoutEnabled answers the Redis timeout
// with a bare context.DeadlineExceeded, which can reach ask before its own
// timer does. A caller without a deadline must not see its own-deadline
// error for it.
func TestRedisTimeoutIsNotTheCallersDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.setErr(context.DeadlineExceeded) // the answer that won the race
		l := newLimiter(f, []Option{WithFaultPolicy(FailClosed), WithLogger(nil)})
		err := l.Wait(callCtx(t.Context(), opMetric)) // no deadline
		if !errors.Is(err, ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait = %v, want ErrUnavailable that does not match context.DeadlineExceeded", err)
		}
		var timeout errRedisTimeout
		if !errors.As(l.health.cause(), &timeout) {
			t.Errorf("cause %v, want the Redis timeout", l.health.cause())
		}
	})
}
