package chatappotel_test

import (
	"context"
	"errors"
	"testing"

	"github.com/chatappkit/chatapp/chatappotel"
	"github.com/chatappkit/chatapp/chatapptest"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
)

// refusingMeter returns no counter and no histogram, only errors, as a
// meter is allowed to.
type refusingMeter struct{ noop.Meter }

var errRefused = errors.New("refused")

func (refusingMeter) Int64Counter(string, ...metric.Int64CounterOption) (metric.Int64Counter, error) {
	return nil, errRefused
}

func (refusingMeter) Float64Histogram(string, ...metric.Float64HistogramOption) (metric.Float64Histogram, error) {
	return nil, errRefused
}

type refusingProvider struct{ noop.MeterProvider }

func (refusingProvider) Meter(string, ...metric.MeterOption) metric.Meter { return refusingMeter{} }

// TestMeterThatRefusesInstruments checks that instruments a meter refused
// record nothing instead of panicking, and that the errors reach
// otel.Handle.
func TestMeterThatRefusesInstruments(t *testing.T) {
	var handled []error
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { handled = append(handled, err) }))
	t.Cleanup(func() { otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {})) })

	srv := chatapptest.NewServer()
	t.Cleanup(srv.Close)
	c, err := srv.Client(quickRetries, chatappotel.Instrument(chatappotel.WithMeterProvider(refusingProvider{})))
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(1, chatapptest.ThrottlingFault(0))
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("a call with refused instruments panicked: %v", p)
			}
		}()
		_, err = c.GetChatappPhoneNumberMetric(context.Background(), metricRequest(srv))
	}()
	if err != nil {
		t.Fatal(err)
	}
	if len(handled) == 0 || !errors.Is(handled[0], errRefused) {
		t.Fatalf("otel.Handle got %v, want the meter's errors", handled)
	}
}
