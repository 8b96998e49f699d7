package chatapp

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	alicred "github.com/aliyun/credentials-go/credentials"
	"github.com/chatappkit/chatapp/internal/pct"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Distinctive credentials: the AccessKeyId may be shown, the secret and the
// token never. Both hold '+', '/', '=' and '%', so that their
// percent-encodings differ from them, once and twice.
const (
	leakAccessKeyID = "STS.leakcheck"
	leakSecret      = "SECRET-zq8Vn3+/=Kx0pW%77"
	leakToken       = "TOKEN-CAIS+/=8xQ9ZrTk3%uV1wYb2"
)

// wireCapture keeps what the client put on the wire that must not come
// back to the caller: every attempt's Authorization value and signature.
type wireCapture struct {
	mu      sync.Mutex
	secrets []string
}

func (w *wireCapture) note(req *http.Request) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if auth := req.Header.Get("Authorization"); auth != "" {
		w.secrets = append(w.secrets, auth)
		if _, sig, ok := strings.Cut(auth, "Signature="); ok {
			w.secrets = append(w.secrets, sig)
		}
	}
	if sig := req.URL.Query().Get("Signature"); sig != "" {
		w.secrets = append(w.secrets, sig)
	}
}

func (w *wireCapture) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string{leakSecret, leakToken}, w.secrets...)
}

// secretEcho is everything a careless or hostile server could repeat
// back: the secret and token raw and percent-encoded once and twice, the
// signature and the whole Authorization value of the request, and the
// request URL (whose query, under SignatureRPC, carries the signature and
// token).
func secretEcho(req *http.Request) string {
	var parts []string
	for _, s := range []string{leakSecret, leakToken, req.URL.Query().Get("Signature")} {
		if s != "" {
			parts = append(parts, s, pct.Encode(s), pct.Encode(pct.Encode(s)), url.QueryEscape(s))
		}
	}
	if auth := req.Header.Get("Authorization"); auth != "" {
		_, sig, _ := strings.Cut(auth, "Signature=")
		parts = append(parts, auth, sig)
	}
	parts = append(parts, req.URL.String())
	return "server string to sign is:POST&%2F&" + strings.Join(parts, "&") + "&"
}

// leakScenario drives one error path (or the success path).
type leakScenario struct {
	name string
	opts []Option
	// answer answers the request; it may echo it.
	answer func(req *http.Request) (*http.Response, error)
	// call makes the call; nil means GetChatappPhoneNumberMetric of
	// weekRequest.
	call func(ctx context.Context, c *Client) (any, error)
	// wantErr is false only for the success path.
	wantErr bool
	// wantIs are what the error must match, so that the scenario is
	// known to have taken the path its name says.
	wantIs []error
}

