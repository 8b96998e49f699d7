package chatapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chatappkit/chatapp/internal/pct"
)

// Fuzz targets for what takes hostile input: the percent-encoder, the
// canonical query, and the response decoder. The signers are fuzzed
// against the emulator's verifier in fuzz_signers_test.go. Seed corpora
// live in testdata/fuzz/<FuzzName>/ and run with every go test.

// FuzzPercentEncode: pct.Encode agrees with an independent encoder
// (net/url's, with %20 for space), emits only unreserved bytes and %XX
// with upper-case hex, decodes back to its input, and Len and Append agree
// with it.
func FuzzPercentEncode(f *testing.F) {
	for _, s := range []string{"", "abcXYZ019-_.~", " ", "+", "*", "%", "%25", "&=?#/", "中文😀", "\x00\x7f\xff", "~!'()*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := pct.Encode(s)
		if want := strings.ReplaceAll(url.QueryEscape(s), "+", "%20"); got != want {
			t.Fatalf("Encode(%q) = %q, net/url says %q", s, got, want)
		}
		requireStrictlyEncoded(t, got, "")
		if back, err := url.PathUnescape(got); err != nil || back != s {
			t.Fatalf("Encode(%q) = %q decodes to %q, %v", s, got, back, err)
		}
		if n := pct.Len(s); n != len(got) {
			t.Fatalf("Len(%q) = %d, encoding has %d bytes", s, n, len(got))
		}
		if a := string(pct.Append([]byte("prefix&"), s)); a != "prefix&"+got {
			t.Fatalf("Append(%q) = %q", s, a)
		}
	})
}

// requireStrictlyEncoded fails unless s holds only unreserved bytes, %XX
// escapes with upper-case hex, and the separators in allowed.
func requireStrictlyEncoded(t *testing.T, s, allowed string) {
	t.Helper()
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', strings.IndexByte("-_.~", c) >= 0:
		case strings.IndexByte(allowed, c) >= 0:
		case c == '%' && i+2 < len(s) && isUpperHex(s[i+1]) && isUpperHex(s[i+2]):
			i += 2
		default:
			t.Fatalf("byte %q at %d of %q is neither unreserved nor a %%XX escape", c, i, s)
		}
	}
}

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

// FuzzCanonicalQuery: whatever the names and values, the canonical query
// has exactly one name=value pair per parameter, in byte order of the raw
// names, made only of unreserved bytes, %XX, '&' and '='; and net/url
// decodes it back to the very same parameters, so that no value can
// inject a parameter.
func FuzzCanonicalQuery(f *testing.F) {
	f.Add("Start", "1756684800000", "PhoneNumber", "8613800001234", "End", "1757289600000")
	f.Add("a", "x&Start=1", "b", "c=d+e%2e f", "Start", "")
	f.Add("", "", "=", "&", "%", "%%")
	f.Add("中", "😀\x00\n", "\xff", "\xfe", "A", strings.Repeat("a&b=c ", 2000))
	f.Fuzz(func(t *testing.T, n1, v1, n2, v2, n3, v3 string) {
		params := []param{{name: n1, value: v1}, {name: n2, value: v2}, {name: n3, value: v3}}
		// The client never sends one name twice.
		if n1 == n2 || n1 == n3 || n2 == n3 {
			params = params[:1]
		}
		sortParams(params)
		q := canonicalQuery(params)
		requireStrictlyEncoded(t, q, "&=")
		pairs := strings.Split(q, "&")
		if len(pairs) != len(params) {
			t.Fatalf("%d parameters, %d pairs in %q", len(params), len(pairs), q)
		}
		decoded, err := url.ParseQuery(q)
		if err != nil {
			t.Fatalf("net/url cannot read %q: %v", q, err)
		}
		if len(decoded) != len(params) {
			t.Fatalf("%d parameters decode to %d names from %q", len(params), len(decoded), q)
		}
		var names []string
		for i, pair := range pairs {
			name, value, ok := strings.Cut(pair, "=")
			if !ok {
				t.Fatalf("pair %q of %q has no '='", pair, q)
			}
			rawName, err1 := url.QueryUnescape(name)
			rawValue, err2 := url.QueryUnescape(value)
			if err1 != nil || err2 != nil || rawName != params[i].name || rawValue != params[i].value {
				t.Fatalf("pair %d of %q is %q=%q, want %q=%q", i, q, rawName, rawValue, params[i].name, params[i].value)
			}
			if got := decoded[rawName]; len(got) != 1 || got[0] != rawValue {
				t.Fatalf("net/url reads %q as %q", rawName, got)
			}
			names = append(names, rawName)
		}
		if !slices.IsSorted(names) {
			t.Fatalf("names out of byte order in %q", q)
		}
	})
}

