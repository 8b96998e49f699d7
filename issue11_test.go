package chatapp

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	alicred "github.com/aliyun/credentials-go/credentials"
	"github.com/chatappkit/chatapp/internal/pct"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryRedirectIsRefused (issue 11.1): an https endpoint answers every
// redirect status with a Location on the same host but plain http, the
// signed query repeated. No client follows it, whatever its own policy:
// the call fails with a *RedirectError naming the status and the target
// host, and nothing reaches the server a second time.
func TestEveryRedirectIsRefused(t *testing.T) {
	followAll := func(*http.Request, []*http.Request) error { return nil }
	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, client := range []struct {
			name string
			hc   func(srv *httptest.Server) *http.Client
		}{
			{"user client, Go's policy", func(srv *httptest.Server) *http.Client { return srv.Client() }},
			{"user client following everything", func(srv *httptest.Server) *http.Client {
				hc := srv.Client()
				hc.CheckRedirect = followAll
				return hc
			}},
			{"default client", nil},
		} {
			t.Run(http.StatusText(status)+"/"+client.name, func(t *testing.T) {
				var hits atomic.Int64
				handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					hits.Add(1)
					if r.URL.Path == "/" {
						w.Header().Set("Location", "http://"+r.Host+"/moved?"+r.URL.RawQuery)
						w.WriteHeader(status)
						return
					}
					w.Header().Set("Content-Type", "application/json")
					_, _ = io.WriteString(w, sevenDays)
				})
				var srv *httptest.Server
				var opts []Option
				if client.hc == nil {
					// The default client trusts no test certificate: it talks
					// plain http to loopback, and the redirect stays refused.
					srv = httptest.NewServer(handler)
				} else {
					srv = httptest.NewTLSServer(handler)
					opts = append(opts, WithHTTPClient(client.hc(srv)))
				}
				defer srv.Close()
				c := newServerClient(t, srv.URL, append(opts, WithSignatureVersion(SignatureRPC))...)
				resp, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
				assert.Nil(t, resp)
				var re *RedirectError
				require.ErrorAs(t, err, &re)
				u, _ := url.Parse(srv.URL)
				assert.Equal(t, status, re.StatusCode)
				assert.Equal(t, u.Host, re.Host)
				assert.Contains(t, err.Error(), u.Host)
				assert.NotContains(t, err.Error(), "Signature", "the target's query is not repeated")
				assert.Equal(t, int64(1), hits.Load(), "no request followed the redirect, and none was retried")
				requireAttempts(t, err, 1)
			})
		}
	}
}

// jsonEscaped is s as a JSON encoder that escapes '/' writes it.
func jsonEscaped(s string) string { return strings.ReplaceAll(s, "/", `\/`) }

// signatureForms returns the other encodings of a signature: base64 of a
// hex signature's bytes (SignatureV3), hex of a base64 one's (RPC).
func signatureForms(sig string) []string {
	var out []string
	if b, err := hex.DecodeString(sig); err == nil && len(b) > 0 {
		out = append(out, base64.StdEncoding.EncodeToString(b), base64.URLEncoding.EncodeToString(b))
	}
	if b, err := base64.StdEncoding.DecodeString(sig); err == nil && len(b) > 0 {
		out = append(out, hex.EncodeToString(b))
	}
	return out
}

// wireSignature is the signature of a request under either scheme.
func wireSignature(req *http.Request) string {
	if _, sig, ok := strings.Cut(req.Header.Get("Authorization"), "Signature="); ok {
		return sig
	}
	return req.URL.Query().Get("Signature")
}

