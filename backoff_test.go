package chatapp

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests run in a synctest bubble: the clock is fake, so every pause
// the client takes is asserted exactly (recorder.pauses). Jitter is pinned
// to the top of its range (or the bottom) so that the pauses are known in
// advance.

func gatewayHTMLAnswer(status int) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, "<html><head><title>"+strconv.Itoa(status)+"</title></head><body>Tengine</body></html>")
		resp.Header.Set("Content-Type", "text/html")
		resp.Header.Set("X-Acs-Request-Id", "HDR-HTML")
		return resp, nil
	}
}

// TestEach5xxIsRetriedWithGrowingBackoff: 500, 502, 503 and 504, as JSON
// from the gateway or HTML from a load balancer, are retried after Base,
// then 2·Base, and the third attempt's data is returned.
func TestEach5xxIsRetriedWithGrowingBackoff(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504} {
		for _, kind := range []string{"json", "html"} {
			t.Run(strconv.Itoa(status)+"/"+kind, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					c, mock := newMockClient(t)
					c.jitter = topOfJitter
					fail := jsonAnswer(status, errorBody("ServiceUnavailable", "try later", "REQ-5XX"))
					if kind == "html" {
						fail = gatewayHTMLAnswer(status)
					}
					rec := script(mock, fail, fail, jsonAnswer(200, sevenDays))
					resp, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
					require.NoError(t, err)
					assert.Len(t, resp.Data, 7)
					assert.Equal(t, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}, rec.pauses())
				})
			})
		}
	}
}

// TestServerErrorBackoffStopsGrowingAtMax: the ceiling doubles from Base
// and then stays at Max.
func TestServerErrorBackoffStopsGrowingAtMax(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, mock := newMockClient(t, WithMaxAttempts(7), WithBackoff(Backoff{Base: 100 * time.Millisecond, Max: time.Second}))
		c.jitter = topOfJitter
		fail := jsonAnswer(503, errorBody("ServiceUnavailable", "m", "R"))
		rec := script(mock, fail, fail, fail, fail, fail, fail, jsonAnswer(200, sevenDays))
		_, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
		require.NoError(t, err)
		ms := time.Millisecond
		assert.Equal(t, []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, time.Second, time.Second}, rec.pauses())
	})
}

// TestThrottlingBurstBackoff: a burst of flow-control answers. Without a
// hint the pause grows from ThrottleBase; a hint (x-ratelimit-user-api
// TimeLeft, or Retry-After) replaces the draw, with at most 10 % jitter on
// top, and no pause ever exceeds Backoff.Max, even when the server asks for
// a minute.
func TestThrottlingBurstBackoff(t *testing.T) {
	hint := func(timeLeft string) []string {
		return []string{"X-Ratelimit-User-Api", "Limit:50,Remain:0,TimeLeft:" + timeLeft + ",Reset:1"}
	}
	answers := []httpmock.Responder{
		throttled(),
		throttled(),
		throttled(hint("300")...),
		throttled(hint("60000")...), // a minute: more than Max
		jsonAnswer(400, errorBody("Throttling.User", "Request was denied due to user flow control.", "REQ-TU"), "Retry-After", "2"),
		jsonAnswer(200, sevenDays),
	}
	ms := time.Millisecond
	for _, tc := range []struct {
		name   string
		jitter func(int64) int64
		want   []time.Duration
	}{
		{"jitter at the top", topOfJitter, []time.Duration{time.Second, 2 * time.Second, 330 * ms, 5 * time.Second, 2200 * ms}},
		{"jitter at the bottom", bottomOfJitter, []time.Duration{0, 0, 300 * ms, 5 * time.Second, 2 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, mock := newMockClient(t, WithMaxAttempts(6), WithBackoff(Backoff{ThrottleBase: time.Second, Max: 5 * time.Second}))
				c.jitter = tc.jitter
				rec := script(mock, answers...)
				start := time.Now()
				resp, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
				require.NoError(t, err)
				assert.Len(t, resp.Data, 7)
				assert.Equal(t, tc.want, rec.pauses())
				for _, p := range rec.pauses() {
					assert.LessOrEqual(t, p, 5*time.Second, "no pause exceeds Backoff.Max")
				}
				var total time.Duration
				for _, p := range tc.want {
					total += p
				}
				assert.Equal(t, total, time.Since(start), "the client slept only between attempts")
			})
		})
	}
}

// stallingRoundTripper answers 200 with half of a JSON body and then
// stalls the body until the request's context ends, as a server that stops
// sending mid-answer does. Later requests get the whole body at once.
type stallingRoundTripper struct {
	mu       sync.Mutex
	requests int
	stalls   int // how many requests stall
}

