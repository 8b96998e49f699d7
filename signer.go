package chatapp

import (
	"cmp"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"slices"
	"strings"
	"time"

	"github.com/chatappkit/chatapp/internal/pct"
)

// SignatureVersion selects how requests are signed. Both schemes are
// accepted by the ChatApp gateway for every operation this package calls.
type SignatureVersion int

const (
	// SignatureV3 is ACS3-HMAC-SHA256, sent in the Authorization header. It is
	// the default, and what the official Go SDK sends today.
	SignatureV3 SignatureVersion = iota
	// SignatureRPC is the classic RPC scheme (SignatureMethod=HMAC-SHA1,
	// SignatureVersion=1.0, the Signature in the query). Alibaba's documents
	// call it "V2" and mark it discontinued; choose it only for a gateway or
	// policy that still requires it.
	SignatureRPC
)

// String returns the scheme's wire name.
func (v SignatureVersion) String() string {
	switch v {
	case SignatureV3:
		return "ACS3-HMAC-SHA256"
	case SignatureRPC:
		return "HMAC-SHA1"
	default:
		return fmt.Sprintf("SignatureVersion(%d)", int(v))
	}
}

const (
	apiVersion = "2020-06-06"

	// timestampLayout serves both the RPC Timestamp and the V3 x-acs-date
	// (signing.md §1.3): UTC, no fractional seconds.
	timestampLayout = "2006-01-02T15:04:05Z"

	v3Algorithm = "ACS3-HMAC-SHA256"
	// emptyPayloadHash is hex(SHA-256("")): every request we send has an
	// empty body.
	emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

	v3SignedHeadersAK  = "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
	v3SignedHeadersSTS = "host;x-acs-accesskey-id;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version"
)

// param is one request parameter before encoding.
type param struct{ name, value string }

// header is one request header as it takes part in a V3 signature.
type header struct{ name, value string }

// signInput is everything a signature depends on. The clock and nonce are
// inputs, not read inside the signer, so that vectors can pin them.
type signInput struct {
	action string
	host   string
	params []param // business parameters, sorted by name
	date   string  // timestampLayout
	nonce  string
	cred   credentials
}

// signedRequest is what a signer adds to the request: the raw query and the
// headers, both ready to put on the wire.
type signedRequest struct {
	rawQuery string
	// authorization is empty for SignatureRPC.
	authorization string
	// signature is the bare signature, kept so that it can be redacted.
	signature string
	// headers are the extra headers (lower-case names) the scheme needs.
	headers []header
}

// sign signs in with the chosen scheme.
func (v SignatureVersion) sign(in *signInput) signedRequest {
	if v == SignatureRPC {
		return signRPC(in)
	}
	return signV3(in)
}

// signV3 builds an ACS3-HMAC-SHA256 request: business parameters in the
// query, the common ones as x-acs-* headers (signing.md §3.3).
func signV3(in *signInput) signedRequest {
	query := canonicalQuery(in.params)
	sts := in.cred.securityToken != ""

	var headers []header
	signedHeaders := v3SignedHeadersAK
	if sts {
		signedHeaders = v3SignedHeadersSTS
		headers = []header{
			{"host", in.host},
			{"x-acs-accesskey-id", in.cred.accessKeyID},
			{"x-acs-action", in.action},
			{"x-acs-content-sha256", emptyPayloadHash},
			{"x-acs-date", in.date},
			{"x-acs-security-token", in.cred.securityToken},
			{"x-acs-signature-nonce", in.nonce},
			{"x-acs-version", apiVersion},
		}
	} else {
		headers = []header{
			{"host", in.host},
			{"x-acs-action", in.action},
			{"x-acs-content-sha256", emptyPayloadHash},
			{"x-acs-date", in.date},
			{"x-acs-signature-nonce", in.nonce},
			{"x-acs-version", apiVersion},
		}
	}
	sig := v3Sign(in.cred.accessKeySecret, "POST", "/", query, headers, signedHeaders, emptyPayloadHash)
	auth := v3Authorization(in.cred.accessKeyID, signedHeaders, sig)
	// host travels as the request's Host, not as a header line.
	return signedRequest{rawQuery: query, authorization: auth, signature: sig, headers: headers[1:]}
}

// v3Sign returns the hex signature for a request whose headers are already
// normalised: lower-case names, trimmed values, sorted, no duplicates, only
// the signed ones.
func v3Sign(secret, method, uri, query string, headers []header, signedHeaders, payloadHash string) string {
	sum := sha256.Sum256(appendCanonicalRequest(nil, method, uri, query, headers, signedHeaders, payloadHash))
	var sts [len(v3Algorithm) + 1 + 2*sha256.Size]byte
	n := copy(sts[:], v3Algorithm)
	sts[n] = '\n'
	hex.Encode(sts[n+1:], sum[:])
	return hex.EncodeToString(hmacSum(sha256.New, secret, sts[:]))
}