func leakScenarios() []leakScenario {
	jsonEcho := func(status int, body func(req *http.Request) map[string]any, headers ...string) func(*http.Request) (*http.Response, error) {
		return func(req *http.Request) (*http.Response, error) {
			return jsonAnswer(status, leakJSON(body(req)), headers...)(req)
		}
	}
	rawEcho := func(status int, contentType string, body func(req *http.Request) string) func(*http.Request) (*http.Response, error) {
		return func(req *http.Request) (*http.Response, error) {
			resp := httpmock.NewStringResponse(status, body(req))
			resp.Header.Set("Content-Type", contentType)
			resp.Header.Set("X-Acs-Request-Id", "HDR-LEAK")
			return resp, nil
		}
	}
	ok := func(req *http.Request) (*http.Response, error) { return jsonAnswer(200, sevenDays)(req) }
	return []leakScenario{
		{name: "success", answer: ok},
		{name: "SignatureDoesNotMatch echoing the string to sign", wantErr: true, wantIs: []error{ErrAuthentication},
			answer: jsonEcho(400, func(req *http.Request) map[string]any {
				return map[string]any{
					"RequestId": "REQ-LEAK", "HostId": "cams.ap-southeast-1.aliyuncs.com", "Code": "SignatureDoesNotMatch",
					"Message":            "Specified signature does not match our calculation. " + secretEcho(req),
					"AccessDeniedDetail": map[string]any{"AuthAction": "cams:Get", "EncodedDiagnosticMessage": secretEcho(req)},
					"Recommend":          "https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch&requestId=REQ-LEAK",
				}
			})},
		{name: "throttled every time, echoing", wantErr: true, wantIs: []error{ErrThrottled},
			answer: jsonEcho(400, func(req *http.Request) map[string]any {
				return map[string]any{"RequestId": "REQ-LEAK", "Code": "System.LimitControl", "Message": secretEcho(req)}
			})},
		{name: "HTML gateway page echoing", wantErr: true, wantIs: []error{ErrServer, ErrMalformedResponse},
			answer: rawEcho(502, "text/html", func(req *http.Request) string {
				return "<html><body><h1>502 Bad Gateway</h1><!-- " + secretEcho(req) + " --></body></html>"
			})},
		{name: "truncated JSON echoing", wantErr: true, wantIs: []error{ErrMalformedResponse},
			answer: rawEcho(200, "application/json", func(req *http.Request) string {
				return `{"Code":"OK","Message":"` + secretEcho(req)
			})},
		{name: "code-less 400 echoing", wantErr: true,
			answer: rawEcho(400, "text/plain", func(req *http.Request) string { return secretEcho(req) })},
		{name: "307 to another host with the signed query", wantErr: true,
			answer: func(req *http.Request) (*http.Response, error) {
				resp := httpmock.NewStringResponse(307, `<a href="https://evil.example/?`+req.URL.RawQuery+`">moved</a> `+secretEcho(req))
				resp.Header.Set("Location", "https://evil.example/?"+req.URL.RawQuery)
				return resp, nil
			}},
		{name: "transport error", wantErr: true,
			answer: func(*http.Request) (*http.Response, error) { return nil, errors.New("read: connection reset by peer") }},
		{name: "response too large", wantErr: true, wantIs: []error{ErrResponseTooLarge}, opts: []Option{WithMaxResponseBytes(64)},
			answer: rawEcho(200, "application/json", func(req *http.Request) string { return `{"Code":"OK","Message":"` + secretEcho(req) + `"}` })},
		{name: "context cancelled in backoff", wantErr: true, wantIs: []error{context.Canceled, ErrServer},
			answer: jsonEcho(503, func(req *http.Request) map[string]any {
				return map[string]any{"Code": "ServiceUnavailable", "Message": secretEcho(req)}
			}),
			call: func(ctx context.Context, c *Client) (any, error) {
				ctx, cancel := context.WithCancel(ctx)
				defer cancel()
				// The client draws the pause after the first answer and
				// only then sleeps: cancelling as it draws ends the call in
				// that pause, without depending on the wall clock.
				c.jitter = func(n int64) int64 {
					cancel()
					return topOfJitter(n)
				}
				return c.GetChatappPhoneNumberMetric(ctx, weekRequest())
			}},
		{name: "limiter wait past the deadline", wantErr: true, wantIs: []error{ErrThrottled, context.DeadlineExceeded}, opts: []Option{WithRateLimiter(NewRateLimiter(0.001))}, answer: ok,
			call: func(ctx context.Context, c *Client) (any, error) {
				if _, err := c.GetChatappPhoneNumberMetric(ctx, weekRequest()); err != nil {
					return nil, err
				}
				ctx, cancel := context.WithTimeout(ctx, time.Second)
				defer cancel()
				return c.GetChatappPhoneNumberMetric(ctx, weekRequest())
			}},
		{name: "limiter failing", wantErr: true, opts: []Option{WithRateLimiter(failingLimiter{})}, answer: ok},
		{name: "validation", wantErr: true, wantIs: []error{ErrInvalidRequest}, answer: ok,
			call: func(ctx context.Context, c *Client) (any, error) {
				req := weekRequest()
				req.Granularity = "daily"
				return c.GetChatappPhoneNumberMetric(ctx, req)
			}},
		{name: "EnableWhatsappROIMetric echoing", wantErr: true, wantIs: []error{ErrPermissionDenied},
			answer: jsonEcho(403, func(req *http.Request) map[string]any {
				return map[string]any{"Code": "Forbidden.RAM", "Message": secretEcho(req), "AccessDeniedDetail": secretEcho(req)}
			}),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.EnableWhatsappROIMetric(ctx, &EnableWhatsappROIMetricRequest{CustSpaceID: "cams-1"})
			}},
		{name: "credential provider panicking with its secret", wantErr: true, wantIs: []error{ErrCredentials}, answer: ok,
			opts: []Option{WithCredential(&panickingProvider{})}},
	}
}

// failingLimiter is a shared limiter whose store is down.
type failingLimiter struct{}

func (failingLimiter) Wait(context.Context) error { return errors.New("redis: connection refused") }

// panickingProvider panics with a message that holds the credentials.
type panickingProvider struct{ alicred.Credential }

func (*panickingProvider) GetCredential() (*alicred.CredentialModel, error) {
	panic("cannot parse credentials file: AccessKeySecret=" + leakSecret + " SecurityToken=" + leakToken)
}

func leakJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestNoSecretInErrorsLogsOrPrintedValues drives every error path under
// both signing schemes, with the debug log at its most verbose level in
// both slog formats, and looks for the secret, the token, the signatures
// and the Authorization values the client sent in every error string,
// every fmt verb of every error in the chain, of the response and of the
// Client, and every log record.
func TestNoSecretInErrorsLogsOrPrintedValues(t *testing.T) {
	for _, sig := range []SignatureVersion{SignatureV3, SignatureRPC} {
		for _, format := range []string{"json", "text"} {
			for _, sc := range leakScenarios() {
				t.Run(sig.String()+"/"+format+"/"+sc.name, func(t *testing.T) {
					var logs bytes.Buffer
					opts := &slog.HandlerOptions{Level: slog.LevelDebug - 4}
					handler := slog.Handler(slog.NewJSONHandler(&logs, opts))
					if format == "text" {
						handler = slog.NewTextHandler(&logs, opts)
					}
					c, wire := newLeakClient(t, sc.answer, append([]Option{
						WithSignatureVersion(sig),
						WithBackoff(Backoff{Base: time.Millisecond, ThrottleBase: time.Millisecond}),
						WithLogger(slog.New(handler)),
					}, sc.opts...)...)
					call := sc.call
					if call == nil {
						call = func(ctx context.Context, c *Client) (any, error) {
							return c.GetChatappPhoneNumberMetric(ctx, weekRequest())
						}
					}
					resp, err := call(context.Background(), c)
					if sc.wantErr {
						require.Error(t, err)
						for _, want := range sc.wantIs {
							assert.ErrorIs(t, err, want)
						}
					} else {
						require.NoError(t, err)
						assert.Contains(t, logs.String(), "chatapp attempt", "the debug log is on")
					}

					printed := map[string]string{"log": logs.String()}
					for name, v := range map[string]any{"response": resp, "client": c} {
						printWithEveryVerb(printed, name, v)
					}
					for i, e := range errorChainOf(err) {
						printWithEveryVerb(printed, fmt.Sprintf("error %d (%T)", i, e), e)
						printed[fmt.Sprintf("error %d Error()", i)] = e.Error()
						if apiErr, ok := e.(*APIError); ok {
							printWithEveryVerb(printed, "APIError value", *apiErr)
						}
					}
					requireNoSecret(t, printed, wire.all(), false)
				})
			}
		}
	}
}

// TestNoSecretInPrintedOptionsAndTypes prints the Client (pointer and
// value), the options that configured it, and the exported types that
// carry credentials-derived data, with every verb.
func TestNoSecretInPrintedOptionsAndTypes(t *testing.T) {
	opts := []Option{WithSTSToken(leakAccessKeyID, leakSecret, leakToken), WithEndpoint(testEndpoint), WithSignatureVersion(SignatureRPC)}
	c, err := NewClient(opts...)
	require.NoError(t, err)
	printed := map[string]string{}
	for name, v := range map[string]any{
		"options": opts, "client": c, "client value": *c,
		"struct holding the client": struct {
			Name   string
			client Client
		}{"job", *c},
		"call info":       CallInfo{Operation: "GetChatappPhoneNumberMetric", AccessKeyID: leakAccessKeyID, Attempt: 1},
		"operation error": &OperationError{Operation: "op", Attempts: 1, Err: &credentialError{reason: "provider failed", err: errors.New("x")}},
	} {
		printWithEveryVerb(printed, name, v)
	}
	requireNoSecret(t, printed, []string{leakSecret, leakToken}, true)
}

// newLeakClient returns a Client with the distinctive STS credentials
// and no rate limiter, whose every attempt is answered by answer after
// noting what it sent; opts come last.
func newLeakClient(t *testing.T, answer func(*http.Request) (*http.Response, error), opts ...Option) (*Client, *wireCapture) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	wire := &wireCapture{}
	mock.RegisterResponder(http.MethodPost, testEndpoint+"/", func(req *http.Request) (*http.Response, error) {
		wire.note(req)
		return answer(req)
	})
	c := newTestClient(t, mock, append([]Option{WithSTSToken(leakAccessKeyID, leakSecret, leakToken)}, opts...)...)
	return c, wire
}