// TestServerEchoedSecretsAreRedacted (issue 11.3): a server puts the STS
// token, the secret and the signature into every string the client keeps
// (the request-id header, the body's Code, RequestId, HostId, Message,
// Recommend, an HTML page) in every encoding: raw, percent-encoded once and
// twice, JSON-escaped, and the signature in base64 and hex. None shows in
// err.Error(), any fmt verb of the error chain, or the debug log.
func TestServerEchoedSecretsAreRedacted(t *testing.T) {
	every := func(req *http.Request) []string {
		var out []string
		for _, s := range []string{leakSecret, leakToken, wireSignature(req)} {
			once := pct.Encode(s)
			out = append(out, s, once, pct.Encode(once), jsonEscaped(s), jsonEscaped(once))
		}
		return append(out, signatureForms(wireSignature(req))...)
	}
	raw := func(status int, contentType string, body func(req *http.Request) string) func(*http.Request) (*http.Response, error) {
		return func(req *http.Request) (*http.Response, error) {
			resp := httpmock.NewStringResponse(status, body(req))
			resp.Header.Set("Content-Type", contentType)
			resp.Header.Set("X-Acs-Request-Id", leakToken)
			return resp, nil
		}
	}
	for _, sig := range []SignatureVersion{SignatureV3, SignatureRPC} {
		for _, tc := range []struct {
			name   string
			answer func(*http.Request) (*http.Response, error)
		}{
			{"503 HTML, token as request id", raw(503, "text/html", func(*http.Request) string { return "<html>Service Unavailable</html>" })},
			{"HTML page with the token JSON-escaped", raw(502, "text/html", func(req *http.Request) string {
				return `<html><script>var ctx={"token":"` + jsonEscaped(leakToken) + `"}</script></html>`
			})},
			{"non-JSON body with every form", raw(400, "text/plain", func(req *http.Request) string {
				return strings.Join(every(req), " ")
			})},
			{"Code and RequestId are the token", raw(400, "application/json", func(*http.Request) string {
				return `{"Code":"` + jsonEscaped(leakToken) + `","RequestId":"` + leakToken + `","HostId":"` + leakToken + `","Message":"m","Recommend":"https://x/?q=` + pct.Encode(leakToken) + `"}`
			})},
			{"every field holds every form", func(req *http.Request) (*http.Response, error) {
				forms := strings.Join(every(req), " ")
				body := leakJSON(map[string]string{"Code": "System.LimitControl" + forms, "RequestId": forms, "HostId": forms, "Message": forms, "Recommend": forms, "AccessDeniedDetail": forms})
				return jsonAnswer(400, body, "X-Acs-Request-Id", forms)(req)
			}},
		} {
			t.Run(sig.String()+"/"+tc.name, func(t *testing.T) {
				var logs bytes.Buffer
				var mu sync.Mutex
				var sent []string
				c, wire := newLeakClient(t, func(req *http.Request) (*http.Response, error) {
					mu.Lock()
					sent = append(sent, every(req)...)
					mu.Unlock()
					return tc.answer(req)
				}, WithSignatureVersion(sig), WithMaxAttempts(2),
					WithBackoff(Backoff{Base: time.Millisecond, ThrottleBase: time.Millisecond, Max: time.Millisecond}),
					WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
				_, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
				require.Error(t, err)
				require.Contains(t, logs.String(), "chatapp attempt")
				printed := map[string]string{"log": logs.String(), "Error()": err.Error()}
				for i, e := range errorChainOf(err) {
					printWithEveryVerb(printed, fmt.Sprintf("error %d (%T)", i, e), e)
				}
				mu.Lock()
				requireNoSecret(t, printed, append(wire.all(), sent...), true)
				mu.Unlock()
			})
		}
	}
}

// TestEndpointUserinfoIsRefusedWithoutEcho (issue 11.4): an endpoint that
// carries user information fails NewClient with an error naming the rule,
// and the password shows in no form, however broken the rest of the URL.
func TestEndpointUserinfoIsRefusedWithoutEcho(t *testing.T) {
	const pw = "hunter2PW"
	for _, endpoint := range []string{
		"https://user:" + pw + "@example.com:bad",
		"https://user:" + pw + "@example.com",
		"user:" + pw + "@example.com",
		"http://user:" + pw + "@localhost:8080",
		"https://user:" + pw + "@[::1",
		"https://user:" + pw + "%zz@example.com",
		"https://user:" + pw + "@example.com/path?q=1",
		" https://:" + pw + "@example.com ",
		"https://" + pw + "@example.com",
	} {
		t.Run(endpoint, func(t *testing.T) {
			_, err := NewClient(WithEndpoint(endpoint), WithAccessKey("LTAIx", "secret"))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "WithEndpoint")
			assert.Contains(t, err.Error(), "user information")
			assert.NotContains(t, err.Error(), pw)
			assert.NotContains(t, strings.ToLower(err.Error()), strings.ToLower(pw))
		})
	}
}

