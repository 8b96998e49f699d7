package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatappkit/chatapp/conformance/officialcams"

	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tamperTransport sits between the official core and the emulator, where
// Config.HttpClient puts it: it receives each request after the core has
// signed it, changes a copy with modify, and sends the copy. With replay
// set it sends the request untouched twice and returns the second answer.
type tamperTransport struct {
	base   http.RoundTripper
	modify func(r *http.Request) error
	replay bool

	mu    sync.Mutex
	calls int
	err   error // the first modify failure: the part to change was not there
}

func (tt *tamperTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	tt.mu.Lock()
	tt.calls++
	tt.mu.Unlock()

	if tt.replay {
		resp, err := tt.base.RoundTrip(withBody(req, body))
		if err != nil {
			return nil, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return tt.base.RoundTrip(withBody(req, body))
	}
	out := withBody(req, body)
	if err := tt.modify(out); err != nil {
		tt.mu.Lock()
		tt.err = errors.Join(tt.err, err)
		tt.mu.Unlock()
	}
	return tt.base.RoundTrip(out)
}

// hook returns the Config.HttpClient that sends the official core's
// requests through tt.
func (tt *tamperTransport) hook(t *testing.T) hookedHTTPClient {
	return newHookedHTTPClient(t, func(base http.RoundTripper) http.RoundTripper {
		tt.base = base
		return tt
	})
}

// withBody returns a deep copy of r carrying body.
func withBody(r *http.Request, body []byte) *http.Request {
	out := r.Clone(r.Context())
	setBody(out, body)
	return out
}

func setBody(r *http.Request, body []byte) {
	r.ContentLength = int64(len(body))
	if len(body) == 0 {
		r.Body, r.GetBody = http.NoBody, nil
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
}

// The core writes headers into the map under the names it uses, lower case
// and not canonicalised ("x-acs-date"), so they are looked up by a
// case-insensitive match of the map's keys rather than by Header.Get.

func headerKey(h http.Header, name string) (string, bool) {
	for k := range h {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}

// changeHeader replaces the value of a header the core sent.
func changeHeader(name string, change func(string) string) func(*http.Request) error {
	return func(r *http.Request) error {
		k, ok := headerKey(r.Header, name)
		if !ok || len(r.Header[k]) == 0 {
			return fmt.Errorf("the signed request has no %s header", name)
		}
		r.Header[k] = []string{change(r.Header[k][0])}
		return nil
	}
}

// removeHeader deletes a header the core sent.
func removeHeader(name string) func(*http.Request) error {
	return func(r *http.Request) error {
		k, ok := headerKey(r.Header, name)
		if !ok {
			return fmt.Errorf("the signed request has no %s header", name)
		}
		delete(r.Header, k)
		return nil
	}
}

// addHeader adds a header the core did not send, so did not sign.
func addHeader(name, value string) func(*http.Request) error {
	return func(r *http.Request) error {
		if _, ok := headerKey(r.Header, name); ok {
			return fmt.Errorf("the signed request already has a %s header", name)
		}
		r.Header.Set(name, value)
		return nil
	}
}

// changeQuery replaces the value of a query parameter the core sent.
func changeQuery(name string, change func(string) string) func(*http.Request) error {
	return func(r *http.Request) error {
		q := r.URL.Query()
		if !q.Has(name) {
			return fmt.Errorf("the signed request has no %s parameter", name)
		}
		q.Set(name, change(q.Get(name)))
		r.URL.RawQuery = q.Encode()
		return nil
	}
}

// addQuery adds a query parameter the core did not send.
func addQuery(name, value string) func(*http.Request) error {
	return func(r *http.Request) error {
		q := r.URL.Query()
		if q.Has(name) {
			return fmt.Errorf("the signed request already has a %s parameter", name)
		}
		q.Set(name, value)
		r.URL.RawQuery = q.Encode()
		return nil
	}
}

// removeQuery deletes a query parameter the core sent.
func removeQuery(name string) func(*http.Request) error {
	return func(r *http.Request) error {
		q := r.URL.Query()
		if !q.Has(name) {
			return fmt.Errorf("the signed request has no %s parameter", name)
		}
		q.Del(name)
		r.URL.RawQuery = q.Encode()
		return nil
	}
}

// addBody gives the (empty-bodied) signed request a body, with contentType
// unless it is empty.
func addBody(body, contentType string) func(*http.Request) error {
	return func(r *http.Request) error {
		if r.ContentLength != 0 {
			return fmt.Errorf("the signed request already has a body of %d bytes", r.ContentLength)
		}
		setBody(r, []byte(body))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		return nil
	}
}

// changeAuthorization rewrites one Name=value part of the ACS3
// Authorization header; change returning "" drops the part.
func changeAuthorization(part string, change func(string) string) func(*http.Request) error {
	return changeHeader("Authorization", func(v string) string {
		algorithm, rest, _ := strings.Cut(v, " ")
		var parts []string
		for p := range strings.SplitSeq(rest, ",") {
			name, value, _ := strings.Cut(p, "=")
			if name == part {
				value = change(value)
				if value == "" {
					continue
				}
			}
			parts = append(parts, name+"="+value)
		}
		return algorithm + " " + strings.Join(parts, ",")
	})
}

// flipFirst changes the first character of s to another one of the same
// alphabet (hex or base64), so that s stays well formed but wrong.
func flipFirst(s string) string {
	if s == "" {
		return s
	}
	c := byte('a')
	if s[0] == 'a' {
		c = 'b'
	}
	return string(c) + s[1:]
}

// laterTimestamp moves a yyyy-MM-ddTHH:mm:ssZ timestamp one second on:
// still well formed and fresh, but not the signed one.
func laterTimestamp(v string) string {
	ts, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return "unparsable:" + v
	}
	return ts.Add(time.Second).UTC().Format("2006-01-02T15:04:05Z")
}

// earlierMilli moves a UNIX-millisecond value a day back.
func earlierMilli(v string) string {
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return "unparsable:" + v
	}
	return strconv.FormatInt(ms-24*time.Hour.Milliseconds(), 10)
}

// tamperCase is one change to a signed request and the gateway's answer to it.
type tamperCase struct {
	name    string
	schemes []scheme // the schemes whose requests carry the part
	stsOnly bool     // the part exists only with STS credentials
	modify  func(*http.Request) error
	replay  bool
	code    string // the emulator's error code
	// unsigned: the request no longer looks signed by any scheme, and
	// the emulator logs it as SchemeNone.
	unsigned bool
}

var (
	onlyV3  = []scheme{schemeV3}
	onlyRPC = []scheme{schemeRPC}
)

const (
	codeMismatch   = "SignatureDoesNotMatch"
	codeIncomplete = "IncompleteSignature"
	codeNonceUsed  = "SignatureNonceUsed"
)

var tamperCases = []tamperCase{
	// The query: both schemes sign it.
	{name: "query value changed", schemes: schemes, modify: changeQuery("Start", earlierMilli), code: codeMismatch},
	{name: "query parameter added", schemes: schemes, modify: addQuery("IsvCode", "forged"), code: codeMismatch},
	{name: "query parameter removed", schemes: schemes, modify: removeQuery("CustSpaceId"), code: codeMismatch},

	// ACS3 signs host and every x-acs-* header.
	{name: "signed header x-acs-signature-nonce changed", schemes: onlyV3, modify: changeHeader("x-acs-signature-nonce", flipFirst), code: codeMismatch},
	{name: "signed header x-acs-date changed", schemes: onlyV3, modify: changeHeader("x-acs-date", laterTimestamp), code: codeMismatch},
	{name: "signed header x-acs-action changed", schemes: onlyV3, modify: changeHeader("x-acs-action", func(string) string { return "EnableWhatsappROIMetric" }), code: codeMismatch},
	{name: "signed header x-acs-credentials-provider changed", schemes: onlyV3, modify: changeHeader("x-acs-credentials-provider", func(v string) string { return v + "_forged" }), code: codeMismatch},
	{name: "signed header host changed", schemes: onlyV3, modify: func(r *http.Request) error {
		_, port, ok := strings.Cut(r.Host, ":")
		if !ok {
			return fmt.Errorf("host %q has no port", r.Host)
		}
		r.Host = "localhost:" + port
		return nil
	}, code: codeMismatch},
	{name: "signed header removed", schemes: onlyV3, modify: removeHeader("x-acs-credentials-provider"), code: codeIncomplete},
	{name: "unsigned x-acs header added", schemes: onlyV3, modify: addHeader("x-acs-forged", "1"), code: codeIncomplete},
	{name: "x-acs-content-sha256 changed", schemes: onlyV3, modify: changeHeader("x-acs-content-sha256", flipFirst), code: codeMismatch},

	// The body: ACS3 signs its hash, RPC signs form parameters with the query.
	{name: "body added", schemes: onlyV3, modify: addBody("PhoneNumber=8613800005678", ""), code: codeMismatch},
	{name: "form body added with unsigned content-type", schemes: onlyV3, modify: addBody("PhoneNumber=8613800005678", "application/x-www-form-urlencoded"), code: codeIncomplete},
	{name: "form body added", schemes: onlyRPC, modify: addBody("IsvCode=forged", "application/x-www-form-urlencoded"), code: codeMismatch},

	// RPC's common parameters are signed like the business ones.
	{name: "signed parameter SignatureNonce changed", schemes: onlyRPC, modify: changeQuery("SignatureNonce", flipFirst), code: codeMismatch},
	{name: "signed parameter Timestamp changed", schemes: onlyRPC, modify: changeQuery("Timestamp", laterTimestamp), code: codeMismatch},
	{name: "signed parameter Action changed", schemes: onlyRPC, modify: changeQuery("Action", func(string) string { return "EnableWhatsappROIMetric" }), code: codeMismatch},

	// The signature itself.
	{name: "Authorization signature changed", schemes: onlyV3, modify: changeAuthorization("Signature", flipFirst), code: codeMismatch},
	{name: "Authorization signature removed", schemes: onlyV3, modify: changeAuthorization("Signature", func(string) string { return "" }), code: codeIncomplete},
	{name: "Authorization SignedHeaders without x-acs-date", schemes: onlyV3, modify: changeAuthorization("SignedHeaders", func(v string) string {
		return strings.Replace(v, "x-acs-date;", "", 1)
	}), code: codeIncomplete},
	{name: "Authorization removed", schemes: onlyV3, modify: removeHeader("Authorization"), code: codeIncomplete, unsigned: true},
	{name: "Signature changed", schemes: onlyRPC, modify: changeQuery("Signature", flipFirst), code: codeMismatch},
	{name: "Signature removed", schemes: onlyRPC, modify: removeQuery("Signature"), code: codeIncomplete},

	// STS: the token is checked against the key before the signature.
	{name: "security token changed", schemes: onlyV3, stsOnly: true, modify: changeHeader("x-acs-security-token", flipFirst), code: "InvalidSecurityToken.MismatchWithAccessKey"},
	{name: "security token removed", schemes: onlyV3, stsOnly: true, modify: removeHeader("x-acs-security-token"), code: "MissingSecurityToken"},
	{name: "security token changed", schemes: onlyRPC, stsOnly: true, modify: changeQuery("SecurityToken", flipFirst), code: "InvalidSecurityToken.MismatchWithAccessKey"},
	{name: "security token removed", schemes: onlyRPC, stsOnly: true, modify: removeQuery("SecurityToken"), code: "MissingSecurityToken"},

	// The same signed request twice.
	{name: "replayed", schemes: schemes, replay: true, code: codeNonceUsed},
}

// TestOfficialHookIsTransparent is the control of TestOfficialTamperedRejected:
// the same Config.HttpClient hook, changing nothing, must leave official
// requests acceptable.
func TestOfficialHookIsTransparent(t *testing.T) {
	eachSchemeAndCredentials(t, func(t *testing.T, s scheme, kind credKind) {
		srv := newServer(t)
		k := credentials(srv, kind)
		tt := &tamperTransport{modify: func(*http.Request) error { return nil }}
		client := officialClient(t, srv.URL, k, s, tt.hook(t))

		resp, err := officialcams.GetMetric(client, dailyModel(), nil)
		require.NoError(t, err)
		assert.Equal(t, "OK", *resp.Body.Code)
		assert.Len(t, resp.Body.Data, 7)
		assert.Equal(t, 1, tt.calls, "the core must have sent through the hook")
		got := onlyRequest(t, srv)
		assert.Equal(t, emulatorScheme(s), got.Scheme)
		assert.Equal(t, "OK", got.Code)
	})
}

// TestOfficialTamperedRejected changes one signed part of an official
// request after the core signed it, or sends it twice, and checks that the
// emulator refuses it with the gateway's code and that the official core
// returns that refusal as an error after a single attempt.
func TestOfficialTamperedRejected(t *testing.T) {
	eachSchemeAndCredentials(t, func(t *testing.T, s scheme, kind credKind) {
		for _, tc := range tamperCases {
			if !slices.Contains(tc.schemes, s) || (tc.stsOnly && !kind.sts) {
				continue
			}
			t.Run(tc.name, func(t *testing.T) {
				srv := newServer(t)
				k := credentials(srv, kind)
				tt := &tamperTransport{modify: tc.modify, replay: tc.replay}
				client := officialClient(t, srv.URL, k, s, tt.hook(t))

				_, err := officialcams.GetMetric(client, dailyModel(), nil)
				require.NoError(t, tt.err, "the part to tamper with must be in the signed request")
				assert.Equal(t, 1, tt.calls, "the official core makes one attempt (no RetryOptions)")

				reqs := srv.Requests()
				if tc.replay {
					require.Len(t, reqs, 2)
					assert.Equal(t, "OK", reqs[0].Code, "the first copy is genuine")
					assert.Equal(t, nonceOf(reqs[0], s), nonceOf(reqs[1], s))
				} else {
					require.Len(t, reqs, 1)
				}
				last := reqs[len(reqs)-1]
				assert.Equal(t, tc.code, last.Code, "the emulator's answer")
				assert.Equal(t, http.StatusBadRequest, last.Status)
				if tc.unsigned {
					assert.Equal(t, chatapptest.SchemeNone, last.Scheme)
				} else {
					assert.Equal(t, emulatorScheme(s), last.Scheme)
				}
				requireSDKError(t, err, tc.code, http.StatusBadRequest, last.RequestID)
			})
		}
	})
}

// nonceOf is the signature nonce of a logged request.
func nonceOf(r chatapptest.Request, s scheme) string {
	if s == schemeRPC {
		return r.Query.Get("SignatureNonce")
	}
	return r.Header.Get("x-acs-signature-nonce")
}
