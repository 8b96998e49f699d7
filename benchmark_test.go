package chatapp

// Micro-benchmarks of the steps of one call that need unexported code. The
// full call against a canned server, and the official SDK beside it, are in
// the bench module (bench/README.md); bench/cmd/benchtable runs both sets
// and checks their targets.

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchRPCSignature is the Signature the official core sent for
// benchSignInput under the RPC scheme
// (testdata/spec/captures/darabonba_v1_signature_algorithm_v2.json).
const benchRPCSignature = "CmukBOV3m2tA7hGNLomkUHLI5Do="

// benchSignInput is what one attempt of weekRequest signs, with the
// clock and nonce of the official capture.
func benchSignInput() *signInput {
	return &signInput{
		action: opGetChatappPhoneNumberMetric.name,
		host:   "cams.ap-southeast-1.aliyuncs.com",
		params: weekRequest().params(nil),
		date:   "2026-11-26T22:10:51Z",
		nonce:  "4ac1112a11aef0c285c503ebd11dad00",
		cred:   credentials{accessKeyID: "testid", accessKeySecret: "testsecret"},
	}
}

// BenchmarkSign measures the signing step of one attempt alone: a ready
// signInput to the signedRequest (query, Authorization and headers). The
// clock, the nonce and building the http.Header are not included.
func BenchmarkSign(b *testing.B) {
	for _, v := range []SignatureVersion{SignatureV3, SignatureRPC} {
		name := map[SignatureVersion]string{SignatureV3: "V3", SignatureRPC: "RPC"}[v]
		b.Run(name, func(b *testing.B) {
			in := benchSignInput()
			want := v.sign(in)
			switch {
			case v == SignatureRPC && want.signature != benchRPCSignature:
				b.Fatalf("RPC signature %q, the official capture has %q", want.signature, benchRPCSignature)
			case v == SignatureV3 && (len(want.signature) != 64 || !strings.HasPrefix(want.authorization, "ACS3-HMAC-SHA256 Credential=testid,")):
				b.Fatalf("V3 signature %q, Authorization %q", want.signature, want.authorization)
			}
			var got signedRequest
			b.ReportAllocs()
			for b.Loop() {
				got = v.sign(in)
			}
			if got.signature != want.signature || got.rawQuery != want.rawQuery {
				b.Fatalf("signature changed between runs: %q, want %q", got.signature, want.signature)
			}
		})
	}
}

// BenchmarkLimiterWait measures an uncontended Wait of NewRateLimiter when a
// token is always there: the rate (1e9/s, as in the bench module's call
// benchmarks) refills the bucket faster than the loop drains it.
func BenchmarkLimiterWait(b *testing.B) {
	l := NewRateLimiter(1e9)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := l.Wait(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientWait measures what a Client adds around the limiter before
// each attempt (Client.wait): Default is the per-AccessKeyId default
// limiter (with its bucket replaced by a 1e9/s one, so it never sleeps),
// Custom a WithRateLimiter limiter, which is handed a context carrying the
// CallInfo.
func BenchmarkClientWait(b *testing.B) {
	ctx := context.Background()
	b.Run("Default", func(b *testing.B) {
		id := fmt.Sprintf("bench-wait-%p", b)
		processLimiters.Lock()
		processLimiters.byKey[id] = &accountEntry{limiter: &accountLimiter{NewRateLimiter(1e9), NewRateLimiter(1e9)}}
		processLimiters.Unlock()
		c, err := NewClient(WithAccessKey(id, "secret"))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := c.wait(ctx, opGetChatappPhoneNumberMetric, id, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Custom", func(b *testing.B) {
		c, err := NewClient(WithAccessKey("bench-wait-custom", "secret"), WithRateLimiter(NewRateLimiter(1e9)))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := c.wait(ctx, opGetChatappPhoneNumberMetric, "bench-wait-custom", 1); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchMetricBody renders a successful answer of n points of granularity g,
// shaped as the service sends it (the field order of the captures).
func benchMetricBody(n int, g Granularity) []byte {
	step := g.Duration().Milliseconds()
	start := int64(1756684800000)
	var b bytes.Buffer
	b.WriteString(`{"RequestId":"EB5210E5-0000-4000-8000-000000000001","Code":"OK","Message":"OK","Data":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		s := start + int64(i)*step
		fmt.Fprintf(&b, `{"SentCount":%d,"DeliveredCount":%d,"Start":%d,"End":%d,"PhoneNumber":"8613800001234","Granularity":%s}`,
			10+i, 5+i, s, s+step, strconv.Quote(string(g)))
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// benchBody is a reusable response body, so that the decode benchmarks
// count no allocation of their own.
type benchBody struct{ bytes.Reader }

func (*benchBody) Close() error { return nil }

// benchDecode measures what a Client does with a successful answer of n
// points: Client.decode on the *http.Response (reading the body through the
// pooled buffer, unmarshalling metricResponseWire, checking the envelope),
// then the conversion to []PhoneNumberMetric.
func benchDecode(b *testing.B, n int, g Granularity) {
	data := benchMetricBody(n, g)
	c, err := NewClient(WithAccessKey("bench-decode", "secret"), WithRateLimiter(nil))
	if err != nil {
		b.Fatal(err)
	}
	header := http.Header{"Content-Type": {"application/json;charset=utf-8"}}
	body := new(benchBody)
	var resp http.Response
	red := redactor{cred: credentials{accessKeyID: "bench-decode", accessKeySecret: "secret"}}
	decodeOnce := func() *GetChatappPhoneNumberMetricResponse {
		body.Reset(data)
		resp = http.Response{StatusCode: http.StatusOK, Header: header, Body: body, ContentLength: int64(len(data))}
		wire := new(metricResponseWire)
		if err := c.decode(&resp, wire, red); err != nil {
			b.Fatal(err)
		}
		return wire.response()
	}
	check := func(out *GetChatappPhoneNumberMetricResponse) {
		b.Helper()
		step := g.Duration()
		if len(out.Data) != n || out.Code != "OK" {
			b.Fatalf("decoded %d points, code %q; want %d, OK", len(out.Data), out.Code, n)
		}
		last := out.Data[n-1]
		wantEnd := time.UnixMilli(1756684800000).UTC().Add(time.Duration(n) * step)
		if last.SentCount != int64(10+n-1) || last.Granularity != g || !last.End.Equal(wantEnd) || last.PhoneNumber != "8613800001234" {
			b.Fatalf("last point %+v", last)
		}
	}
	check(decodeOnce())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var out *GetChatappPhoneNumberMetricResponse
	for b.Loop() {
		out = decodeOnce()
	}
	check(out)
}

// BenchmarkDecodeDaily7 decodes the seven-point DAILY answer of the call
// benchmarks; with BenchmarkDecodeHalfHour1440 it shows how allocations
// grow with the number of points.
func BenchmarkDecodeDaily7(b *testing.B) { benchDecode(b, 7, GranularityDaily) }

// BenchmarkDecodeHalfHour1440 decodes 30 days of HALF_HOUR points (1,440),
// a 190 kB answer.
func BenchmarkDecodeHalfHour1440(b *testing.B) { benchDecode(b, 1440, GranularityHalfHour) }
