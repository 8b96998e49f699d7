package chatapp

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	alicred "github.com/aliyun/credentials-go/credentials"
)

// DefaultEndpoint is the service's only documented endpoint (Singapore).
const DefaultEndpoint = "https://cams.ap-southeast-1.aliyuncs.com"

// Defaults of the options below.
const (
	DefaultMaxAttempts      = 3
	DefaultMaxResponseBytes = 1 << 20
	DefaultAttemptTimeout   = 30 * time.Second
)

// Option configures a Client. Options are applied in order, so a later one
// overrides an earlier one; one that is given a bad value makes NewClient
// fail with an error naming the option.
//
// Its settings are unexported on purpose: only this package's With...
// functions make Options, so a setting can change shape without breaking
// anyone, and a Client is inspected through its methods (Endpoint, String)
// rather than through the options that built it. Collect Options in a
// []Option to pass the same configuration around.
type Option func(*settings) error

// settings collects options before NewClient turns them into a Client.
type settings struct {
	endpoint         string
	credentials      credentialSource
	httpClient       *http.Client
	signature        SignatureVersion
	limiter          Limiter
	limiterSet       bool
	maxAttempts      int
	backoff          Backoff
	logger           *slog.Logger
	userAgent        string
	maxResponseBytes int64
	attemptTimeout   time.Duration
	observers        []Observer
	wrapTransport    []func(http.RoundTripper) http.RoundTripper
}

func optionError(option, rule string) error {
	return errors.New(option + ": " + rule)
}

// WithEndpoint sets the service URL, e.g. "https://cams.ap-southeast-1.aliyuncs.com".
// A bare host name means https. Plain http:// is accepted only for loopback
// hosts (an emulator or a test server); anything else makes NewClient fail,
// since credentials-derived headers must not cross a network unencrypted.
// A plain-http host name (localhost) is trusted by what it resolves to: a
// dial to any address that is not loopback is refused.
func WithEndpoint(url string) Option {
	return func(s *settings) error {
		s.endpoint = url
		return nil
	}
}

