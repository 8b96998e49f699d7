// Command shared-quota makes a few ChatApp Message Service calls through a
// chatapp.Client whose rate limiter keeps its buckets in Redis, so that
// every copy of it running at once shares one account's quota.
//
// It starts nothing itself: point it at a Redis you run, and at the
// service or, with -emulator, at chatapptest's in-process emulator.
//
//	redis-server --port 6380 --save "" --appendonly no &
//	go run . -redis localhost:6380 -emulator -calls 100
//
// Against the real service, credentials come from the credentials-go
// default chain: ALIBABA_CLOUD_ACCESS_KEY_ID and
// ALIBABA_CLOUD_ACCESS_KEY_SECRET, a CLI profile, an ECS RAM role, and so
// on. Secrets are never taken as flags, which other users could read from
// the process list.
//
//	go run . -redis redis://redis.internal:6379/0 -replicas 4 -phone 8613800001234
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/chatappkit/chatapp/redislimit"
	"github.com/redis/go-redis/v9"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "shared-quota:", err)
		os.Exit(1)
	}
}

func run() error {
	redisAddr := flag.String("redis", "localhost:6379", "Redis: host:port, a Unix socket path, or a redis://, rediss:// or unix:// URL")
	emulator := flag.Bool("emulator", false, "call chatapptest's in-process emulator instead of the service")
	endpoint := flag.String("endpoint", chatapp.DefaultEndpoint, "service endpoint (ignored with -emulator)")
	phone := flag.String("phone", "8613800001234", "WhatsApp business number, country code first, no +")
	calls := flag.Int("calls", 10, "GetChatappPhoneNumberMetric calls to make")
	concurrency := flag.Int("concurrency", 4, "calls in flight at once")
	replicas := flag.Int("replicas", 1, "processes sharing the quota, for the fallback while Redis is unavailable")
	account := flag.String("account", "", "name of the account in the Redis key (default: a hash of the AccessKeyId)")
	timeout := flag.Duration("timeout", time.Minute, "bound on the whole run")
	flag.Parse()
	switch {
	case *calls < 0:
		return fmt.Errorf("-calls must be at least 0, got %d", *calls)
	case *concurrency < 1:
		return fmt.Errorf("-concurrency must be at least 1, got %d", *concurrency)
	}

	opts, err := redisOptions(*redisAddr)
	if err != nil {
		return fmt.Errorf("-redis: %w", err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	pingCtx, pingCancel := context.WithTimeout(ctx, time.Second)
	if err := rdb.Ping(pingCtx).Err(); err != nil {
		// Not fatal: the limiter falls back to a local bucket, which
		// is what this shows.
		// opts.Addr, not the flag: a URL may hold a password.
		fmt.Fprintf(os.Stderr, "shared-quota: Redis at %s does not answer (%v); calls will be paced locally\n", opts.Addr, err)
	}
	pingCancel()

	limOpts := []redislimit.Option{
		redislimit.WithExpectedReplicas(*replicas),
		redislimit.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, nil))),
	}
	if *account != "" {
		limOpts = append(limOpts, redislimit.WithAccount(*account))
	}
	lim := redislimit.New(rdb, limOpts...)
	if err := lim.Err(); err != nil {
		return err
	}

	var client *chatapp.Client
	if *emulator {
		srv := chatapptest.NewServer()
		defer srv.Close()
		srv.AddPhoneNumber(*phone) // the emulator has data for its channel's numbers only
		client, err = srv.Client(chatapp.WithRateLimiter(lim))
	} else {
		client, err = chatapp.NewClient(chatapp.WithEndpoint(*endpoint), chatapp.WithRateLimiter(lim))
	}
	if err != nil {
		return err
	}
	fmt.Println("client:", client)

	// Harmless to repeat, and paced by its own 5/s bucket.
	if _, err := client.EnableWhatsappROIMetric(ctx, &chatapp.EnableWhatsappROIMetricRequest{}); err != nil {
		return fmt.Errorf("EnableWhatsappROIMetric: %w", err)
	}

	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range *concurrency {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(*calls) {
					return
				}
				t0 := time.Now()
				resp, err := client.GetChatappPhoneNumberMetric(ctx, &chatapp.GetChatappPhoneNumberMetricRequest{
					PhoneNumber: *phone,
					Granularity: chatapp.GranularityDaily,
					Start:       time.Now().AddDate(0, 0, -7),
					End:         time.Now(),
				})
				// Each Printf is one Write to os.Stdout, which *os.File
				// serializes, so lines stay whole.
				if err != nil {
					failed.Add(1)
					fmt.Printf("call %3d: %v\n", i, err)
				} else {
					fmt.Printf("call %3d: %d points, RequestId %s, %v\n", i, len(resp.Data), resp.RequestID, time.Since(t0).Round(time.Millisecond))
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	s := lim.Stats()
	fmt.Printf("%d calls in %v (%.1f/s), %d failed\n", *calls, elapsed.Round(time.Millisecond), float64(*calls)/elapsed.Seconds(), failed.Load())
	fmt.Printf("limiter: %d admitted by Redis, %d by the local fallback, %d Redis errors, degraded=%v\n",
		s.Admitted, s.FallbackAdmitted, s.RedisErrors, s.Degraded)
	if failed.Load() > 0 {
		return fmt.Errorf("%d of %d calls failed", failed.Load(), *calls)
	}
	return nil
}

// redisOptions reads the -redis flag. Its errors leave the address out,
// since a URL may hold a password.
func redisOptions(addr string) (*redis.Options, error) {
	switch {
	case strings.Contains(addr, "://"):
		opts, err := redis.ParseURL(addr)
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err // *url.Error quotes the whole URL
		}
		return opts, err
	case strings.HasPrefix(addr, "/"):
		return &redis.Options{Network: "unix", Addr: addr}, nil
	case addr == "":
		return nil, errors.New("the address must not be empty")
	}
	return &redis.Options{Addr: addr}, nil
}
