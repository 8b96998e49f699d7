// Package deliveryreport is a small service built on chatapp, of the kind
// an application has: it reports how many of a WhatsApp business number's
// messages were delivered yesterday, for a dashboard or an alert.
//
// It is here to show how to unit-test such code with chatapptest, the
// in-process emulator of the ChatApp Message Service:
//
//	go test ./examples/testing/...
//
// The tests hand the service a real *chatapp.Client wired to an emulator
// (chatapptest.NewServer, Server.Client), so what they exercise includes
// request signing, parameter encoding, retries and decoding, with no fake
// to keep in step with the service. They seed the day's counts
// (SeedMetrics), check what the service computed, check the request it
// sent (Requests), and make the service fail on cue (InjectFault).
// examples/httpmock tests the same service with a mocked HTTP transport.
package deliveryreport

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chatappkit/chatapp"
)

// ErrNoData reports that the service returned no counts for the day, which it
// does until WhatsApp ROI metric collection has been on for a whole day
// (chatapp.Client.EnableWhatsappROIMetric).
var ErrNoData = errors.New("deliveryreport: no metrics for the day")

// MetricsClient is the call the Service makes. *chatapp.Client implements
// it; declaring it here keeps the Service's dependency to what it uses.
type MetricsClient interface {
	GetChatappPhoneNumberMetric(ctx context.Context, req *chatapp.GetChatappPhoneNumberMetricRequest) (*chatapp.GetChatappPhoneNumberMetricResponse, error)
}

// Service reports on business numbers' deliveries.
type Service struct {
	Metrics MetricsClient
	// Now returns the current time; nil means time.Now. Tests pin it so
	// that "yesterday" is a day they chose.
	Now func() time.Time
}

// Report is one number's counts for one day.
type Report struct {
	PhoneNumber string
	// Day is the midnight that begins the day, in UTC+8: the service counts
	// days from midnight to midnight China time.
	Day time.Time
	chatapp.Totals
}

// Below reports whether the delivery rate is under threshold. A day on which
// nothing was sent is not below anything: there was nothing to deliver.
func (r Report) Below(threshold float64) bool {
	return r.Sent > 0 && r.DeliveryRate() < threshold
}

// Yesterday returns the counts of phoneNumber for the day before today,
// days being those of the service (UTC+8). Errors from the ChatApp service
// are wrapped, so errors.Is matches the chatapp.Err* sentinels; a day
// without data is ErrNoData.
func (s *Service) Yesterday(ctx context.Context, phoneNumber string) (Report, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	cst := chatapp.ChinaStandardTime()
	y, m, d := now().In(cst).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, cst)
	r := Report{PhoneNumber: phoneNumber, Day: today.AddDate(0, 0, -1)}

	resp, err := s.Metrics.GetChatappPhoneNumberMetric(ctx, &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: phoneNumber,
		Granularity: chatapp.GranularityDaily,
		Start:       r.Day,
		End:         today,
	})
	if err != nil {
		return r, fmt.Errorf("deliveryreport: %s on %s: %w", phoneNumber, r.Day.Format(time.DateOnly), err)
	}
	if len(resp.Data) == 0 {
		return r, fmt.Errorf("%w: %s on %s (RequestId %s)", ErrNoData, phoneNumber, r.Day.Format(time.DateOnly), resp.RequestID)
	}
	r.Totals = chatapp.Total(resp.Data)
	return r, nil
}
