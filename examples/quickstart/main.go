// Command quickstart prints the WhatsApp messages a business number sent
// and had delivered on each of the last 7 whole days (the service's days,
// UTC+8). Credentials come from the credentials-go default chain; without
// any, it uses chatapptest's in-process emulator, whose data is generated,
// and says so. cmd/chatapp-metrics has the flags and formats.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	alicred "github.com/aliyun/credentials-go/credentials"
	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code) // 0, 1 when the query fails, 2 for a bad flag, 130 when interrupted
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	phone := fs.String("phone", "8613800001234", "business number, country code first, no +")
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2 // the flag package has printed why, and the usage
	}
	var client *chatapp.Client
	source := "Alibaba Cloud"
	if haveCredentials() {
		client, err = chatapp.NewClient() // the same default chain
	} else {
		srv := chatapptest.NewServer()
		defer srv.Close()
		fmt.Fprintln(stderr, "quickstart: no Alibaba Cloud credentials found: using the in-process emulator, whose data is generated")
		source = "the in-process emulator (generated data)"
		client, err = srv.Client()
	}
	cst := chatapp.ChinaStandardTime()
	y, m, d := time.Now().In(cst).Date()
	end := time.Date(y, m, d, 0, 0, 0, 0, cst) // today has not ended: stop before it
	var resp *chatapp.GetChatappPhoneNumberMetricResponse
	if err == nil {
		resp, err = client.GetChatappPhoneNumberMetric(ctx, &chatapp.GetChatappPhoneNumberMetricRequest{
			PhoneNumber: *phone, Granularity: chatapp.GranularityDaily, Start: end.AddDate(0, 0, -7), End: end,
		})
	}
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "quickstart: interrupted")
		return 130
	case err != nil:
		fmt.Fprintln(stderr, "quickstart:", err) // an API error's message has its code and RequestId
		return 1
	}
	fmt.Fprintf(stdout, "WhatsApp messages of %s, last 7 days (UTC+8), from %s\n\n", *phone, source)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "DAY\tSENT\tDELIVERED\tRATE\t")
	for _, p := range resp.Data {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f%%\t\n", p.Start.In(cst).Format(time.DateOnly), p.SentCount, p.DeliveredCount, 100*p.DeliveryRate())
	}
	tw.Flush()
	return 0
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
