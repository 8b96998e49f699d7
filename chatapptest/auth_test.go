package chatapptest

import (
	"cmp"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	t0          = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	requestIDRe = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$`)
)

func TestAcceptsBothSchemesAndLayouts(t *testing.T) {
	start, end := t0.Add(-72*time.Hour), t0
	cases := map[string]call{
		"v3 query":            {},
		"v3 form body":        {query: url.Values{}, form: metricParams(start, end)},
		"v3 query and form":   {query: url.Values{"Start": {ms(start)}}, form: url.Values{"End": {ms(end)}}},
		"v3 GET":              {method: http.MethodGet},
		"rpc query":           {scheme: SchemeRPC},
		"rpc form body":       {scheme: SchemeRPC, query: url.Values{}, form: metricParams(start, end)},
		"rpc query and form":  {scheme: SchemeRPC, query: url.Values{"Start": {ms(start)}}, form: url.Values{"End": {ms(end)}}},
		"rpc GET":             {scheme: SchemeRPC, method: http.MethodGet},
		"enable roi v3":       {action: actionEnableROI, query: url.Values{}},
		"enable roi rpc form": {scheme: SchemeRPC, action: actionEnableROI, query: url.Values{}, form: url.Values{"CustSpaceId": {"cams-1"}}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			e, _ := newTestEmulator(t, t0)
			c.id, c.secret, c.date = "testid", "testsecret", t0
			if c.query == nil {
				c.query = metricParams(start, end)
			}
			a := serve(t, e, c.build(t))
			require.Equal(t, http.StatusOK, a.Status, a.raw)
			assert.Equal(t, "OK", a.Code)
			assert.Equal(t, "OK", a.Message)
			assert.Regexp(t, requestIDRe, a.RequestID)
			if c.action == "" {
				assert.NotEmpty(t, a.Data)
			}
			rec := e.Requests()[0]
			assert.Equal(t, cmp.Or(c.scheme, SchemeV3), rec.Scheme)
			assert.Equal(t, "testid", rec.AccessKeyID)
			assert.Equal(t, cmp.Or(c.action, actionGetMetric), rec.Action)
			assert.Equal(t, "OK", rec.Code)
			assert.Equal(t, a.RequestID, rec.RequestID)
			assert.Equal(t, t0, rec.Time)
			if c.form != nil {
				assert.Equal(t, c.form, rec.Form)
				assert.Equal(t, c.form.Encode(), string(rec.Body))
			}
		})
	}
}

// TestSM3Request sends an ACS3-HMAC-SM3 request, as darabonba signs one
// when told to.
func TestSM3Request(t *testing.T) {
	e, _ := newTestEmulator(t, t0)
	r := okCall(t0).build(t)
	r.Header.Set("x-acs-content-sha256", hexHash(newSM3, nil))
	signV3As(r, "ACS3-HMAC-SM3", r.Host, nil, "testid", "testsecret")
	require.True(t, strings.HasPrefix(r.Header.Get("Authorization"), "ACS3-HMAC-SM3 Credential=testid,"))
	a := serve(t, e, r)
	assert.Equal(t, "OK", a.Code, a.raw)
}

// TestRejections sends one faulty request per gateway error and checks the
// code, the status and the error body's shape.
func TestRejections(t *testing.T) {
	type tc struct {
		call   func(c *call)
		mutate func(r *http.Request)
		status int
		code   string
	}
	resign := func(r *http.Request) { signV3(r, nil, "testid", "testsecret") }
	rpc := func(c *call) { c.scheme = SchemeRPC }
	cases := map[string]tc{
		"no signature at all": {
			mutate: func(r *http.Request) { r.Header.Del("Authorization") },
			status: 400, code: codeIncompleteSignature,
		},
		"authorization without signature": {
			mutate: func(r *http.Request) {
				a := r.Header.Get("Authorization")
				r.Header.Set("Authorization", a[:strings.Index(a, ",Signature=")])
			},
			status: 400, code: codeIncompleteSignature,
		},
		"authorization without credential": {
			mutate: func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Credential=testid,", "", 1))
			},
			status: 400, code: codeIncompleteSignature,
		},
		"v3 without x-acs-date": {
			mutate: func(r *http.Request) { r.Header.Del("x-acs-date"); resign(r) },
			status: 400, code: codeIncompleteSignature,
		},
		"v3 without nonce": {
			mutate: func(r *http.Request) { r.Header.Del("x-acs-signature-nonce"); resign(r) },
			status: 400, code: codeIncompleteSignature,
		},
		"v3 without content hash": {
			mutate: func(r *http.Request) { r.Header.Del("x-acs-content-sha256"); resign(r) },
			status: 400, code: codeIncompleteSignature,
		},
		"v3 x-acs header not signed": {
			mutate: func(r *http.Request) { r.Header.Set("x-acs-credentials-provider", "static_ak") },
			status: 400, code: codeIncompleteSignature,
		},
		"v3 content-type not signed": {
			mutate: func(r *http.Request) { r.Header.Set("Content-Type", "application/json") },
			status: 400, code: codeIncompleteSignature,
		},
		"v3 host not signed": {
			mutate: func(r *http.Request) { signV3As(r, "ACS3-HMAC-SHA256", "", nil, "testid", "testsecret") },
			status: 400, code: codeIncompleteSignature,
		},
		"v3 signed header absent": {
			mutate: func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "SignedHeaders=host;", "SignedHeaders=host;x-acs-gone;", 1))
			},
			status: 400, code: codeIncompleteSignature,
		},
		"v3 unknown algorithm": {
			mutate: func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "ACS3-HMAC-SHA256", "ACS3-RSA-SHA256", 1))
			},
			status: 400, code: codeSignatureMethod,
		},
		"v3 accesskey-id header differs": {
			mutate: func(r *http.Request) { r.Header.Set("x-acs-accesskey-id", "other"); resign(r) },
			status: 400, code: codeIncompleteSignature,
		},
		"v3 wrong secret": {
			call:   func(c *call) { c.secret = "wrong" },
			status: 400, code: codeSignatureDoesNotMatch,
		},
		"v3 query changed": {
			mutate: func(r *http.Request) { r.URL.RawQuery += "&PhoneNumber=1" },
			status: 400, code: codeSignatureDoesNotMatch,
		},
		"v3 body changed, hash kept": {
			call: func(c *call) { c.query, c.form = url.Values{}, metricParams(t0.Add(-time.Hour), t0) },
			mutate: func(r *http.Request) {
				r.Body = httpBody(strings.Replace(mustRead(r), "End=", "End=1", 1))
			},
			status: 400, code: codeSignatureDoesNotMatch,
		},
		"v3 unknown key": {
			call:   func(c *call) { c.id = "LTAInobody" },
			status: 404, code: codeAccessKeyNotFound,
		},
		"rpc unknown key": {
			call:   func(c *call) { c.scheme, c.id = SchemeRPC, "LTAInobody" },
			status: 404, code: codeAccessKeyNotFound,
		},
		"rpc wrong secret": {
			call:   func(c *call) { c.scheme, c.secret = SchemeRPC, "wrong" },
			status: 400, code: codeSignatureDoesNotMatch,
		},
		"rpc query changed": {
			call:   rpc,
			mutate: func(r *http.Request) { r.URL.RawQuery += "&PhoneNumber=1" },
			status: 400, code: codeSignatureDoesNotMatch,
		},
		"rpc form changed": {
			call: func(c *call) {
				c.scheme, c.query, c.form = SchemeRPC, url.Values{}, metricParams(t0.Add(-time.Hour), t0)
			},
			mutate: func(r *http.Request) { r.Body = httpBody(mustRead(r) + "&PhoneNumber=1") },
			status: 400, code: codeSignatureDoesNotMatch,
		},
		"rpc without signature": {
			call:   rpc,
			mutate: func(r *http.Request) { delQuery(r, "Signature") },
			status: 400, code: codeIncompleteSignature,
		},
		"rpc without timestamp": {
			call:   rpc,
			mutate: func(r *http.Request) { delQuery(r, "Timestamp") },
			status: 400, code: codeIncompleteSignature,
		},
		"rpc sha256 method": {
			call:   rpc,
			mutate: func(r *http.Request) { setQuery(r, "SignatureMethod", "HMAC-SHA256") },
			status: 400, code: codeSignatureMethod,
		},
		"rpc signature version 2": {
			call:   rpc,
			mutate: func(r *http.Request) { setQuery(r, "SignatureVersion", "2.0") },
			status: 400, code: codeSignatureVersion,
		},
		"rpc xml format": {
			call:   rpc,
			mutate: func(r *http.Request) { setQuery(r, "Format", "XML") },
			status: 400, code: codeInvalidParameter,
		},
		"rpc without action": {
			call:   rpc,
			mutate: func(r *http.Request) { setQuery(r, "Action", "") },
			status: 400, code: codeMissingParameter,
		},
		"timestamp 16 minutes old": {
			call:   func(c *call) { c.date = t0.Add(-16 * time.Minute) },
			status: 400, code: codeTimestampExpired,
		},
		"timestamp 16 minutes ahead": {
			call:   func(c *call) { c.scheme, c.date = SchemeRPC, t0.Add(16*time.Minute) },
			status: 400, code: codeTimestampExpired,
		},
		"timestamp unreadable": {
			mutate: func(r *http.Request) { r.Header.Set("x-acs-date", "yesterday"); resign(r) },
			status: 400, code: codeTimestampFormat,
		},
		"unknown action": {
			call:   func(c *call) { c.action = "EnableWhatsAppROIMetric" }, // the docs' typo
			status: 404, code: codeAPINotFound,
		},
		"rpc unknown action": {
			call:   func(c *call) { c.scheme, c.action = SchemeRPC, "SendChatappMessage" },
			status: 404, code: codeAPINotFound,
		},
		"wrong version": {
			call:   func(c *call) { c.version = "2021-01-01" },
			status: 400, code: codeInvalidVersion,
		},
		"unsupported method": {
			call:   func(c *call) { c.method = http.MethodPut },
			status: 400, code: codeUnsupportedHTTPMethod,
		},
		"malformed query": {
			mutate: func(r *http.Request) { r.URL.RawQuery += "&Bad=%zz" },
			status: 400, code: codeInvalidParameter,
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			e, _ := newTestEmulator(t, t0)
			spec := okCall(t0)
			if c.call != nil {
				c.call(&spec)
			}
			r := spec.build(t)
			if c.mutate != nil {
				c.mutate(r)
			}
			a := serve(t, e, r)
			assert.Equal(t, c.status, a.Status, a.raw)
			assert.Equal(t, c.code, a.Code, a.raw)
			assert.NotEmpty(t, a.Message)
			assert.Regexp(t, requestIDRe, a.RequestID)
			assert.Equal(t, hostID, a.HostID)
			assert.Equal(t, "https://api.aliyun.com/troubleshoot?q="+url.QueryEscape(c.code)+"&product=cams&requestId="+a.RequestID, a.Recommend)
			assert.NotContains(t, a.raw, `\u0026`, "a plain & as the gateway writes it")
			assert.Equal(t, 1, e.Stats().Errors)
			assert.Equal(t, 0, e.Stats().OK)
		})
	}
}

// setQuery sets a query parameter of r, present even if empty.
func setQuery(r *http.Request, name, value string) {
	q := r.URL.Query()
	q.Set(name, value)
	r.URL.RawQuery = q.Encode()
}

// delQuery removes a query parameter of r.
func delQuery(r *http.Request, name string) {
	q := r.URL.Query()
	q.Del(name)
	r.URL.RawQuery = q.Encode()
}

func mustRead(r *http.Request) string {
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

func httpBody(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

// TestTimestampWindow checks the ±15 minute edge both ways and that
// WithTimestampSkew can turn the check off.
func TestTimestampWindow(t *testing.T) {
	for _, d := range []time.Duration{-15 * time.Minute, 15 * time.Minute, 0} {
		e, _ := newTestEmulator(t, t0)
		c := okCall(t0)
		c.date = t0.Add(d)
		assert.Equal(t, "OK", serve(t, e, c.build(t)).Code, "skew %v", d)
	}
	e, _ := newTestEmulator(t, t0, WithTimestampSkew(0))
	c := okCall(t0)
	c.date = t0.AddDate(-1, 0, 0)
	assert.Equal(t, "OK", serve(t, e, c.build(t)).Code)
}

func TestNonces(t *testing.T) {
	e, clock := newTestEmulator(t, t0)
	e.AddAccessKey("otherid", "othersecret")

	c := okCall(t0)
	c.nonce = "n-1"
	require.Equal(t, "OK", serve(t, e, c.build(t)).Code)
	assert.Equal(t, codeNonceUsed, serve(t, e, c.build(t)).Code, "replay")
	assert.Equal(t, codeNonceUsed, serve(t, e, c.build(t)).Code, "and again")

	other := c
	other.id, other.secret = "otherid", "othersecret"
	assert.Equal(t, "OK", serve(t, e, other.build(t)).Code, "nonces are per key")

	// A forged request does not use up its nonce.
	forged := okCall(t0)
	forged.nonce, forged.secret = "n-2", "wrong"
	assert.Equal(t, codeSignatureDoesNotMatch, serve(t, e, forged.build(t)).Code)
	forged.secret = "testsecret"
	assert.Equal(t, "OK", serve(t, e, forged.build(t)).Code)

	// Once the first request's timestamp has left the window, its nonce is
	// forgotten; a fresh timestamp may use it again.
	clock.Advance(15*time.Minute + time.Second)
	c.date = clock.Now()
	assert.Equal(t, "OK", serve(t, e, c.build(t)).Code)
	assert.Equal(t, codeNonceUsed, serve(t, e, c.build(t)).Code)
}

func TestNonceMemoryIsBounded(t *testing.T) {
	s := newNonceStore()
	for i := range maxNoncesPerKey + 10 {
		require.True(t, s.use("k", strconv.Itoa(i), t0, t0.Add(time.Duration(i)*time.Millisecond+time.Hour)))
	}
	assert.Len(t, s.byKey["k"].seen, maxNoncesPerKey)
	assert.Len(t, s.byKey["k"].expires, maxNoncesPerKey)
	// Entries expire with time.
	require.True(t, s.use("k", "last", t0.Add(3*time.Hour), t0.Add(4*time.Hour)))
	assert.Len(t, s.byKey["k"].seen, 1)
}

func TestSTS(t *testing.T) {
	const id, secret, token = "STS.NUgYrLnoC37mZZCNnAbez2Ufh", "stsSecret/with+Base64=", "CAIS+gF1q6Ft5B2y=="
	for _, scheme := range []Scheme{SchemeV3, SchemeRPC} {
		t.Run(string(scheme), func(t *testing.T) {
			e, _ := newTestEmulator(t, t0, WithSTSToken(id, secret, token))
			sts := okCall(t0)
			sts.scheme, sts.id, sts.secret, sts.token = scheme, id, secret, token
			assert.Equal(t, "OK", serve(t, e, sts.build(t)).Code)

			missing := sts
			missing.token = ""
			assert.Equal(t, codeMissingSecurityToken, serve(t, e, missing.build(t)).Code)

			wrong := sts
			wrong.token = token + "x"
			a := serve(t, e, wrong.build(t))
			assert.Equal(t, http.StatusBadRequest, a.Status)
			assert.Equal(t, codeSecurityTokenMismatch, a.Code)

			onPlainKey := okCall(t0)
			onPlainKey.scheme, onPlainKey.token = scheme, token
			assert.Equal(t, codeSecurityTokenMismatch, serve(t, e, onPlainKey.build(t)).Code)

			e.AddSTSToken("STS.added", "s2", "t2")
			added := okCall(t0)
			added.scheme, added.id, added.secret, added.token = scheme, "STS.added", "s2", "t2"
			assert.Equal(t, "OK", serve(t, e, added.build(t)).Code)
		})
	}
}

func TestKeysAddAndRemove(t *testing.T) {
	e, _ := newTestEmulator(t, t0, WithAccessKey("second", "s2"))
	c := okCall(t0)
	c.id, c.secret = "second", "s2"
	assert.Equal(t, "OK", serve(t, e, c.build(t)).Code)

	e.AddAccessKey("third", "s3")
	c.id, c.secret = "third", "s3"
	assert.Equal(t, "OK", serve(t, e, c.build(t)).Code)

	e.RemoveAccessKey("third")
	assert.Equal(t, codeAccessKeyNotFound, serve(t, e, c.build(t)).Code)

	id, secret := e.Credentials()
	assert.Equal(t, "testid", id)
	assert.Equal(t, "testsecret", secret)
}

func TestGeneratedCredentialsAreUnique(t *testing.T) {
	a, b := NewEmulator(), NewEmulator()
	idA, secretA := a.Credentials()
	idB, secretB := b.Credentials()
	assert.Regexp(t, `^LTAI[A-Za-z0-9]{20}$`, idA)
	assert.Regexp(t, `^[A-Za-z0-9]{30}$`, secretA)
	assert.NotEqual(t, idA, idB)
	assert.NotEqual(t, secretA, secretB)
}

// TestUnreadableBody checks that a body over the limit is refused.
func TestUnreadableBody(t *testing.T) {
	e, _ := newTestEmulator(t, t0)
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Repeat("a", maxBodyBytes+1)))
	a := serve(t, e, r)
	assert.Equal(t, codeInvalidParameter, a.Code)
}
