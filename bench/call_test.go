package bench

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
)

// rounds repeats the whole set of call benchmarks, one variant after the
// other, so that the variants are interleaved in time and share the noise
// of a busy machine. go test's -count instead runs each sub-benchmark that
// many times back to back; cmd/benchtable uses -count 1 -rounds N.
var rounds = flag.Int("rounds", 1, "run the BenchmarkCall variants this many times, interleaved")

// The request of the benchmarks: the team's captures, seven DAILY points.
const (
	phoneNumber = "8613800001234"
	custSpaceID = "cams-test-space"
	granularity = "DAILY"
	startMilli  = int64(1756684800000)
	endMilli    = int64(1757289600000)
	points      = 7
	lastSent    = 16 // SentCount of the last point of sevenDaily

	accessKeyID     = "testid"
	accessKeySecret = "testsecret"
)

// callVariant is one way of making the call; setup returns the function
// that makes one call and checks its result.
type callVariant struct {
	name  string
	setup func(b *testing.B, base string) func(ctx context.Context) error
}

// BenchmarkCall measures one full GetChatappPhoneNumberMetric, request to
// typed result, against the canned server over loopback HTTP/1.1
// keep-alive:
//
//   - Floor: plain net/http and encoding/json, no signing, no limiter, no
//     retries: the least any client can do.
//   - Chatapp/RPC, Chatapp/V3: this module's Client with default settings,
//     except the endpoint, a fixed AccessKey, the signature scheme and a
//     limiter of 1e9 calls/s. It is the same token bucket as the default
//     (NewRateLimiter), but never makes the benchmark wait: the default
//     allows 48 calls/s per AccessKeyId and would measure its own sleep.
//     Retries stay on (up to 3 attempts).
//   - Official/V3, Official/RPC: darabonba-openapi v2's CallApi as the
//     generated cams client calls it (see official_test.go), default Config
//     with SignatureAlgorithm "v2" for RPC.
//
// Every iteration checks that the call succeeded with the seven points, so
// no variant can be measured on an error path.
func BenchmarkCall(b *testing.B) {
	base := cannedURL(b)
	variants := []callVariant{
		{"Floor", setupFloor},
		{"Chatapp/RPC", setupChatapp(chatapp.SignatureRPC)},
		{"Chatapp/V3", setupChatapp(chatapp.SignatureV3)},
		{"Official/V3", setupOfficial(false)},
		{"Official/RPC", setupOfficial(true)},
	}
	for range max(*rounds, 1) {
		for _, v := range variants {
			b.Run(v.name, func(b *testing.B) {
				call := v.setup(b, base)
				ctx := context.Background()
				// One call before timing: the connection is dialled here,
				// not in the first measured iteration.
				if err := call(ctx); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := call(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// checkSeries fails unless a decoded answer is the seven points of
// sevenDaily.
func checkSeries(code string, n int, lastSentCount int64) error {
	if code != "OK" || n != points || lastSentCount != lastSent {
		return fmt.Errorf("got Code %q, %d points, last SentCount %d; want OK, %d, %d", code, n, lastSentCount, points, lastSent)
	}
	return nil
}

// floorResponse is the answer as a minimal hand-written client decodes it.
type floorResponse struct {
	RequestID string `json:"RequestId"`
	Code      string
	Message   string
	Data      []struct {
		SentCount      int64
		DeliveredCount int64
		Start          int64
		End            int64
		PhoneNumber    string
		Granularity    string
	}
}

// setupFloor makes the physical limit: one POST with the operation's
// parameters in the query (as every client here sends them), on its own
// keep-alive transport, and the answer decoded by encoding/json.
func setupFloor(b *testing.B, base string) func(ctx context.Context) error {
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	b.Cleanup(hc.CloseIdleConnections)
	endpoint := base + "/"
	return func(ctx context.Context) error {
		u := make([]byte, 0, 192)
		u = append(u, endpoint...)
		u = append(u, "?CustSpaceId="...)
		u = append(u, url.QueryEscape(custSpaceID)...)
		u = append(u, "&End="...)
		u = strconv.AppendInt(u, endMilli, 10)
		u = append(u, "&Granularity="...)
		u = append(u, url.QueryEscape(granularity)...)
		u = append(u, "&PhoneNumber="...)
		u = append(u, url.QueryEscape(phoneNumber)...)
		u = append(u, "&Start="...)
		u = strconv.AppendInt(u, startMilli, 10)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, string(u), nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		var out floorResponse
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return err
		}
		// Read to EOF so that the connection goes back to the pool.
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		var last int64
		if len(out.Data) > 0 {
			last = out.Data[len(out.Data)-1].SentCount
		}
		return checkSeries(out.Code, len(out.Data), last)
	}
}

// setupChatapp makes this module's Client call.
func setupChatapp(v chatapp.SignatureVersion) func(b *testing.B, base string) func(ctx context.Context) error {
	return func(b *testing.B, base string) func(ctx context.Context) error {
		c, err := chatapp.NewClient(
			chatapp.WithEndpoint(base),
			chatapp.WithAccessKey(accessKeyID, accessKeySecret),
			chatapp.WithSignatureVersion(v),
			// On, through the default's token bucket, but never the
			// bottleneck (see BenchmarkCall).
			chatapp.WithRateLimiter(chatapp.NewRateLimiter(1e9)),
		)
		if err != nil {
			b.Fatal(err)
		}
		req := &chatapp.GetChatappPhoneNumberMetricRequest{
			PhoneNumber: phoneNumber,
			Granularity: chatapp.GranularityDaily,
			Start:       time.UnixMilli(startMilli),
			End:         time.UnixMilli(endMilli),
			CustSpaceID: custSpaceID,
		}
		return func(ctx context.Context) error {
			resp, err := c.GetChatappPhoneNumberMetric(ctx, req)
			if err != nil {
				return err
			}
			var last int64
			if len(resp.Data) > 0 {
				last = resp.Data[len(resp.Data)-1].SentCount
			}
			return checkSeries(resp.Code, len(resp.Data), last)
		}
	}
}

// BenchmarkCallAlternating times Chatapp against Floor call by call: every
// iteration makes one call of each, in turn first (so that neither always
// runs on the connection state the other left), and the benchmark reports
// the ratio of their summed times as chatapp/floor. On a shared machine
// whose speed drifts by tens of percent within a second, pairing each call
// with a Floor call made microseconds apart is what brings the ratio's
// run-to-run scatter down to a few hundredths (10 runs within 0.04 of each
// other on 2026-12-03); cmd/benchtable checks the time targets with it.
// ns/op is the time of the pair; B/op and allocs/op mix both clients
// (BenchmarkCall has each alone).
func BenchmarkCallAlternating(b *testing.B) {
	base := cannedURL(b)
	for _, v := range []struct {
		name string
		sv   chatapp.SignatureVersion
	}{{"Chatapp/RPC", chatapp.SignatureRPC}, {"Chatapp/V3", chatapp.SignatureV3}} {
		b.Run(v.name, func(b *testing.B) {
			calls := [2]func(context.Context) error{setupFloor(b, base), setupChatapp(v.sv)(b, base)}
			var spent [2]time.Duration // Floor's, Chatapp's
			ctx := context.Background()
			for _, call := range calls {
				if err := call(ctx); err != nil { // the dials, untimed
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				for k := range 2 {
					which := (n + k) % 2
					start := time.Now()
					if err := calls[which](ctx); err != nil {
						b.Fatal(err)
					}
					spent[which] += time.Since(start)
				}
				n++
			}
			b.ReportMetric(float64(spent[1])/float64(spent[0]), "chatapp/floor")
		})
	}
}
