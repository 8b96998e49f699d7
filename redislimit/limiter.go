package redislimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// ErrUnavailable matches the error Wait returns under the FailClosed
// policy while Redis is unreachable or failing. It unwraps to the Redis
// error too.
var ErrUnavailable = errors.New("redislimit: Redis unavailable")

// ErrBucketFault matches the error Wait returns when Redis answers but
// one bucket's key cannot be used: its value is not a time the
// rate-limit script can read ("nan" and "inf" included), the key has
// another type, or the stored time asks for a wait longer than one
// emission interval (plus the jitter margin), which no caller of the
// same limit can have written: a step back of Redis's clock, or another
// writer. Wait then fails at once instead of sleeping. It is that
// key's fault, not an outage: other keys keep their shared buckets, and
// the fault policy does not apply. The error is a *BucketError.
var ErrBucketFault = errors.New("redislimit: bucket fault")

// BucketError reports a fault of one bucket's key. It matches
// ErrBucketFault and unwraps to the cause. The Redis key holds the
// account only as AccountKey's hash or the WithAccount name, never an
// AccessKeyId or a secret.
type BucketError struct {
	Key       string // the Redis key, e.g. "rate:chatapp:ak-…:GetChatappPhoneNumberMetric"
	Operation string // the API action of the refused call, or "" without a chatapp.CallInfo
	Err       error  // what was wrong
}

// Error names the key, the operation and the cause.
func (e *BucketError) Error() string {
	op := e.Operation
	if op == "" {
		op = "_"
	}
	return fmt.Sprintf("redislimit: bucket %q (operation %s) is unusable: %v; fix or delete the key", e.Key, op, e.Err)
}

// Unwrap returns ErrBucketFault and the cause.
func (e *BucketError) Unwrap() []error { return []error{ErrBucketFault, e.Err} }

// Limiter is a chatapp.Limiter whose buckets live in Redis, so that every
// process using the same Redis and key shares one rate. It is safe for
// concurrent use; make one per process and share it between Clients. It
// keeps a few words of local state per key it has seen, for its lifetime.
type Limiter struct {
	cfg     config
	err     error // a bad option; Wait refuses every call with it
	backend backend
	health  health
	stats   counters
	jitter  func(n int64) int64 // uniform in [0, n); tests pin it

	mu     sync.Mutex
	keys   map[stateKey]*keyState // one per bucket: Redis key and limit
	byCall map[callKey]*keyState  // keys' entries by what the default key is derived from
}

var _ chatapp.Limiter = (*Limiter)(nil)

// New returns a Limiter that paces calls through rdb: a *redis.Client,
// *redis.ClusterClient, failover client or *redis.Ring. It does no I/O.
//
// A nil rdb or a bad option does not make New fail: the Limiter then
// refuses every call with an error naming the option and the rule, which
// Err reports at once, so a misconfiguration cannot quietly lift the
// limit.
func New(rdb redis.UniversalClient, opts ...Option) *Limiter {
	if rdb == nil {
		l := newLimiter(nil, opts)
		if l.err == nil {
			l.err = errors.New("redislimit: New: the Redis client must not be nil")
		}
		return l
	}
	return newLimiter(redisBackend{redis_rate.NewLimiter(rdb)}, opts)
}

func newLimiter(b backend, opts []Option) *Limiter {
	l := &Limiter{
		cfg:     defaultConfig(),
		backend: b,
		jitter:  rand.Int64N,
		keys:    make(map[stateKey]*keyState),
		byCall:  make(map[callKey]*keyState),
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&l.cfg); err != nil {
			l.err = err
			break
		}
	}
	return l
}

// errNilLimiter keeps a nil *Limiter, which is a non-nil chatapp.Limiter,
// from panicking inside a Client.
var errNilLimiter = errors.New("redislimit: the *Limiter is nil; make one with New")

// Err reports the configuration error that makes the Limiter refuse every
// call, or nil.
func (l *Limiter) Err() error {
	if l == nil {
		return errNilLimiter
	}
	return l.err
}

