package chatapp_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
)

// NewClient with no options reads credentials from the credentials-go
// default chain (ALIBABA_CLOUD_ACCESS_KEY_ID and _SECRET, a CLI profile, an
// ECS RAM role, ...) and calls the Singapore endpoint. It does no I/O.
func ExampleNewClient() {
	client, err := chatapp.NewClient(
		chatapp.WithRegion("ap-southeast-1"),
		chatapp.WithMaxAttempts(5),
		chatapp.WithUserAgent("delivery-report/1.0"),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client)
	// Output: chatapp.Client{endpoint: https://cams.ap-southeast-1.aliyuncs.com, signature: ACS3-HMAC-SHA256, limiter: default, maxAttempts: 5}
}

// A week of daily points for one number. The emulator stands in for the
// service here; with a real account, use chatapp.NewClient().
func ExampleClient_GetChatappPhoneNumberMetric() {
	srv := chatapptest.NewServer()
	defer srv.Close()
	cst := chatapp.ChinaStandardTime() // the service's days run midnight to midnight UTC+8
	monday := time.Date(2026, 9, 7, 0, 0, 0, 0, cst)
	for day := range 7 {
		srv.SeedMetrics(chatapp.PhoneNumberMetric{
			PhoneNumber: "8613800001234", Granularity: chatapp.GranularityDaily,
			Start: monday.AddDate(0, 0, day), SentCount: int64(100 + day), DeliveredCount: int64(90 + day),
		})
	}
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}

	resp, err := client.GetChatappPhoneNumberMetric(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: "8613800001234",
		Granularity: chatapp.GranularityDaily,
		Start:       monday,
		End:         monday.AddDate(0, 0, 7),
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range resp.Data {
		fmt.Printf("%s sent %d delivered %d (%.1f%%)\n", p.Start.In(cst).Format("Mon 2006-01-02"), p.SentCount, p.DeliveredCount, 100*p.DeliveryRate())
	}
	// Output:
	// Mon 2026-09-07 sent 100 delivered 90 (90.0%)
	// Tue 2026-09-08 sent 101 delivered 91 (90.1%)
	// Wed 2026-09-09 sent 102 delivered 92 (90.2%)
	// Thu 2026-09-10 sent 103 delivered 93 (90.3%)
	// Fri 2026-09-11 sent 104 delivered 94 (90.4%)
	// Sat 2026-09-12 sent 105 delivered 95 (90.5%)
	// Sun 2026-09-13 sent 106 delivered 96 (90.6%)
}

// Failures unwrap to an *APIError, and match the Err* sentinels. Here the
// service keeps throttling after the client's retries.
func ExampleAPIError() {
	srv := chatapptest.NewServer()
	defer srv.Close()
	srv.InjectFault(3, chatapptest.Fault{Kind: chatapptest.FaultError, Status: 400, Code: "System.LimitControl", Message: "The system is under flow control."})
	client, err := srv.Client(chatapp.WithBackoff(chatapp.Backoff{Base: time.Millisecond, ThrottleBase: time.Millisecond}))
	if err != nil {
		log.Fatal(err)
	}

	_, err = client.GetChatappPhoneNumberMetric(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
		Start: time.Now().AddDate(0, 0, -1),
		End:   time.Now(),
	})
	var apiErr *chatapp.APIError
	var opErr *chatapp.OperationError
	if errors.As(err, &apiErr) && errors.As(err, &opErr) {
		fmt.Println("throttled:", errors.Is(err, chatapp.ErrThrottled))
		fmt.Println("code:", apiErr.Code, "status:", apiErr.StatusCode, "attempts:", opErr.Attempts)
		fmt.Println("has request ID:", apiErr.RequestID != "")
	}
	// Output:
	// throttled: true
	// code: System.LimitControl status: 400 attempts: 3
	// has request ID: true
}