// fuzzResponseCap keeps the decoder's cap small, so that the fuzzer also
// reaches ErrResponseTooLarge.
const fuzzResponseCap = 4096

// fuzzAnswer is a RoundTripper that answers every request with one
// status and body.
type fuzzAnswer struct {
	status int
	body   []byte
}

func (a fuzzAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode:    a.status,
		Header:        http.Header{"Content-Type": {"application/json"}, "X-Acs-Request-Id": {"HDR-FUZZ"}},
		Body:          io.NopCloser(bytes.NewReader(a.body)),
		ContentLength: -1,
		Request:       req,
	}, nil
}

// FuzzDecodeResponse: arbitrary bytes with an arbitrary status never
// panic and give either a result or an error, never both. An error is an
// *OperationError over an *APIError (a coded answer) or a *ResponseError
// (an unusable body: malformed, or ErrResponseTooLarge over the cap), with
// the status and a request ID. A result only comes from a
// 2xx, and its points are exactly what an independent decoding of the body
// finds.
func FuzzDecodeResponse(f *testing.F) {
	f.Add(uint16(200), []byte(sevenDays))
	f.Add(uint16(200), []byte(`{"Code":"OK","Data":null}`))
	f.Add(uint16(400), []byte(`{"RequestId":"R","Code":"System.LimitControl","Message":"m"}`))
	f.Add(uint16(502), []byte("<html><body>502 Bad Gateway</body></html>"))
	f.Add(uint16(200), []byte(`{"Code":"OK","Data":[{"SentCount":"12","DeliveredCount":7.0,"Start":"1756684800000","End":1.7567712e12}]}`))
	f.Fuzz(func(t *testing.T, rawStatus uint16, body []byte) {
		status := 100 + int(rawStatus)%500
		c := newTestClient(t, fuzzAnswer{status, body}, WithAccessKey("LTAIfuzzdecode", "SECRET-fuzz-decode"),
			WithMaxAttempts(1), WithMaxResponseBytes(fuzzResponseCap))
		resp, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
		if (resp == nil) == (err == nil) {
			t.Fatalf("status %d: response %v and error %v", status, resp, err)
		}
		if err != nil {
			checkDecodeError(t, status, body, err)
			return
		}
		if status < 200 || status > 299 {
			t.Fatalf("status %d gave a result", status)
		}
		if resp.Code != "" && resp.Code != "OK" {
			t.Fatalf("a result with Code %q", resp.Code)
		}
		checkPointsAgainstIndependentDecoding(t, body, resp.Data)
	})
}