// TestTimesOutsideTheWireRangeAreRefused (issue 11.5): every time field of
// every operation and range query is checked before its conversion to
// UNIX milliseconds, which wraps for times far from 1970: such a request
// fails with a *ValidationError naming the field, and nothing is sent.
func TestTimesOutsideTheWireRangeAreRefused(t *testing.T) {
	ok := weekRequest()
	for _, tc := range []struct {
		field      string
		start, end time.Time
	}{
		{"Start", time.Unix(math.MinInt64, 0), ok.End},
		{"Start", time.Unix(math.MinInt64/1000-1, 0), ok.End},
		{"Start", time.Unix(-1, 0), ok.End},
		{"End", ok.Start, time.Unix(math.MaxInt64, 0)},
		{"End", ok.Start, time.Unix(math.MaxInt64/1000+1, 0)},
		{"End", ok.Start, time.Date(200_000_000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"Start", time.Unix(math.MaxInt64, 0), time.Unix(math.MaxInt64, 999_999_999)},
	} {
		calls := map[string]func(c *Client) error{
			"GetChatappPhoneNumberMetric": func(c *Client) error {
				req := weekRequest()
				req.Start, req.End = tc.start, tc.end
				_, err := c.GetChatappPhoneNumberMetric(context.Background(), req)
				return err
			},
			"GetChatappTemplateMetric": func(c *Client) error {
				_, err := c.GetChatappTemplateMetric(context.Background(), &GetChatappTemplateMetricRequest{TemplateCode: "t", Start: tc.start, End: tc.end})
				return err
			},
			"PhoneNumberMetrics": func(c *Client) error {
				req := weekRequest()
				req.Start, req.End = tc.start, tc.end
				for _, err := range c.PhoneNumberMetrics(context.Background(), req) {
					return err
				}
				return nil
			},
			"TemplateMetrics": func(c *Client) error {
				for _, err := range c.TemplateMetrics(context.Background(), &GetChatappTemplateMetricRequest{TemplateCode: "t", Start: tc.start, End: tc.end}) {
					return err
				}
				return nil
			},
			"QueryPhoneNumbers": func(c *Client) error {
				req := weekRequest()
				req.PhoneNumber = ""
				req.Start, req.End = tc.start, tc.end
				_, err := c.QueryPhoneNumbers(context.Background(), []string{"8613800001234"}, req)
				return err
			},
		}
		for name, call := range calls {
			t.Run(fmt.Sprintf("%s/%s=%d", name, tc.field, map[string]time.Time{"Start": tc.start, "End": tc.end}[tc.field].Unix()), func(t *testing.T) {
				c, mock := newMockClient(t)
				rec := script(mock, jsonAnswer(200, sevenDays))
				err := call(c)
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tc.field, ve.Field)
				assert.Zero(t, rec.count(), "nothing was sent")
			})
		}
	}
}

// expiringContext models a deadline that passes between a limiter's two
// looks at its context: Done is still open when the limiter checks it, and
// once it has read the deadline, Err reports it passed. It makes the race
// that a real deadline a few microseconds away loses about once in 10⁴
// waits happen every time.
type expiringContext struct {
	context.Context
	deadline time.Time
	read     atomic.Bool
}

func (c *expiringContext) Deadline() (time.Time, bool) {
	c.read.Store(true)
	return c.deadline, true
}

func (c *expiringContext) Err() error {
	if c.read.Load() {
		return context.DeadlineExceeded
	}
	return nil
}

