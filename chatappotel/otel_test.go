package chatappotel_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatappotel"
	"github.com/chatappkit/chatapp/chatapptest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// recorded is what one test's providers saw.
type recorded struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	opt    chatapp.Option
}

func newRecorded(opts ...chatappotel.Option) *recorded {
	r := &recorded{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(r.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.reader))
	r.opt = chatappotel.Instrument(append([]chatappotel.Option{
		chatappotel.WithTracerProvider(tp), chatappotel.WithMeterProvider(mp)}, opts...)...)
	return r
}

func (r *recorded) metrics(t *testing.T) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	return rm
}

func metricByName(rm metricdata.ResourceMetrics, name string) (metricdata.Metrics, bool) {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m, true
			}
		}
	}
	return metricdata.Metrics{}, false
}

// sum adds up the points of a counter.
func sum(t *testing.T, rm metricdata.ResourceMetrics, name string) int64 {
	t.Helper()
	m, ok := metricByName(rm, name)
	if !ok {
		t.Fatalf("no metric %s", name)
	}
	var n int64
	for _, p := range m.Data.(metricdata.Sum[int64]).DataPoints {
		n += p.Value
	}
	return n
}

func histogram(t *testing.T, rm metricdata.ResourceMetrics, name string) []metricdata.HistogramDataPoint[float64] {
	t.Helper()
	m, ok := metricByName(rm, name)
	if !ok {
		t.Fatalf("no metric %s", name)
	}
	return m.Data.(metricdata.Histogram[float64]).DataPoints
}

