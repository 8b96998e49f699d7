package chatapptest

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewServer(t *testing.T) {
	a, b := NewServer(), NewServer()
	defer a.Close()
	defer b.Close()
	assert.True(t, strings.HasPrefix(a.URL, "http://127.0.0.1:"), a.URL)
	assert.NotEqual(t, a.AccessKeyID, b.AccessKeyID, "every server has its own key")
	assert.NotEqual(t, a.AccessKeySecret, b.AccessKeySecret)
	id, secret := a.Credentials()
	assert.Equal(t, a.AccessKeyID, id)
	assert.Equal(t, a.AccessKeySecret, secret)
	assert.Nil(t, a.Certificate())

	c := NewServer(WithCredentials("fixed", "fixedsecret"))
	defer c.Close()
	assert.Equal(t, "fixed", c.AccessKeyID)
	assert.Equal(t, "fixedsecret", c.AccessKeySecret)
}

// TestClientEndToEnd calls both operations through the SDK's client under
// both signing schemes, with an AccessKey and with STS credentials, and
// checks that what the client decoded is what the emulator meant.
func TestClientEndToEnd(t *testing.T) {
	for _, tls := range []bool{false, true} {
		for _, sig := range []chatapp.SignatureVersion{chatapp.SignatureV3, chatapp.SignatureRPC} {
			for _, sts := range []bool{false, true} {
				name := sig.String()
				if tls {
					name += "/tls"
				}
				if sts {
					name += "/sts"
				}
				t.Run(name, func(t *testing.T) {
					s := NewServer()
					if tls {
						s.Close()
						s = NewTLSServer()
					}
					defer s.Close()
					opts := []chatapp.Option{chatapp.WithSignatureVersion(sig)}
					// A fresh STS id per case: the SDK's default limiter is
					// shared by every Client of an AccessKeyId.
					stsID := "STS." + randomString(12)
					if sts {
						s.AddSTSToken(stsID, "sts-secret", "sts-token+/=")
						opts = append(opts, chatapp.WithSTSToken(stsID, "sts-secret", "sts-token+/="))
					}
					client, err := s.Client(opts...)
					require.NoError(t, err)
					ctx := context.Background()

					req := &chatapp.GetChatappPhoneNumberMetricRequest{
						Granularity: chatapp.GranularityHalfHour,
						Start:       time.Now().Add(-6 * time.Hour),
						End:         time.Now(),
						CustSpaceID: "cams-e2e",
						IsvCode:     "skdi3kksloslikd****",
					}
					resp, err := client.GetChatappPhoneNumberMetric(ctx, req)
					require.NoError(t, err)
					assert.Equal(t, "OK", resp.Code)
					assert.Regexp(t, requestIDRe, resp.RequestID)
					want, err := s.Metrics(req)
					require.NoError(t, err)
					assert.Equal(t, want, resp.Data)
					assert.Len(t, resp.Data, 2*12, "two sample numbers, twelve half hours")

					en, err := client.EnableWhatsappROIMetric(ctx, &chatapp.EnableWhatsappROIMetricRequest{CustSpaceID: "cams-new"})
					require.NoError(t, err)
					assert.Equal(t, "OK", en.Code)

					log := s.Requests()
					require.Len(t, log, 2)
					wantScheme := SchemeV3
					if sig == chatapp.SignatureRPC {
						wantScheme = SchemeRPC
					}
					wantID := s.AccessKeyID
					if sts {
						wantID = stsID
					}
					for _, r := range log {
						assert.Equal(t, wantScheme, r.Scheme)
						assert.Equal(t, wantID, r.AccessKeyID)
						assert.Equal(t, http.StatusOK, r.Status)
						assert.Equal(t, http.MethodPost, r.Method)
					}
					assert.Equal(t, actionGetMetric, log[0].Action)
					assert.Equal(t, actionEnableROI, log[1].Action)
					assert.Equal(t, Stats{Requests: 2, OK: 2}, s.Stats())
				})
			}
		}
	}
}

func TestTLSServer(t *testing.T) {
	s := NewTLSServer()
	defer s.Close()
	assert.True(t, strings.HasPrefix(s.URL, "https://127.0.0.1:"), s.URL)
	require.NotNil(t, s.Certificate())

	// A client that does not trust the certificate cannot call.
	untrusting, err := chatapp.NewClient(
		chatapp.WithEndpoint(s.URL),
		chatapp.WithAccessKey(s.AccessKeyID, s.AccessKeySecret),
		chatapp.WithMaxAttempts(1),
	)
	require.NoError(t, err)
	_, err = untrusting.EnableWhatsappROIMetric(context.Background(), nil)
	require.Error(t, err)

	client, err := s.Client()
	require.NoError(t, err)
	_, err = client.EnableWhatsappROIMetric(context.Background(), nil)
	require.NoError(t, err)
}

// TestClientErrors: the emulator's refusals reach the client as the
// sentinels the SDK documents.
func TestClientErrors(t *testing.T) {
	s := NewServer(WithROIDisabled())
	defer s.Close()
	ctx := context.Background()
	req := &chatapp.GetChatappPhoneNumberMetricRequest{Start: time.Now().AddDate(0, 0, -1), End: time.Now()}

	wrong, err := s.Client(chatapp.WithAccessKey(s.AccessKeyID, "wrong"))
	require.NoError(t, err)
	_, err = wrong.GetChatappPhoneNumberMetric(ctx, req)
	assert.ErrorIs(t, err, chatapp.ErrAuthentication)
	var apiErr *chatapp.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "SignatureDoesNotMatch", apiErr.Code)
	assert.Equal(t, hostID, apiErr.HostID)

	unknown, err := s.Client(chatapp.WithAccessKey("LTAIunknown", "x"))
	require.NoError(t, err)
	_, err = unknown.GetChatappPhoneNumberMetric(ctx, req)
	assert.ErrorIs(t, err, chatapp.ErrAuthentication)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)

	client, err := s.Client()
	require.NoError(t, err)
	resp, err := client.GetChatappPhoneNumberMetric(ctx, req)
	require.NoError(t, err)
	assert.Empty(t, resp.Data, "ROI off: OK with no data")
}

