// Command retries shows how a chatapp.Client rides out throttling and
// transient failures, and what it returns when retries run out, against
// chatapptest's in-process emulator with injected faults:
//
//	go run ./examples/retries       # add -v to see the client's log of every attempt
//
// Each scenario injects faults for the next requests
// (chatapptest.ThrottlingFault, a System.LimitControl or 503 answer), makes
// one GetChatappPhoneNumberMetric call, and prints what the emulator
// answered to each attempt and what the caller got:
//
//   - throttled twice, then served: the default 3 attempts absorb it, and
//     the client waits as long as the server's TimeLeft header asks;
//   - throttled on every attempt: the error matches chatapp.ErrThrottled,
//     *chatapp.OperationError counts the attempts (chatapp.WithMaxAttempts),
//     and errors.As finds the *chatapp.APIError with its code and RequestId;
//   - a 503, then served: server errors are retried after the shorter
//     Backoff.Base pause (chatapp.WithBackoff);
//   - a context deadline shorter than the server's wait: the client fails at
//     once instead of sleeping past it;
//   - a permission error: not retried.
//
// The real service cannot be made to fail on request, so this program uses
// the emulator only; the same code paths run against it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("retries", flag.ContinueOnError)
	fs.SetOutput(stderr)
	verbose := fs.Bool("v", false, "log every attempt the client makes to stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "retries: unexpected argument %q\n", fs.Arg(0))
		return 2
	}

	srv := chatapptest.NewServer()
	defer srv.Close()
	logger := slog.New(slog.DiscardHandler)
	if *verbose {
		logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	d := &demo{srv: srv, out: stdout, logger: logger}

	// The last 7 whole days in UTC+8, the service's day: any range would do.
	cst := chatapp.ChinaStandardTime()
	y, m, day := time.Now().In(cst).Date()
	end := time.Date(y, m, day, 0, 0, 0, 0, cst)
	d.req = &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: "8613800001234",
		Granularity: chatapp.GranularityDaily,
		Start:       end.AddDate(0, 0, -7),
		End:         end,
	}

	fmt.Fprintf(stdout, "Calling GetChatappPhoneNumberMetric on the built-in emulator at %s, with faults injected.\n", srv.URL)
	for _, s := range []func(context.Context) error{
		d.throttledThenServed,
		d.throttledEveryTime,
		d.serverErrorThenServed,
		d.deadline,
		d.notRetried,
	} {
		if err := s(ctx); err != nil {
			fmt.Fprintln(stderr, "retries:", err)
			return 1
		}
	}
	return 0
}

// demo holds what every scenario shares.
type demo struct {
	srv    *chatapptest.Server
	out    io.Writer
	logger *slog.Logger
	req    *chatapp.GetChatappPhoneNumberMetricRequest
	n      int // scenarios printed so far
}

// call makes one call with a fresh client made with opts, and prints what
// the emulator answered to each attempt.
func (d *demo) call(ctx context.Context, title string, opts ...chatapp.Option) (*chatapp.GetChatappPhoneNumberMetricResponse, error) {
	d.n++
	fmt.Fprintf(d.out, "\n%d. %s\n", d.n, title)
	d.srv.ClearRequests()
	client, err := d.srv.Client(append([]chatapp.Option{chatapp.WithLogger(d.logger)}, opts...)...)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	resp, callErr := client.GetChatappPhoneNumberMetric(ctx, d.req)
	elapsed := time.Since(start)
	// Faults not used up by this call must not leak into the next.
	d.srv.ClearFaults()

	// Times count from the first attempt, which may itself wait for the
	// rate limiter that every client of the server's AccessKeyId shares.
	var answers []string
	reqs := d.srv.Requests()
	for i, r := range reqs {
		if i == 0 {
			answers = append(answers, fmt.Sprintf("#1 %s", r.Code))
			continue
		}
		answers = append(answers, fmt.Sprintf("#%d (+%s) %s", i+1, ms(r.Time.Sub(reqs[0].Time)), r.Code))
	}
	fmt.Fprintf(d.out, "   the emulator answered  %s\n", strings.Join(answers, ", "))
	if callErr == nil {
		fmt.Fprintf(d.out, "   the caller got         %d daily points, no error, after %s\n", len(resp.Data), ms(elapsed))
	} else {
		fmt.Fprintf(d.out, "   the caller got         an error after %s: %v\n", ms(elapsed), callErr)
	}
	return resp, callErr
}

