package chatapp

import (
	"strconv"
	"time"
)

// Defaults of the range options.
const (
	// DefaultDailyWindowDays is how many days one DAILY request of a range
	// query covers. The service documents no maximum range; a month per
	// request keeps each answer small while a quarter costs three calls.
	DefaultDailyWindowDays = 30
	// DefaultHalfHourWindow is how long a span one HALF_HOUR request of a
	// range query covers: 48 points per request.
	DefaultHalfHourWindow = 24 * time.Hour
	// DefaultWorkers is how many numbers QueryPhoneNumbers fetches at once.
	// The account's rate limit, not the workers, bounds the throughput; a
	// few workers are enough to keep the limiter busy while answers travel.
	DefaultWorkers = 4
	// DefaultMaxCalls is how many calls a range query may plan (10,000:
	// over three minutes of GetChatappPhoneNumberMetric's quota). A range
	// that needs more fails at once with a *ValidationError.
	DefaultMaxCalls = 10_000
)

// RangeOption configures the range queries (PhoneNumberMetrics,
// TemplateMetrics, and each number of QueryPhoneNumbers). An
// option given a bad value makes the query fail, before anything is sent,
// with a *ValidationError naming the option.
type RangeOption func(*rangeConfig) error

// rangeConfig collects the range options.
type rangeConfig struct {
	dailyDays      int
	halfHourWindow time.Duration
	zone           *time.Location
	workers        int
	maxCalls       int
	progress       func(RangeProgress)
}

func newRangeConfig(opts []RangeOption) (*rangeConfig, error) {
	q := make([]QueryOption, len(opts))
	for i, o := range opts {
		if o != nil {
			q[i] = o
		}
	}
	return newQueryConfig(q)
}

// newQueryConfig collects the options of a query of many numbers.
func newQueryConfig(opts []QueryOption) (*rangeConfig, error) {
	cfg := &rangeConfig{
		dailyDays:      DefaultDailyWindowDays,
		halfHourWindow: DefaultHalfHourWindow,
		zone:           chinaStandardTime,
		workers:        DefaultWorkers,
		maxCalls:       DefaultMaxCalls,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt.applyQuery(cfg); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// DailyWindow sets how many days one DAILY request of a range query covers
// (default DefaultDailyWindowDays). Use it if the service turns out to
// refuse long ranges, or to have smaller answers.
func DailyWindow(days int) RangeOption {
	return func(c *rangeConfig) error {
		if days < 1 {
			return &ValidationError{Field: "DailyWindow", Rule: "must be at least 1 day, got " + strconv.Itoa(days)}
		}
		c.dailyDays = days
		return nil
	}
}

// HalfHourWindow sets the span one HALF_HOUR request of a range query
// covers (default DefaultHalfHourWindow). It must be a positive multiple
// of 30 minutes, so that windows end between buckets.
func HalfHourWindow(d time.Duration) RangeOption {
	return func(c *rangeConfig) error {
		if d < halfHourLength || d%halfHourLength != 0 {
			return &ValidationError{Field: "HalfHourWindow", Rule: "must be a positive multiple of 30m, got " + d.String()}
		}
		c.halfHourWindow = d
		return nil
	}
}

// BucketZone sets the time zone whose midnights the service's buckets are
// aligned to (default ChinaStandardTime). Range queries end their windows
// on those bucket boundaries, so that no window cuts a bucket in two.
func BucketZone(loc *time.Location) RangeOption {
	return func(c *rangeConfig) error {
		if loc == nil {
			return &ValidationError{Field: "BucketZone", Rule: "must not be nil"}
		}
		c.zone = loc
		return nil
	}
}

// MaxCalls sets how many calls a range query may make (default
// DefaultMaxCalls); for QueryPhoneNumbers and ChannelPhoneNumberMetrics it
// counts the calls of every number. A range that needs more fails before
// anything is sent, with a *ValidationError that says how many calls it
// would take.
func MaxCalls(n int) RangeOption {
	return func(c *rangeConfig) error {
		if n < 1 {
			return &ValidationError{Field: "MaxCalls", Rule: "must be at least 1, got " + strconv.Itoa(n)}
		}
		c.maxCalls = n
		return nil
	}
}

// QueryOption configures QueryPhoneNumbers and ChannelPhoneNumberMetrics,
// which query many numbers at once: Workers, and every RangeOption, which
// applies to each number's range. Workers is not a RangeOption, so that a
// single-number range query cannot be given it and silently ignore it.
type QueryOption interface {
	applyQuery(*rangeConfig) error
}

// applyQuery makes every RangeOption a QueryOption. A nil RangeOption is
// skipped, as newRangeConfig skips a nil QueryOption: a nil func stored in
// the interface is not a nil interface.
func (o RangeOption) applyQuery(c *rangeConfig) error {
	if o == nil {
		return nil
	}
	return o(c)
}

// workersOption is what Workers returns.
type workersOption int

func (n workersOption) applyQuery(c *rangeConfig) error {
	if n < 1 {
		return &ValidationError{Field: "Workers", Rule: "must be at least 1, got " + strconv.Itoa(int(n))}
	}
	c.workers = int(n)
	return nil
}

// Workers sets how many numbers QueryPhoneNumbers and
// ChannelPhoneNumberMetrics fetch at once (default DefaultWorkers).
func Workers(n int) QueryOption { return workersOption(n) }

// RangeProgress describes a window that a range query has just fetched.
type RangeProgress struct {
	PhoneNumber string // the request's PhoneNumber
	Window      int    // 1 for the first window of the range
	Windows     int    // how many windows the range is split into
}

// ReportProgress makes a range query call fn after every window it has
// fetched, before the window's points are yielded: a command line tool
// uses it to draw a progress line. Under QueryPhoneNumbers fn is called
// from several goroutines at once, so it must be safe for concurrent use.
func ReportProgress(fn func(RangeProgress)) RangeOption {
	return func(c *rangeConfig) error {
		c.progress = fn
		return nil
	}
}
