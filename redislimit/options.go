package redislimit

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/chatappkit/chatapp"
)

// Limit is the pace one operation is held to across every process that
// shares its key.
type Limit struct {
	// PerSecond is the sustained rate in calls a second, from 1e-6 (one
	// call in about 11 days) to 1e6.
	PerSecond float64
	// Burst is how many calls may go at once after a quiet spell; at
	// least 1. Every call past the burst is spaced 1/PerSecond apart.
	Burst int
}

// Headroom is the share of a documented limit the default limits use, as
// in the core's in-process default. It keeps a strict sliding one-second
// window at the server within the documented limit even when calls
// granted on schedule reach the server up to 41 ms early or late relative
// to each other (network and scheduling jitter).
const Headroom = 0.96

// Defaults of the options below.
const (
	// DefaultRedisTimeout bounds each Redis call. A Redis in the same
	// region answers in about a millisecond; this is long enough for a
	// garbage-collection pause and short enough that a stalled server does
	// not stall the caller.
	DefaultRedisTimeout = 200 * time.Millisecond
	// DefaultProbeInterval is how often, while Redis is unavailable, one
	// call tries it again.
	DefaultProbeInterval = time.Second
	// MinProbeInterval is the shortest interval WithProbeInterval accepts:
	// a shorter one would make every call during an outage a probe.
	MinProbeInterval = 10 * time.Millisecond
)

// DefaultLimit returns the limit a Limiter applies to operation unless
// WithLimit says otherwise: the documented per-account limit L with
// Headroom, as PerSecond = (L − Burst + 1) × Headroom.
//
// GetChatappPhoneNumberMetric (L = 50) gets 47.04/s with a burst of 2:
// its calls are only 21 ms apart, and a burst of 2 lets a call that wakes
// up a little late (timer slack, the Redis round trip, jitter) still use
// its slot instead of losing it, which a burst of 1 would do on every
// late wake-up. EnableWhatsappROIMetric (L = 5) gets 4.8/s with a burst of
// 1, where lateness is negligible next to 208 ms. Any other operation, and
// a Wait whose context carries no chatapp.CallInfo, gets the
// EnableWhatsappROIMetric limit, the most cautious documented one.
//
// With either default no closed one-second window holds more than L
// grants, and it stays so when arrivals at the server are displaced from
// their grants by up to 41 ms.
func DefaultLimit(operation string) Limit {
	switch operation {
	case "GetChatappPhoneNumberMetric":
		return headroomLimit(chatapp.GetChatappPhoneNumberMetricRateLimit, 2)
	default:
		return headroomLimit(chatapp.EnableWhatsappROIMetricRateLimit, 1)
	}
}

// headroomLimit derives a limit from a documented one. A GCRA bucket
// grants at most burst + ⌊W·r⌋ calls in any window W, so r < (L − burst +
// 1)/(1+Δ) keeps a window stretched by Δ within L.
func headroomLimit(documented, burst int) Limit {
	return Limit{PerSecond: float64(documented-burst+1) * Headroom, Burst: burst}
}

func (l Limit) check() error {
	switch {
	case !(l.PerSecond >= 1e-6 && l.PerSecond <= 1e6): // NaN fails too
		return fmt.Errorf("the PerSecond field must be between 1e-6 and 1e6, got %v", l.PerSecond)
	case l.Burst < 1:
		return fmt.Errorf("the Burst field must be at least 1, got %d", l.Burst)
	}
	return nil
}

// interval is the emission interval: the spacing of calls past the burst.
func (l Limit) interval() time.Duration {
	return time.Duration(float64(time.Second) / l.PerSecond)
}

// FaultPolicy says what Wait does while Redis is unreachable or failing.
type FaultPolicy int

const (
	// Fallback admits calls through an in-process token bucket per key at
	// the key's rate divided by the expected number of replicas
	// (WithExpectedReplicas), with a burst of 1. It is the default: the
	// service keeps being called, at a pace that keeps the whole fleet
	// within the quota if the replica count is right.
	Fallback FaultPolicy = iota
	// FailClosed refuses every call with an error matching ErrUnavailable.
	// Choose it when a throttled call costs more than a call not made.
	FailClosed
)

// String names the policy.
func (p FaultPolicy) String() string {
	switch p {
	case Fallback:
		return "fallback"
	case FailClosed:
		return "fail-closed"
	}
	return fmt.Sprintf("FaultPolicy(%d)", int(p))
}

// Option configures a Limiter. Options are applied in order, so a later
// one overrides an earlier one.
type Option func(*config) error

// config collects the options.
type config struct {
	limits        map[string]Limit
	otherLimit    Limit
	account       string
	keyFunc       func(chatapp.CallInfo) string
	replicas      int
	policy        FaultPolicy
	redisTimeout  time.Duration
	probeInterval time.Duration
	logger        *slog.Logger
}

