// Package chatappotel records the calls of a chatapp.Client as
// OpenTelemetry traces and metrics. It is an adapter on the chatapp.Observer
// hook, so that the chatapp module itself needs no OpenTelemetry
// dependency:
//
//	client, err := chatapp.NewClient(chatappotel.Instrument())
//
// # Traces
//
// Each call is a span of kind Client named "cams/<Action>" (e.g.
// "cams/GetChatappPhoneNumberMetric"), after the RPC semantic conventions
// (v1.43): rpc.system.name ("alibaba_cloud"), rpc.method (the span's
// name), rpc.response.status_code (the service's Code, "OK" on success),
// server.address and server.port, chatapp.attempts and
// chatapp.request_id; on failure error.type and an Error status whose
// description is the error code. Each HTTP attempt is a child span "POST"
// with http.request.method, http.response.status_code,
// http.request.resend_count (from the second attempt), chatapp.request_id,
// error.type on failure and, when it is retried, chatapp.retry.reason and
// chatapp.retry.delay (seconds). Limiter waits of MinWaitEvent or more and
// backoff pauses are events on the call span ("chatapp.limiter.wait",
// "chatapp.backoff") with their duration in seconds (chatapp.duration);
// credentials fetched from a provider are a "chatapp.credentials" event.
//
// # Metrics
//
//   - rpc.client.call.duration (histogram, s): per rpc.method and
//     rpc.response.status_code, with error.type on failure;
//   - chatapp.client.attempts (counter): HTTP attempts, per rpc.method and
//     rpc.response.status_code;
//   - chatapp.client.throttles (counter): attempts answered with a
//     throttling error, per rpc.method;
//   - chatapp.client.limiter.wait.duration (histogram, s): client-side rate
//     limiter waits, per rpc.method.
//
// # What is never recorded
//
// No span, event or metric carries the AccessKeySecret, the SecurityToken,
// a signature, the AccessKeyId, the request URL or its query, a header
// value or an error message (a message is the service's text; the code
// says what failed). The phone number a call is about is recorded, as
// chatapp.phone_number on the call span, only with WithPhoneNumber.
//
// Do not also wrap the Client's transport with plain otelhttp: it records
// the whole URL as url.full, and the query of a signed request holds the
// phone number and, under chatapp.SignatureRPC, the AccessKeyId, the
// SecurityToken and the Signature.
//
// # Logs
//
// The Client logs (chatapp.WithLogger) with the context of the attempt, in
// which the attempt's span is current; a slog handler that reads the span
// from the context, such as the otelslog bridge
// (go.opentelemetry.io/contrib/bridges/otelslog), puts the trace and span
// ids on the SDK's records.
package chatappotel

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/chatappkit/chatapp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/rpcconv"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/chatappkit/chatapp/chatappotel"

// SystemName is the rpc.system.name of the calls.
const SystemName = "alibaba_cloud"

// Attribute keys of this package (outside the semantic conventions).
const (
	AttemptsKey    = attribute.Key("chatapp.attempts")
	RequestIDKey   = attribute.Key("chatapp.request_id")
	PhoneNumberKey = attribute.Key("chatapp.phone_number")
	RetryReasonKey = attribute.Key("chatapp.retry.reason")
	RetryDelayKey  = attribute.Key("chatapp.retry.delay")
	DurationKey    = attribute.Key("chatapp.duration")
)

// Option configures Instrument.
type Option func(*config)

type config struct {
	tp    trace.TracerProvider
	mp    metric.MeterProvider
	phone bool
}

// WithTracerProvider makes spans with tp instead of the global
// TracerProvider (otel.GetTracerProvider). A nil tp keeps the global one.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tp = tp }
}

// WithMeterProvider records metrics with mp instead of the global
// MeterProvider (otel.GetMeterProvider). A nil mp keeps the global one.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.mp = mp }
}