// TestEveryLimiterFailureIsThrottledOrDeadline (issue 11.2): whatever the
// limiter, and however its wait fails, the error matches ErrThrottled or
// context.DeadlineExceeded, on its own and through a full call.
func TestEveryLimiterFailureIsThrottledOrDeadline(t *testing.T) {
	matches := func(t *testing.T, err error) {
		t.Helper()
		require.Error(t, err)
		assert.True(t, errors.Is(err, ErrThrottled) || errors.Is(err, context.DeadlineExceeded), "%v matches neither", err)
	}
	t.Run("NewRateLimiter, deadline passing mid-wait", func(t *testing.T) {
		l := NewRateLimiter(1)
		require.NoError(t, l.Wait(context.Background()))
		matches(t, l.Wait(&expiringContext{Context: context.Background(), deadline: time.Now().Add(time.Microsecond)}))
	})
	t.Run("full call, deadline passing mid-wait", func(t *testing.T) {
		l := NewRateLimiter(1)
		require.NoError(t, l.Wait(context.Background()))
		c, mock := newMockClient(t, WithRateLimiter(l))
		script(mock, jsonAnswer(200, sevenDays))
		_, err := c.GetChatappPhoneNumberMetric(&expiringContext{Context: context.Background(), deadline: time.Now().Add(time.Microsecond)}, weekRequest())
		matches(t, err)
		requireAttempts(t, err, 0)
	})
	t.Run("a user's limiter failing", func(t *testing.T) {
		c, mock := newMockClient(t, WithRateLimiter(failingLimiter{}))
		script(mock, jsonAnswer(200, sevenDays))
		_, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
		matches(t, err)
		assert.Contains(t, err.Error(), "redis: connection refused", "the limiter's own error stays visible")
	})
}

// plannedCalls returns the number of calls a planning refusal names.
func plannedCalls(t *testing.T, err error) int {
	t.Helper()
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	_, after, ok := strings.Cut(ve.Rule, "about ")
	require.True(t, ok, "the rule says how many calls: %q", ve.Rule)
	n, convErr := strconv.Atoi(strings.Fields(after)[0])
	require.NoError(t, convErr)
	return n
}

// TestRangePlanningIsBoundedAndHonoursTheContext (issue 11.6): a range
// query that would take more than MaxCalls calls (DefaultMaxCalls unless
// set) fails at once, before anything is sent, with a *ValidationError
// saying how many calls it would take; planning a range of millions of
// windows stops when the context ends.
func TestRangePlanningIsBoundedAndHonoursTheContext(t *testing.T) {
	century := weekRequest()
	century.Granularity = GranularityHalfHour
	century.Start = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	century.End = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	const centuryDays = 36_525

	first := func(seq func(func(PhoneNumberMetric, error) bool)) error {
		for _, err := range seq {
			return err
		}
		return nil
	}
	t.Run("PhoneNumberMetrics, 100 years of HALF_HOUR", func(t *testing.T) {
		c, mock := newMockClient(t)
		rec := script(mock, jsonAnswer(200, sevenDays))
		n := plannedCalls(t, first(c.PhoneNumberMetrics(context.Background(), century)))
		assert.InDelta(t, centuryDays, n, 2)
		assert.Zero(t, rec.count())
	})
	t.Run("TemplateMetrics, 100 years of HALF_HOUR", func(t *testing.T) {
		c, mock := newMockClient(t)
		rec := script(mock, jsonAnswer(200, `{"Code":"OK","Data":[]}`))
		req := &GetChatappTemplateMetricRequest{TemplateCode: "t", Granularity: GranularityHalfHour, Start: century.Start, End: century.End}
		var err error
		for _, e := range c.TemplateMetrics(context.Background(), req) {
			err = e
			break
		}
		assert.InDelta(t, centuryDays, plannedCalls(t, err), 2)
		assert.Zero(t, rec.count())
	})
	t.Run("QueryPhoneNumbers counts every number's calls", func(t *testing.T) {
		c, mock := newMockClient(t)
		rec := script(mock, jsonAnswer(200, sevenDays))
		req := *century
		req.PhoneNumber = ""
		req.End = req.Start.AddDate(0, 0, 3000) // 3,000 calls a number
		_, err := c.QueryPhoneNumbers(context.Background(), []string{"1", "2", "3", "4"}, &req)
		assert.InDelta(t, 12_000, plannedCalls(t, err), 8)
		assert.Zero(t, rec.count())
	})
	t.Run("MaxCalls raises the bound", func(t *testing.T) {
		c, mock := newMockClient(t)
		rec := script(mock, jsonAnswer(200, sevenDays))
		require.NoError(t, first(c.PhoneNumberMetrics(context.Background(), century, MaxCalls(40_000))))
		assert.Equal(t, 1, rec.count(), "the first window only: the caller stopped")
		assert.ErrorIs(t, first(c.PhoneNumberMetrics(context.Background(), century, MaxCalls(0))), ErrInvalidRequest)
	})
	t.Run("planning stops when the context ends", func(t *testing.T) {
		c, mock := newMockClient(t)
		rec := script(mock, jsonAnswer(200, sevenDays))
		req := *century
		req.End = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		// Millions of 30-minute windows, allowed by the bound and counted
		// for the progress line: the count itself must stop.
		err := first(c.PhoneNumberMetrics(ctx, &req, HalfHourWindow(halfHourLength), MaxCalls(math.MaxInt), ReportProgress(func(RangeProgress) {})))
		assert.ErrorIs(t, err, context.Canceled)
		assert.Zero(t, rec.count())
		// Under the default bound the same range is refused by its size.
		n := plannedCalls(t, first(c.PhoneNumberMetrics(context.Background(), &req, HalfHourWindow(halfHourLength))))
		assert.Greater(t, n, 130_000_000)
	})
}