func (s *stallingRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.requests++
	stall := s.requests <= s.stalls
	s.mu.Unlock()
	var body io.ReadCloser = io.NopCloser(strings.NewReader(sevenDays))
	if stall {
		body = &stallingBody{head: strings.NewReader(sevenDays[:len(sevenDays)/2]), ctx: req.Context()}
	}
	return &http.Response{
		StatusCode:    200,
		Header:        http.Header{"Content-Type": {"application/json"}, "X-Acs-Request-Id": {"HDR-SLOW"}},
		Body:          body,
		ContentLength: int64(len(sevenDays)),
		Request:       req,
	}, nil
}

type stallingBody struct {
	head *strings.Reader
	ctx  context.Context
}

func (b *stallingBody) Read(p []byte) (int, error) {
	if b.head.Len() > 0 {
		return b.head.Read(p)
	}
	<-b.ctx.Done()
	return 0, b.ctx.Err()
}

func (b *stallingBody) Close() error { return nil }

func newStallingClient(t *testing.T, stalls int, opts ...Option) (*Client, *stallingRoundTripper) {
	t.Helper()
	rt := &stallingRoundTripper{stalls: stalls}
	c := newTestClient(t, rt, opts...)
	c.jitter = topOfJitter
	return c, rt
}

// TestSlowBodyPastTheCallerDeadline: a body that stops arriving ends the
// call at the caller's deadline, not later, with no partial data; the
// error matches context.DeadlineExceeded and keeps the cut answer's status
// and request ID.
func TestSlowBodyPastTheCallerDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, rt := newStallingClient(t, 1)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start := time.Now()
		resp, err := c.GetChatappPhoneNumberMetric(ctx, weekRequest())
		assert.Equal(t, 2*time.Second, time.Since(start))
		assert.Nil(t, resp, "half a body is not a result")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		requireResponseError(t, err, 200, "HDR-SLOW")
		assert.ErrorIs(t, err, ErrMalformedResponse)
		requireAttempts(t, err, 1)
		assert.Equal(t, 1, rt.requests)
	})
}

// TestSlowBodyPastTheAttemptTimeout: when only the attempt's own timeout
// ends, the cut answer is retried and the next attempt's data returned.
func TestSlowBodyPastTheAttemptTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, rt := newStallingClient(t, 1, WithAttemptTimeout(time.Second))
		start := time.Now()
		resp, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
		require.NoError(t, err)
		assert.Len(t, resp.Data, 7)
		assert.Equal(t, 2, rt.requests)
		assert.Equal(t, time.Second+100*time.Millisecond, time.Since(start), "the attempt timeout, then Base")
	})
}

// TestDefaultLimiterWaitPastDeadlineFailsAtOnce: with the default limiter,
// shared by two Clients of one AccessKeyId, a call whose wait for the
// shared bucket would outlast its deadline fails at that instant, matching
// ErrThrottled and context.DeadlineExceeded, and sends nothing.
func TestDefaultLimiterWaitPastDeadlineFailsAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		call func(context.Context, *Client) (any, error)
		wait time.Duration // until the bucket's next token
	}{
		{"GetChatappPhoneNumberMetric", func(ctx context.Context, c *Client) (any, error) {
			return c.GetChatappPhoneNumberMetric(ctx, weekRequest())
		}, time.Second / 48},
		{"EnableWhatsappROIMetric", func(ctx context.Context, c *Client) (any, error) {
			return c.EnableWhatsappROIMetric(ctx, nil)
		}, time.Second * 10 / 48},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				// Two Clients of one AccessKeyId share the default
				// limiter's bucket.
				id := uniqueAccessKeyID()
				first, firstMock := defaultLimitedClient(t, id)
				second, secondMock := defaultLimitedClient(t, id)
				firstRec := script(firstMock, jsonAnswer(200, sevenDays))
				secondRec := script(secondMock, jsonAnswer(200, sevenDays))
				_, err := tc.call(context.Background(), first)
				require.NoError(t, err)

				ctx, cancel := context.WithTimeout(context.Background(), tc.wait/2)
				defer cancel()
				start := time.Now()
				resp, err := tc.call(ctx, second)
				assert.Zero(t, time.Since(start), "fails at once instead of sleeping in vain")
				assert.Nil(t, resp)
				requireLimiterRefusal(t, err, tc.wait, time.Microsecond)
				assert.Equal(t, 1, firstRec.count())
				assert.Zero(t, secondRec.count(), "the refused call sent nothing")
			})
		})
	}
}
