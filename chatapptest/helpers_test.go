package chatapptest

import (
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
func metricParams(start, end time.Time, more ...string) url.Values {
	v := url.Values{
		"Start": {strconv.FormatInt(start.UnixMilli(), 10)},
		"End":   {strconv.FormatInt(end.UnixMilli(), 10)},
	}
	for i := 0; i+1 < len(more); i += 2 {
		v.Set(more[i], more[i+1])
	}
	return v
}

// build returns the request c describes, signed as the official cores do,
// with the test's own use of the emulator's canonicalisation (proven by
// the vectors).
func (c call) build(t testing.TB) *http.Request {
	t.Helper()
	method := c.method
	if method == "" {
		method = http.MethodPost
	}
	action, version := c.action, c.version
	if action == "" {
		action = actionGetMetric
	}
	if version == "" {
		version = apiVersion
	}
	nonce := c.nonce
	if nonce == "" {
		nonce = nextNonce()
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

// signV3 (re)computes r's Authorization over every header that must be
// signed.
func signV3(r *http.Request, body []byte, id, secret string) {
	names := mustSignV3(r.Header, r.Host)
	headers, _ := v3CanonicalHeaders(r.Header, r.Host, names)
	signed := strings.Join(names, ";")
	canonical := v3CanonicalRequest(r.Method, r.URL.EscapedPath(), canonicalQuery(pairsOf(r.URL.Query())), headers, signed, hexHash(sha256.New, body))
	sig := v3Signature(sha256.New, secret, v3StringToSign("ACS3-HMAC-SHA256", sha256.New, canonical))
	r.Header.Set("Authorization", "ACS3-HMAC-SHA256 Credential="+id+",SignedHeaders="+signed+",Signature="+sig)
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

// serverCall is a valid metric request for s, signed with its key.
func serverCall(s *Server) call {
	now := time.Now()
	return call{
		id: s.AccessKeyID, secret: s.AccessKeySecret, date: now, server: s,
		query: metricParams(now.Add(-72*time.Hour), now),
	}
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
