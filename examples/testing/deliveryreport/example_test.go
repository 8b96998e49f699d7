package deliveryreport_test

import (
	"context"
	"fmt"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/chatappkit/chatapp/examples/testing/deliveryreport"
)

func ExampleService_Yesterday() {
	srv := chatapptest.NewServer()
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		fmt.Println(err)
		return
	}
	cst := chatapp.ChinaStandardTime()
	err = srv.SeedMetrics(chatapp.PhoneNumberMetric{
		PhoneNumber:    "8613800001234",
		Start:          time.Date(2026, 3, 10, 0, 0, 0, 0, cst),
		SentCount:      1200,
		DeliveredCount: 1140,
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	svc := &deliveryreport.Service{
		Metrics: client,
		Now:     func() time.Time { return time.Date(2026, 3, 11, 9, 30, 0, 0, cst) },
	}
	r, err := svc.Yesterday(context.Background(), "8613800001234")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %d of %d delivered (%.1f%%), below 96%%: %t\n",
		r.Day.Format(time.DateOnly), r.Delivered, r.Sent, 100*r.DeliveryRate(), r.Below(0.96))
	// Output: 2026-03-10: 1140 of 1200 delivered (95.0%), below 96%: true
}