// appendCanonicalRequest appends the V3 canonical request (signing.md §3.2
// step 6) to dst.
func appendCanonicalRequest(dst []byte, method, uri, query string, headers []header, signedHeaders, payloadHash string) []byte {
	if uri == "" {
		uri = "/"
	}
	n := len(method) + len(uri) + len(query) + len(signedHeaders) + len(payloadHash) + 5
	for _, h := range headers {
		n += len(h.name) + len(h.value) + 2
	}
	dst = slices.Grow(dst, n)
	dst = append(append(append(dst, method...), '\n'), uri...)
	dst = append(append(append(dst, '\n'), query...), '\n')
	for _, h := range headers {
		dst = append(append(append(dst, h.name...), ':'), h.value...)
		dst = append(dst, '\n')
	}
	dst = append(append(append(dst, '\n'), signedHeaders...), '\n')
	return append(dst, payloadHash...)
}

func v3Authorization(accessKeyID, signedHeaders, signature string) string {
	return v3Algorithm + " Credential=" + accessKeyID + ",SignedHeaders=" + signedHeaders + ",Signature=" + signature
}

// normaliseV3Headers applies signing.md §3.2 step 4 to arbitrary headers:
// keep host, content-type and x-acs-*; lower-case names; trim values; sort
// by name; merge names that differ only in case into one line with their
// values sorted and joined by ",". It returns the headers and the
// SignedHeaders list.
func normaliseV3Headers(in []header) ([]header, string) {
	var out []header
	for _, h := range in {
		name := strings.ToLower(strings.TrimSpace(h.name))
		if name != "host" && name != "content-type" && !strings.HasPrefix(name, "x-acs-") {
			continue
		}
		out = append(out, header{name, strings.TrimSpace(h.value)})
	}
	slices.SortStableFunc(out, func(a, b header) int {
		return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.value, b.value))
	})
	merged := out[:0]
	for _, h := range out {
		if n := len(merged); n > 0 && merged[n-1].name == h.name {
			merged[n-1].value += "," + h.value
			continue
		}
		merged = append(merged, h)
	}
	names := make([]string, len(merged))
	for i, h := range merged {
		names[i] = h.name
	}
	return merged, strings.Join(names, ";")
}

// signRPC builds a classic RPC request: every parameter, the common ones
// included, in the query, signed with HMAC-SHA1 (signing.md §2).
func signRPC(in *signInput) signedRequest {
	common := [...]param{
		{"AccessKeyId", in.cred.accessKeyID},
		{"Action", in.action},
		{"Format", "json"},
		{"SecurityToken", in.cred.securityToken},
		{"SignatureMethod", "HMAC-SHA1"},
		{"SignatureNonce", in.nonce},
		{"SignatureVersion", "1.0"},
		{"Timestamp", in.date},
		{"Version", apiVersion},
	}
	all := make([]param, 0, len(common)+len(in.params)+1)
	for _, p := range common {
		if p.name == "SecurityToken" && p.value == "" {
			continue
		}
		all = append(all, p)
	}
	all = append(all, in.params...)
	sortParams(all)
	sig := rpcSignature(in.cred.accessKeySecret, "POST", canonicalQuery(all))
	// The wire query is the canonical one with Signature in its sorted place.
	i, _ := slices.BinarySearchFunc(all, "Signature", func(p param, name string) int { return strings.Compare(p.name, name) })
	all = slices.Insert(all, i, param{"Signature", sig})
	return signedRequest{rawQuery: canonicalQuery(all), signature: sig}
}

// rpcSignature computes Base64(HMAC-SHA1(secret+"&", stringToSign)) where
// stringToSign = METHOD&%2F&pct(canonicalQuery) (signing.md §2.3).
func rpcSignature(secret, method, canonicalQuery string) string {
	sts := rpcStringToSign(method, canonicalQuery)
	sum := hmacSum(sha1.New, secret+"&", sts)
	return base64.StdEncoding.EncodeToString(sum)
}

func rpcStringToSign(method, canonicalQuery string) []byte {
	b := make([]byte, 0, len(method)+4+pct.Len(canonicalQuery))
	b = append(b, method...)
	b = append(b, "&%2F&"...)
	return pct.Append(b, canonicalQuery)
}

func hmacSum(h func() hash.Hash, key string, msg []byte) []byte {
	mac := hmac.New(h, []byte(key))
	mac.Write(msg)
	return mac.Sum(nil)
}

// canonicalQuery writes params, which must be sorted by raw name, as
// pct(name)=pct(value) pairs joined by '&'. An empty value keeps its '='.
func canonicalQuery(params []param) string {
	n := 0
	for _, p := range params {
		n += pct.Len(p.name) + 1 + pct.Len(p.value) + 1
	}
	if n == 0 {
		return ""
	}
	b := make([]byte, 0, n)
	for i, p := range params {
		if i > 0 {
			b = append(b, '&')
		}
		b = pct.Append(b, p.name)
		b = append(b, '=')
		b = pct.Append(b, p.value)
	}
	return string(b)
}

// sortParams orders params by the bytes of their raw (unencoded) names, as
// the official cores do (signing.md §1.2).
func sortParams(params []param) {
	slices.SortFunc(params, func(a, b param) int { return strings.Compare(a.name, b.name) })
}

// newNonce returns 32 lower-case hex characters from crypto/rand, the shape
// darabonba sends; the gateway only requires uniqueness.
func newNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+).
	var out [32]byte
	hex.Encode(out[:], b[:])
	return string(out[:])
}

// formatTimestamp renders t in timestampLayout.
func formatTimestamp(t time.Time) string {
	var b [len(timestampLayout)]byte
	return string(t.UTC().AppendFormat(b[:0], timestampLayout))
}