func checkDecodeError(t *testing.T, status int, body []byte, err error) {
	t.Helper()
	var opErr *OperationError
	if !errors.As(err, &opErr) || opErr.Attempts != 1 {
		t.Fatalf("not an *OperationError of one attempt: %#v", err)
	}
	if !utf8.ValidString(err.Error()) {
		t.Errorf("error text is not valid UTF-8: %q", err.Error())
	}
	if strings.Contains(err.Error(), "SECRET-fuzz-decode") {
		t.Errorf("error shows the secret: %s", err)
	}
	var apiErr *APIError
	var respErr *ResponseError
	var redirect *RedirectError
	switch {
	case errors.As(err, &redirect):
		if redirect.StatusCode != status || !isRedirect(status) {
			t.Fatalf("a *RedirectError for HTTP %d: %v", status, err)
		}
		return
	case isRedirect(status):
		t.Fatalf("HTTP %d is not a *RedirectError: %v", status, err)
	case errors.As(err, &respErr):
		if errors.As(err, &apiErr) {
			t.Fatalf("both an *APIError and a *ResponseError: %v", err)
		}
		if !errors.Is(err, ErrMalformedResponse) && !errors.Is(err, ErrResponseTooLarge) {
			t.Fatalf("a *ResponseError that is neither malformed nor too large: %v", err)
		}
		// The checks below read the shared fields.
		apiErr = &APIError{StatusCode: respErr.StatusCode, RequestID: respErr.RequestID}
	case errors.As(err, &apiErr):
		if errors.Is(err, ErrMalformedResponse) || errors.Is(err, ErrResponseTooLarge) {
			t.Fatalf("an *APIError matching a client-side failure: %v", err)
		}
	default:
		t.Fatalf("%d bytes: neither an *APIError nor a *ResponseError: %v", len(body), err)
	}
	if tooLarge := errors.Is(err, ErrResponseTooLarge); tooLarge != (len(body) > fuzzResponseCap) {
		t.Fatalf("%d bytes (cap %d): ErrResponseTooLarge is %v: %v", len(body), fuzzResponseCap, tooLarge, err)
	}
	if apiErr.StatusCode != status {
		t.Fatalf("StatusCode %d, sent %d", apiErr.StatusCode, status)
	}
	if apiErr.RequestID == "" {
		t.Fatalf("the request ID of the header is lost: %v", err)
	}
	if status >= 200 && status <= 299 && apiErr.Code == "" && !errors.Is(err, ErrMalformedResponse) && !errors.Is(err, ErrResponseTooLarge) {
		t.Fatalf("a 2xx without a code failed but is not malformed: %v", err)
	}
}

// oraclePoint decodes a point independently of the package's types.
type oraclePoint struct {
	PhoneNumber    string
	Granularity    string
	Start          json.RawMessage
	End            json.RawMessage
	SentCount      json.RawMessage
	DeliveredCount json.RawMessage
}

func checkPointsAgainstIndependentDecoding(t *testing.T, body []byte, got []PhoneNumberMetric) {
	t.Helper()
	var doc struct{ Data []*oraclePoint }
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("the client decoded a body encoding/json rejects: %v", err)
	}
	if len(doc.Data) != len(got) {
		t.Fatalf("%d points decoded, the body has %d", len(got), len(doc.Data))
	}
	for i, p := range got {
		want := doc.Data[i]
		if want == nil {
			want = &oraclePoint{}
		}
		if p.Start.Location() != time.UTC || p.End.Location() != time.UTC {
			t.Fatalf("point %d is not in UTC", i)
		}
		if p.Start.Nanosecond()%int(time.Millisecond) != 0 || p.End.Nanosecond()%int(time.Millisecond) != 0 {
			t.Fatalf("point %d has sub-millisecond times", i)
		}
		for _, field := range []struct {
			name string
			got  int64
			raw  json.RawMessage
		}{
			{"Start", p.Start.UnixMilli(), want.Start},
			{"End", p.End.UnixMilli(), want.End},
			{"SentCount", p.SentCount, want.SentCount},
			{"DeliveredCount", p.DeliveredCount, want.DeliveredCount},
		} {
			n, ok := oracleInt(field.raw)
			if !ok || n != field.got {
				t.Fatalf("point %d %s = %d, the body says %s", i, field.name, field.got, field.raw)
			}
		}
		if p.PhoneNumber != want.PhoneNumber || string(p.Granularity) != want.Granularity {
			t.Fatalf("point %d is %q %q, the body says %q %q", i, p.PhoneNumber, p.Granularity, want.PhoneNumber, want.Granularity)
		}
	}
}

// oracleInt reads an integer as the API's documentation allows it: a JSON
// number or a string holding one, integral and within int64; null or
// absent is 0.
func oracleInt(raw json.RawMessage) (int64, bool) {
	s := string(raw)
	if s == "" || s == "null" {
		return 0, true
	}
	if s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, false
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != math.Trunc(v) || v < math.MinInt64 || v >= math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}
