package chatapp

import (
	"context"
	"net/http"
	"time"
)

// Observer is told what a Client does: the start and end of each call and
// of each attempt, each rate-limiter wait, each backoff pause and each
// credentials fetch. It is the hook that tracing and metrics adapters (the
// chatappotel module) plug into, in the spirit of net/http/httptrace's
// ClientTrace.
//
// Observer is a struct of optional funcs rather than an interface so that
// later versions can report new events by adding fields: a program that
// sets today's fields keeps compiling and behaving as before, whereas a new
// method on an interface would break every implementation. A nil field is
// skipped; the zero Observer observes nothing.
//
// What an Observer receives never holds the AccessKeySecret, the
// SecurityToken, a signature, the AccessKeyId, the request's query string
// or a header value. The phone number a call is about is passed only when
// RecordPhoneNumber is set. CallDone's error is the one the caller gets;
// the others get the cause of that event's failure, redacted as the
// caller's error is, so none shows a secret.
//
// The funcs are called synchronously on the calling goroutine, so they must
// be quick; a Client used by many goroutines calls them concurrently.
// CallStart and AttemptStart may return a derived context (carrying a span,
// say): the call's later events receive the context CallStart returned,
// and the attempt's HTTP request (and so a WithTransport wrapper) and
// AttemptDone receive the one AttemptStart returned. Returning nil keeps
// the context unchanged.
type Observer struct {
	// CallStart is called when a call begins, before anything else.
	CallStart func(ctx context.Context, info CallStartInfo) context.Context
	// CallDone is called when a call returns, successfully or not.
	CallDone func(ctx context.Context, info CallDoneInfo)
	// AttemptStart is called before each HTTP attempt is signed and sent,
	// after its limiter wait.
	AttemptStart func(ctx context.Context, info AttemptStartInfo) context.Context
	// AttemptDone is called once each attempt has been answered (or has
	// failed) and the Client has decided whether to retry it.
	AttemptDone func(ctx context.Context, info AttemptDoneInfo)
	// LimiterWait is called after each wait in the rate limiter, however
	// short.
	LimiterWait func(ctx context.Context, info LimiterWaitInfo)
	// Backoff is called after each pause between two attempts.
	Backoff func(ctx context.Context, info BackoffInfo)
	// Credentials is called after credentials are obtained for an attempt
	// (from a fixed key, or fetched from a credentials-go provider).
	Credentials func(ctx context.Context, info CredentialsInfo)

	// RecordPhoneNumber makes CallStartInfo carry the phone number the call
	// is about. Off by default: a phone number is personal data.
	RecordPhoneNumber bool
}

// CallStartInfo describes a call that begins.
type CallStartInfo struct {
	Operation string           // the API action, e.g. "GetChatappPhoneNumberMetric"
	Host      string           // the endpoint's host[:port]
	Signature SignatureVersion // the signing scheme
	Start     time.Time
	// PhoneNumber is the call's PhoneNumber parameter, when it has one and
	// the Observer set RecordPhoneNumber; empty otherwise.
	PhoneNumber string
}

// CallDoneInfo describes a call that has returned.
type CallDoneInfo struct {
	Operation string
	Attempts  int           // HTTP attempts made (0 when none was sent)
	Duration  time.Duration // from CallStart to the return, pauses included
	// Status, Code and RequestID are those of the last attempt: the HTTP
	// status (0 without a response), the service's error code ("" on
	// success) and the request ID the service gave.
	Status    int
	Code      string
	RequestID string
	Err       error // what the call returned; nil on success
}

// AttemptStartInfo describes an HTTP attempt about to be sent.
type AttemptStartInfo struct {
	Operation string
	Host      string // the endpoint's host[:port]
	Attempt   int    // from 1
	Start     time.Time
}

// ResendCount is the number of attempts before this one (the
// http.request.resend_count of OpenTelemetry's conventions).
func (a AttemptStartInfo) ResendCount() int { return a.Attempt - 1 }

// AttemptDoneInfo describes an HTTP attempt that has ended.
type AttemptDoneInfo struct {
	Operation string
	Attempt   int
	Duration  time.Duration // signing, the round trip and decoding
	Status    int           // the HTTP status; 0 without a response
	Code      string        // the service's error code; "" on success
	RequestID string
	Err       error // the attempt's failure; nil on success
	// Retry says whether the Client chose to retry, after RetryDelay (a
	// context that ends during the pause still stops the call);
	// RetryReason says why ("throttled", "server", "transport", ...).
	Retry       bool
	RetryReason string
	RetryDelay  time.Duration
}

// ResendCount is the number of attempts before this one.
func (a AttemptDoneInfo) ResendCount() int { return a.Attempt - 1 }

// LimiterWaitInfo describes a wait in the rate limiter before an attempt.
type LimiterWaitInfo struct {
	Operation string
	Attempt   int // the attempt it paced
	Start     time.Time
	Duration  time.Duration
	Err       error // why the wait failed; nil when the attempt may go
}