func defaultConfig() config {
	return config{
		limits: map[string]Limit{
			"GetChatappPhoneNumberMetric": DefaultLimit("GetChatappPhoneNumberMetric"),
			"EnableWhatsappROIMetric":     DefaultLimit("EnableWhatsappROIMetric"),
		},
		otherLimit:    DefaultLimit(""),
		replicas:      1,
		policy:        Fallback,
		redisTimeout:  DefaultRedisTimeout,
		probeInterval: DefaultProbeInterval,
		logger:        slog.Default(),
	}
}

func optionError(option, rule string) error {
	return errors.New("redislimit: " + option + ": " + rule)
}

// WithLimit sets the limit of operation, an API action such as
// "GetChatappPhoneNumberMetric". The empty operation sets the limit of
// every operation that has none of its own, and of Waits whose context
// carries no chatapp.CallInfo. The limit is used as given, without
// Headroom.
//
// Every process sharing a key must use the same limit: the bucket's state
// in Redis is a time, and each caller advances it by its own interval.
func WithLimit(operation string, lim Limit) Option {
	return func(c *config) error {
		if err := lim.check(); err != nil {
			return optionError("WithLimit", err.Error())
		}
		if operation == "" {
			c.otherLimit = lim
		} else {
			c.limits[operation] = lim
		}
		return nil
	}
}

// WithAccount names the quota's owner in the Redis key instead of a hash
// of the AccessKeyId. Use it when replicas sign with different AccessKeys
// of the same account (RAM users, or a key being rotated), since the quota
// belongs to the account and a key per AccessKeyId would split it. The key
// becomes "rate:chatapp:<account>:<operation>".
func WithAccount(account string) Option {
	return func(c *config) error {
		if account == "" {
			return optionError("WithAccount", "the account must not be empty")
		}
		c.account = account
		return nil
	}
}

// WithKeyFunc derives the Redis key of each call from its CallInfo,
// replacing the default "chatapp:<account>:<operation>" (redis_rate adds
// the prefix "rate:"). Calls whose keys are equal share one bucket; the
// bucket's limit is still that of the call's operation. A key function
// that returns "" makes that Wait fail.
func WithKeyFunc(f func(chatapp.CallInfo) string) Option {
	return func(c *config) error {
		if f == nil {
			return optionError("WithKeyFunc", "the key function must not be nil")
		}
		c.keyFunc = f
		return nil
	}
}

// WithExpectedReplicas tells the Fallback policy how many processes share
// the quota, so that while Redis is unavailable each admits rate ÷ n
// calls a second. The default, 1, lets every process use the whole rate
// on its own, which is what the core's in-process limiter does; set it to
// the replica count to stay within the quota through a Redis outage.
func WithExpectedReplicas(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return optionError("WithExpectedReplicas", fmt.Sprintf("n must be at least 1, got %d", n))
		}
		c.replicas = n
		return nil
	}
}

// WithFaultPolicy sets what Wait does while Redis is unavailable:
// Fallback (the default) or FailClosed.
func WithFaultPolicy(p FaultPolicy) Option {
	return func(c *config) error {
		if p != Fallback && p != FailClosed {
			return optionError("WithFaultPolicy", fmt.Sprintf("the policy must be Fallback or FailClosed, got %v", p))
		}
		c.policy = p
		return nil
	}
}

// WithRedisTimeout bounds each Redis call (default DefaultRedisTimeout).
// The bound holds even when the Redis client was built without
// ContextTimeoutEnabled, which otherwise ignores context deadlines on
// socket reads. A call that times out counts as a Redis fault.
func WithRedisTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return optionError("WithRedisTimeout", fmt.Sprintf("the timeout must be positive, got %v", d))
		}
		c.redisTimeout = d
		return nil
	}
}

// WithProbeInterval sets how often, while Redis is unavailable, one call
// tries it again (default DefaultProbeInterval, at least
// MinProbeInterval). Other calls meanwhile follow the fault policy without
// touching Redis, so an outage costs at most one Redis timeout per
// interval. A Wait whose own Redis call failed follows the fault policy
// at once, whatever the interval.
func WithProbeInterval(d time.Duration) Option {
	return func(c *config) error {
		if d < MinProbeInterval {
			return optionError("WithProbeInterval", fmt.Sprintf("the interval must be at least %v, got %v", MinProbeInterval, d))
		}
		c.probeInterval = d
		return nil
	}
}

// WithLogger sets where the Limiter reports losing Redis (one warning per
// outage) and getting it back (one info record). The default is
// slog.Default(); nil logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			l = slog.New(slog.DiscardHandler)
		}
		c.logger = l
		return nil
	}
}