// TestPlainHTTPDialsOnlyLoopbackAddresses (issue 11.7): a plain-http
// endpoint named localhost is trusted by what it resolves to, not by its
// name. When the resolver answers with any address that is not loopback,
// the dial is refused, nothing is sent, and the call is not retried; when
// it answers loopback only, the call goes through. This holds for the
// default transport and for a user's *http.Transport; a user's transport
// whose dialer the Client cannot reach is refused by NewClient.
func TestPlainHTTPDialsOnlyLoopbackAddresses(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, sevenDays)
	}))
	defer srv.Close()
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	endpoint := "http://localhost:" + u.Port()
	resolveTo := func(ips ...string) func(context.Context, string) ([]net.IPAddr, error) {
		return func(_ context.Context, host string) ([]net.IPAddr, error) {
			if host != "localhost" {
				return nil, errors.New("unexpected lookup of " + host)
			}
			var out []net.IPAddr
			for _, ip := range ips {
				out = append(out, net.IPAddr{IP: net.ParseIP(ip)})
			}
			return out, nil
		}
	}
	for _, client := range []struct {
		name string
		opts []Option
	}{
		{"default transport", nil},
		{"user's *http.Transport", []Option{WithHTTPClient(&http.Client{Transport: &http.Transport{}})}},
		{"user's client without a transport", []Option{WithHTTPClient(&http.Client{})}},
	} {
		for _, tc := range []struct {
			name     string
			resolved []string
			ok       bool
		}{
			{"resolved elsewhere", []string{"192.0.2.10"}, false},
			{"loopback and elsewhere", []string{"127.0.0.1", "192.0.2.10"}, false},
			{"IPv6 elsewhere", []string{"::1", "2001:db8::1"}, false},
			{"loopback only", []string{"127.0.0.1"}, true},
		} {
			t.Run(client.name+"/"+tc.name, func(t *testing.T) {
				hits.Store(0)
				c := newServerClient(t, endpoint, client.opts...)
				c.lookupIP = resolveTo(tc.resolved...)
				resp, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
				if tc.ok {
					require.NoError(t, err)
					assert.Len(t, resp.Data, 7)
					assert.Equal(t, int64(1), hits.Load())
					return
				}
				require.Error(t, err)
				assert.Contains(t, err.Error(), "not loopback")
				assert.Zero(t, hits.Load(), "nothing reached the server")
				requireAttempts(t, err, 1)
			})
		}
	}
	t.Run("a transport the Client cannot confine", func(t *testing.T) {
		_, err := NewClient(WithEndpoint(endpoint), WithAccessKey("LTAIx", "secret"),
			WithHTTPClient(&http.Client{Transport: roundTripFunc(http.DefaultTransport.RoundTrip)}))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "loopback")
	})
	t.Run("loopback literals need no resolution", func(t *testing.T) {
		c := newServerClient(t, srv.URL, WithHTTPClient(&http.Client{Transport: roundTripFunc(http.DefaultTransport.RoundTrip)}))
		_, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
		require.NoError(t, err)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// processLimiterCount is how many accounts the process-wide default
// limiter holds.
func processLimiterCount() int {
	processLimiters.Lock()
	defer processLimiters.Unlock()
	return len(processLimiters.byKey)
}

// TestDefaultLimiterUnderRotatingCredentials (issue 11.8): an STS provider
// that hands out a new AccessKeyId for every attempt keeps one quota:
// 97 calls through two Clients of the same provider take at least two
// seconds at the default 48/s, as they would under one key, and the
// process-wide limiter grows by one entry, not one per rotation.
func TestDefaultLimiterUnderRotatingCredentials(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		provider := &rotatingProvider{}
		mock := httpmock.NewMockTransport()
		rec := script(mock, jsonAnswer(200, sevenDays))
		var clients []*Client
		for range 2 {
			c, err := NewClient(WithEndpoint(testEndpoint), WithCredential(provider), WithHTTPClient(&http.Client{Transport: mock}))
			require.NoError(t, err)
			clients = append(clients, c)
		}
		before := processLimiterCount()
		start := time.Now()
		const calls = 97
		for i := range calls {
			_, err := clients[i%2].GetChatappPhoneNumberMetric(context.Background(), weekRequest())
			require.NoError(t, err)
		}
		elapsed := time.Since(start)
		assert.Equal(t, calls, rec.count())
		assert.GreaterOrEqual(t, provider.calls.Load(), int64(calls), "every attempt rotated the key")
		perSecond := GetChatappPhoneNumberMetricRateLimit * limitHeadroom
		assert.GreaterOrEqual(t, elapsed, time.Duration(float64(calls-1)/perSecond*float64(time.Second)), "one bucket paced every key")
		assert.LessOrEqual(t, processLimiterCount()-before, 1, "the process-wide limiter did not grow per rotation")
	})
}

