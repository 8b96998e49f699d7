package chatapptest

import (
	"log/slog"
	"time"

	"github.com/chatappkit/chatapp"
)

// ServerOption configures an Emulator (and so a Server) when it is made.
// Options are applied in order; a later one overrides an earlier one.
type ServerOption func(*config)

// config collects options before NewEmulator applies them.
type config struct {
	now          func() time.Time
	loc          *time.Location
	skew         time.Duration
	id, secret   string
	keys         []credential
	limits       map[string]int
	roiDisabled  bool
	phoneNumbers []string
	logLimit     int
	logger       *slog.Logger
	custSpaceID  string
	templates    []Template
}

func defaultConfig() *config {
	return &config{
		now:  time.Now,
		loc:  chatapp.ChinaStandardTime(),
		skew: DefaultTimestampSkew,
		limits: map[string]int{
			actionGetMetric: chatapp.GetChatappPhoneNumberMetricRateLimit,
			actionEnableROI: chatapp.EnableWhatsappROIMetricRateLimit,

			actionQueryPhoneNumbers: chatapp.QueryChatappPhoneNumbersRateLimit,
			actionTemplateMetric:    chatapp.GetChatappTemplateMetricRateLimit,
			actionHealthStatus:      chatapp.GetWhatsappHealthStatusRateLimit,
		},
		custSpaceID:  DefaultCustSpaceID,
		templates:    DefaultTemplates,
		phoneNumbers: []string{"8613800001234", "8613800005678"},
		logLimit:     DefaultRequestLogLimit,
	}
}

// DefaultTimestampSkew is how far a request's timestamp may be from the
// emulator's clock, either way, as at the real gateway.
const DefaultTimestampSkew = 15 * time.Minute

// DefaultRequestLogLimit is how many requests the log keeps unless
// WithRequestLogLimit says otherwise; older ones are dropped first.
const DefaultRequestLogLimit = 10000

// WithClock makes the emulator read the time from now instead of
// time.Now. The clock judges request timestamps (see WithTimestampSkew),
// paces the rate limiter, ends nonce memory, and decides which buckets
// have started, so tests can step through time exactly. now must be safe
// for concurrent use. A nil now keeps time.Now.
//
// A chatapp.Client signs with the real time: with a clock far from it,
// also relax WithTimestampSkew.
func WithClock(now func() time.Time) ServerOption {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithLocation sets the time zone whose midnights bound DAILY buckets and
// in which HALF_HOUR buckets are counted from midnight (default
// chatapp.ChinaStandardTime(), a fixed UTC+8: the service's day, as the API
// reference's examples end at 23:59:59 UTC+8). A nil loc keeps the default.
func WithLocation(loc *time.Location) ServerOption {
	return func(c *config) {
		if loc != nil {
			c.loc = loc
		}
	}
}

// WithTimestampSkew sets how far a request's timestamp (RPC Timestamp, V3
// x-acs-date) may be from the emulator's clock before the request fails
// with InvalidTimeStamp.Expired (default 15 minutes). Zero or less turns
// the check off, for tests whose clock is far from the client's.
func WithTimestampSkew(d time.Duration) ServerOption {
	return func(c *config) { c.skew = d }
}

// WithCredentials sets the AccessKey pair the emulator is made with, which
// Server.AccessKeyID and Server.AccessKeySecret report and Server.Client
// signs with, in place of a generated unique pair. An empty accessKeyID
// keeps the generated pair. Servers in one process that share a key also
// share the SDK's default rate limiter, so prefer the generated pair in
// tests.
func WithCredentials(accessKeyID, accessKeySecret string) ServerOption {
	return func(c *config) { c.id, c.secret = accessKeyID, accessKeySecret }
}

// WithAccessKey makes the emulator accept one more AccessKey pair.
func WithAccessKey(accessKeyID, accessKeySecret string) ServerOption {
	return func(c *config) {
		c.keys = append(c.keys, credential{id: accessKeyID, secret: accessKeySecret})
	}
}

// WithSTSToken makes the emulator accept STS credentials: requests signed
// with accessKeyID must carry token as their SecurityToken
// (x-acs-security-token under V3).
func WithSTSToken(accessKeyID, accessKeySecret, token string) ServerOption {
	return func(c *config) {
		c.keys = append(c.keys, credential{id: accessKeyID, secret: accessKeySecret, token: token})
	}
}

// WithRateLimit sets the limit of one operation, in requests admitted per
// sliding second per AccessKeyId. The defaults are the documented ones:
// 50 for GetChatappPhoneNumberMetric, 5 for EnableWhatsappROIMetric, 10
// for QueryChatappPhoneNumbers, 50 for GetChatappTemplateMetric and 5 for
// GetWhatsappHealthStatus (the API reference's figure; the quota page says
// 100).
// perSecond <= 0 lifts the limit of that operation.
func WithRateLimit(action string, perSecond int) ServerOption {
	return func(c *config) { c.limits[action] = perSecond }
}

// WithoutRateLimit lifts the limits of every operation.
func WithoutRateLimit() ServerOption {
	return func(c *config) { clear(c.limits) }
}

// WithROIDisabled starts the emulator with WhatsApp ROI metric collection
// off for every CustSpaceId, as for a new account: metric queries answer
// with empty Data until EnableWhatsappROIMetric (or EnableROI) switches it
// on, and data then starts the day after. By default collection has been
// on since the UNIX epoch.
func WithROIDisabled() ServerOption {
	return func(c *config) { c.roiDisabled = true }
}

// WithPhoneNumbers replaces the sample set of business numbers the
// emulator knows ("8613800001234" and "8613800005678" by default). A
// metric query without PhoneNumber returns one series per known number;
// seeded numbers are known too.
func WithPhoneNumbers(numbers ...string) ServerOption {
	return func(c *config) { c.phoneNumbers = append([]string(nil), numbers...) }
}

// WithRequestLogLimit sets how many requests Requests keeps (default
// DefaultRequestLogLimit); older ones are dropped first. n <= 0 keeps none;
// Stats still counts every request.
func WithRequestLogLimit(n int) ServerOption {
	return func(c *config) { c.logLimit = n }
}

// WithLogger writes one Info record per request to l: action, status,
// code, latency, AccessKeyId and signature scheme. Records never carry
// secrets, tokens, signatures or the query. By default nothing is logged.
func WithLogger(l *slog.Logger) ServerOption {
	return func(c *config) { c.logger = l }
}

// WithCustSpaceID sets the ID of the channel the emulator simulates
// (default DefaultCustSpaceID), which Server.CustSpaceID reports. An empty
// id keeps the default.
func WithCustSpaceID(id string) ServerOption {
	return func(c *config) {
		if id != "" {
			c.custSpaceID = id
		}
	}
}

// WithTemplates replaces the channel's templates (DefaultTemplates unless
// given). Templates without a Code or a Language are ignored.
func WithTemplates(templates ...Template) ServerOption {
	return func(c *config) {
		c.templates = nil
		for _, t := range templates {
			if t.Code != "" && t.Language != "" {
				c.templates = append(c.templates, t)
			}
		}
	}
}
