package chatapp

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"time"

	alicred "github.com/aliyun/credentials-go/credentials"
)

// Version is this module's version, sent in the User-Agent.
const Version = "0.1.0"

// Client calls the ChatApp Message Service (cams, API version 2020-06-06).
// Every call is paced by a rate limiter, signed, sent over HTTPS, decoded
// into typed results, and retried on throttling and transient failures.
//
// A Client is safe for concurrent use by many goroutines; make one and
// share it.
type Client struct {
	scheme  string
	host    string
	baseURL string
	// httpClient is the copy of the user's WithHTTPClient that requests go
	// through; nil without that option.
	httpClient *http.Client
	// roundTrip sends one request: httpClient.Do, or else the shared
	// transport's RoundTrip. RoundTrip follows no redirect (the API never
	// redirects) and needs no http.Client, whose Do would only copy the
	// headers for redirects that never happen.
	roundTrip        func(*http.Request) (*http.Response, error)
	credentials      credentialSource
	signature        SignatureVersion
	limiter          Limiter         // a user's limiter; nil with the default or none
	defaultLimiter   *defaultLimiter // nil when the user chose a limiter or none
	maxAttempts      int
	backoff          Backoff
	logger           *slog.Logger
	userAgent        string
	maxResponseBytes int64
	attemptTimeout   time.Duration
	observer         *observer // nil without WithObserver

	// Hooks that tests pin; never nil.
	now    func() time.Time
	nonce  func() string
	jitter func(n int64) int64 // uniform in [0, n)
	// lookupIP resolves a plain-http endpoint's host name at dial time.
	lookupIP func(ctx context.Context, host string) ([]net.IPAddr, error)
}

// NewClient returns a Client configured by opts. Without options it calls
// DefaultEndpoint with credentials from the credentials-go default chain,
// signs with SignatureV3, limits each operation to its documented rate,
// and makes up to 3 attempts. It does no network I/O: credentials are first
// fetched by the first call.
func NewClient(opts ...Option) (*Client, error) {
	s := settings{
		endpoint:         DefaultEndpoint,
		maxAttempts:      DefaultMaxAttempts,
		backoff:          defaultBackoff,
		logger:           slog.New(slog.DiscardHandler),
		maxResponseBytes: DefaultMaxResponseBytes,
		attemptTimeout:   DefaultAttemptTimeout,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&s); err != nil {
			return nil, fmt.Errorf("chatapp: NewClient: %w", err)
		}
	}
	scheme, host, err := parseEndpoint(s.endpoint)
	if err != nil {
		return nil, fmt.Errorf("chatapp: NewClient: %w", err)
	}
	if s.credentials == nil {
		cred, err := alicred.NewCredential(nil)
		if err != nil {
			return nil, fmt.Errorf("chatapp: NewClient: default credential chain: %w", err)
		}
		s.credentials = &providerSource{provider: cred, defaultChain: true}
	}
	c := &Client{
		scheme:           scheme,
		host:             host,
		baseURL:          scheme + "://" + host + "/",
		credentials:      s.credentials,
		signature:        s.signature,
		limiter:          s.limiter,
		maxAttempts:      s.maxAttempts,
		backoff:          s.backoff,
		logger:           s.logger,
		userAgent:        userAgent(s.userAgent),
		maxResponseBytes: s.maxResponseBytes,
		attemptTimeout:   s.attemptTimeout,
		observer:         newObserver(s.observers),
		now:              time.Now,
		nonce:            newNonce,
		jitter:           rand.Int64N,
		lookupIP:         net.DefaultResolver.LookupIPAddr,
	}
	c.credentials = observeCredentials(c.credentials, c.observer)
	if s.httpClient != nil {
		c.httpClient = copyHTTPClient(s.httpClient)
	}
	// The transport the Client owns, unless WithHTTPClient gave one: the
	// shared tuned one, or a copy confined to loopback dials.
	var own http.RoundTripper = sharedTransport()
	if scheme == "http" {
		confined, err := c.confineToLoopback()
		if err != nil {
			return nil, fmt.Errorf("chatapp: NewClient: %w", err)
		}
		if confined != nil {
			own = confined
		}
	}
	// A user's http.Client goes through its Do (its Jar, its Timeout);
	// the Client's own transport is called directly.
	send := own.RoundTrip
	if c.httpClient != nil {
		send = c.httpClient.Do
	}
	if c.roundTrip, err = wrappedRoundTrip(s.wrapTransport, c.httpClient, own, send); err != nil {
		return nil, fmt.Errorf("chatapp: NewClient: %w", err)
	}
	if !s.limiterSet {
		c.defaultLimiter = &defaultLimiter{account: accountLimiterFor(s.credentials.limiterKey())}
	}
	return c, nil
}

// userAgent names this module, the platform and Go, then the user's part,
// in the shape of the official SDK's (testdata/spec/captures).
func userAgent(extra string) string {
	ua := "chatapp-go/" + Version + " (" + runtime.GOOS + "; " + runtime.GOARCH + ") Golang/" + runtime.Version()
	if extra != "" {
		ua += " " + extra
	}
	return ua
}

// Endpoint returns the URL the Client sends to.
func (c *Client) Endpoint() string { return c.scheme + "://" + c.host }

// String describes the Client without its credentials.
func (c *Client) String() string {
	limiter := "default"
	switch {
	case c.defaultLimiter != nil:
	case c.limiter == nil:
		limiter = "none"
	default:
		limiter = fmt.Sprintf("%T", c.limiter)
	}
	return "chatapp.Client{endpoint: " + c.Endpoint() +
		", signature: " + c.signature.String() +
		", limiter: " + limiter +
		", maxAttempts: " + strconv.Itoa(c.maxAttempts) + "}"
}

// Format prints String for every verb, so that no fmt verb (%v, %+v, %#v,
// ...) can walk into the Client's fields and print its credentials.
func (c *Client) Format(f fmt.State, _ rune) {
	io.WriteString(f, c.String())
}
