package chatapptest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// do sends a signed metric request to s and returns the response with its
// body read.
func do(t *testing.T, s *Server) (*http.Response, []byte, error) {
	t.Helper()
	return doCall(t, s, serverCall(s))
}

// doCall sends the request c describes to s and returns the response with
// its body read, as much of it as arrived.
func doCall(t *testing.T, s *Server, c call) (*http.Response, []byte, error) {
	t.Helper()
	resp, err := s.HTTPClient().Do(c.build(t))
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// newFaultyServer starts a server whose next n requests meet f.
func newFaultyServer(t *testing.T, n int, f Fault) *Server {
	t.Helper()
	s := NewServer()
	t.Cleanup(s.Close)
	s.InjectFault(n, f)
	return s
}

func decodeCode(t *testing.T, body []byte) string {
	t.Helper()
	var a answer
	require.NoError(t, json.Unmarshal(body, &a), string(body))
	return a.Code
}

func TestFaultError(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.InjectFault(2, ThrottlingFault(300*time.Millisecond))
	assert.Equal(t, 2, s.PendingFaults())

	for range 2 {
		resp, body, err := do(t, s)
		require.NoError(t, err)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		assert.Equal(t, "Throttling.User", decodeCode(t, body))
		assert.Contains(t, resp.Header.Get("x-ratelimit-user-api"), "Remain:0,TimeLeft:300,Reset:")
	}
	assert.Equal(t, 0, s.PendingFaults())
	resp, body, err := do(t, s)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "OK", decodeCode(t, body))
	assert.Equal(t, Stats{Requests: 3, OK: 1, Throttled: 2, Faults: 2}, s.Stats())

	// Defaults: 500 InternalError with the gateway's wording.
	s.InjectFault(1, Fault{})
	resp, body, err = do(t, s)
	require.NoError(t, err)
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	var a answer
	require.NoError(t, json.Unmarshal(body, &a))
	assert.Equal(t, "InternalError", a.Code)
	assert.Equal(t, internalErrorMessage, a.Message)
	assert.Equal(t, hostID, a.HostID)
	assert.Equal(t, a.RequestID, resp.Header.Get("x-acs-request-id"))

	log := s.Requests()
	require.Len(t, log, 4)
	assert.True(t, log[0].Fault)
	assert.Equal(t, "Throttling.User", log[0].Code)
	assert.False(t, log[2].Fault)
}

func TestFaultQueue(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.InjectFault(1, Fault{Action: actionEnableROI, Status: 400, Code: "Product.Unsubscript"})
	s.InjectFault(1, Fault{Status: 503, Code: "ServiceUnavailable", Message: "try later"})
	resp, _, err := do(t, s)
	require.NoError(t, err)
	assert.Equal(t, 503, resp.StatusCode, "the metric request skips the EnableWhatsappROIMetric fault")
	assert.Equal(t, 1, s.PendingFaults())

	enable := serverCall(s)
	enable.action = actionEnableROI
	_, body, err := doCall(t, s, enable)
	require.NoError(t, err)
	assert.Equal(t, "Product.Unsubscript", decodeCode(t, body))
	assert.Contains(t, string(body), productNotSubscribedMessage)

	s.InjectFault(5, Fault{})
	s.InjectFault(0, Fault{})
	s.ClearFaults()
	assert.Equal(t, 0, s.PendingFaults())
	resp, _, err = do(t, s)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
}

func TestFaultDelay(t *testing.T) {
	s := newFaultyServer(t, 1, Fault{Kind: FaultDelay, Delay: 200 * time.Millisecond})
	began := time.Now()
	resp, body, err := do(t, s)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(began), 200*time.Millisecond)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "OK", decodeCode(t, body), "a delay then the normal answer")
	rec := s.Requests()[0]
	assert.True(t, rec.Fault)
	assert.GreaterOrEqual(t, rec.Latency, 200*time.Millisecond)
}

// TestCloseEndsDelays: Close must not wait out an injected delay.
func TestCloseEndsDelays(t *testing.T) {
	s := NewServer()
	s.InjectFault(1, Fault{Delay: time.Minute, Status: 503})
	done := make(chan error, 1)
	go func() {
		_, _, err := do(t, s)
		done <- err
	}()
	require.Eventually(t, func() bool { return len(s.Requests()) == 0 && s.PendingFaults() == 0 }, 5*time.Second, 5*time.Millisecond)
	began := time.Now()
	s.Close()
	assert.Less(t, time.Since(began), 5*time.Second)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the delayed request never ended")
	}
	s.Close() // twice is fine
}

func TestFaultDrop(t *testing.T) {
	s := newFaultyServer(t, 1, Fault{Kind: FaultDrop})
	_, _, err := do(t, s)
	require.Error(t, err)
	rec := s.Requests()[0]
	assert.Equal(t, 0, rec.Status)
	assert.Equal(t, "", rec.Code)
	assert.True(t, rec.Fault)
	_, _, err = do(t, s)
	assert.NoError(t, err, "one drop only")
}

func TestFaultTruncated(t *testing.T) {
	s := newFaultyServer(t, 1, Fault{Kind: FaultTruncated})
	resp, got, err := do(t, s)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF, "the headers arrive, the body is cut")
	require.NotNil(t, resp)

	// Look at the bytes that did arrive.
	declared, _ := strconv.Atoi(resp.Header.Get("Content-Length"))
	assert.Equal(t, declared/2, len(got))
	assert.True(t, strings.HasPrefix(string(got), `{"RequestId":"`))
	rec := s.Requests()[0]
	assert.Equal(t, http.StatusOK, rec.Status)
	assert.True(t, rec.Fault)
}

