package chatappotel_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatappotel"
	"github.com/chatappkit/chatapp/chatapptest"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// Wiring the stdout exporters: the call below is throttled once and then
// answered, so the trace printed holds the call span, two attempt spans
// ("POST", the second with http.request.resend_count 1) and the backoff
// pause between them. It has no Output: trace ids and times differ from
// run to run.
func Example() {
	srv := chatapptest.NewServer()
	defer srv.Close()

	spans, err := stdouttrace.New(stdouttrace.WithPrettyPrint())
	if err != nil {
		log.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	defer tp.Shutdown(context.Background())
	metrics, err := stdoutmetric.New()
	if err != nil {
		log.Fatal(err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics)))
	defer mp.Shutdown(context.Background()) // prints the metrics

	client, err := srv.Client(chatappotel.Instrument(
		chatappotel.WithTracerProvider(tp),
		chatappotel.WithMeterProvider(mp),
	))
	if err != nil {
		log.Fatal(err)
	}
	srv.InjectFault(1, chatapptest.ThrottlingFault(10*time.Millisecond))
	end := time.Now().Truncate(24 * time.Hour)
	_, err = client.GetChatappPhoneNumberMetric(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: srv.PhoneNumbers()[0],
		Granularity: chatapp.GranularityDaily,
		Start:       end.AddDate(0, 0, -3),
		End:         end,
	})
	if err != nil {
		log.Fatal(err)
	}
}

// The shape of a retried call's trace, from an in-memory recorder.
func Example_retriedCall() {
	srv := chatapptest.NewServer()
	defer srv.Close()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	client, err := srv.Client(chatappotel.Instrument(chatappotel.WithTracerProvider(tp)))
	if err != nil {
		log.Fatal(err)
	}
	srv.InjectFault(1, chatapptest.ThrottlingFault(10*time.Millisecond))
	end := time.Now().Truncate(24 * time.Hour)
	_, err = client.GetChatappPhoneNumberMetric(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: srv.PhoneNumbers()[0],
		Granularity: chatapp.GranularityDaily,
		Start:       end.AddDate(0, 0, -3),
		End:         end,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range rec.Ended() {
		if s.Parent().IsValid() {
			fmt.Print("  ")
		}
		fmt.Print(s.Name(), " ", s.Status().Code)
		for _, kv := range s.Attributes() {
			switch kv.Key {
			case "http.response.status_code", "http.request.resend_count", "error.type", "chatapp.attempts", "rpc.response.status_code":
				fmt.Print(" ", kv.Key, "=", kv.Value.String())
			}
		}
		for _, e := range s.Events() {
			if e.Name == "chatapp.backoff" {
				fmt.Print(" [event chatapp.backoff]")
			}
		}
		fmt.Println()
	}
	// Output:
	//   POST Error http.response.status_code=400 error.type=Throttling.User
	//   POST Unset http.request.resend_count=1 http.response.status_code=200
	// cams/GetChatappPhoneNumberMetric Unset rpc.response.status_code=OK chatapp.attempts=2 [event chatapp.backoff]
}

// traceIDs is a slog.Handler that adds the trace and span ids of the
// record's context, as the otelslog bridge does for the records it sends.
type traceIDs struct{ slog.Handler }

func (h traceIDs) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

// The Client logs each attempt (chatapp.WithLogger) with the attempt's
// context, in which the attempt's span is current, so a handler that reads
// the context (otelslog.NewHandler, or this one) ties the records to the
// trace.
func Example_logs() {
	srv := chatapptest.NewServer()
	defer srv.Close()
	tp := sdktrace.NewTracerProvider()
	var out strings.Builder
	logger := slog.New(traceIDs{slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug})})
	client, err := srv.Client(chatappotel.Instrument(chatappotel.WithTracerProvider(tp)), chatapp.WithLogger(logger))
	if err != nil {
		log.Fatal(err)
	}
	end := time.Now().Truncate(24 * time.Hour)
	_, err = client.GetChatappPhoneNumberMetric(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: srv.PhoneNumbers()[0],
		Granularity: chatapp.GranularityDaily,
		Start:       end.AddDate(0, 0, -3),
		End:         end,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintln(os.Stdout, "record has trace_id:", strings.Contains(out.String(), "trace_id="))
	// Output:
	// record has trace_id: true
}
