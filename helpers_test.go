package chatapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testEndpoint = "https://cams.ap-southeast-1.aliyuncs.com"

var testKeySeq atomic.Int64

// uniqueAccessKeyID keeps tests off each other's process-wide default
// limiter buckets.
func uniqueAccessKeyID() string {
	return fmt.Sprintf("LTAItest%d", testKeySeq.Add(1))
}

// newTestClient returns a Client that sends through rt, with an
// AccessKeyId of its own and no rate limiter unless opts set one (later
// options win).
func newTestClient(t testing.TB, rt http.RoundTripper, opts ...Option) *Client {
	t.Helper()
	base := []Option{
		WithEndpoint(testEndpoint),
		WithAccessKey(uniqueAccessKeyID(), "testsecret"),
		WithHTTPClient(&http.Client{Transport: rt}),
		WithRateLimiter(nil),
	}
	c, err := NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// newMockClient returns a Client whose transport is an httpmock transport,
// with no rate limiter unless opts set one.
func newMockClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	return newTestClient(t, mock, opts...), mock
}

// pin fixes the client's clock and nonce, as signing vectors need.
func pin(c *Client, now time.Time, nonce string) {
	c.now = func() time.Time { return now }
	c.nonce = func() string { return nonce }
}

// topOfJitter makes every jittered pause its ceiling (the jitter function
// draws from [0, n)), so that pauses are exact under synctest's fake
// clock; bottomOfJitter makes them the floor.
func topOfJitter(n int64) int64    { return n - 1 }
func bottomOfJitter(n int64) int64 { return 0 }

// recorder is an httpmock responder that keeps every request and the
// (possibly fake) time it arrived, and answers from a script, the last
// answer repeating.
type recorder struct {
	mu       sync.Mutex
	requests []*http.Request
	times    []time.Time
	answers  []httpmock.Responder
}

func (r *recorder) respond(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	n := len(r.requests)
	r.requests = append(r.requests, req)
	r.times = append(r.times, time.Now())
	a := r.answers[min(n, len(r.answers)-1)]
	r.mu.Unlock()
	return a(req)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.requests)
}

func (r *recorder) request(i int) *http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests[i]
}

// arrivals returns when each request arrived, in arrival order.
func (r *recorder) arrivals() []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.times)
}

// pauses returns the time between consecutive requests.
func (r *recorder) pauses() []time.Duration {
	times := r.arrivals()
	var out []time.Duration
	for i := 1; i < len(times); i++ {
		out = append(out, times[i].Sub(times[i-1]))
	}
	return out
}

// script registers answers for POST / and returns the recorder.
func script(mock *httpmock.MockTransport, answers ...httpmock.Responder) *recorder {
	r := &recorder{answers: answers}
	mock.RegisterResponder(http.MethodPost, testEndpoint+"/", r.respond)
	return r
}

func jsonAnswer(status int, body string, headers ...string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json;charset=utf-8")
		for i := 0; i+1 < len(headers); i += 2 {
			resp.Header.Set(headers[i], headers[i+1])
		}
		return resp, nil
	}
}

func errorBody(code, message, requestID string) string {
	b, _ := json.Marshal(map[string]string{
		"RequestId": requestID, "HostId": "cams.ap-southeast-1.aliyuncs.com",
		"Code": code, "Message": message,
		"Recommend": "https://api.aliyun.com/troubleshoot?q=" + code,
	})
	return string(b)
}

// throttled is the service's flow-control answer, with optional headers
// (a TimeLeft hint, say).
func throttled(headers ...string) httpmock.Responder {
	return jsonAnswer(400, errorBody("System.LimitControl", "The system is under flow control.", "REQ-T"), headers...)
}

func unavailable() httpmock.Responder {
	return jsonAnswer(503, errorBody("ServiceUnavailable", "The request has failed due to a temporary failure of the server.", "REQ-U"))
}

// requireAttempts checks that err is an *OperationError of n attempts.
func requireAttempts(t *testing.T, err error, n int) {
	t.Helper()
	var opErr *OperationError
	require.ErrorAs(t, err, &opErr)
	assert.Equal(t, n, opErr.Attempts, "attempts")
}

// requireAPIError checks that err carries an *APIError of the status and
// request ID, and returns it.
func requireAPIError(t *testing.T, err error, status int, requestID string) *APIError {
	t.Helper()
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, status, apiErr.StatusCode)
	assert.Equal(t, requestID, apiErr.RequestID)
	return apiErr
}

// requireResponseError checks that err carries a *ResponseError (and no
// *APIError) of the status and request ID, and returns it.
func requireResponseError(t *testing.T, err error, status int, requestID string) *ResponseError {
	t.Helper()
	var respErr *ResponseError
	require.ErrorAs(t, err, &respErr)
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr), "an unusable answer is not an *APIError: %v", err)
	assert.Equal(t, status, respErr.StatusCode)
	assert.Equal(t, requestID, respErr.RequestID)
	return respErr
}

// sevenDays is the answer the official client received in the team's
// captures (testdata/spec/captures).
const sevenDays = `{"RequestId":"EB5210E5-0000-4000-8000-000000000001","Code":"OK","Message":"OK","Data":[{"SentCount":10,"DeliveredCount":5,"Start":1756684800000,"End":1756771200000,"PhoneNumber":"8613800001234","Granularity":"DAILY"},{"SentCount":11,"DeliveredCount":6,"Start":1756771200000,"End":1756857600000,"PhoneNumber":"8613800001234","Granularity":"DAILY"},{"SentCount":12,"DeliveredCount":7,"Start":1756857600000,"End":1756944000000,"PhoneNumber":"8613800001234","Granularity":"DAILY"},{"SentCount":13,"DeliveredCount":8,"Start":1756944000000,"End":1757030400000,"PhoneNumber":"8613800001234","Granularity":"DAILY"},{"SentCount":14,"DeliveredCount":9,"Start":1757030400000,"End":1757116800000,"PhoneNumber":"8613800001234","Granularity":"DAILY"},{"SentCount":15,"DeliveredCount":10,"Start":1757116800000,"End":1757203200000,"PhoneNumber":"8613800001234","Granularity":"DAILY"},{"SentCount":16,"DeliveredCount":11,"Start":1757203200000,"End":1757289600000,"PhoneNumber":"8613800001234","Granularity":"DAILY"}]}`

// weekRequest is the request of the captures and the cams vectors.
func weekRequest() *GetChatappPhoneNumberMetricRequest {
	return &GetChatappPhoneNumberMetricRequest{
		PhoneNumber: "8613800001234",
		Granularity: GranularityDaily,
		Start:       time.UnixMilli(1756684800000),
		End:         time.UnixMilli(1757289600000),
		CustSpaceID: "cams-test-space",
	}
}

// capture mirrors testdata/spec/captures/*.json.
type capture struct {
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
	Request         struct {
		Method   string              `json:"method"`
		Path     string              `json:"path"`
		RawQuery string              `json:"raw_query"`
		Body     string              `json:"body"`
		Host     string              `json:"host"`
		Header   map[string][]string `json:"header"`
		Verdict  struct {
			Timestamp string `json:"timestamp"`
			Nonce     string `json:"nonce"`
		} `json:"verdict"`
		Response string `json:"response"`
	} `json:"request"`
}

func loadCapture(t *testing.T, name string) *capture {
	t.Helper()
	raw, err := os.ReadFile("testdata/spec/captures/" + name)
	require.NoError(t, err)
	var c capture
	require.NoError(t, json.Unmarshal(raw, &c))
	return &c
}