// TestErrorSnippetShowsNoPartOfASecret: the snippet of a malformed body is
// cut at 200 bytes. A secret the body echoes across that cut must not
// show in part: redaction has to happen before the cut.
func TestErrorSnippetShowsNoPartOfASecret(t *testing.T) {
	for _, sig := range []SignatureVersion{SignatureV3, SignatureRPC} {
		for _, tc := range []struct{ name, body string }{
			{"secret across the cut", strings.Repeat("x", 190) + leakSecret},
			{"token across the cut", strings.Repeat("x", 190) + leakToken},
			{"percent-encoded token across the cut", strings.Repeat("x", 186) + pct.Encode(leakToken)},
		} {
			t.Run(sig.String()+"/"+tc.name, func(t *testing.T) {
				c, wire := newLeakClient(t, func(*http.Request) (*http.Response, error) {
					return httpmock.NewStringResponse(502, tc.body), nil
				}, WithSignatureVersion(sig), WithMaxAttempts(1))
				_, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
				require.ErrorIs(t, err, ErrMalformedResponse)
				requireNoSecret(t, map[string]string{"Error()": err.Error()}, wire.all(), true)
			})
		}
	}
}

// TestTransportErrorsShowNoSignedURL: under SignatureRPC the request URL
// carries the signature and the STS token. A transport error must show
// neither, whether net/http puts the URL in its *url.Error or the
// RoundTripper (a proxy, a tracing or retrying wrapper) repeats it in its
// own text: not in the error the caller gets, nor in the *url.Error
// errors.As finds in it.
func TestTransportErrorsShowNoSignedURL(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  func(req *http.Request) error
	}{
		{"plain", func(*http.Request) error { return errors.New("read: connection reset by peer") }},
		{"URL in the RoundTripper's text", func(req *http.Request) error {
			return fmt.Errorf("proxy refused %s: connection reset", req.URL)
		}},
		{"nested *url.Error", func(req *http.Request) error {
			return &url.Error{Op: "Post", URL: req.URL.String(), Err: errors.New("EOF")}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, wire := newLeakClient(t, func(req *http.Request) (*http.Response, error) { return nil, tc.err(req) },
				WithSignatureVersion(SignatureRPC), WithMaxAttempts(1))
			_, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
			require.Error(t, err)
			printed := map[string]string{}
			printWithEveryVerb(printed, "error", err)
			var ue *url.Error
			require.ErrorAs(t, err, &ue)
			printWithEveryVerb(printed, "*url.Error", ue)
			requireNoSecret(t, printed, wire.all(), false)
		})
	}
}

var printVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"}

func printWithEveryVerb(into map[string]string, name string, v any) {
	for _, verb := range printVerbs {
		into[name+" "+verb] = fmt.Sprintf(verb, v)
	}
}

// errorChainOf returns err and every error it wraps, through Unwrap() error
// and Unwrap() []error.
func errorChainOf(err error) []error {
	var out []error
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		out = append(out, e)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, inner := range u.Unwrap() {
				walk(inner)
			}
		}
	}
	walk(err)
	return out
}

// requireNoSecret fails if any printed text holds a secret, in any of the
// forms it could take there (raw, percent-encoded once or twice, form
// encoded, hex), or, for the secret and token, a run of 10 of their
// characters (a secret cut in two by a snippet still leaks).
func requireNoSecret(t *testing.T, printed map[string]string, secrets []string, parts bool) {
	t.Helper()
	type form struct{ what, text string }
	var forms []form
	for i, s := range secrets {
		if len(s) < 8 {
			continue
		}
		for _, f := range []string{s, pct.Encode(s), pct.Encode(pct.Encode(s)), url.QueryEscape(s)} {
			forms = append(forms, form{fmt.Sprintf("secret %d", i), f}, form{fmt.Sprintf("secret %d in hex", i), hex.EncodeToString([]byte(f))},
				form{fmt.Sprintf("secret %d in upper-case hex", i), strings.ToUpper(hex.EncodeToString([]byte(f)))})
		}
		if parts && (s == leakSecret || s == leakToken) {
			const run = 10
			for j := 0; j+run <= len(s); j++ {
				forms = append(forms, form{fmt.Sprintf("part of secret %d", i), s[j : j+run]})
			}
		}
	}
	for _, where := range slices.Sorted(maps.Keys(printed)) {
		text := printed[where]
		for _, f := range forms {
			if strings.Contains(text, f.text) {
				t.Errorf("%s shows %s (%q):\n%s", where, f.what, f.text, text)
				break
			}
		}
	}
}

// TestSecretInsideAUUIDRequestIDIsRedacted checks that a secret made of
// hex digits, short enough to sit inside a UUID-shaped RequestId, is
// redacted there too.
func TestSecretInsideAUUIDRequestIDIsRedacted(t *testing.T) {
	const secret = "deadbeef"
	c, mock := newMockClient(t, WithAccessKey("testid", secret))
	script(mock, jsonAnswer(200, `{"RequestId":"`+secret+`-0000-4000-8000-000000000001","Code":"OK","Data":[]}`))
	resp, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
	require.NoError(t, err)
	assert.NotContains(t, resp.RequestID, secret)
}
