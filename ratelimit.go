package chatapp

import (
	"context"
	"errors"
	"fmt"
	"sync"
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

// Documented per-account limits (the cams API reference,
// "QPS limit" of each operation's page, e.g.
// https://www.alibabacloud.com/help/en/chatapp/developer-reference/api-cams-2020-06-06-getchatapptemplatemetric).
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

// maxProcessAccounts bounds the process-wide default limiter. Each entry
// holds a few small buckets; a process that builds Clients for more
// credential sources than this (a multi-tenant gateway, say) drops the
// least recently resolved entry, and a Client built later for that source
// starts a fresh bucket while older Clients keep theirs.
const maxProcessAccounts = 1024

// processLimiters shares the default buckets between every Client of one
// credential source in this process: the quota belongs to the account, not
// to a Client. A source is keyed once, when a Client is built, by
// credentialSource.limiterKey: a fixed AccessKey by its AccessKeyId, a
// credentials-go provider by the provider itself. Keying a provider by
// the AccessKeyId it last returned would give rotating STS credentials a
// fresh bucket, and a new map entry, on every rotation, and old and new
// keys together could exceed the account's quota while both are in use;
// the provider stands for the account for as long as it lives.
var processLimiters = struct {
	sync.Mutex
	byKey map[any]*accountEntry
	clock uint64 // counts resolutions, for least-recently-used eviction
}{byKey: make(map[any]*accountEntry)}

type accountEntry struct {
	limiter *accountLimiter
	used    uint64
}

func accountLimiterFor(key any) *accountLimiter {
	processLimiters.Lock()
	defer processLimiters.Unlock()
	processLimiters.clock++
	e := processLimiters.byKey[key]
	if e == nil {
		if len(processLimiters.byKey) >= maxProcessAccounts {
			evictLeastRecentlyUsed()
		}
		e = &accountEntry{limiter: newAccountLimiter()}
		processLimiters.byKey[key] = e
	}
	e.used = processLimiters.clock
	return e.limiter
}

// evictLeastRecentlyUsed drops the entry resolved longest ago. It runs only
// when a new source arrives at a full map, so a linear scan is cheap.
func evictLeastRecentlyUsed() {
	var oldest any
	var oldestUse uint64
	for k, e := range processLimiters.byKey {
		if oldest == nil || e.used < oldestUse {
			oldest, oldestUse = k, e.used
		}
	}
	delete(processLimiters.byKey, oldest)
}

// defaultLimiter is the per-operation default of one Client: the buckets
// of its credential source, resolved when the Client was built, so that a
// call takes no lock and a rotation of credentials keeps the bucket.
type defaultLimiter struct {
	account *accountLimiter
}

func (d *defaultLimiter) wait(ctx context.Context, op *operation) error {
	return d.account[op.id].Wait(ctx)
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
