package redislimit_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/redislimit"
	"github.com/redis/go-redis/v9"
)

// Every replica builds its Client the same way; they share the account's
// quota through Redis.
func Example() {
	rdb := redis.NewClient(&redis.Options{Addr: "redis.internal:6379"})
	defer rdb.Close()
	lim := redislimit.New(rdb, redislimit.WithExpectedReplicas(4))
	if err := lim.Err(); err != nil {
		fmt.Println(err)
		return
	}
	client, err := chatapp.NewClient(chatapp.WithRateLimiter(lim))
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := client.GetChatappPhoneNumberMetric(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: "8613800001234",
		Granularity: chatapp.GranularityDaily,
		Start:       time.Now().AddDate(0, 0, -7),
		End:         time.Now(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(resp.Data), "points")
}

func ExampleDefaultLimit() {
	for _, op := range []string{"GetChatappPhoneNumberMetric", "EnableWhatsappROIMetric"} {
		lim := redislimit.DefaultLimit(op)
		fmt.Printf("%s: %.2f/s, burst %d\n", op, lim.PerSecond, lim.Burst)
	}
	// Output:
	// GetChatappPhoneNumberMetric: 47.04/s, burst 2
	// EnableWhatsappROIMetric: 4.80/s, burst 1
}

// Operators find a bucket in Redis by the hash of the AccessKeyId.
func ExampleAccountKey() {
	fmt.Println("rate:chatapp:" + redislimit.AccountKey("LTAI5tExample") + ":GetChatappPhoneNumberMetric")
	// Output:
	// rate:chatapp:ak-3f6318905145667c:GetChatappPhoneNumberMetric
}

// With Redis unreachable, the default policy admits calls through a local
// bucket at the rate divided by the expected replicas, and logs the outage
// once.
func ExampleWithExpectedReplicas() {
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: filepath.Join(os.TempDir(), "no-redis-here.sock")})
	defer rdb.Close()
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "err" {
				return slog.Attr{} // they vary from run to run
			}
			return a
		},
	}))
	lim := redislimit.New(rdb, redislimit.WithExpectedReplicas(3), redislimit.WithLogger(logger))
	ctx := chatapp.ContextWithCallInfo(context.Background(), chatapp.CallInfo{
		Operation: "GetChatappPhoneNumberMetric", AccessKeyID: "LTAI5tExample", Attempt: 1,
	})
	for range 3 {
		if err := lim.Wait(ctx); err != nil {
			fmt.Println(err)
		}
	}
	s := lim.Stats()
	fmt.Printf("degraded=%v outages=%d fallback_admitted=%d\n", s.Degraded, s.Outages, s.FallbackAdmitted)
	// Output:
	// level=WARN msg="redislimit: Redis unavailable; rate limiting falls back to the fault policy" policy=fallback expected_replicas=3
	// degraded=true outages=1 fallback_admitted=3
}

// FailClosed refuses calls while Redis is unreachable.
func ExampleWithFaultPolicy() {
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: filepath.Join(os.TempDir(), "no-redis-here.sock")})
	defer rdb.Close()
	lim := redislimit.New(rdb, redislimit.WithFaultPolicy(redislimit.FailClosed), redislimit.WithLogger(nil))
	err := lim.Wait(context.Background())
	fmt.Println(errors.Is(err, redislimit.ErrUnavailable), errors.Is(err, chatapp.ErrThrottled))
	// Output:
	// true false
}

// A bad option does not make New fail; the Limiter refuses every call
// and Err says why.
func ExampleLimiter_Err() {
	lim := redislimit.New(redis.NewClient(&redis.Options{}), redislimit.WithExpectedReplicas(0))
	fmt.Println(lim.Err())
	// Output:
	// redislimit: WithExpectedReplicas: n must be at least 1, got 0
}