func attr(attrs []attribute.KeyValue, key attribute.Key) (attribute.Value, bool) {
	for _, kv := range attrs {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

func wantAttr(t *testing.T, what string, attrs []attribute.KeyValue, key attribute.Key, want any) {
	t.Helper()
	v, ok := attr(attrs, key)
	if !ok {
		t.Errorf("%s: no %s", what, key)
		return
	}
	if got := v.AsInterface(); got != want {
		t.Errorf("%s: %s = %v (%T), want %v (%T)", what, key, got, got, want, want)
	}
}

func metricRequest(srv *chatapptest.Server) *chatapp.GetChatappPhoneNumberMetricRequest {
	end := time.Date(2026, 9, 8, 0, 0, 0, 0, chatapp.ChinaStandardTime())
	return &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: srv.PhoneNumbers()[0],
		Granularity: chatapp.GranularityDaily,
		Start:       end.AddDate(0, 0, -7),
		End:         end,
	}
}

var quickRetries = chatapp.WithBackoff(chatapp.Backoff{Base: time.Millisecond, ThrottleBase: time.Millisecond, Max: 5 * time.Millisecond})

// tree renders the spans as an indented tree, with their attributes and
// events, for the test's log.
func tree(spans []sdktrace.ReadOnlySpan) string {
	var b strings.Builder
	var walk func(parent trace.SpanID, depth int)
	walk = func(parent trace.SpanID, depth int) {
		for _, s := range spans {
			if s.Parent().SpanID() != parent {
				continue
			}
			ind := strings.Repeat("  ", depth)
			fmt.Fprintf(&b, "%s%s [%s] status=%s %q\n", ind, s.Name(), s.SpanKind(), s.Status().Code, s.Status().Description)
			for _, kv := range s.Attributes() {
				fmt.Fprintf(&b, "%s    %s=%s\n", ind, kv.Key, kv.Value.String())
			}
			for _, e := range s.Events() {
				fmt.Fprintf(&b, "%s    event %s", ind, e.Name)
				for _, kv := range e.Attributes {
					fmt.Fprintf(&b, " %s=%s", kv.Key, kv.Value.String())
				}
				b.WriteString("\n")
			}
			walk(s.SpanContext().SpanID(), depth+1)
		}
	}
	walk(trace.SpanID{}, 0)
	return b.String()
}

// slowLimiter makes every attempt wait 2ms, longer than
// chatappotel.MinWaitEvent.
type slowLimiter struct{}

func (slowLimiter) Wait(ctx context.Context) error {
	select {
	case <-time.After(2 * chatappotel.MinWaitEvent):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestThrottledThenAnswered: a call throttled once and then answered makes
// one call span with two attempt spans under it, one throttle, two
// attempts and one call duration point.
func TestThrottledThenAnswered(t *testing.T) {
	srv := chatapptest.NewServer()
	t.Cleanup(srv.Close)
	rec := newRecorded()
	c, err := srv.Client(quickRetries, rec.opt, chatapp.WithRateLimiter(slowLimiter{}))
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(1, chatapptest.ThrottlingFault(time.Millisecond))
	resp, err := c.GetChatappPhoneNumberMetric(context.Background(), metricRequest(srv))
	if err != nil {
		t.Fatal(err)
	}

	spans := rec.spans.Ended()
	t.Logf("span tree:\n%s", tree(spans))
	var call sdktrace.ReadOnlySpan
	var attempts []sdktrace.ReadOnlySpan
	for _, s := range spans {
		switch s.Name() {
		case "cams/GetChatappPhoneNumberMetric":
			if call != nil {
				t.Fatal("two call spans")
			}
			call = s
		case "POST":
			attempts = append(attempts, s)
		default:
			t.Errorf("unexpected span %q", s.Name())
		}
	}
	if call == nil || len(attempts) != 2 {
		t.Fatalf("want 1 call span and 2 attempt spans, got call=%v, %d attempts", call != nil, len(attempts))
	}
	if call.SpanKind() != trace.SpanKindClient || call.Status().Code == codes.Error {
		t.Errorf("call span: kind %v status %v", call.SpanKind(), call.Status())
	}
	ca := call.Attributes()
	wantAttr(t, "call", ca, "rpc.system.name", chatappotel.SystemName)
	wantAttr(t, "call", ca, "rpc.method", "cams/GetChatappPhoneNumberMetric")
	wantAttr(t, "call", ca, "rpc.response.status_code", "OK")
	wantAttr(t, "call", ca, "server.address", "127.0.0.1")
	wantAttr(t, "call", ca, chatappotel.AttemptsKey, int64(2))
	wantAttr(t, "call", ca, chatappotel.RequestIDKey, resp.RequestID)
	if _, ok := attr(ca, "error.type"); ok {
		t.Error("call span: error.type on success")
	}
	var waits, pauses int
	for _, e := range call.Events() {
		switch e.Name {
		case "chatapp.limiter.wait":
			waits++
		case "chatapp.backoff":
			pauses++
			wantAttr(t, "backoff", e.Attributes, chatappotel.RetryReasonKey, "throttled")
			if v, ok := attr(e.Attributes, chatappotel.DurationKey); !ok || v.AsFloat64() < 0 {
				t.Errorf("backoff event: duration %v", v.String())
			}
		}
	}
	if waits != 2 || pauses != 1 {
		t.Errorf("events: %d limiter waits, %d backoff pauses; want 2 and 1", waits, pauses)
	}

	first, second := attempts[0], attempts[1]
	for i, a := range attempts {
		if a.Parent().SpanID() != call.SpanContext().SpanID() || a.SpanKind() != trace.SpanKindClient {
			t.Errorf("attempt %d: parent %v kind %v", i+1, a.Parent().SpanID(), a.SpanKind())
		}
	}
	if first.Status().Code != codes.Error || first.Status().Description != "Throttling.User" {
		t.Errorf("first attempt status %v", first.Status())
	}
	wantAttr(t, "attempt 1", first.Attributes(), "http.response.status_code", int64(400))
	wantAttr(t, "attempt 1", first.Attributes(), "error.type", "Throttling.User")
	wantAttr(t, "attempt 1", first.Attributes(), chatappotel.RetryReasonKey, "throttled")
	if _, ok := attr(first.Attributes(), "http.request.resend_count"); ok {
		t.Error("attempt 1 has http.request.resend_count")
	}
	wantAttr(t, "attempt 2", second.Attributes(), "http.request.resend_count", int64(1))
	wantAttr(t, "attempt 2", second.Attributes(), "http.response.status_code", int64(200))
	wantAttr(t, "attempt 2", second.Attributes(), chatappotel.RequestIDKey, resp.RequestID)

	rm := rec.metrics(t)
	dur := histogram(t, rm, "rpc.client.call.duration")
	waitPoints := histogram(t, rm, "chatapp.client.limiter.wait.duration")
	var waitCount uint64
	for _, p := range waitPoints {
		waitCount += p.Count
	}
	t.Logf("metrics: chatapp.client.attempts=%d chatapp.client.throttles=%d rpc.client.call.duration points=%d (count %d, sum %.4fs, attrs %v) chatapp.client.limiter.wait.duration count=%d",
		sum(t, rm, "chatapp.client.attempts"), sum(t, rm, "chatapp.client.throttles"), len(dur), dur[0].Count, dur[0].Sum, dur[0].Attributes.ToSlice(), waitCount)
	if n := sum(t, rm, "chatapp.client.attempts"); n != 2 {
		t.Errorf("attempts = %d, want 2", n)
	}
	if n := sum(t, rm, "chatapp.client.throttles"); n != 1 {
		t.Errorf("throttles = %d, want 1", n)
	}
	if len(dur) != 1 || dur[0].Count != 1 {
		t.Fatalf("call duration: %d points, want 1 with count 1", len(dur))
	}
	if v, _ := dur[0].Attributes.Value("rpc.response.status_code"); v.AsString() != "OK" {
		t.Errorf("call duration status code %q", v.String())
	}
	if waitCount != 2 {
		t.Errorf("limiter waits = %d, want 2", waitCount)
	}
}

// TestFailingCall: a call that fails sets the Error status and error.type
// on its span and on its duration point.
func TestFailingCall(t *testing.T) {
	srv := chatapptest.NewServer()
	t.Cleanup(srv.Close)
	rec := newRecorded()
	c, err := srv.Client(quickRetries, rec.opt)
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(1, chatapptest.Fault{Kind: chatapptest.FaultError, Status: 403, Code: "Forbidden.RAM"})
	if _, err := c.GetChatappPhoneNumberMetric(context.Background(), metricRequest(srv)); err == nil {
		t.Fatal("no error")
	}
	var call sdktrace.ReadOnlySpan
	for _, s := range rec.spans.Ended() {
		if s.Name() == "cams/GetChatappPhoneNumberMetric" {
			call = s
		}
	}
	if call == nil {
		t.Fatal("no call span")
	}
	if call.Status().Code != codes.Error || call.Status().Description != "Forbidden.RAM" {
		t.Errorf("status %v, want Error Forbidden.RAM", call.Status())
	}
	wantAttr(t, "call", call.Attributes(), "error.type", "Forbidden.RAM")
	wantAttr(t, "call", call.Attributes(), "rpc.response.status_code", "Forbidden.RAM")
	wantAttr(t, "call", call.Attributes(), chatappotel.AttemptsKey, int64(1))
	dur := histogram(t, rec.metrics(t), "rpc.client.call.duration")
	if len(dur) != 1 {
		t.Fatalf("%d duration points", len(dur))
	}
	if v, _ := dur[0].Attributes.Value("error.type"); v.AsString() != "Forbidden.RAM" {
		t.Errorf("duration point error.type %q", v.String())
	}
}

// everyString returns every string the providers recorded: span names,
// status descriptions, attribute and event values, metric names and
// attribute values.
func everyString(t *testing.T, rec *recorded) []string {
	var out []string
	add := func(attrs ...attribute.KeyValue) {
		for _, kv := range attrs {
			out = append(out, string(kv.Key), kv.Value.String())
		}
	}
	for _, s := range rec.spans.Ended() {
		out = append(out, s.Name(), s.Status().Description)
		add(s.Attributes()...)
		for _, e := range s.Events() {
			out = append(out, e.Name)
			add(e.Attributes...)
		}
		for _, l := range s.Links() {
			add(l.Attributes...)
		}
		add(s.Resource().Attributes()...)
	}
	rm := rec.metrics(t)
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out = append(out, m.Name, m.Description)
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					add(p.Attributes.ToSlice()...)
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					add(p.Attributes.ToSlice()...)
				}
			default:
				t.Errorf("metric %s of unchecked type %T", m.Name, d)
			}
		}
	}
	return out
}

