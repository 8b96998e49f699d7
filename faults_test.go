package chatapp_test

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests inject faults into a real HTTP exchange with the emulator
// (or, where the emulator cannot produce the fault, with a RoundTripper)
// and check what the caller gets: the data of a later attempt, or an error
// of the right kind with the status and request ID, never partial data.
// Pauses between attempts are shortened to a millisecond here; their
// lengths are asserted exactly under synctest in backoff_test.go.

var quickRetries = chatapp.WithBackoff(chatapp.Backoff{Base: time.Millisecond, ThrottleBase: time.Millisecond, Max: 50 * time.Millisecond})

// faultServer starts an emulator and returns it with a Client wired to it.
func faultServer(t *testing.T, opts ...chatapp.Option) (*chatapptest.Server, *chatapp.Client) {
	t.Helper()
	srv := chatapptest.NewServer()
	t.Cleanup(srv.Close)
	c, err := srv.Client(append([]chatapp.Option{quickRetries}, opts...)...)
	require.NoError(t, err)
	return srv, c
}

// requireWeek checks that resp holds exactly what the emulator serves for
// loadRequest.
func requireWeek(t *testing.T, srv *chatapptest.Server, resp *chatapp.GetChatappPhoneNumberMetricResponse) {
	t.Helper()
	want, err := srv.Metrics(loadRequest())
	require.NoError(t, err)
	require.Len(t, want, 7)
	require.NotNil(t, resp)
	assert.Equal(t, want, resp.Data)
}

// requireFailure checks the shape every failed call must have: no
// response, an *OperationError counting the attempts, and (when
// wantStatus is not 0) an answer with that status: a *ResponseError when
// the body was unusable, an *APIError otherwise, never both.
func requireFailure(t *testing.T, resp *chatapp.GetChatappPhoneNumberMetricResponse, err error, attempts, wantStatus int) answerFailure {
	t.Helper()
	require.Error(t, err)
	assert.Nil(t, resp, "no partial data with an error")
	var opErr *chatapp.OperationError
	require.ErrorAs(t, err, &opErr)
	assert.Equal(t, attempts, opErr.Attempts)
	if wantStatus == 0 {
		return answerFailure{}
	}
	var apiErr *chatapp.APIError
	var respErr *chatapp.ResponseError
	isAPI, isResp := errors.As(err, &apiErr), errors.As(err, &respErr)
	unusable := errors.Is(err, chatapp.ErrMalformedResponse) || errors.Is(err, chatapp.ErrResponseTooLarge)
	require.True(t, isAPI != isResp, "exactly one of *APIError and *ResponseError: %v", err)
	require.Equal(t, unusable, isResp, "a *ResponseError exactly when the body was unusable: %v", err)
	if isResp {
		assert.Equal(t, wantStatus, respErr.StatusCode)
		return answerFailure{StatusCode: respErr.StatusCode, RequestID: respErr.RequestID, Message: respErr.Problem}
	}
	assert.Equal(t, wantStatus, apiErr.StatusCode)
	return answerFailure{StatusCode: apiErr.StatusCode, Code: apiErr.Code, RequestID: apiErr.RequestID, Message: apiErr.Message}
}

// answerFailure is what requireFailure found: the fields of an *APIError,
// or of a *ResponseError (Problem as Message, no Code).
type answerFailure struct {
	StatusCode               int
	Code, RequestID, Message string
}

func TestEmulatorServerErrorsThenSuccess(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault chatapptest.Fault
	}{
		{"500 InternalError", chatapptest.Fault{Kind: chatapptest.FaultError, Status: 500, Code: "InternalError"}},
		{"502 HTML", chatapptest.Fault{Kind: chatapptest.FaultHTML, Status: 502}},
		{"503 ServiceUnavailable", chatapptest.Fault{Kind: chatapptest.FaultError, Status: 503, Code: "ServiceUnavailable"}},
		{"504 HTML", chatapptest.Fault{Kind: chatapptest.FaultHTML, Status: 504}},
		{"504 without a code", chatapptest.Fault{Kind: chatapptest.FaultRaw, Status: 504, Body: []byte(`{"Message":"gateway timeout"}`)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := faultServer(t)
			srv.InjectFault(2, tc.fault)
			resp, err := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
			require.NoError(t, err)
			requireWeek(t, srv, resp)

			log := srv.Requests()
			require.Len(t, log, 3, "two failed attempts and the one that succeeded")
			status := cmp.Or(tc.fault.Status, 500)
			nonces := map[string]bool{}
			for i, r := range log {
				assert.Equal(t, i < 2, r.Fault)
				if i < 2 {
					assert.Equal(t, status, r.Status)
				}
				nonces[r.Header.Get("X-Acs-Signature-Nonce")] = true
			}
			assert.Equal(t, "OK", log[2].Code)
			assert.Equal(t, log[2].RequestID, resp.RequestID)
			assert.Len(t, nonces, 3, "each attempt is signed anew")
		})
	}
}