var regionPattern = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+)+$`)

// WithRegion sets the endpoint to https://cams.<id>.aliyuncs.com. Only
// ap-southeast-1 is documented; other ids are allowed for regions Alibaba
// may add.
func WithRegion(id string) Option {
	return func(s *settings) error {
		if !regionPattern.MatchString(id) {
			return optionError("WithRegion", fmt.Sprintf("region id %q is not of the form ap-southeast-1", id))
		}
		s.endpoint = "https://cams." + id + ".aliyuncs.com"
		return nil
	}
}

// WithAccessKey signs with a fixed AccessKey pair instead of the
// credentials-go default chain.
func WithAccessKey(id, secret string) Option {
	return func(s *settings) error {
		c := credentials{accessKeyID: id, accessKeySecret: secret}
		if err := c.validate(); err != nil {
			return optionError("WithAccessKey", err.Error())
		}
		s.credentials = &staticSource{&c}
		return nil
	}
}

// WithSTSToken signs with fixed STS credentials (an STS AccessKey pair and
// its SecurityToken). For STS credentials that expire, pass a refreshing
// credentials-go provider to WithCredential instead.
func WithSTSToken(id, secret, token string) Option {
	return func(s *settings) error {
		c := credentials{accessKeyID: id, accessKeySecret: secret, securityToken: token}
		if err := c.validate(); err != nil {
			return optionError("WithSTSToken", err.Error())
		}
		if token == "" {
			return optionError("WithSTSToken", "token is empty; use WithAccessKey for a plain AccessKey")
		}
		s.credentials = &staticSource{&c}
		return nil
	}
}

// WithCredential signs with credentials from a credentials-go Credential,
// asked once per attempt so that refreshed STS credentials are used as soon
// as the provider has them. Without any credential option, NewClient uses
// credentials.NewCredential(nil), the credentials-go default chain
// (environment, OIDC, CLI profile, credentials file, ECS RAM role, URI).
func WithCredential(cred alicred.Credential) Option {
	return func(s *settings) error {
		if cred == nil {
			return optionError("WithCredential", "credential is nil")
		}
		s.credentials = &providerSource{provider: cred}
		return nil
	}
}

// WithHTTPClient sends requests through hc. The Client never modifies hc: it
// uses a copy that follows no redirect (the service never redirects), so
// signed requests never reach a host or a scheme they were not meant for;
// a 3xx answer fails the call with a *RedirectError.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return optionError("WithHTTPClient", "client is nil")
		}
		s.httpClient = hc
		return nil
	}
}

// WithSignatureVersion selects the signing scheme: SignatureV3 (the
// default) or SignatureRPC.
func WithSignatureVersion(v SignatureVersion) Option {
	return func(s *settings) error {
		if v != SignatureV3 && v != SignatureRPC {
			return optionError("WithSignatureVersion", fmt.Sprintf("unknown version %d", int(v)))
		}
		s.signature = v
		return nil
	}
}

// WithRateLimiter paces every attempt through l instead of the default,
// which is a token bucket per operation at the documented limit (50/s for
// GetChatappPhoneNumberMetric, 5/s for EnableWhatsappROIMetric) shared by
// every Client of the same credential source in the process: the same
// AccessKeyId for WithAccessKey and WithSTSToken, the same provider for
// WithCredential and the default chain (so that rotating STS credentials
// keep one quota). A nil l disables
// client-side limiting. See the redislimit module for a limiter shared by
// many processes.
func WithRateLimiter(l Limiter) Option {
	return func(s *settings) error {
		s.limiter, s.limiterSet = l, true
		return nil
	}
}

// WithMaxAttempts sets how many HTTP attempts a call may make, the first
// included (default 3). 1 disables retries.
func WithMaxAttempts(n int) Option {
	return func(s *settings) error {
		if n < 1 {
			return optionError("WithMaxAttempts", fmt.Sprintf("must be at least 1, got %d", n))
		}
		s.maxAttempts = n
		return nil
	}
}

// Backoff sets the pauses between attempts. The pause before retry n (n=1
// for the first retry) is drawn uniformly from [0, min(Max, base·2^(n-1))]
// ("full jitter"), where base is ThrottleBase after a throttling answer and
// Base otherwise. A server wait hint replaces the draw, capped at Max.
type Backoff struct {
	Base         time.Duration // after a transient failure; default 100ms
	ThrottleBase time.Duration // after throttling; default 1s
	Max          time.Duration // ceiling of any pause, server hints included; default 20s
}

// defaultBackoff is the Backoff a Client uses unless WithBackoff says
// otherwise: the defaults that Backoff's fields document.
var defaultBackoff = Backoff{Base: 100 * time.Millisecond, ThrottleBase: time.Second, Max: 20 * time.Second}

// WithBackoff sets the pauses between attempts. Zero fields take their
// defaults: 100ms, 1s and 20s.
func WithBackoff(b Backoff) Option {
	return func(s *settings) error {
		if b.Base < 0 || b.ThrottleBase < 0 || b.Max < 0 {
			return optionError("WithBackoff", "durations must not be negative")
		}
		if b.Base == 0 {
			b.Base = defaultBackoff.Base
		}
		if b.ThrottleBase == 0 {
			b.ThrottleBase = defaultBackoff.ThrottleBase
		}
		if b.Max == 0 {
			b.Max = defaultBackoff.Max
		}
		s.backoff = b
		return nil
	}
}

// WithLogger sends a debug record per attempt (operation, attempt, status,
// error code, request ID, latency) to l. Records never carry credentials,
// signatures or the request URL's query. Without it the Client logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		if l == nil {
			l = slog.New(slog.DiscardHandler)
		}
		s.logger = l
		return nil
	}
}

// WithUserAgent appends ua to the User-Agent the Client sends, so the
// service's logs can tell your application apart.
func WithUserAgent(ua string) Option {
	return func(s *settings) error {
		if strings.ContainsFunc(ua, isControl) {
			return optionError("WithUserAgent", "must not contain control characters")
		}
		s.userAgent = strings.TrimSpace(ua)
		return nil
	}
}

// WithMaxResponseBytes caps the size of a response body (default 1 MiB). A
// larger body fails the call with ErrResponseTooLarge without being read
// past the cap.
func WithMaxResponseBytes(n int64) Option {
	return func(s *settings) error {
		if n < 1 {
			return optionError("WithMaxResponseBytes", fmt.Sprintf("must be positive, got %d", n))
		}
		s.maxResponseBytes = n
		return nil
	}
}

// WithAttemptTimeout bounds each HTTP attempt, body included (default 30s);
// the caller's context bounds the whole call. 0 leaves attempts bounded by
// the context alone.
func WithAttemptTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d < 0 {
			return optionError("WithAttemptTimeout", "must not be negative")
		}
		s.attemptTimeout = d
		return nil
	}
}