// BackoffInfo describes a pause between two attempts.
type BackoffInfo struct {
	Operation string
	Attempt   int           // the attempt it follows
	Reason    string        // as AttemptDoneInfo.RetryReason
	Delay     time.Duration // the pause chosen
	Start     time.Time
	Duration  time.Duration // the pause taken (shorter if the context ended)
	Err       error         // the context's error if it ended the pause
}

// CredentialsInfo describes credentials obtained for an attempt. It does not
// carry them.
type CredentialsInfo struct {
	Provider bool // fetched from a credentials-go provider, not a fixed key
	STS      bool // they carry a SecurityToken
	Start    time.Time
	Duration time.Duration
	Err      error
}

// WithObserver makes the Client report its calls to each of obs, in order
// (see Observer). It may be given several times; all observers installed
// are called. Without it the Client pays nothing for observation.
func WithObserver(obs ...Observer) Option {
	return func(s *settings) error {
		s.observers = append(s.observers, obs...)
		return nil
	}
}

// observer is what a Client calls: the observers of its options, in order.
type observer struct {
	list []Observer
	// phone reports whether any of them wants the phone number.
	phone bool
}

// newObserver returns nil when there is nothing to call, so that a Client
// without observers only ever tests a nil pointer.
func newObserver(list []Observer) *observer {
	if len(list) == 0 {
		return nil
	}
	o := &observer{list: list}
	for _, x := range list {
		o.phone = o.phone || x.RecordPhoneNumber
	}
	return o
}

// callObservation follows one observed call. A nil one (no observer) does
// nothing, which is how a Client without observers skips every hook.
type callObservation struct {
	o     *observer
	op    *operation
	host  string
	ctx   context.Context // the call's, as CallStart returned it
	start time.Time

	attempts int
	// The last attempt, reported by AttemptDone only once the Client has
	// decided whether to retry it.
	actx     context.Context
	pending  bool
	last     AttemptDoneInfo
	attStart time.Time
}

// startCall reports the start of a call and returns the context its
// attempts run in.
func (c *Client) startCall(ctx context.Context, op *operation, params []param) (context.Context, *callObservation) {
	o := c.observer
	if o == nil {
		return ctx, nil
	}
	var phone string
	if o.phone {
		for _, p := range params {
			if p.name == "PhoneNumber" {
				phone = p.value
			}
		}
	}
	info := CallStartInfo{Operation: op.name, Host: c.host, Signature: c.signature, Start: time.Now()}
	for _, x := range o.list {
		if x.CallStart == nil {
			continue
		}
		in := info
		if x.RecordPhoneNumber {
			in.PhoneNumber = phone
		}
		if next := x.CallStart(ctx, in); next != nil {
			ctx = next
		}
	}
	return ctx, &callObservation{o: o, op: op, host: c.host, ctx: ctx, start: info.Start}
}

// done reports the end of the call with what it returns, the last attempt
// first.
func (co *callObservation) done(err error) {
	if co == nil {
		return
	}
	co.flush(false, "", 0)
	info := CallDoneInfo{Operation: co.op.name, Attempts: co.attempts, Duration: time.Since(co.start), Err: err}
	if co.attempts > 0 {
		info.Status, info.Code, info.RequestID = co.last.Status, co.last.Code, co.last.RequestID
	}
	for _, x := range co.o.list {
		if x.CallDone != nil {
			x.CallDone(co.ctx, info)
		}
	}
}

// startAttempt reports an attempt about to be sent and returns its context.
func (co *callObservation) startAttempt(ctx context.Context, attempt int) context.Context {
	if co == nil {
		return ctx
	}
	co.attempts = attempt
	co.attStart = time.Now()
	info := AttemptStartInfo{Operation: co.op.name, Host: co.host, Attempt: attempt, Start: co.attStart}
	for _, x := range co.o.list {
		if x.AttemptStart == nil {
			continue
		}
		if next := x.AttemptStart(ctx, info); next != nil {
			ctx = next
		}
	}
	co.actx = ctx
	return ctx
}

// endAttempt records how an attempt ended; AttemptDone follows once the
// Client has chosen to retry it or not.
func (co *callObservation) endAttempt(attempt, status int, env *envelope, err error) {
	if co == nil {
		return
	}
	requestID, code := answerIDs(env, err)
	if err == nil {
		code = ""
	}
	co.last = AttemptDoneInfo{Operation: co.op.name, Attempt: attempt, Duration: time.Since(co.attStart),
		Status: status, Code: code, RequestID: requestID, Err: err}
	co.pending = true
}

// flush reports the pending attempt, if any.
func (co *callObservation) flush(retry bool, reason string, delay time.Duration) {
	if !co.pending {
		return
	}
	co.pending = false
	info := co.last
	info.Retry, info.RetryReason, info.RetryDelay = retry, reason, delay
	for _, x := range co.o.list {
		if x.AttemptDone != nil {
			x.AttemptDone(co.actx, info)
		}
	}
}