// TestClientUnderLoad runs the SDK's default limiter against the
// emulator's strict window from 256 goroutines sharing 100 calls (about
// two seconds at the limiter's 48/s): every call succeeds.
func TestClientUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	s := NewServer(WithRequestLogLimit(0))
	defer s.Close()
	client, err := s.Client()
	require.NoError(t, err)
	ctx := context.Background()
	req := &chatapp.GetChatappPhoneNumberMetricRequest{PhoneNumber: "8613800001234", Start: time.Now().AddDate(0, 0, -7), End: time.Now()}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	var calls atomic.Int64
	for range 256 {
		wg.Go(func() {
			for calls.Add(1) <= 100 {
				if _, err := client.GetChatappPhoneNumberMetric(ctx, req); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	assert.Empty(t, errs)
	st := s.Stats()
	assert.Equal(t, 100, st.OK)
	// The client paces at 48/s with a burst of one, so 49 calls at most
	// leave it in any second; only a scheduling stall of 40ms or more on
	// the way could make 51 arrive in one. Allow for one such on a loaded
	// machine, no more.
	assert.LessOrEqual(t, st.Throttled, 1, "the client's limiter keeps under the service's")
}

// TestLogger checks the per-request log line and that it leaks nothing.
func TestLogger(t *testing.T) {
	var buf safeBuffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	s := NewServer(WithLogger(logger))
	defer s.Close()
	s.AddSTSToken("STS.log", "sts-secret-value", "sts-token-value")
	for _, sig := range []chatapp.SignatureVersion{chatapp.SignatureV3, chatapp.SignatureRPC} {
		client, err := s.Client(chatapp.WithSignatureVersion(sig), chatapp.WithSTSToken("STS.log", "sts-secret-value", "sts-token-value"))
		require.NoError(t, err)
		_, err = client.EnableWhatsappROIMetric(context.Background(), nil)
		require.NoError(t, err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 2)
	for _, l := range lines {
		assert.Contains(t, l, "action=EnableWhatsappROIMetric")
		assert.Contains(t, l, "status=200")
		assert.Contains(t, l, "code=OK")
		assert.Contains(t, l, "access_key_id=STS.log")
		assert.Contains(t, l, "latency=")
		assert.NotContains(t, l, "sts-secret-value")
		assert.NotContains(t, l, "sts-token-value")
		assert.NotContains(t, l, "Signature")
	}
	for _, r := range s.Requests() {
		sig := r.Header.Get("Authorization") + r.Query.Get("Signature")
		require.NotEmpty(t, sig)
		assert.NotContains(t, buf.String(), sig)
	}
}

type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRequestLogLimit(t *testing.T) {
	e, clock := newTestEmulator(t, t0, WithRequestLogLimit(3))
	for range 7 {
		send(t, e, clock, "testid", "testsecret", actionEnableROI)
	}
	log := e.Requests()
	require.Len(t, log, 3, "the last three, oldest first")
	assert.Equal(t, []string{"OK", codeLimitControl, codeLimitControl}, []string{log[0].Code, log[1].Code, log[2].Code})
	assert.Equal(t, Stats{Requests: 7, OK: 5, Throttled: 2}, e.Stats())
	e.ClearRequests()
	assert.Empty(t, e.Requests())
	assert.Equal(t, Stats{}, e.Stats())

	none, noneClock := newTestEmulator(t, t0, WithRequestLogLimit(0))
	send(t, none, noneClock, "testid", "testsecret", actionEnableROI)
	assert.Empty(t, none.Requests())
	assert.Equal(t, 1, none.Stats().OK)
}

// TestClientAwkwardValues sends values that need every corner of the
// percent-encoding through the client's signers; the number must come back
// as it was sent.
func TestClientAwkwardValues(t *testing.T) {
	s := NewServer(WithoutRateLimit())
	defer s.Close()
	for _, sig := range []chatapp.SignatureVersion{chatapp.SignatureV3, chatapp.SignatureRPC} {
		client, err := s.Client(chatapp.WithSignatureVersion(sig), chatapp.WithMaxAttempts(1), chatapp.WithRateLimiter(nil))
		require.NoError(t, err)
		for _, v := range []string{"+86 138-0000 1234", "a*b~c&d=e+f/g%h!'();:", "中文 名字😀", " padded ", "tab\tand\nnewline"} {
			s.AddPhoneNumber(v)
			resp, err := client.GetChatappPhoneNumberMetric(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{
				PhoneNumber: v, CustSpaceID: v, IsvCode: v, Granularity: chatapp.GranularityHalfHour,
				Start: time.Now().Add(-2 * time.Hour), End: time.Now(),
			})
			require.NoError(t, err, "%v %q", sig, v)
			require.NotEmpty(t, resp.Data)
			assert.Equal(t, v, resp.Data[0].PhoneNumber)
		}
	}
}
