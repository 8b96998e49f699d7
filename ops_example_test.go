package chatapp_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
)

// Which numbers of a channel are in trouble: their state, and whether
// they can send.
func ExampleClient_QueryChatappPhoneNumbers() {
	srv := chatapptest.NewServer()
	defer srv.Close()
	troubled := srv.PhoneNumberInfos()[1]
	troubled.Status, troubled.QualityRating = chatapp.PhoneNumberBanned, chatapp.QualityRed
	if err := srv.SetPhoneNumber(troubled); err != nil {
		log.Fatal(err)
	}
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	space := srv.CustSpaceID()
	list, err := client.QueryChatappPhoneNumbers(ctx, &chatapp.QueryChatappPhoneNumbersRequest{CustSpaceID: space})
	if err != nil {
		log.Fatal(err)
	}
	for _, n := range list.PhoneNumbers {
		h, err := client.GetWhatsappHealthStatus(ctx, &chatapp.GetWhatsappHealthStatusRequest{
			NodeType: chatapp.NodePhone, CustSpaceID: space, PhoneNumber: n.PhoneNumber,
		})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(n.PhoneNumber, n.Status, n.QualityRating, n.MessagingLimitTier, h.CanSendMessage)
	}
	// Output:
	// 8613800001234 CONNECTED GREEN TIER_10K AVAILABLE
	// 8613800005678 BANNED RED TIER_10K BLOCKED
}

// A template's read rate and clicks over a week, however long the range.
func ExampleClient_TemplateMetrics() {
	srv := chatapptest.NewServer()
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}

	cst := chatapp.ChinaStandardTime()
	var sent, delivered, read, clicks int64
	for p, err := range client.TemplateMetrics(context.Background(), &chatapp.GetChatappTemplateMetricRequest{
		TemplateCode: "welcome_offer",
		Language:     "en",
		Start:        time.Date(2026, 9, 7, 0, 0, 0, 0, cst),
		End:          time.Date(2026, 9, 14, 0, 0, 0, 0, cst),
	}) {
		if err != nil {
			log.Fatal(err)
		}
		sent, delivered, read = sent+p.SentCount, delivered+p.DeliveredCount, read+p.ReadCount
		for _, c := range p.Clicks {
			clicks += c.Count
		}
	}
	fmt.Printf("sent %d, delivered %d, read %d (%.1f%% of delivered), %d clicks\n",
		sent, delivered, read, 100*float64(read)/float64(delivered), clicks)
	// Output:
	// sent 29367, delivered 27291, read 16091 (59.0% of delivered), 3819 clicks
}
