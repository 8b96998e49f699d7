package chatapp

import (
	"bytes"
	"context"
	"crypto/tls"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoObserverNoAllocations checks that observation costs a call no
// allocation when no Observer is installed: a Client without WithObserver
// and one with an empty WithObserver() allocate the same per call, and one
// with an Observer allocates more, so the measure can tell them apart. The
// transport is a function answering a reused body, so that every
// allocation counted is the Client's.
func TestNoObserverNoAllocations(t *testing.T) {
	ctx := context.Background()
	req := weekRequest()
	data := benchMetricBody(7, GranularityDaily)
	allocs := func(opts ...Option) float64 {
		c := newTestClient(t, http.DefaultTransport, opts...)
		body := &benchBody{}
		header := http.Header{"Content-Type": {"application/json"}}
		c.roundTrip = func(*http.Request) (*http.Response, error) {
			body.Reset(data)
			return &http.Response{StatusCode: http.StatusOK, Header: header, Body: body, ContentLength: int64(len(data))}, nil
		}
		return testing.AllocsPerRun(100, func() {
			if _, err := c.GetChatappPhoneNumberMetric(ctx, req); err != nil {
				t.Fatal(err)
			}
		})
	}
	none := allocs()
	empty := allocs(WithObserver())
	var n int
	observed := allocs(WithObserver(Observer{CallDone: func(context.Context, CallDoneInfo) { n++ }}))
	t.Logf("allocs per call: no observer %.0f, WithObserver() %.0f, one observer %.0f", none, empty, observed)
	assert.Equal(t, none, empty)
	assert.Greater(t, observed, none)
	assert.Positive(t, n)
}

type attemptKey struct{}

// TestWithTransport checks that a WithTransport wrapper is handed the
// SDK's tuned shared transport, pool settings intact, and sees every
// attempt's request in the context the Observer's AttemptStart returned.
func TestWithTransport(t *testing.T) {
	data := benchMetricBody(7, GranularityDaily)
	var inner http.RoundTripper
	var seen []int
	wrap := func(rt http.RoundTripper) http.RoundTripper {
		inner = rt
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			attempt, _ := r.Context().Value(attemptKey{}).(int)
			seen = append(seen, attempt)
			if len(seen) == 1 {
				return throttled()(r)
			}
			return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
				Body: &benchBody{Reader: *bytes.NewReader(data)}}, nil
		})
	}
	obs := Observer{AttemptStart: func(ctx context.Context, i AttemptStartInfo) context.Context {
		return context.WithValue(ctx, attemptKey{}, i.Attempt)
	}}
	c, err := NewClient(WithEndpoint(testEndpoint), WithAccessKey(uniqueAccessKeyID(), "testsecret"), WithRateLimiter(nil),
		WithBackoff(Backoff{Base: time.Millisecond, ThrottleBase: time.Millisecond, Max: time.Millisecond}),
		WithTransport(wrap), WithObserver(obs))
	require.NoError(t, err)
	_, err = c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2}, seen, "the wrapper saw both attempts, each in its attempt's context")

	tr, ok := inner.(*http.Transport)
	require.True(t, ok, "the wrapper is given the SDK's *http.Transport, got %T", inner)
	assert.Same(t, sharedTransport(), tr)
	assert.Equal(t, 64, tr.MaxIdleConnsPerHost)
	assert.Equal(t, 100, tr.MaxIdleConns)
	assert.True(t, tr.ForceAttemptHTTP2)
	assert.Equal(t, uint16(tls.VersionTLS12), tr.TLSClientConfig.MinVersion)
}

// TestWithTransportHTTPClient checks that with WithHTTPClient the wrapper
// wraps that client's transport, leaving the user's client unchanged, and
// that wrappers compose, the last outermost.
func TestWithTransportHTTPClient(t *testing.T) {
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) { return throttled()(r) })
	user := &http.Client{Transport: base}
	var order []string
	var inner http.RoundTripper
	layer := func(name string) func(http.RoundTripper) http.RoundTripper {
		return func(rt http.RoundTripper) http.RoundTripper {
			if name == "first" {
				inner = rt
			}
			return roundTripFunc(func(r *http.Request) (*http.Response, error) {
				order = append(order, name)
				return rt.RoundTrip(r)
			})
		}
	}
	c, err := NewClient(WithEndpoint(testEndpoint), WithAccessKey(uniqueAccessKeyID(), "testsecret"), WithRateLimiter(nil),
		WithHTTPClient(user), WithMaxAttempts(1), WithTransport(layer("first")), WithTransport(layer("second")))
	require.NoError(t, err)
	_, err = c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
	assert.ErrorIs(t, err, ErrThrottled)
	assert.Equal(t, []string{"second", "first"}, order)
	assert.NotNil(t, inner)
	order = nil
	req, err := http.NewRequest(http.MethodPost, testEndpoint, nil)
	require.NoError(t, err)
	resp, err := user.Transport.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Empty(t, order, "the user's client keeps its own transport")
}

// TestWithTransportRejectsNil checks the option's errors.
func TestWithTransportRejectsNil(t *testing.T) {
	_, err := NewClient(WithAccessKey("id", "secret"), WithTransport(nil))
	assert.ErrorContains(t, err, "WithTransport: wrapper is nil")
	_, err = NewClient(WithAccessKey("id", "secret"), WithTransport(func(http.RoundTripper) http.RoundTripper { return nil }))
	assert.ErrorContains(t, err, "WithTransport: wrapper returned a nil RoundTripper")
}