// TestEmulatorFailuresExhaustTheAttempts: an error answered to every
// attempt fails the call after the third, matching its family, with the
// last answer's code and request ID.
func TestEmulatorFailuresExhaustTheAttempts(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   string
		family error
	}{
		{503, "ServiceUnavailable", chatapp.ErrServer},
		{400, "System.LimitControl", chatapp.ErrThrottled},
	} {
		t.Run(tc.code, func(t *testing.T) {
			srv, c := faultServer(t)
			srv.InjectFault(3, chatapptest.Fault{Kind: chatapptest.FaultError, Status: tc.status, Code: tc.code})
			resp, err := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
			apiErr := requireFailure(t, resp, err, 3, tc.status)
			assert.ErrorIs(t, err, tc.family)
			assert.Equal(t, tc.code, apiErr.Code)
			log := srv.Requests()
			require.Len(t, log, 3)
			assert.NotEmpty(t, apiErr.RequestID)
			assert.Equal(t, log[2].RequestID, apiErr.RequestID, "the last answer's request ID")
		})
	}
}

func TestEmulatorLimitControlBurstThenSuccess(t *testing.T) {
	srv, c := faultServer(t, chatapp.WithMaxAttempts(4))
	srv.InjectFault(2, chatapptest.Fault{Kind: chatapptest.FaultError, Status: 400, Code: "System.LimitControl"})
	const hint = 40 * time.Millisecond
	srv.InjectFault(1, chatapptest.ThrottlingFault(hint))
	resp, err := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
	require.NoError(t, err)
	requireWeek(t, srv, resp)
	log := srv.Requests()
	require.Len(t, log, 4)
	assert.Equal(t, []string{"System.LimitControl", "System.LimitControl", "Throttling.User", "OK"},
		[]string{log[0].Code, log[1].Code, log[2].Code, log[3].Code})
	// Backoff.Max is 50ms here, above the hint: the client waited for the
	// server's TimeLeft before the last attempt.
	assert.GreaterOrEqual(t, log[3].Time.Sub(log[2].Time), hint)
}

// TestEmulatorConnectionDropped: the server closes the connection before
// answering. The call is retried; with retries off the caller gets a
// transport error that is not an *APIError and does not show the signed
// query.
func TestEmulatorConnectionDropped(t *testing.T) {
	t.Run("retried", func(t *testing.T) {
		srv, c := faultServer(t)
		srv.InjectFault(1, chatapptest.Fault{Kind: chatapptest.FaultDrop})
		resp, err := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
		require.NoError(t, err)
		requireWeek(t, srv, resp)
		log := srv.Requests()
		require.Len(t, log, 2)
		assert.Zero(t, log[0].Status, "the first attempt got no answer")
	})
	for _, sig := range []chatapp.SignatureVersion{chatapp.SignatureV3, chatapp.SignatureRPC} {
		t.Run("no retries/"+sig.String(), func(t *testing.T) {
			srv, c := faultServer(t, chatapp.WithMaxAttempts(1), chatapp.WithSignatureVersion(sig))
			srv.InjectFault(1, chatapptest.Fault{Kind: chatapptest.FaultDrop})
			resp, err := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
			requireFailure(t, resp, err, 1, 0)
			var apiErr *chatapp.APIError
			assert.False(t, errors.As(err, &apiErr), "no answer, so no APIError: %v", err)
			assert.NotContains(t, err.Error(), "Signature")
			assert.NotContains(t, err.Error(), "?", "the request URL's query is not in the error")
		})
	}
}