// Wait blocks until the shared bucket of the call's key admits one call,
// the context ends, or it is clear that the wait would outlast the
// context's deadline.
//
// The key and limit come from the chatapp.CallInfo that a chatapp.Client
// puts on ctx. Redis answers with how long to wait; Wait sleeps that long
// plus a little jitter, so that replicas woken for the same slot do not
// reach Redis in the same instant, and asks again. When the wait would
// pass ctx's deadline it returns a *chatapp.LimiterDeadlineError at once,
// which matches both chatapp.ErrThrottled and context.DeadlineExceeded.
// When ctx ends, Wait returns ctx.Err().
//
// Calls of one process on one key pass a per-key gate in order before
// they ask Redis, so Redis sees at most one call per key per process at a
// time; no call sleeps holding it. A wait longer than the limit can
// justify, or a value of the key that is not a time, fails with a
// *BucketError matching ErrBucketFault, for that key only.
//
// While Redis is unavailable, Wait follows the fault policy; calls waiting
// in the fallback bucket when Redis comes back go back to Redis.
func (l *Limiter) Wait(ctx context.Context) error {
	if err := l.Err(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	info, _ := chatapp.CallInfoFromContext(ctx)
	ks, err := l.stateFor(info)
	if err != nil {
		return err
	}
	for {
		outage := l.health.skipRedis(time.Now())
		if outage == nil {
			down, err := l.shared(ctx, ks, info.Operation)
			if !down {
				return err
			}
			// Redis failed this call, or another's: follow the fault
			// policy now rather than ask again, so that a short probe
			// interval cannot keep this Wait asking a failing Redis.
			if outage = l.health.current(); outage == nil {
				continue // the outage ended meanwhile
			}
		}
		recovered, err := l.degraded(ctx, ks, outage)
		if recovered {
			continue
		}
		return err
	}
}

// shared waits for the Redis bucket. down reports that Redis turned out
// to be unavailable, and the call must follow the fault policy instead.
//
// The per-key gate is held only while a call looks at the key's local
// schedule and asks Redis, never while it sleeps: a call that must wait
// claims a slot (the one Redis named, or the one after the slot of the
// call of this process that sleeps ahead of it), lets the gate go, sleeps
// until that slot and asks Redis then. A call behind it thus learns at
// once when its own slot would come, and fails at once if its deadline
// is nearer.
func (l *Limiter) shared(ctx context.Context, ks *keyState, operation string) (down bool, err error) {
	ahead := ks.queued.Add(1) - 1
	defer ks.queued.Add(-1)
	if least := ks.leastWait(ahead); least > 0 {
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < least {
			// Each call queued ahead needs a slot of its own, so this
			// one cannot be admitted sooner.
			l.stats.deadlineRefusals.Add(1)
			return false, &chatapp.LimiterDeadlineError{Wait: least}
		}
	}
	claimed := false // the call slept until a slot it claimed, and asks Redis now
	for {
		select {
		case ks.gate <- struct{}{}:
		case <-ctx.Done():
			return false, ctx.Err()
		}
		wait, settled, down, err := l.turn(ctx, ks, operation, claimed)
		<-ks.gate
		if settled {
			return down, err
		}
		claimed = true
		if err := l.pause(ctx, ks, wait); err != nil {
			return false, err
		}
	}
}

// turn is one look at the bucket, with ks.gate held. It settles the call
// (admitted, refused, or down: Redis is unavailable), or returns how long
// the call must sleep until the slot it claimed.
func (l *Limiter) turn(ctx context.Context, ks *keyState, operation string, claimed bool) (wait time.Duration, settled, down bool, err error) {
	interval := ks.limit.interval()
	if !claimed {
		if wait := time.Until(ks.next); wait > 0 {
			// A call of this process sleeps until a slot before ks.next,
			// so Redis would say "not yet": claim the next slot without
			// asking.
			if err := l.tooLate(ctx, wait); err != nil {
				return 0, true, false, err
			}
			ks.next = ks.next.Add(interval)
			return wait, false, false, nil
		}
	}
	ask, probe := l.health.route(time.Now())
	if !ask {
		return 0, true, true, nil
	}
	ok, retry, err := l.ask(ctx, ks)
	if err != nil {
		if ctx.Err() != nil {
			l.health.abandon(probe)
			return 0, true, false, ctx.Err()
		}
		var bad badBucket
		if errors.As(err, &bad) {
			// Redis answered: it is up, and only this key is wrong.
			l.healthy(probe)
			return 0, true, false, l.bucketFault(ks, operation, bad.err)
		}
		l.fault(probe, err)
		return 0, true, true, nil
	}
	l.healthy(probe)
	if ok {
		l.stats.admitted.Add(1)
		return 0, true, false, nil
	}
	if retry < 0 {
		// Only a stored value that is not a finite time gets here.
		return 0, true, false, l.bucketFault(ks, operation, fmt.Errorf(
			"the script answered a wait of %v, which no stored time can produce", retry))
	}
	if limit := maxRetry(interval); retry > limit {
		// For one call, a bucket in its limit's state never asks for more
		// than one interval: the stored time is not one this limit wrote.
		return 0, true, false, l.bucketFault(ks, operation, fmt.Errorf(
			"the script asks for a wait of %v, more than the %v that one emission interval and the jitter margin allow; the stored time is ahead of Redis's clock",
			retry.Round(time.Millisecond), limit.Round(time.Microsecond)))
	}
	if retry == 0 {
		// The script only denies with a positive wait; a clock step at the
		// server could still say 0, and a hot loop must not follow.
		retry = min(interval, time.Millisecond)
	}
	if err := l.tooLate(ctx, retry); err != nil {
		return 0, true, false, err
	}
	if next := time.Now().Add(retry + interval); next.After(ks.next) {
		ks.next = next
	}
	return retry, false, false, nil
}

// maxRetry is the longest wait Redis can legitimately ask of one call: one
// emission interval, plus the jitter margin for rounding and small steps
// of Redis's clock.
func maxRetry(interval time.Duration) time.Duration {
	return interval + maxJitter(interval)
}

// bucketFault counts and makes the *BucketError of ks's key.
func (l *Limiter) bucketFault(ks *keyState, operation string, err error) error {
	l.stats.bucketFaults.Add(1)
	return &BucketError{Key: redisPrefix + ks.key, Operation: operation, Err: err}
}

// tooLate refuses a wait that would pass ctx's deadline.
func (l *Limiter) tooLate(ctx context.Context, wait time.Duration) error {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
		l.stats.deadlineRefusals.Add(1)
		return &chatapp.LimiterDeadlineError{Wait: wait}
	}
	return nil
}