// rotatingProvider hands out new STS credentials on every call.
type rotatingProvider struct {
	alicred.Credential // the deprecated getters, never called
	calls              atomic.Int64
}

func (p *rotatingProvider) GetCredential() (*alicred.CredentialModel, error) {
	n := strconv.FormatInt(p.calls.Add(1), 10)
	id, secret, token, kind := "STS.rotating"+n, "SECRET-rotating-"+n, "TOKEN-rotating-"+n, "sts"
	return &alicred.CredentialModel{AccessKeyId: &id, AccessKeySecret: &secret, SecurityToken: &token, Type: &kind}, nil
}

// TestSuccessEchoingTheTokenIsRedacted: a successful answer whose RequestId
// is the STS token (or the signature) must not carry it into the debug log,
// an Observer or the response; only the redacted form is kept.
func TestSuccessEchoingTheTokenIsRedacted(t *testing.T) {
	for _, sig := range []SignatureVersion{SignatureV3, SignatureRPC} {
		for _, echo := range []string{"token", "signature"} {
			t.Run(sig.String()+"/"+echo, func(t *testing.T) {
				var logs bytes.Buffer
				var seen []string
				var mu sync.Mutex
				c, wire := newLeakClient(t, func(req *http.Request) (*http.Response, error) {
					id := leakToken
					if echo == "signature" {
						id = wireSignature(req)
					}
					resp := httpmock.NewStringResponse(200, `{"Code":"OK","RequestId":"`+id+`","Data":[]}`)
					resp.Header.Set("Content-Type", "application/json")
					return resp, nil
				}, WithSignatureVersion(sig),
					WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
					WithObserver(Observer{AttemptDone: func(_ context.Context, a AttemptDoneInfo) {
						mu.Lock()
						seen = append(seen, a.RequestID)
						mu.Unlock()
					}}))
				resp, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
				require.NoError(t, err)
				require.Contains(t, logs.String(), "chatapp attempt")
				mu.Lock()
				printed := map[string]string{"log": logs.String(), "RequestID": resp.RequestID, "observer": strings.Join(seen, " ")}
				mu.Unlock()
				requireNoSecret(t, printed, wire.all(), true)
			})
		}
	}
}

func TestIsUUID(t *testing.T) {
	for s, want := range map[string]bool{
		"EB5210E5-0000-4000-8000-000000000001":  true,
		"eb5210e5-0000-4000-8000-00000000000a":  true,
		"EB5210E5-0000-4000-8000-00000000000G":  false,
		"EB5210E5000004000-8000-000000000001-":  false,
		"EB5210E5-0000-4000-8000-0000000000011": false,
		"":                                      false,
	} {
		assert.Equal(t, want, isUUID(s), s)
	}
}