func TestEmulatorTruncatedMidJSON(t *testing.T) {
	truncated := chatapptest.Fault{Kind: chatapptest.FaultTruncated, Header: http.Header{"X-Acs-Request-Id": {"HDR-TRUNC"}}}
	t.Run("retried", func(t *testing.T) {
		srv, c := faultServer(t)
		srv.InjectFault(1, truncated)
		resp, err := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
		require.NoError(t, err)
		requireWeek(t, srv, resp)
		assert.Len(t, srv.Requests(), 2)
	})
	t.Run("no retries", func(t *testing.T) {
		srv, c := faultServer(t, chatapp.WithMaxAttempts(1))
		srv.InjectFault(1, truncated)
		resp, err := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
		apiErr := requireFailure(t, resp, err, 1, 200)
		assert.ErrorIs(t, err, chatapp.ErrMalformedResponse)
		assert.Equal(t, "HDR-TRUNC", apiErr.RequestID)
		assert.Contains(t, apiErr.Message, "cut short")
	})
}

// TestEmulatorShortBody: a complete exchange whose JSON stops halfway is
// malformed, and retrying would not help.
func TestEmulatorShortBody(t *testing.T) {
	srv, c := faultServer(t)
	srv.InjectFault(1, chatapptest.Fault{Kind: chatapptest.FaultShortBody, Header: http.Header{"X-Acs-Request-Id": {"HDR-SHORT"}}})
	resp, err := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
	apiErr := requireFailure(t, resp, err, 1, 200)
	assert.ErrorIs(t, err, chatapp.ErrMalformedResponse)
	assert.NotErrorIs(t, err, chatapp.ErrServer)
	assert.Equal(t, "HDR-SHORT", apiErr.RequestID)
	assert.Contains(t, apiErr.Message, "unexpected end of JSON input")
	assert.Len(t, srv.Requests(), 1)
}

func TestEmulatorHTMLErrorPage(t *testing.T) {
	t.Run("502 every time", func(t *testing.T) {
		srv, c := faultServer(t)
		srv.InjectFault(3, chatapptest.Fault{Kind: chatapptest.FaultHTML, Status: 502, Header: http.Header{"X-Acs-Request-Id": {"HDR-HTML"}}})
		resp, err := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
		apiErr := requireFailure(t, resp, err, 3, 502)
		assert.ErrorIs(t, err, chatapp.ErrServer)
		assert.ErrorIs(t, err, chatapp.ErrMalformedResponse)
		assert.Empty(t, apiErr.Code)
		assert.Equal(t, "HDR-HTML", apiErr.RequestID)
		assert.Contains(t, apiErr.Message, "<title>502 Bad Gateway</title>")
		assert.Contains(t, apiErr.Message, "Content-Type text/html")
	})
	t.Run("403 from a WAF", func(t *testing.T) {
		srv, c := faultServer(t)
		srv.InjectFault(1, chatapptest.Fault{Kind: chatapptest.FaultHTML, Status: 403})
		resp, err := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
		requireFailure(t, resp, err, 1, 403)
		assert.ErrorIs(t, err, chatapp.ErrPermissionDenied)
		assert.ErrorIs(t, err, chatapp.ErrMalformedResponse)
	})
}