// pause sleeps wait, plus jitter unless that would pass ctx's deadline.
// No lock is held.
func (l *Limiter) pause(ctx context.Context, ks *keyState, wait time.Duration) error {
	d := wait + time.Duration(l.jitter(int64(maxJitter(ks.limit.interval()))+1))
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		d = wait
	}
	l.stats.delays.Add(1)
	return sleep(ctx, d)
}

// maxJitter is the most Wait adds to Redis's retry-after: a tenth of the
// emission interval, at most 2 ms. A caller that wakes late loses that
// much of its slot under a burst of 1, so the jitter is kept small next
// to the interval; it only has to spread replicas woken for the same slot
// by more than a Redis round trip.
func maxJitter(interval time.Duration) time.Duration {
	return min(interval/10, 2*time.Millisecond)
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// degraded admits or refuses a call by the fault policy. outage ends
// when Redis is back; recovered reports that it did while the call waited
// in the fallback bucket, which then gives the call's slot back, so that
// the call can go to Redis instead of adding to its rate.
func (l *Limiter) degraded(ctx context.Context, ks *keyState, outage context.Context) (recovered bool, err error) {
	if l.cfg.policy == FailClosed {
		l.stats.refused.Add(1)
		return false, fmt.Errorf("%w: %w", ErrUnavailable, l.health.cause())
	}
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(outage, cancel)()
	if err := ks.local(l.cfg.replicas).Wait(fctx); err != nil {
		if ctx.Err() == nil && outage.Err() != nil {
			return true, nil
		}
		if errors.Is(err, chatapp.ErrThrottled) {
			l.stats.deadlineRefusals.Add(1)
		}
		return false, err
	}
	l.stats.fallbackAdmitted.Add(1)
	return false, nil
}

// errRedisTimeout reports a Redis call cut off by the Redis timeout.
type errRedisTimeout struct{ d time.Duration }

func (e errRedisTimeout) Error() string {
	return fmt.Sprintf("no answer from Redis within %v", e.d)
}

// ask runs the rate-limit script once. The call runs in its own goroutine
// so that the Redis timeout holds even for a client that does not apply
// context deadlines to socket reads; an abandoned call finishes on its own
// at the client's ReadTimeout, and while Redis is down the probe interval
// allows only one such call at a time.
func (l *Limiter) ask(ctx context.Context, ks *keyState) (allowed bool, retry time.Duration, err error) {
	l.stats.redisCalls.Add(1)
	cctx, cancel := context.WithTimeout(ctx, l.cfg.redisTimeout)
	defer cancel()
	type answer struct {
		allowed bool
		retry   time.Duration
		err     error
	}
	done := make(chan answer, 1)
	go func() {
		var a answer
		a.allowed, a.retry, a.err = l.backend.allow(cctx, ks.key, ks.limit)
		done <- a
	}()
	select {
	case a := <-done:
		if a.err != nil && ctx.Err() == nil && (errors.Is(a.err, context.DeadlineExceeded) || errors.Is(a.err, context.Canceled)) {
			// A client with ContextTimeoutEnabled reports our own Redis
			// timeout as a bare context error, and its answer can arrive
			// before the timer below fires. It is a Redis fault, not the
			// end of the caller's context.
			return false, 0, errRedisTimeout{l.cfg.redisTimeout}
		}
		return a.allowed, a.retry, a.err
	case <-cctx.Done():
		if err := ctx.Err(); err != nil {
			return false, 0, err
		}
		return false, 0, errRedisTimeout{l.cfg.redisTimeout}
	}
}

// stateKey tells apart the local state of calls that share a Redis key
// but not a limit.
type stateKey struct {
	key   string
	limit Limit
}

// keyState is this process's side of one bucket.
type keyState struct {
	key   string // the Redis key, without redis_rate's "rate:" prefix
	limit Limit

	// gate holds one token: the call currently looking at next or asking
	// Redis, never one that sleeps. A channel wakes blocked senders in
	// FIFO order.
	gate   chan struct{}
	next   time.Time    // the first slot no sleeping call of this process has claimed; guarded by gate
	queued atomic.Int64 // calls waiting for the gate or for a slot

	fallbackOnce sync.Once
	fallback     chatapp.Limiter
}

// leastWait is a lower bound on the wait of a call with ahead calls of
// this process in front of it: each needs a slot, and at most Burst slots
// are free at once.
func (ks *keyState) leastWait(ahead int64) time.Duration {
	slots := ahead + 1 - int64(ks.limit.Burst)
	if slots <= 0 {
		return 0
	}
	return time.Duration(slots) * ks.limit.interval()
}

// local is the fallback bucket, made on first use.
func (ks *keyState) local(replicas int) chatapp.Limiter {
	ks.fallbackOnce.Do(func() {
		ks.fallback = chatapp.NewRateLimiter(ks.limit.PerSecond / float64(replicas))
	})
	return ks.fallback
}

// callKey is what the default key is derived from. accessKeyID is empty
// under WithAccount, where the key does not depend on it.
type callKey struct{ accessKeyID, operation string }

// errEmptyKey refuses a call whose WithKeyFunc key is empty.
var errEmptyKey = optionError("WithKeyFunc", "the key function returned an empty key")

// stateFor returns the local state of the call's bucket. The default key
// is derived once per AccessKeyId and operation; a WithKeyFunc function
// runs for every call, since it may read any field of the CallInfo.
func (l *Limiter) stateFor(info chatapp.CallInfo) (*keyState, error) {
	if l.cfg.keyFunc != nil {
		key := l.cfg.keyFunc(info)
		if key == "" {
			return nil, errEmptyKey
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.stateLocked(key, info.Operation), nil
	}
	ck := callKey{info.AccessKeyID, info.Operation}
	if l.cfg.account != "" {
		ck.accessKeyID = ""
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	ks := l.byCall[ck]
	if ks == nil {
		ks = l.stateLocked(l.keyFor(info), info.Operation)
		l.byCall[ck] = ks
	}
	return ks, nil
}

// stateLocked returns the local state of key's bucket under operation's
// limit, made on first use. l.mu must be held.
func (l *Limiter) stateLocked(key, operation string) *keyState {
	lim, ok := l.cfg.limits[operation]
	if !ok {
		lim = l.cfg.otherLimit
	}
	sk := stateKey{key, lim}
	ks := l.keys[sk]
	if ks == nil {
		ks = &keyState{key: key, limit: lim, gate: make(chan struct{}, 1)}
		l.keys[sk] = ks
	}
	return ks
}

// keyFor derives the default Redis key of a call. The AccessKeyId goes in
// hashed: many teams can list the keys of a shared Redis, and the
// identifier of a credential has no business there.
func (l *Limiter) keyFor(info chatapp.CallInfo) string {
	account := l.cfg.account
	if account == "" {
		account = AccountKey(info.AccessKeyID)
	}
	op := info.Operation
	if op == "" {
		op = "_"
	}
	return "chatapp:" + account + ":" + op
}

// AccountKey is the account part of the default key for an AccessKeyId:
// "ak-" and the first 16 hex digits of its SHA-256, or "_" for an empty
// AccessKeyId. Operators use it to find a bucket in Redis:
// "rate:chatapp:" + AccountKey(id) + ":" + operation.
func AccountKey(accessKeyID string) string {
	if accessKeyID == "" {
		return "_"
	}
	sum := sha256.Sum256([]byte(accessKeyID))
	return "ak-" + hex.EncodeToString(sum[:8])
}

// backend is the shared bucket store.
type backend interface {
	// allow takes one call from key's bucket, or says how long until it
	// could.
	allow(ctx context.Context, key string, lim Limit) (allowed bool, retry time.Duration, err error)
}

// redisBackend runs redis_rate's GCRA script, which reads the time with
// Redis's TIME, so that the clocks of the clients never matter, and keeps
// one key per bucket holding the theoretical arrival time, with a TTL
// that ends when the bucket would be full again.
type redisBackend struct{ rl *redis_rate.Limiter }

func (b redisBackend) allow(ctx context.Context, key string, lim Limit) (bool, time.Duration, error) {
	// The script's emission interval is Period/Rate; expressing the rate
	// as one call per interval keeps non-integer rates such as 47.04/s.
	res, err := b.rl.Allow(ctx, key, redis_rate.Limit{Rate: 1, Period: lim.interval(), Burst: lim.Burst})
	if err != nil {
		if keyFault(err) {
			return false, 0, badBucket{err}
		}
		return false, 0, err
	}
	if res.Allowed > 0 {
		// After an admission the bucket is full again within Burst
		// intervals. A stored value such as "nan", which Lua reads as a
		// number, admits every call with a reset time that is not one.
		if full := time.Duration(lim.Burst)*lim.interval() + maxJitter(lim.interval()); res.ResetAfter <= 0 || res.ResetAfter > full {
			return false, 0, badBucket{fmt.Errorf("the script admitted the call with a bucket reset in %v, outside (0, %v]; the stored value is not a time this limit wrote", res.ResetAfter, full)}
		}
		return true, 0, nil
	}
	return false, res.RetryAfter, nil
}

// redisPrefix is the prefix redis_rate puts before every key.
const redisPrefix = "rate:"

// badBucket is a backend error caused by one key's value, not by Redis.
type badBucket struct{ err error }

func (e badBucket) Error() string { return e.err.Error() }

// keyFault reports whether a failed script run was caused by the key it
// ran on: Redis answered WRONGTYPE (the key is not a string), or the
// script failed at run time (a value that is not a number makes its
// arithmetic fail), or its answer could not be parsed. Every other error
// (a connection failure, a timeout, READONLY, LOADING, BUSY, OOM, NOAUTH,
// CLUSTERDOWN, …) concerns the whole server.
func keyFault(err error) bool {
	var re redis.Error
	if errors.As(err, &re) {
		msg := re.Error()
		return strings.HasPrefix(msg, "WRONGTYPE ") ||
			strings.HasPrefix(msg, "ERR ") && strings.Contains(msg, "user_script")
	}
	var ne *strconv.NumError
	return errors.As(err, &ne)
}
