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
//	day,phone_number,sent,delivered,delivery_rate,partial
//	2026-07-01,all,34411,31907,0.9272,false
//	...
//	total,8613800001001,275170,254583,0.9252,false
//	...
//	total,all,2725930,2519325,0.9242,false
//
// partial is true for a day that has not ended (-quarter naming the
// current quarter), and then for the totals. Credentials come from the
// credentials-go default chain; without any it refuses (exit 2) unless
// -emulator asks for chatapptest's in-process emulator, whose data is
// generated (twelve sample numbers unless -phone names some). A number
// that fails is left out of the rows and totals and named on stderr (exit
// 1); an interrupted run prints nothing (exit 130).
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
	"syscall"
	"time"

	alicred "github.com/aliyun/credentials-go/credentials"
	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// now is the clock of the default quarter and of partial days; tests pin it.
var now = time.Now

// run returns the exit code: 0; 1 when a number or the output failed; 2
// for a usage error, including no credentials without -emulator; 130 when
// interrupted, with nothing printed.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("quarterly-report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	phones := fs.String("phone", "", "comma-separated business numbers, country code first, no +")
	quarter := fs.String("quarter", "", "quarter to report, e.g. 2026Q3 (default: the last one, in UTC+8)")
	emulator := fs.Bool("emulator", false, "report on chatapptest's in-process emulator, whose data is generated (default numbers: twelve samples)")
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2 // the flag package has printed why
	}
	usage := func(msg string) int {
		fmt.Fprintln(stderr, "quarterly-report:", msg)
		return 2
	}
	cst := chatapp.ChinaStandardTime()
	at := now()
	start, end, err := quarterRange(*quarter, at, cst)
	if err != nil {
		return usage(err.Error())
	}
	if !start.Before(at) {
		return usage(fmt.Sprintf("-quarter %q has not begun: there is no data yet", *quarter))
	}
	var numbers []string
	for n := range strings.SplitSeq(*phones, ",") {
		if n = strings.TrimSpace(n); n != "" {
			numbers = append(numbers, n)
		}
	}

	var client *chatapp.Client
	switch {
	case *emulator:
		// The emulator shares the program's clock, so both agree on what
		// today is; in-process, its check of request timestamps is moot.
		srv := chatapptest.NewServer(chatapptest.WithClock(now), chatapptest.WithTimestampSkew(0))
		defer srv.Close()
		fmt.Fprintln(stderr, "quarterly-report: using the in-process emulator: the data is generated")
		if client, err = srv.Client(); err != nil {
			fmt.Fprintln(stderr, "quarterly-report:", err)
			return 1
		}
		if len(numbers) == 0 {
			for i := range 12 {
				numbers = append(numbers, fmt.Sprintf("86138000%05d", 1001+i))
			}
		}
	case !haveCredentials():
		return usage("no Alibaba Cloud credentials found (environment, aliyun CLI profile, ECS RAM role, ...): set them up, or pass -emulator for a report of generated data")
	default:
		if client, err = chatapp.NewClient(); err != nil {
			fmt.Fprintln(stderr, "quarterly-report:", err)
			return 1
		}
	}
	if len(numbers) == 0 {
		return usage("-phone is required: the business numbers to report on")
	}

	results, err := client.QueryPhoneNumbers(ctx, numbers, &chatapp.GetChatappPhoneNumberMetricRequest{
		Granularity: chatapp.GranularityDaily,
		Start:       start,
		End:         end,
	})
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "quarterly-report: interrupted: nothing printed, since part of the quarter would look like all of it")
		return 130
	case errors.Is(err, chatapp.ErrInvalidRequest):
		fmt.Fprintln(stderr, "quarterly-report:", err)
		return 2
	}
	// Report the numbers that were fetched in full; say which were not.
	code := 0
	var all []chatapp.PhoneNumberMetric
	var fetched []chatapp.PhoneNumberSeries
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(stderr, "quarterly-report: %s: left out: %v\n", r.PhoneNumber, r.Err)
			code = 1
			continue
		}
		fetched = append(fetched, r)
		all = append(all, r.Points...)
	}

	w := csv.NewWriter(stdout)
	w.Write([]string{"day", "phone_number", "sent", "delivered", "delivery_rate", "partial"})
	if len(fetched) > 0 {
		for _, d := range chatapp.TotalsByDay(all, cst) {
			// A day that has not ended holds only its messages so far.
			w.Write(record(d.Day.Format(time.DateOnly), "all", d.Totals, d.Day.AddDate(0, 0, 1).After(at)))
		}
		partial := end.After(at)
		for _, r := range fetched {
			w.Write(record("total", r.PhoneNumber, chatapp.Total(r.Points), partial))
		}
		w.Write(record("total", "all", chatapp.Total(all), partial))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		fmt.Fprintln(stderr, "quarterly-report:", err)
		return 1
	}
	return code
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

func record(day, phone string, t chatapp.Totals, partial bool) []string {
	return []string{day, phone,
		strconv.FormatInt(t.Sent, 10), strconv.FormatInt(t.Delivered, 10),
		strconv.FormatFloat(t.DeliveryRate(), 'f', 4, 64), strconv.FormatBool(partial)}
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