// TestEmulatorOddBodies: raw bodies that a gateway, a proxy or a future
// version of the service might send.
func TestEmulatorOddBodies(t *testing.T) {
	point := func(fields string) string {
		return `{"RequestId":"BODY-REQ","Code":"OK","Data":[{` + fields + `}]}`
	}
	deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	cases := []struct {
		name   string
		status int
		body   string
		// For a success: check the result. For a failure: the sentinel
		// and how many attempts were made.
		check    func(t *testing.T, resp *chatapp.GetChatappPhoneNumberMetricResponse)
		fail     error
		attempts int
	}{
		{name: "empty 200", status: 200, body: "", fail: chatapp.ErrMalformedResponse, attempts: 1},
		{name: "empty 503 every time", status: 503, body: "", fail: chatapp.ErrServer, attempts: 3},
		{name: "whitespace only", status: 200, body: " \r\n\t ", fail: chatapp.ErrMalformedResponse, attempts: 1},
		{name: "Data null", status: 200, body: `{"RequestId":"BODY-REQ","Code":"OK","Data":null}`,
			check: func(t *testing.T, resp *chatapp.GetChatappPhoneNumberMetricResponse) {
				assert.Nil(t, resp.Data)
				assert.Equal(t, "BODY-REQ", resp.RequestID)
			}},
		{name: "numbers as strings and floats", status: 200,
			body: point(`"PhoneNumber":"8613800001234","Granularity":"DAILY","Start":"1788192000000","End":1.788278400e12,"SentCount":"1200","DeliveredCount":1130.0`),
			check: func(t *testing.T, resp *chatapp.GetChatappPhoneNumberMetricResponse) {
				require.Len(t, resp.Data, 1)
				p := resp.Data[0]
				assert.Equal(t, int64(1788192000000), p.Start.UnixMilli())
				assert.Equal(t, int64(1788278400000), p.End.UnixMilli())
				assert.Equal(t, int64(1200), p.SentCount)
				assert.Equal(t, int64(1130), p.DeliveredCount)
			}},
		{name: "invalid UTF-8 inside a string", status: 200, body: point("\"PhoneNumber\":\"86\xff\xfe13\",\"SentCount\":1"),
			check: func(t *testing.T, resp *chatapp.GetChatappPhoneNumberMetricResponse) {
				require.Len(t, resp.Data, 1)
				assert.Equal(t, "86\uFFFD\uFFFD13", resp.Data[0].PhoneNumber)
			}},
		{name: "invalid UTF-8 outside strings", status: 200, body: "{\"Code\":\"OK\",\xff\xfe}", fail: chatapp.ErrMalformedResponse, attempts: 1},
		{name: "fractional count", status: 200, body: point(`"SentCount":1.5`), fail: chatapp.ErrMalformedResponse, attempts: 1},
		{name: "count beyond int64", status: 200, body: point(`"SentCount":1e300`), fail: chatapp.ErrMalformedResponse, attempts: 1},
		{name: "count as a word", status: 200, body: point(`"SentCount":"many"`), fail: chatapp.ErrMalformedResponse, attempts: 1},
		{name: "Data an object", status: 200, body: `{"Code":"OK","Data":{"SentCount":1}}`, fail: chatapp.ErrMalformedResponse, attempts: 1},
		{name: "trailing garbage", status: 200, body: point(`"SentCount":1`) + `<html>`, fail: chatapp.ErrMalformedResponse, attempts: 1},
		{name: "100k nested arrays", status: 200, body: `{"Code":"OK","Data":` + deep + `}`, fail: chatapp.ErrMalformedResponse, attempts: 1},
		{name: "plain text 200", status: 200, body: "OK", fail: chatapp.ErrMalformedResponse, attempts: 1},
		{name: "error Code in a 200", status: 200, body: `{"RequestId":"BODY-REQ","Code":"Throttling.User","Message":"slow down"}`, fail: chatapp.ErrThrottled, attempts: 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := faultServer(t)
			srv.InjectFault(3, chatapptest.Fault{Kind: chatapptest.FaultRaw, Status: tc.status, Body: []byte(tc.body),
				Header: http.Header{"X-Acs-Request-Id": {"HDR-RAW"}}})
			resp, err := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
			if tc.check != nil {
				require.NoError(t, err)
				tc.check(t, resp)
				return
			}
			apiErr := requireFailure(t, resp, err, tc.attempts, tc.status)
			assert.ErrorIs(t, err, tc.fail)
			assert.Len(t, srv.Requests(), tc.attempts)
			if strings.Contains(tc.body, "BODY-REQ") && apiErr.Code != "" {
				assert.Equal(t, "BODY-REQ", apiErr.RequestID, "the body's request ID")
			} else {
				assert.Equal(t, "HDR-RAW", apiErr.RequestID, "the header's request ID")
			}
		})
	}
}

// endlessBody serves size bytes of JSON-looking filler without holding
// them, and counts what the client read.
type endlessBody struct {
	size   int64
	read   atomic.Int64
	closed atomic.Bool
}

func (b *endlessBody) Read(p []byte) (int, error) {
	left := b.size - b.read.Load()
	if left <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), left)
	for i := range p[:n] {
		p[i] = ' '
	}
	if b.read.Load() == 0 && n > 0 {
		p[0] = '['
	}
	b.read.Add(n)
	return int(n), nil
}