// WithPhoneNumber records the phone number a call is about as the
// chatapp.phone_number attribute of its span (never of a metric, where it
// would make a series per number). Off by default: a phone number is
// personal data.
func WithPhoneNumber() Option {
	return func(c *config) { c.phone = true }
}

// Instrument returns a chatapp option that records the Client's calls as
// traces and metrics (see the package documentation). Errors creating the
// instruments go to otel.Handle; an instrument the meter returned with its
// error is used as it is (the SDK's still records), and one it did not
// return records nothing.
func Instrument(opts ...Option) chatapp.Option {
	return chatapp.WithObserver(newObserver(opts...).observer())
}

// observer holds the tracer and the instruments of one Instrument.
type observer struct {
	tracer    trace.Tracer
	phone     bool
	duration  rpcconv.ClientCallDuration
	attempts  metric.Int64Counter
	throttles metric.Int64Counter
	waits     metric.Float64Histogram

	// sets caches the attribute sets of the metrics, per operation and
	// status code: they are few, and a set built once costs nothing to
	// reuse.
	sets  sync.Map // setKey → metric.MeasurementOption
	specs sync.Map // specKey → *callSpec
}

type setKey struct{ kind, op, code, errType string }

func newObserver(opts ...Option) *observer {
	var c config
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	version := trace.WithInstrumentationVersion(chatapp.Version)
	meter := c.mp.Meter(ScopeName, metric.WithInstrumentationVersion(chatapp.Version))
	o := &observer{tracer: c.tp.Tracer(ScopeName, version), phone: c.phone}
	var err, e error
	o.duration, e = rpcconv.NewClientCallDuration(meter)
	err = errors.Join(err, e)
	o.attempts, e = meter.Int64Counter("chatapp.client.attempts", metric.WithUnit("{attempt}"),
		metric.WithDescription("HTTP attempts made by chatapp clients, retries included."))
	err = errors.Join(err, e)
	o.throttles, e = meter.Int64Counter("chatapp.client.throttles", metric.WithUnit("{attempt}"),
		metric.WithDescription("Attempts the service answered with a throttling error."))
	err = errors.Join(err, e)
	o.waits, e = meter.Float64Histogram("chatapp.client.limiter.wait.duration", metric.WithUnit("s"),
		metric.WithDescription("Time attempts waited in the client-side rate limiter."),
		metric.WithExplicitBucketBoundaries(0.0001, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
	err = errors.Join(err, e)
	if err != nil {
		otel.Handle(err)
	}
	// A meter may return nil with its error; a nil instrument would panic
	// on the first call.
	if o.attempts == nil {
		o.attempts = noop.Int64Counter{}
	}
	if o.throttles == nil {
		o.throttles = noop.Int64Counter{}
	}
	if o.waits == nil {
		o.waits = noop.Float64Histogram{}
	}
	return o
}

func (o *observer) observer() chatapp.Observer {
	return chatapp.Observer{
		CallStart:         o.callStart,
		CallDone:          o.callDone,
		AttemptStart:      o.attemptStart,
		AttemptDone:       o.attemptDone,
		LimiterWait:       o.limiterWait,
		Backoff:           o.backoff,
		Credentials:       o.credentials,
		RecordPhoneNumber: o.phone,
	}
}

// spanName is the call span's name and its rpc.method.
func spanName(op string) string { return "cams/" + op }

// server returns the server.address and server.port attributes of host.
func server(host string) []attribute.KeyValue {
	name, port, err := net.SplitHostPort(host)
	if err != nil {
		return []attribute.KeyValue{semconv.ServerAddress(host), semconv.ServerPort(443)}
	}
	p, _ := strconv.Atoi(port)
	return []attribute.KeyValue{semconv.ServerAddress(name), semconv.ServerPort(p)}
}

func (o *observer) callStart(ctx context.Context, info chatapp.CallStartInfo) context.Context {
	spec := o.spec(info.Operation, info.Host)
	opts := spec.start
	if info.PhoneNumber != "" {
		opts = append(opts[:len(opts):len(opts)], trace.WithAttributes(PhoneNumberKey.String(info.PhoneNumber)))
	}
	ctx, _ = o.tracer.Start(ctx, spec.name, opts...)
	return ctx
}

// callSpec is what the spans of one operation against one host share,
// built once.
type callSpec struct {
	name  string                  // the span's name and rpc.method
	start []trace.SpanStartOption // of the call span
	first []trace.SpanStartOption // of a first attempt's span
	attrs []attribute.KeyValue    // server.address and server.port
}

type specKey struct{ op, host string }

// spec returns the callSpec of op against host.
func (o *observer) spec(op, host string) *callSpec {
	k := specKey{op, host}
	if s, ok := o.specs.Load(k); ok {
		return s.(*callSpec)
	}
	name := spanName(op)
	srv := server(host)
	attrs := append([]attribute.KeyValue{semconv.RPCSystemNameKey.String(SystemName), semconv.RPCMethod(name)}, srv...)
	s := &callSpec{
		name:  name,
		start: []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...)},
		first: []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(append([]attribute.KeyValue{semconv.HTTPRequestMethodPost}, srv...)...)},
		attrs: srv,
	}
	v, _ := o.specs.LoadOrStore(k, s)
	return v.(*callSpec)
}

