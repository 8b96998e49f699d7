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

// A quarter of daily points for one number, fetched a month per request
// and totalled as they arrive. The emulator stands in for the service.
func ExampleClient_PhoneNumberMetrics() {
	srv := chatapptest.NewServer()
	defer srv.Close()
	client, err := srv.Client() // in production: chatapp.NewClient()
	if err != nil {
		log.Fatal(err)
	}

	cst := chatapp.ChinaStandardTime() // the service's days
	req := &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: "8613800001234",
		Granularity: chatapp.GranularityDaily,
		Start:       time.Date(2026, 7, 1, 0, 0, 0, 0, cst),
		End:         time.Date(2026, 10, 1, 0, 0, 0, 0, cst),
	}
	var total chatapp.Totals
	days := 0
	for p, err := range client.PhoneNumberMetrics(context.Background(), req) {
		if err != nil {
			log.Fatal(err) // points before the error have been seen
		}
		if days < 3 {
			fmt.Printf("%s sent %d, delivered %d (%.1f%%)\n",
				p.Start.In(cst).Format(time.DateOnly), p.SentCount, p.DeliveredCount, 100*p.DeliveryRate())
		}
		days++
		total.Add(p)
	}
	fmt.Printf("%d days: sent %d, delivered %d, delivery rate %.2f%%\n", days, total.Sent, total.Delivered, 100*total.DeliveryRate())
	fmt.Println("requests:", srv.Stats().Requests)
	// Output:
	// 2026-07-01 sent 3041, delivered 2823 (92.8%)
	// 2026-07-02 sent 3057, delivered 2847 (93.1%)
	// 2026-07-03 sent 2900, delivered 2665 (91.9%)
	// 92 days: sent 248757, delivered 230179, delivery rate 92.53%
	// requests: 4
}

// Many numbers at once: each number's quarter, by day, with the numbers
// fetched concurrently under the account's one rate limit.
func ExampleClient_QueryPhoneNumbers() {
	srv := chatapptest.NewServer()
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}

	cst := chatapp.ChinaStandardTime()
	numbers := []string{"8613800001234", "8613800005678", "6588887777"}
	srv.AddPhoneNumber(numbers...) // only the channel's numbers have data
	results, err := client.QueryPhoneNumbers(context.Background(), numbers, &chatapp.GetChatappPhoneNumberMetricRequest{
		Granularity: chatapp.GranularityDaily,
		Start:       time.Date(2026, 7, 1, 0, 0, 0, 0, cst),
		End:         time.Date(2026, 10, 1, 0, 0, 0, 0, cst),
	})
	if errors.Is(err, chatapp.ErrInvalidRequest) {
		log.Fatal(err)
	}
	// Other errors belong to single numbers; the rest have their data.
	for _, r := range results {
		if r.Err != nil {
			fmt.Println(r.PhoneNumber, "failed:", r.Err)
			continue
		}
		t := chatapp.Total(r.Points)
		fmt.Printf("%s %d days, sent %d, delivered %d, %.2f%%\n", r.PhoneNumber, len(r.Points), t.Sent, t.Delivered, 100*t.DeliveryRate())
	}
	// Output:
	// 8613800001234 92 days, sent 248757, delivered 230179, 92.53%
	// 8613800005678 92 days, sent 204369, delivered 188360, 92.17%
	// 6588887777 92 days, sent 37267, delivered 32812, 88.05%
}

// Half hours re-bucketed into the days of another zone.
func ExampleTotalsByDay() {
	srv := chatapptest.NewServer()
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}

	berlin := time.FixedZone("UTC+2", 2*60*60)
	var points []chatapp.PhoneNumberMetric
	for p, err := range client.PhoneNumberMetrics(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: "8613800001234",
		Granularity: chatapp.GranularityHalfHour,
		Start:       time.Date(2026, 9, 7, 0, 0, 0, 0, berlin),
		End:         time.Date(2026, 9, 10, 0, 0, 0, 0, berlin),
	}) {
		if err != nil {
			log.Fatal(err)
		}
		points = append(points, p)
	}
	for _, d := range chatapp.TotalsByDay(points, berlin) {
		fmt.Printf("%s sent %d, delivered %d (%.1f%%)\n", d.Day.Format("Mon 2006-01-02"), d.Sent, d.Delivered, 100*d.DeliveryRate())
	}
	// Output:
	// Mon 2026-09-07 sent 3167, delivered 2951 (93.2%)
	// Tue 2026-09-08 sent 3285, delivered 3060 (93.2%)
	// Wed 2026-09-09 sent 3151, delivered 2934 (93.1%)
}