// TestNothingSecretRecorded runs a throttled-then-answered call and a
// failing call with STS credentials under both signing schemes: no span,
// event or metric holds the secret, the token, a signature or, without
// WithPhoneNumber, the phone number; with it, the call span has it.
func TestNothingSecretRecorded(t *testing.T) {
	const (
		id     = "STS.otel-id"
		secret = "otel+secret/=%value"
		token  = "otel-token+/=%CAES"
	)
	for _, sig := range []chatapp.SignatureVersion{chatapp.SignatureV3, chatapp.SignatureRPC} {
		for _, phone := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/phone=%v", sig, phone), func(t *testing.T) {
				srv := chatapptest.NewServer()
				t.Cleanup(srv.Close)
				srv.AddSTSToken(id, secret, token)
				var opts []chatappotel.Option
				if phone {
					opts = append(opts, chatappotel.WithPhoneNumber())
				}
				rec := newRecorded(opts...)
				c, err := srv.Client(chatapp.WithSTSToken(id, secret, token), chatapp.WithSignatureVersion(sig), quickRetries, rec.opt)
				if err != nil {
					t.Fatal(err)
				}
				req := metricRequest(srv)
				srv.InjectFault(1, chatapptest.ThrottlingFault(time.Millisecond))
				if _, err := c.GetChatappPhoneNumberMetric(context.Background(), req); err != nil {
					t.Fatal(err)
				}
				srv.InjectFault(1, chatapptest.Fault{Kind: chatapptest.FaultError, Status: 403, Code: "Forbidden.RAM"})
				if _, err := c.GetChatappPhoneNumberMetric(context.Background(), req); err == nil {
					t.Fatal("no error")
				}
				var sigs []string
				for _, r := range srv.Requests() {
					if s := r.Query.Get("Signature"); s != "" {
						sigs = append(sigs, s)
					}
					if _, s, ok := strings.Cut(r.Header.Get("Authorization"), "Signature="); ok {
						sigs = append(sigs, s)
					}
				}
				if len(sigs) != 3 {
					t.Fatalf("%d signatures for 3 requests", len(sigs))
				}
				forbidden := append([]string{secret, token}, sigs...)
				if !phone {
					forbidden = append(forbidden, req.PhoneNumber)
				}
				all := everyString(t, rec)
				if len(all) < 20 {
					t.Fatalf("only %d strings recorded", len(all))
				}
				for _, s := range all {
					for _, f := range forbidden {
						if strings.Contains(s, f) {
							t.Errorf("recorded %q contains %q", s, f)
						}
					}
				}
				var found bool
				for _, s := range rec.spans.Ended() {
					if v, ok := attr(s.Attributes(), chatappotel.PhoneNumberKey); ok && v.AsString() == req.PhoneNumber {
						found = true
					}
				}
				if found != phone {
					t.Errorf("phone number on a span: %v, want %v", found, phone)
				}
			})
		}
	}
}