func (o *observer) callDone(ctx context.Context, info chatapp.CallDoneInfo) {
	status := statusCode(info.Err, info.Code)
	errType := errorType(info.Err, info.Code, info.Status)
	span := trace.SpanFromContext(ctx)
	if span.IsRecording() {
		attrs := []attribute.KeyValue{semconv.RPCResponseStatusCode(status), AttemptsKey.Int(info.Attempts)}
		if info.RequestID != "" {
			attrs = append(attrs, RequestIDKey.String(info.RequestID))
		}
		if errType != "" {
			attrs = append(attrs, semconv.ErrorTypeKey.String(errType))
			span.SetStatus(codes.Error, errType)
		}
		span.SetAttributes(attrs...)
	}
	span.End()
	o.duration.Inst().Record(ctx, info.Duration.Seconds(), o.set("duration", info.Operation, status, errType))
}

func (o *observer) attemptStart(ctx context.Context, info chatapp.AttemptStartInfo) context.Context {
	spec := o.spec(info.Operation, info.Host)
	opts := spec.first
	if n := info.ResendCount(); n > 0 {
		opts = append(opts[:len(opts):len(opts)], trace.WithAttributes(semconv.HTTPRequestResendCount(n)))
	}
	ctx, _ = o.tracer.Start(ctx, "POST", opts...)
	return ctx
}

func (o *observer) attemptDone(ctx context.Context, info chatapp.AttemptDoneInfo) {
	span := trace.SpanFromContext(ctx)
	status := statusCode(info.Err, info.Code)
	if span.IsRecording() {
		attrs := make([]attribute.KeyValue, 0, 5)
		if info.Status > 0 {
			attrs = append(attrs, semconv.HTTPResponseStatusCode(info.Status))
		}
		if info.RequestID != "" {
			attrs = append(attrs, RequestIDKey.String(info.RequestID))
		}
		if errType := errorType(info.Err, info.Code, info.Status); errType != "" {
			attrs = append(attrs, semconv.ErrorTypeKey.String(errType))
			span.SetStatus(codes.Error, errType)
		}
		if info.Retry {
			attrs = append(attrs, RetryReasonKey.String(info.RetryReason), RetryDelayKey.Float64(info.RetryDelay.Seconds()))
		}
		span.SetAttributes(attrs...)
	}
	span.End()
	o.attempts.Add(ctx, 1, o.set("attempts", info.Operation, status, ""))
	if errors.Is(info.Err, chatapp.ErrThrottled) {
		o.throttles.Add(ctx, 1, o.set("throttles", info.Operation, "", ""))
	}
}

