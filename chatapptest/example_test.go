package chatapptest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
)

// utc8 is the emulator's default time zone, in which DAILY buckets begin.
var utc8 = chatapp.ChinaStandardTime()

// A user's unit test: start the emulator, take a client wired to it, and
// call the service as in production. Generated data depends only on the
// number and the day, so a past range always gives the same answer.
func ExampleNewServer() {
	srv := chatapptest.NewServer()
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}

	resp, err := client.GetChatappPhoneNumberMetric(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: "8613800001234",
		Granularity: chatapp.GranularityDaily,
		Start:       time.Date(2026, 1, 5, 0, 0, 0, 0, utc8),
		End:         time.Date(2026, 1, 12, 0, 0, 0, 0, utc8),
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range resp.Data {
		fmt.Println(p.Start.In(utc8).Format("Mon 2006-01-02"), p.SentCount, p.DeliveredCount)
	}
	// Output:
	// Mon 2026-01-05 2991 2776
	// Tue 2026-01-06 3339 3100
	// Wed 2026-01-07 3044 2806
	// Thu 2026-01-08 3174 2974
	// Fri 2026-01-09 2743 2553
	// Sat 2026-01-10 1875 1750
	// Sun 2026-01-11 1394 1260
}

// Seeded points replace generated ones, so a test can pin exactly the
// numbers its code under test should report.
func ExampleEmulator_SeedMetrics() {
	srv := chatapptest.NewServer()
	defer srv.Close()
	day := time.Date(2026, 2, 2, 0, 0, 0, 0, utc8)
	err := srv.SeedMetrics(chatapp.PhoneNumberMetric{
		PhoneNumber: "6588887777",
		Granularity: chatapp.GranularityDaily,
		Start:       day,
		SentCount:   100,
		// Only 80 of them were delivered.
		DeliveredCount: 80,
	})
	if err != nil {
		log.Fatal(err)
	}
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}
	resp, err := client.GetChatappPhoneNumberMetric(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: "6588887777",
		Start:       day,
		End:         day.Add(24 * time.Hour),
	})
	if err != nil {
		log.Fatal(err)
	}
	p := resp.Data[0]
	fmt.Printf("%s: %d sent, %.0f%% delivered\n", p.PhoneNumber, p.SentCount, 100*float64(p.DeliveredCount)/float64(p.SentCount))
	// Output:
	// 6588887777: 100 sent, 80% delivered
}

// Injected faults test a caller's error handling: here the gateway
// throttles twice, the client waits as told and retries, and the third
// attempt succeeds.
func ExampleEmulator_InjectFault() {
	srv := chatapptest.NewServer()
	defer srv.Close()
	srv.InjectFault(2, chatapptest.ThrottlingFault(20*time.Millisecond))

	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.EnableWhatsappROIMetric(context.Background(), nil)
	fmt.Println("error:", err)
	for _, r := range srv.Requests() {
		fmt.Println(r.Action, r.Status, r.Code)
	}

	// With retries off, the throttling reaches the caller.
	srv.InjectFault(1, chatapptest.Fault{Status: http.StatusBadRequest, Code: "System.LimitControl"})
	once, err := srv.Client(chatapp.WithMaxAttempts(1))
	if err != nil {
		log.Fatal(err)
	}
	_, err = once.EnableWhatsappROIMetric(context.Background(), nil)
	fmt.Println(errors.Is(err, chatapp.ErrThrottled))
	// Output:
	// error: <nil>
	// EnableWhatsappROIMetric 400 Throttling.User
	// EnableWhatsappROIMetric 400 Throttling.User
	// EnableWhatsappROIMetric 200 OK
	// true
}

// A new account has no data until EnableWhatsappROIMetric is called, and
// then only from the next day on. A settable clock walks through it.
func ExampleWithROIDisabled() {
	now := time.Date(2026, 5, 6, 15, 0, 0, 0, utc8)
	srv := chatapptest.NewServer(
		chatapptest.WithROIDisabled(),
		chatapptest.WithClock(func() time.Time { return now }),
		// The client signs with the real time; this clock is far from it.
		chatapptest.WithTimestampSkew(0),
	)
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	lastWeek := func() int {
		resp, err := client.GetChatappPhoneNumberMetric(ctx, &chatapp.GetChatappPhoneNumberMetricRequest{
			PhoneNumber: "8613800001234",
			Start:       now.AddDate(0, 0, -7),
			End:         now,
		})
		if err != nil {
			log.Fatal(err)
		}
		return len(resp.Data)
	}

	fmt.Println("before:", lastWeek())
	if _, err := client.EnableWhatsappROIMetric(ctx, nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println("same day:", lastWeek())
	now = now.Add(12 * time.Hour) // 03:00 the next day
	fmt.Println("next day:", lastWeek())
	// Output:
	// before: 0
	// same day: 0
	// next day: 1
}

// NewEmulator is the service as an http.Handler, to serve on any server.
func ExampleNewEmulator() {
	emu := chatapptest.NewEmulator(chatapptest.WithCredentials("my-id", "my-secret"))
	ts := httptest.NewServer(emu)
	defer ts.Close()
	defer emu.Close()

	client, err := chatapp.NewClient(
		chatapp.WithEndpoint(ts.URL),
		chatapp.WithAccessKey("my-id", "my-secret"),
		chatapp.WithSignatureVersion(chatapp.SignatureRPC),
	)
	if err != nil {
		log.Fatal(err)
	}
	resp, err := client.EnableWhatsappROIMetric(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Code, emu.Requests()[0].Scheme)
	// Output:
	// OK RPC
}