func TestFaultShortBody(t *testing.T) {
	s := newFaultyServer(t, 1, Fault{Kind: FaultShortBody})
	resp, body, err := do(t, s)
	require.NoError(t, err, "the HTTP exchange is complete")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, strconv.Itoa(len(body)), resp.Header.Get("Content-Length"))
	var v any
	assert.Error(t, json.Unmarshal(body, &v), "but the JSON is cut")
	assert.True(t, strings.HasPrefix(string(body), `{"RequestId":"`))
}

func TestFaultHTMLAndRaw(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.InjectFault(1, Fault{Kind: FaultHTML})
	resp, body, err := do(t, s)
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Equal(t, "text/html", resp.Header.Get("Content-Type"))
	assert.True(t, strings.HasPrefix(string(body), "<html>"))
	assert.Contains(t, string(body), "502 Bad Gateway")

	s.InjectFault(1, Fault{Kind: FaultRaw, Status: 418, Body: []byte("no JSON here"), Header: http.Header{"X-Extra": {"1"}}})
	resp, body, err = do(t, s)
	require.NoError(t, err)
	assert.Equal(t, 418, resp.StatusCode)
	assert.Equal(t, "no JSON here", string(body))
	assert.Empty(t, resp.Header.Get("Content-Type"))
	assert.Equal(t, "1", resp.Header.Get("X-Extra"))

	s.InjectFault(1, Fault{Kind: FaultRaw})
	resp, body, err = do(t, s)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Empty(t, body)
}

// TestFaultMessageDefaultsToTheGatewaysWording: a FaultError that names
// only a code carries the gateway's message for it, for every code the
// emulator itself answers with a fixed message, and a neutral one for a
// code it does not know.
func TestFaultMessageDefaultsToTheGatewaysWording(t *testing.T) {
	s := NewServer()
	defer s.Close()
	for code, want := range map[string]string{
		codeInternalError:         internalErrorMessage,
		codeLimitControl:          limitControlMessage,
		"Throttling.Api":          throttlingUserMessage,
		codeProductNotSubscribed:  productNotSubscribedMessage,
		codeInvalidVersion:        invalidVersionMessage,
		codeSignatureMethod:       signatureMethodMessage,
		codeSignatureVersion:      signatureVersionMessage,
		codeTimestampFormat:       timestampFormatMessage,
		codeMissingSecurityToken:  missingSecurityTokenMessage,
		codeSecurityTokenMismatch: securityTokenMismatchMessage,
		codeAPINotFound:           apiNotFoundMessage,
		codeUnsupportedHTTPMethod: unsupportedHTTPMethodMessage,
		"Some.Unknown":            defaultFaultMessage,
	} {
		s.InjectFault(1, Fault{Status: http.StatusBadRequest, Code: code})
		_, body, err := do(t, s)
		require.NoError(t, err)
		var a answer
		require.NoError(t, json.Unmarshal(body, &a), string(body))
		assert.Equal(t, code, a.Code)
		assert.Equal(t, want, a.Message, code)
	}
}

// TestFaultsThroughClient checks how the SDK's client meets each fault.
func TestFaultsThroughClient(t *testing.T) {
	fast := chatapp.WithBackoff(chatapp.Backoff{Base: time.Millisecond, ThrottleBase: time.Millisecond, Max: 500 * time.Millisecond})
	req := func() *chatapp.GetChatappPhoneNumberMetricRequest {
		return &chatapp.GetChatappPhoneNumberMetricRequest{PhoneNumber: "8613800001234", Start: time.Now().AddDate(0, 0, -3), End: time.Now()}
	}
	cases := []struct {
		name     string
		fault    Fault
		times    int
		attempts int // 0: whatever the client's retry policy makes it
		wantErr  error
	}{
		{"throttled then OK", ThrottlingFault(50 * time.Millisecond), 1, 2, nil},
		{"limit control then OK", Fault{Status: 400, Code: "System.LimitControl"}, 2, 3, nil},
		{"dropped then OK", Fault{Kind: FaultDrop}, 1, 2, nil},
		{"truncated then OK", Fault{Kind: FaultTruncated}, 1, 2, nil},
		{"html 502 then OK", Fault{Kind: FaultHTML}, 2, 3, nil},
		{"short body", Fault{Kind: FaultShortBody}, 3, 0, chatapp.ErrMalformedResponse},
		{"html 502 thrice", Fault{Kind: FaultHTML}, 3, 3, chatapp.ErrServer},
		{"unsubscribed", Fault{Status: 400, Code: "Product.Unsubscript"}, 1, 1, chatapp.ErrProductNotSubscribed},
		{"permission", Fault{Status: 400, Code: "Ram.PermissionDeny"}, 1, 1, chatapp.ErrPermissionDenied},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := NewServer()
			defer s.Close()
			client, err := s.Client(fast)
			require.NoError(t, err)
			s.InjectFault(c.times, c.fault)
			_, err = client.GetChatappPhoneNumberMetric(context.Background(), req())
			if c.wantErr == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, c.wantErr)
				var op *chatapp.OperationError
				require.True(t, errors.As(err, &op))
				if c.attempts > 0 {
					assert.Equal(t, c.attempts, op.Attempts)
				}
				assert.Equal(t, op.Attempts, s.Stats().Requests)
				return
			}
			assert.Equal(t, c.attempts, s.Stats().Requests)
		})
	}
}
