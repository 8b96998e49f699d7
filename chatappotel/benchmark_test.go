package chatappotel_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatappotel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// benchBody is the 7-point DAILY answer of GetChatappPhoneNumberMetric.
func benchBody() []byte {
	var b strings.Builder
	b.WriteString(`{"RequestId":"EB5210E5-0000-4000-8000-000000000001","Code":"OK","Message":"OK","Data":[`)
	start := int64(1756684800000)
	for i := range 7 {
		if i > 0 {
			b.WriteByte(',')
		}
		s := start + int64(i)*86400000
		fmt.Fprintf(&b, `{"SentCount":%d,"DeliveredCount":%d,"Start":%d,"End":%d,"PhoneNumber":"8613800001234","Granularity":"DAILY"}`,
			10+i, 5+i, s, s+86400000)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// BenchmarkCall measures one full GetChatappPhoneNumberMetric call (7
// DAILY points) against a loopback httptest server answering a canned
// body, without an observer (None) and with Instrument recording into the
// OpenTelemetry SDK (Instrument: every span sampled and handed to a batch
// processor with a discarding exporter; metrics aggregated by a manual
// reader). Both use the settings of the root benchmarks: a fixed
// AccessKey, SignatureV3 and a limiter that never waits.
func BenchmarkCall(b *testing.B) {
	body := benchBody()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer srv.Close()
	end := time.Date(2026, 9, 8, 0, 0, 0, 0, time.UTC)
	req := &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: "8613800001234",
		Granularity: chatapp.GranularityDaily,
		Start:       end.AddDate(0, 0, -7),
		End:         end,
	}
	ctx := context.Background()
	client := func(b *testing.B, opts ...chatapp.Option) *chatapp.Client {
		c, err := chatapp.NewClient(append([]chatapp.Option{
			chatapp.WithEndpoint(srv.URL),
			chatapp.WithAccessKey("bench-otel", "secret"),
			chatapp.WithRateLimiter(chatapp.NewRateLimiter(1e9)),
		}, opts...)...)
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	call := func(b *testing.B, c *chatapp.Client) {
		resp, err := c.GetChatappPhoneNumberMetric(ctx, req)
		if err != nil || len(resp.Data) != 7 {
			b.Fatal(err)
		}
	}
	instrument := func(b *testing.B) chatapp.Option {
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
		b.Cleanup(func() { tp.Shutdown(context.Background()) })
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		b.Cleanup(func() { mp.Shutdown(context.Background()) })
		return chatappotel.Instrument(chatappotel.WithTracerProvider(tp), chatappotel.WithMeterProvider(mp))
	}
	b.Run("None", func(b *testing.B) {
		c := client(b)
		b.ReportAllocs()
		for b.Loop() {
			call(b, c)
		}
	})
	b.Run("Instrument", func(b *testing.B) {
		c := client(b, instrument(b))
		b.ReportAllocs()
		for b.Loop() {
			call(b, c)
		}
	})
	// Paired alternates the two clients call by call, so that a change of
	// load on a shared machine hits both alike, and reports the time of
	// each and their ratio (ns/op is the time of the pair).
	paired := func(b *testing.B, with chatapp.Option) {
		none, otel := client(b), client(b, with)
		var tNone, tOtel time.Duration
		n := 0
		for b.Loop() {
			first, second, tFirst, tSecond := none, otel, &tNone, &tOtel
			if n%2 == 1 {
				first, second, tFirst, tSecond = otel, none, &tOtel, &tNone
			}
			start := time.Now()
			call(b, first)
			mid := time.Now()
			call(b, second)
			*tFirst += mid.Sub(start)
			*tSecond += time.Since(mid)
			n++
		}
		b.ReportMetric(float64(tNone.Nanoseconds())/float64(n), "none-ns/call")
		b.ReportMetric(float64(tOtel.Nanoseconds())/float64(n), "otel-ns/call")
		b.ReportMetric(float64(tOtel)/float64(tNone), "otel/none")
	}
	b.Run("Paired", func(b *testing.B) { paired(b, instrument(b)) })
	// The parts of Instrument's cost, paired the same way: the core's
	// hooks with callbacks that do nothing, and one bare SDK span per call
	// (no attributes, no metrics) on the same kind of provider.
	b.Run("Paired/HooksOnly", func(b *testing.B) {
		paired(b, chatapp.WithObserver(chatapp.Observer{
			CallStart:    func(ctx context.Context, _ chatapp.CallStartInfo) context.Context { return ctx },
			CallDone:     func(context.Context, chatapp.CallDoneInfo) {},
			AttemptStart: func(ctx context.Context, _ chatapp.AttemptStartInfo) context.Context { return ctx },
			AttemptDone:  func(context.Context, chatapp.AttemptDoneInfo) {},
			LimiterWait:  func(context.Context, chatapp.LimiterWaitInfo) {},
			Credentials:  func(context.Context, chatapp.CredentialsInfo) {},
		}))
	})
	b.Run("Paired/OneSpan", func(b *testing.B) {
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
		b.Cleanup(func() { tp.Shutdown(context.Background()) })
		tracer := tp.Tracer("bench")
		paired(b, chatapp.WithObserver(chatapp.Observer{
			CallStart: func(ctx context.Context, _ chatapp.CallStartInfo) context.Context {
				ctx, _ = tracer.Start(ctx, "call")
				return ctx
			},
			CallDone: func(ctx context.Context, _ chatapp.CallDoneInfo) { trace.SpanFromContext(ctx).End() },
		}))
	})
}