// MinWaitEvent is the shortest limiter wait recorded as a span event;
// shorter ones (a token was there) only count in
// chatapp.client.limiter.wait.duration.
const MinWaitEvent = time.Millisecond

func (o *observer) limiterWait(ctx context.Context, info chatapp.LimiterWaitInfo) {
	o.waits.Record(ctx, info.Duration.Seconds(), o.set("waits", info.Operation, "", ""))
	if info.Duration < MinWaitEvent && info.Err == nil {
		return
	}
	durationEvent(ctx, "chatapp.limiter.wait", info.Start, info.Duration, info.Err)
}

func (o *observer) backoff(ctx context.Context, info chatapp.BackoffInfo) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	span.AddEvent("chatapp.backoff", trace.WithTimestamp(info.Start.Add(info.Duration)), trace.WithAttributes(
		DurationKey.Float64(info.Duration.Seconds()),
		RetryDelayKey.Float64(info.Delay.Seconds()),
		RetryReasonKey.String(info.Reason)))
}

func (o *observer) credentials(ctx context.Context, info chatapp.CredentialsInfo) {
	if !info.Provider && info.Err == nil {
		return // a fixed key: nothing was fetched
	}
	durationEvent(ctx, "chatapp.credentials", info.Start, info.Duration, info.Err)
}

// durationEvent adds an event that ended at start+d to the call's span, with
// the duration and, when err is set, its error.type.
func durationEvent(ctx context.Context, name string, start time.Time, d time.Duration, err error) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	attrs := []attribute.KeyValue{DurationKey.Float64(d.Seconds())}
	if err != nil {
		attrs = append(attrs, semconv.ErrorTypeKey.String(errorType(err, "", 0)))
	}
	span.AddEvent(name, trace.WithTimestamp(start.Add(d)), trace.WithAttributes(attrs...))
}

// set returns the cached attribute set of a metric for an operation and a
// status code and error type ("" for none).
func (o *observer) set(kind, op, code, errType string) metric.MeasurementOption {
	k := setKey{kind, op, code, errType}
	if s, ok := o.sets.Load(k); ok {
		return s.(metric.MeasurementOption)
	}
	attrs := []attribute.KeyValue{semconv.RPCSystemNameKey.String(SystemName), semconv.RPCMethod(spanName(op))}
	if code != "" {
		attrs = append(attrs, semconv.RPCResponseStatusCode(code))
	}
	if errType != "" {
		attrs = append(attrs, semconv.ErrorTypeKey.String(errType))
	}
	s, _ := o.sets.LoadOrStore(k, metric.WithAttributeSet(attribute.NewSet(attrs...)))
	return s.(metric.MeasurementOption)
}

// statusCode is the rpc.response.status_code of an outcome: the service's
// error code, "OK" on success, or the error type of a failure without one.
func statusCode(err error, code string) string {
	switch {
	case err == nil:
		return "OK"
	case code != "":
		return code
	}
	return errorType(err, "", 0)
}

// errorType is the error.type of an outcome ("" on success): the
// service's error code, or else a name for the kind of failure. It never
// holds the error's message.
func errorType(err error, code string, status int) string {
	switch {
	case err == nil:
		return ""
	case code != "":
		return code
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, chatapp.ErrThrottled):
		return "throttled"
	case errors.Is(err, chatapp.ErrCredentials):
		return "credentials"
	case errors.Is(err, chatapp.ErrInvalidRequest):
		return "invalid_request"
	case errors.Is(err, chatapp.ErrResponseTooLarge):
		return "response_too_large"
	case errors.Is(err, chatapp.ErrMalformedResponse):
		return "malformed_response"
	case status > 0:
		return strconv.Itoa(status)
	}
	var timeout interface{ Timeout() bool }
	if errors.As(err, &timeout) && timeout.Timeout() {
		return "timeout"
	}
	return "transport"
}
