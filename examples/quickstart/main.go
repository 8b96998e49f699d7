// Command quickstart prints what a WhatsApp business number (the first
// argument) sent and had delivered on each of the last 7 whole days, UTC+8.
// Credentials come from the credentials-go default chain; without any, it
// uses chatapptest's in-process emulator, whose data is generated.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	alicred "github.com/aliyun/credentials-go/credentials"
	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
)

func main() {
	phone := "8613800001234" // country code first, no +
	if len(os.Args) > 1 {
		phone = os.Args[1]
	}
	if err := run(context.Background(), phone, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err) // an API error names its code and RequestId
		os.Exit(1)
	}
}

func run(ctx context.Context, phone string, stdout, stderr io.Writer) error {
	var client *chatapp.Client
	var err error
	source := "Alibaba Cloud"
	if haveCredentials() {
		client, err = chatapp.NewClient() // the same default chain
	} else {
		srv := chatapptest.NewServer()
		defer srv.Close()
		fmt.Fprintln(stderr, "quickstart: no Alibaba Cloud credentials found: using the in-process emulator, whose data is generated")
		client, err = srv.Client()
		source = "the in-process emulator (generated data)"
	}
	if err != nil {
		return err
	}
	cst := chatapp.ChinaStandardTime()
	y, m, d := time.Now().In(cst).Date()
	end := time.Date(y, m, d, 0, 0, 0, 0, cst) // today has not ended: stop before it
	resp, err := client.GetChatappPhoneNumberMetric(ctx, &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: phone, Granularity: chatapp.GranularityDaily, Start: end.AddDate(0, 0, -7), End: end,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "WhatsApp messages of %s, last 7 days (UTC+8), from %s\n\n", phone, source)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "DAY\tSENT\tDELIVERED\tRATE\t")
	for _, p := range resp.Data {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f%%\t\n", p.Start.In(cst).Format(time.DateOnly), p.SentCount, p.DeliveredCount, 100*p.DeliveryRate())
	}
	return tw.Flush()
}

// haveCredentials reports whether the credentials-go default chain
// (environment, aliyun CLI profile, ECS RAM role, ...) finds any.
func haveCredentials() bool {
	cred, err := alicred.NewCredential(nil)
	if err == nil {
		_, err = cred.GetCredential()
	}
	return err == nil
}