func (b *endlessBody) Close() error { b.closed.Store(true); return nil }

// bodyRoundTripper answers every request with a status and a body.
type bodyRoundTripper struct {
	status        int
	body          io.ReadCloser
	contentLength int64
	requests      atomic.Int64
}

func (rt *bodyRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	rt.requests.Add(1)
	return &http.Response{
		StatusCode:    rt.status,
		Header:        http.Header{"Content-Type": {"application/json"}, "X-Acs-Request-Id": {"HDR-HUGE"}},
		Body:          rt.body,
		ContentLength: rt.contentLength,
		Request:       req,
	}, nil
}

// TestGigabyteBodyStopsAtTheCap: a 1 GiB answer fails with
// ErrResponseTooLarge after reading at most the cap (nothing at all when
// Content-Length says it is too large), is not retried, and the body is
// closed.
func TestGigabyteBodyStopsAtTheCap(t *testing.T) {
	const gib = 1 << 30
	for _, tc := range []struct {
		name          string
		status        int
		contentLength int64
		maxRead       int64
	}{
		{"declared", 200, gib, 0},
		{"undeclared", 200, -1, chatapp.DefaultMaxResponseBytes + 1},
		{"undeclared 500", 500, -1, chatapp.DefaultMaxResponseBytes + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := &endlessBody{size: gib}
			rt := &bodyRoundTripper{status: tc.status, body: body, contentLength: tc.contentLength}
			c, err := chatapp.NewClient(chatapp.WithEndpoint("https://cams.ap-southeast-1.aliyuncs.com"),
				chatapp.WithAccessKey("LTAIhuge", "secret"), chatapp.WithRateLimiter(nil),
				chatapp.WithHTTPClient(&http.Client{Transport: rt}))
			require.NoError(t, err)
			resp, err := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
			requireFailure(t, resp, err, 1, 0)
			assert.ErrorIs(t, err, chatapp.ErrResponseTooLarge)
			var apiErr *chatapp.ResponseError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, "HDR-HUGE", apiErr.RequestID, "the request ID is kept")
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.LessOrEqual(t, body.read.Load(), tc.maxRead, "read no further than the cap")
			assert.True(t, body.closed.Load(), "the body is closed")
			assert.Equal(t, int64(1), rt.requests.Load(), "a too-large answer is not retried")
		})
	}
}

// countingTransport counts the bytes the client reads from bodies, after
// the transport has decompressed them.
type countingTransport struct {
	inner http.RoundTripper
	read  atomic.Int64
}

func (ct *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := ct.inner.RoundTrip(req)
	if err == nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &ct.read}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// TestGzipBombStopsAtTheCap: Go's transport asks for gzip and inflates
// transparently, so a small compressed answer can inflate to far more
// than the cap. The cap applies to the inflated bytes.
func TestGzipBombStopsAtTheCap(t *testing.T) {
	// gzip readers inflate concatenated members as one stream: one
	// compressed MiB of zeros, repeated, is a bomb of any size.
	const inflated = 256 << 20
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	_, _ = zw.Write(make([]byte, 1<<20))
	require.NoError(t, zw.Close())
	bomb := bytes.Repeat(member.Bytes(), inflated>>20)
	require.Less(t, len(bomb), 1<<20, "the compressed answer is smaller than the cap")

	var gzipRequested atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gzipRequested.Store(strings.Contains(r.Header.Get("Accept-Encoding"), "gzip"))
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(bomb)))
		_, _ = w.Write(bomb)
	}))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	ct := &countingTransport{inner: tr}
	c, err := chatapp.NewClient(chatapp.WithEndpoint(srv.URL), chatapp.WithAccessKey("LTAIbomb", "secret"),
		chatapp.WithRateLimiter(nil), chatapp.WithHTTPClient(&http.Client{Transport: ct}))
	require.NoError(t, err)
	resp, err := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
	requireFailure(t, resp, err, 1, 0)
	assert.ErrorIs(t, err, chatapp.ErrResponseTooLarge)
	assert.True(t, gzipRequested.Load(), "the transport asked for gzip, so the bomb was live")
	assert.LessOrEqual(t, ct.read.Load(), int64(chatapp.DefaultMaxResponseBytes+1), "inflated no further than the cap")
}
