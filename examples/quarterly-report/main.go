// Command quarterly-report prints last quarter's WhatsApp delivery rate,
// by day, for a set of business numbers, as CSV: the program to copy when
// you need a report from the ChatApp Message Service.
//
//	go run ./examples/quarterly-report -phone 8613800001234,8613800005678 > q.csv
//
// It fetches every number's quarter concurrently under the account's rate
// limit (Client.QueryPhoneNumbers), sums the numbers into the service's
// days, which run midnight to midnight UTC+8 (chatapp.TotalsByDay), and
// writes one row per day, then each number's total and the grand total:
//
//	day,phone_number,sent,delivered,delivery_rate
//	2026-07-01,all,34411,31907,0.9272
//	...
//	total,8613800001001,275170,254583,0.9252
//	...
//	total,all,2725930,2519325,0.9242
//
// Credentials come from the credentials-go default chain. Without
// ALIBABA_CLOUD_ACCESS_KEY_ID in the environment it queries chatapptest's
// in-process emulator instead, with twelve sample numbers unless -phone
// names some, and says so on stderr.
package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "quarterly-report:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("quarterly-report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	phones := fs.String("phone", "", "comma-separated business numbers, country code first, no +")
	quarter := fs.String("quarter", "", "quarter to report, e.g. 2026Q3 (default: the last one, in UTC+8)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cst := chatapp.ChinaStandardTime()
	start, end, err := quarterRange(*quarter, time.Now(), cst)
	if err != nil {
		return err
	}
	var numbers []string
	for n := range strings.SplitSeq(*phones, ",") {
		if n = strings.TrimSpace(n); n != "" {
			numbers = append(numbers, n)
		}
	}

	var client *chatapp.Client
	if getenv("ALIBABA_CLOUD_ACCESS_KEY_ID") == "" {
		srv := chatapptest.NewServer()
		defer srv.Close()
		fmt.Fprintln(stderr, "quarterly-report: ALIBABA_CLOUD_ACCESS_KEY_ID is not set: using the in-process emulator, whose data is generated")
		if client, err = srv.Client(); err != nil {
			return err
		}
		if len(numbers) == 0 {
			for i := range 12 {
				numbers = append(numbers, fmt.Sprintf("86138000%05d", 1001+i))
			}
		}
	} else if client, err = chatapp.NewClient(); err != nil {
		return err
	}
	if len(numbers) == 0 {
		return errors.New("-phone is required: the business numbers to report on")
	}

	results, err := client.QueryPhoneNumbers(ctx, numbers, &chatapp.GetChatappPhoneNumberMetricRequest{
		Granularity: chatapp.GranularityDaily,
		Start:       start,
		End:         end,
	})
	if errors.Is(err, chatapp.ErrInvalidRequest) {
		return err
	}
	// Report what could be fetched; say what could not.
	var all []chatapp.PhoneNumberMetric
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(stderr, "quarterly-report: %s: %v\n", r.PhoneNumber, r.Err)
		}
		all = append(all, r.Points...)
	}

	w := csv.NewWriter(stdout)
	w.Write([]string{"day", "phone_number", "sent", "delivered", "delivery_rate"})
	for _, d := range chatapp.TotalsByDay(all, cst) {
		w.Write(record(d.Day.Format(time.DateOnly), "all", d.Totals))
	}
	for _, r := range results {
		w.Write(record("total", r.PhoneNumber, chatapp.Total(r.Points)))
	}
	w.Write(record("total", "all", chatapp.Total(all)))
	w.Flush()
	if werr := w.Error(); werr != nil {
		return werr
	}
	if err != nil {
		return errors.New("some numbers could not be fetched in full; see above")
	}
	return nil
}

func record(day, phone string, t chatapp.Totals) []string {
	return []string{day, phone,
		strconv.FormatInt(t.Sent, 10), strconv.FormatInt(t.Delivered, 10),
		strconv.FormatFloat(t.DeliveryRate(), 'f', 4, 64)}
}

// quarterName matches a -quarter value such as 2026Q3, and nothing more.
var quarterName = regexp.MustCompile(`^(\d{4})Q([1-4])$`)

// quarterRange returns the quarter named like 2026Q3, or the one before
// now's, as midnights in loc.
func quarterRange(name string, now time.Time, loc *time.Location) (start, end time.Time, err error) {
	if name == "" {
		y, m, _ := now.In(loc).Date()
		current := time.Date(y, (m-1)/3*3+1, 1, 0, 0, 0, 0, loc)
		return current.AddDate(0, -3, 0), current, nil
	}
	m := quarterName.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(name)))
	if m == nil {
		return start, end, fmt.Errorf("-quarter: %q is not a quarter such as 2026Q3 (a four-digit year, Q, and 1 to 4)", name)
	}
	year, _ := strconv.Atoi(m[1])
	q, _ := strconv.Atoi(m[2])
	start = time.Date(year, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, loc)
	return start, start.AddDate(0, 3, 0), nil
}