// observedWait is Client.wait, timed and reported.
func (c *Client) observedWait(ctx context.Context, co *callObservation, op *operation, accessKeyID string, attempt int) error {
	if co == nil {
		return c.wait(ctx, op, accessKeyID, attempt)
	}
	start := time.Now()
	err := c.wait(ctx, op, accessKeyID, attempt)
	info := LimiterWaitInfo{Operation: op.name, Attempt: attempt, Start: start, Duration: time.Since(start), Err: err}
	for _, x := range co.o.list {
		if x.LimiterWait != nil {
			x.LimiterWait(ctx, info)
		}
	}
	return err
}

// pause sleeps before the retry of a failed attempt, reporting the attempt
// (now known to be retried) and then the pause.
func (c *Client) pause(ctx context.Context, co *callObservation, delay time.Duration, reason string) error {
	if co == nil {
		return sleep(ctx, delay)
	}
	co.flush(true, reason, delay)
	start := time.Now()
	err := sleep(ctx, delay)
	info := BackoffInfo{Operation: co.op.name, Attempt: co.attempts, Reason: reason, Delay: delay,
		Start: start, Duration: time.Since(start), Err: err}
	for _, x := range co.o.list {
		if x.Backoff != nil {
			x.Backoff(ctx, info)
		}
	}
	return err
}

// observedSource reports each credentials fetch of a Client with
// observers.
type observedSource struct {
	src      credentialSource
	o        *observer
	provider bool
}

// limiterKey is the wrapped source's: observing does not change the account.
func (s *observedSource) limiterKey() any { return s.src.limiterKey() }

func (s *observedSource) credentials(ctx context.Context) (credentials, error) {
	start := time.Now()
	c, err := s.src.credentials(ctx)
	info := CredentialsInfo{Provider: s.provider, STS: c.securityToken != "", Start: start, Duration: time.Since(start), Err: err}
	for _, x := range s.o.list {
		if x.Credentials != nil {
			x.Credentials(ctx, info)
		}
	}
	return c, err
}

// observeCredentials wraps src when there are observers.
func observeCredentials(src credentialSource, o *observer) credentialSource {
	if o == nil {
		return src
	}
	_, provider := src.(*providerSource)
	return &observedSource{src: src, o: o, provider: provider}
}

// WithTransport wraps the transport the Client sends with: wrap is given
// the SDK's tuned *http.Transport (shared by every Client, with 64 idle
// connections per host, HTTP/2 and TLS 1.2 or later; a Client of a plain
// http loopback endpoint has its own copy, whose dialer refuses other
// addresses), or the transport of
// the WithHTTPClient client (http.DefaultTransport if it has none), and
// returns the RoundTripper to use instead. Unlike replacing the client
// with WithHTTPClient, the connection pool is kept. Several WithTransport
// compose: the last one given is the outermost. Each request reaches the
// wrapper with the context the attempt runs in, so a span an Observer
// started for the attempt is its parent.
//
// Do not wrap it with plain otelhttp.NewTransport: otelhttp records the
// whole request URL as url.full, and the URL's query holds the call's
// parameters (the PhoneNumber) under SignatureV3 and, under SignatureRPC,
// the AccessKeyId, the SecurityToken and the Signature too; otelhttp
// offers no way to redact them. Use the chatappotel module instead, whose
// spans carry the HTTP status, the resend count and the server address
// but never the URL; keep WithTransport for wrappers that record no URL
// or header value (connection metrics, net/http/httptrace timings, fault
// injection in tests).
func WithTransport(wrap func(http.RoundTripper) http.RoundTripper) Option {
	return func(s *settings) error {
		if wrap == nil {
			return optionError("WithTransport", "wrapper is nil")
		}
		s.wrapTransport = append(s.wrapTransport, wrap)
		return nil
	}
}

// wrappedRoundTrip applies the WithTransport wrappers to the transport the
// Client would send with; it returns roundTrip unchanged without them.
func wrappedRoundTrip(wraps []func(http.RoundTripper) http.RoundTripper, hc *http.Client, own http.RoundTripper, roundTrip func(*http.Request) (*http.Response, error)) (func(*http.Request) (*http.Response, error), error) {
	if len(wraps) == 0 {
		return roundTrip, nil
	}
	rt := own
	if hc != nil {
		rt = http.DefaultTransport
		if hc.Transport != nil {
			rt = hc.Transport
		}
	}
	for _, wrap := range wraps {
		if rt = wrap(rt); rt == nil {
			return nil, optionError("WithTransport", "wrapper returned a nil RoundTripper")
		}
	}
	if hc != nil {
		hc.Transport = rt
		return hc.Do, nil
	}
	return rt.RoundTrip, nil
}