func (d *demo) throttledThenServed(ctx context.Context) error {
	// The gateway's flow-control answer says how long to wait in its
	// x-ratelimit-user-api header; the client waits that long instead of
	// its own backoff.
	d.srv.InjectFault(2, chatapptest.ThrottlingFault(150*time.Millisecond))
	_, err := d.call(ctx, "Throttled twice (Throttling.User, TimeLeft 150ms), then served; default options (3 attempts)")
	if err != nil {
		return fmt.Errorf("expected the retries to absorb the throttling: %w", err)
	}
	fmt.Fprintln(d.out, "   -> the retries hid the throttling: the caller never saw it")
	return nil
}

func (d *demo) throttledEveryTime(ctx context.Context) error {
	d.srv.InjectFault(10, chatapptest.Fault{Status: 400, Code: "System.LimitControl"})
	_, err := d.call(ctx, "Throttled every time (System.LimitControl, no wait hint); WithMaxAttempts(4), WithBackoff(ThrottleBase: 20ms)",
		chatapp.WithMaxAttempts(4),
		// Without a hint, pause before retry n is drawn from
		// [0, ThrottleBase·2^(n-1)]; the default 1s base suits the real
		// service but would make this demo slow.
		chatapp.WithBackoff(chatapp.Backoff{ThrottleBase: 20 * time.Millisecond, Max: time.Second}))
	if err == nil {
		return errors.New("expected the call to fail once the attempts ran out")
	}
	var opErr *chatapp.OperationError
	var apiErr *chatapp.APIError
	if !errors.As(err, &opErr) || !errors.As(err, &apiErr) {
		return fmt.Errorf("expected an *OperationError wrapping an *APIError: %w", err)
	}
	fmt.Fprintf(d.out, "   errors.Is(err, chatapp.ErrThrottled)  %t\n", errors.Is(err, chatapp.ErrThrottled))
	fmt.Fprintf(d.out, "   *chatapp.OperationError               Operation %s, Attempts %d\n", opErr.Operation, opErr.Attempts)
	fmt.Fprintf(d.out, "   *chatapp.APIError                     Code %s, HTTP %d, RequestId %s\n", apiErr.Code, apiErr.StatusCode, apiErr.RequestID)
	fmt.Fprintln(d.out, "   -> still throttled after every attempt: back off for longer, or queue the work")
	return nil
}

func (d *demo) serverErrorThenServed(ctx context.Context) error {
	d.srv.InjectFault(1, chatapptest.Fault{Status: 503, Code: "ServiceUnavailable"})
	_, err := d.call(ctx, "A 503 (ServiceUnavailable), then served; WithBackoff(Base: 10ms)",
		chatapp.WithBackoff(chatapp.Backoff{Base: 10 * time.Millisecond}))
	if err != nil {
		return fmt.Errorf("expected the retry to absorb the server error: %w", err)
	}
	fmt.Fprintln(d.out, "   -> server errors and broken connections are retried too")
	return nil
}

func (d *demo) deadline(ctx context.Context) error {
	d.srv.InjectFault(1, chatapptest.ThrottlingFault(5*time.Second))
	ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	return d.failsAtOnce(ctx, "Throttled with TimeLeft 5s, under a context deadline of 300ms",
		"chatapp.ErrThrottled", chatapp.ErrThrottled,
		"a wait that would outlast the deadline is not started: the call fails at once")
}

func (d *demo) notRetried(ctx context.Context) error {
	d.srv.InjectFault(3, chatapptest.Fault{Status: 400, Code: "Ram.PermissionDeny"})
	return d.failsAtOnce(ctx, "A permission error (Ram.PermissionDeny)",
		"chatapp.ErrPermissionDenied", chatapp.ErrPermissionDenied,
		"errors a retry cannot fix are returned at once")
}

// failsAtOnce makes the call of a scenario that must fail, and prints
// whether the error matches target (spelled name) and after how many
// attempts, then the lesson.
func (d *demo) failsAtOnce(ctx context.Context, title, name string, target error, lesson string) error {
	_, err := d.call(ctx, title)
	var opErr *chatapp.OperationError
	if !errors.As(err, &opErr) {
		return fmt.Errorf("expected the call to fail with an *OperationError, got %v", err)
	}
	fmt.Fprintf(d.out, "   errors.Is(err, %s)  %t, after %d attempt\n", name, errors.Is(err, target), opErr.Attempts)
	fmt.Fprintln(d.out, "   -> "+lesson)
	return nil
}

// ms prints d in whole milliseconds, which is as fine as pauses matter.
func ms(d time.Duration) string {
	return d.Round(time.Millisecond).String()
}
