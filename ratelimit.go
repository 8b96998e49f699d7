package chatapp

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Limiter paces calls. A Client calls Wait once before every HTTP attempt,
// retries included, and sends nothing if Wait returns an error; the call
// then fails with an error matching ErrThrottled (or the context's error).
//
// Wait must return promptly with ctx.Err() when ctx ends, and should return
// a *LimiterDeadlineError at once, without sleeping, when the wait would
// outlast ctx's deadline. CallInfoFromContext tells a shared limiter which
// operation and AccessKeyId the call is for.
type Limiter interface {
	Wait(ctx context.Context) error
}

// Documented per-account limits (the cams API reference; spec/README.md).
const (
	// GetChatappPhoneNumberMetricRateLimit is the documented limit of
	// GetChatappPhoneNumberMetric, in requests per second per account.
	GetChatappPhoneNumberMetricRateLimit = 50
	// EnableWhatsappROIMetricRateLimit is the documented limit of
	// EnableWhatsappROIMetric, in requests per second per account.
	EnableWhatsappROIMetricRateLimit = 5
)

// limitHeadroom is the share of a documented limit the default limiter
// uses. A token bucket at exactly 50/s with burst 1 can put 51 calls in one
// closed one-second window, and network jitter moves arrivals closer
// together; at 96 % (48/s) the 51st call of any window is 41 ms away, which
// absorbs scheduling and network jitter on a busy host.
const limitHeadroom = 0.96

// NewRateLimiter returns an in-process token bucket Limiter that admits
// perSecond calls a second with a burst of one, so that no sliding
// one-second window sees more than perSecond+1 calls. Its Wait fails at
// once with a *LimiterDeadlineError when the wait would outlast the context
// deadline. perSecond must be positive: a limiter made with zero, a negative
// number or NaN refuses every call with an error matching ErrThrottled.
func NewRateLimiter(perSecond float64) Limiter {
	if !(perSecond > 0) {
		return refuseAll{}
	}
	return &bucket{lim: rate.NewLimiter(rate.Limit(perSecond), 1)}
}

type refuseAll struct{}

func (refuseAll) Wait(context.Context) error {
	return fmt.Errorf("%w: the rate limiter was made with a rate that is not positive", ErrThrottled)
}

// bucket adapts rate.Limiter to our error contract.
type bucket struct{ lim *rate.Limiter }

func (b *bucket) Wait(ctx context.Context) error {
	err := b.lim.Wait(ctx)
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		return err
	}
	// rate.Limiter refused because the wait would pass the deadline; its
	// error says so only in prose (golang/go#54541). The deadline may have
	// passed since, so ctx.Err() can be set by now: the refusal is still
	// this one, not the context's.
	wait := time.Duration(0)
	if r := b.lim.Limit(); r > 0 {
		if missing := 1 - b.lim.Tokens(); missing > 0 {
			wait = time.Duration(missing / float64(r) * float64(time.Second))
		}
	}
	return &LimiterDeadlineError{Wait: wait}
}

// accountLimiter holds one bucket per operation, at the index of its id,
// for one AccessKeyId.
type accountLimiter [len(operations)]Limiter

func newAccountLimiter() *accountLimiter {
	var a accountLimiter
	for _, op := range operations {
		a[op.id] = NewRateLimiter(op.rateLimit * limitHeadroom)
	}
	return &a
}

// processLimiters shares the default buckets between every Client of one
// AccessKeyId in this process: the quota belongs to the account, not to a
// Client. Entries are never removed; each holds two small buckets.
var processLimiters = struct {
	sync.Mutex
	byAccessKey map[string]*accountLimiter
}{byAccessKey: make(map[string]*accountLimiter)}

func accountLimiterFor(accessKeyID string) *accountLimiter {
	processLimiters.Lock()
	defer processLimiters.Unlock()
	a := processLimiters.byAccessKey[accessKeyID]
	if a == nil {
		a = newAccountLimiter()
		processLimiters.byAccessKey[accessKeyID] = a
	}
	return a
}

// defaultLimiter is the per-operation, per-AccessKeyId default. It caches
// the last account it resolved, so the common case (one key) takes no lock.
type defaultLimiter struct {
	last atomic.Pointer[resolvedAccount]
}

type resolvedAccount struct {
	accessKeyID string
	limiter     *accountLimiter
}

func (d *defaultLimiter) wait(ctx context.Context, op *operation, accessKeyID string) error {
	r := d.last.Load()
	if r == nil || r.accessKeyID != accessKeyID {
		r = &resolvedAccount{accessKeyID, accountLimiterFor(accessKeyID)}
		d.last.Store(r)
	}
	return r.limiter[op.id].Wait(ctx)
}

// CallInfo describes the call a Limiter is asked to pace.
type CallInfo struct {
	Operation   string // the API action, e.g. "GetChatappPhoneNumberMetric"
	AccessKeyID string // the AccessKeyId the attempt will be signed with
	Attempt     int    // 1 for the first attempt, 2 for the first retry, ...
}

type callInfoKey struct{}

// CallInfoFromContext returns the call a Limiter's Wait is pacing. It is
// set on the context passed to Limiter.Wait; ok is false elsewhere.
func CallInfoFromContext(ctx context.Context) (info CallInfo, ok bool) {
	info, ok = ctx.Value(callInfoKey{}).(CallInfo)
	return info, ok
}

// ContextWithCallInfo returns a copy of ctx carrying info. Limiter authors
// use it in tests to call Wait as a Client would.
func ContextWithCallInfo(ctx context.Context, info CallInfo) context.Context {
	return context.WithValue(ctx, callInfoKey{}, info)
}
