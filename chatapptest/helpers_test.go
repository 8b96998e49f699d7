package chatapptest

import (
	"cmp"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeClock is a settable clock, safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// testHost is the Host of requests built for the handler.
const testHost = "cams.ap-southeast-1.aliyuncs.com"

var nonceCounter atomic.Int64

func nextNonce() string { return "nonce-" + strconv.FormatInt(nonceCounter.Add(1), 10) }

// call describes a request to build and sign for the handler.
type call struct {
	scheme       Scheme // SchemeV3 unless set
	method       string // POST unless set
	action       string // GetChatappPhoneNumberMetric unless set
	version      string // apiVersion unless set
	query        url.Values
	form         url.Values // sent as an x-www-form-urlencoded body
	id, secret   string
	token        string
	date         time.Time
	nonce        string // fresh unless set
	extraHeaders http.Header
	server       *Server // send to this server instead of a handler
}

// metricParams returns the usual query of a metric request.
func metricParams(start, end time.Time) url.Values {
	return url.Values{"Start": {ms(start)}, "End": {ms(end)}}
}

// ms is t as the operation's parameters carry it: UNIX milliseconds.
func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// build returns the request c describes, signed as the official cores do,
// with the test's own use of the emulator's canonicalisation (proven by
// the vectors).
func (c call) build(t testing.TB) *http.Request {
	t.Helper()
	method := cmp.Or(c.method, http.MethodPost)
	action := cmp.Or(c.action, actionGetMetric)
	version := cmp.Or(c.version, apiVersion)
	nonce := c.nonce
	if nonce == "" {
		nonce = nextNonce() // not cmp.Or: it would use up a nonce every time
	}
	date := c.date.UTC().Format("2006-01-02T15:04:05Z")
	var body string
	if c.form != nil {
		body = c.form.Encode()
	}
	query := url.Values{}
	for k, v := range c.query {
		query[k] = append([]string(nil), v...)
	}

	if c.scheme == SchemeRPC {
		query.Set("AccessKeyId", c.id)
		query.Set("Action", action)
		query.Set("Format", "json")
		query.Set("SignatureMethod", "HMAC-SHA1")
		query.Set("SignatureNonce", nonce)
		query.Set("SignatureVersion", "1.0")
		query.Set("Timestamp", date)
		query.Set("Version", version)
		if c.token != "" {
			query.Set("SecurityToken", c.token)
		}
		sig := rpcSignature(c.secret, rpcStringToSign(method, pairsOf(query, c.form)))
		query.Set("Signature", sig)
	}
	r := httptest.NewRequest(method, "/?"+query.Encode(), strings.NewReader(body))
	r.Host = testHost
	if c.server != nil {
		u, err := url.Parse(c.server.URL)
		require.NoError(t, err)
		r.RequestURI = ""
		r.URL.Scheme, r.URL.Host, r.Host = u.Scheme, u.Host, u.Host
	}
	r.Header = http.Header{}
	if c.form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.scheme == SchemeRPC {
		return r
	}
	h := r.Header
	h.Set("x-acs-action", action)
	h.Set("x-acs-version", version)
	h.Set("x-acs-date", date)
	h.Set("x-acs-signature-nonce", nonce)
	h.Set("x-acs-content-sha256", hexHash(sha256.New, []byte(body)))
	if c.token != "" {
		h.Set("x-acs-accesskey-id", c.id)
		h.Set("x-acs-security-token", c.token)
	}
	for k, v := range c.extraHeaders {
		h[k] = v
	}
	signV3(r, []byte(body), c.id, c.secret)
	return r
}

// signV3 (re)computes r's ACS3-HMAC-SHA256 Authorization over every header
// that must be signed.
func signV3(r *http.Request, body []byte, id, secret string) {
	signV3As(r, "ACS3-HMAC-SHA256", r.Host, body, id, secret)
}

// signV3As (re)computes r's Authorization with algorithm over every header
// that must be signed, taking host as the request's Host ("" leaves host
// unsigned).
func signV3As(r *http.Request, algorithm, host string, body []byte, id, secret string) {
	newHash := v3Algorithms[algorithm]
	names := mustSignV3(r.Header, host)
	headers, _ := v3CanonicalHeaders(r.Header, host, names)
	signed := strings.Join(names, ";")
	canonical := v3CanonicalRequest(r.Method, r.URL.EscapedPath(), canonicalQuery(pairsOf(r.URL.Query())), headers, signed, hexHash(newHash, body))
	sig := v3Signature(newHash, secret, v3StringToSign(algorithm, newHash, canonical))
	r.Header.Set("Authorization", algorithm+" Credential="+id+",SignedHeaders="+signed+",Signature="+sig)
}

// answer is a decoded response body of either kind.
type answer struct {
	Status    int `json:"-"`
	RequestID string
	HostID    string `json:"HostId"`
	Code      string
	Message   string
	Recommend string
	Data      []struct {
		SentCount, DeliveredCount int64
		Start, End                int64
		PhoneNumber, Granularity  string
	}
	raw string
}

// serve sends r to h and decodes the answer.
func serve(t testing.TB, h http.Handler, r *http.Request) answer {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var a answer
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &a), "body: %s", w.Body.String())
	a.Status = w.Code
	a.raw = w.Body.String()
	return a
}

// serverCall is a valid metric request for s at the real time, signed
// with its key.
func serverCall(s *Server) call {
	c := okCall(time.Now())
	c.id, c.secret, c.server = s.AccessKeyID, s.AccessKeySecret, s
	return c
}

// newTestEmulator returns an emulator on a fake clock, with a known key.
func newTestEmulator(t testing.TB, now time.Time, opts ...ServerOption) (*Emulator, *fakeClock) {
	t.Helper()
	clock := newFakeClock(now)
	e := NewEmulator(append([]ServerOption{WithClock(clock.Now), WithCredentials("testid", "testsecret")}, opts...)...)
	t.Cleanup(e.Close)
	return e, clock
}

// okCall is a valid metric request at clock's time.
func okCall(now time.Time) call {
	return call{
		id: "testid", secret: "testsecret", date: now,
		query: metricParams(now.Add(-72*time.Hour), now),
	}
}
