package chatapp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
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
	// (yyyy-MM-ddTHH:mm:ssZ): UTC, no fractional seconds.
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
// query, the common ones as x-acs-* headers, as the official core sends this
// operation: an empty body, so no content-type.
func signV3(in *signInput) signedRequest {
	query := string(appendQuery(make([]byte, 0, 256), in.params))
	// Sorted by name, as the canonical request lists them; host travels as
	// the request's Host, the others as header lines.
	headers := []header{
		{"host", in.host},
		{"x-acs-accesskey-id", in.cred.accessKeyID}, // only with STS, as darabonba sends it
		{"x-acs-action", in.action},
		{"x-acs-content-sha256", emptyPayloadHash},
		{"x-acs-date", in.date},
		{"x-acs-security-token", in.cred.securityToken},
		{"x-acs-signature-nonce", in.nonce},
		{"x-acs-version", apiVersion},
	}
	signedHeaders := v3SignedHeadersSTS
	if in.cred.securityToken == "" {
		headers = slices.DeleteFunc(headers, func(h header) bool {
			return h.name == "x-acs-accesskey-id" || h.name == "x-acs-security-token"
		})
		signedHeaders = v3SignedHeadersAK
	}
	sig := v3Signature(in.cred.accessKeySecret, "POST", "/", query, headers, signedHeaders, emptyPayloadHash)
	return signedRequest{
		rawQuery:      query,
		authorization: v3Authorization(in.cred.accessKeyID, signedHeaders, sig),
		signature:     sig,
		headers:       headers[1:],
	}
}

// v3Signature returns the lower-case hex signature of a request:
// HMAC-SHA256, keyed with the secret itself, of
// "ACS3-HMAC-SHA256\n" + hex(SHA-256(canonical request)). The headers must be
// normalised already: lower-case names, trimmed values, sorted, no
// duplicates, only the signed ones.
func v3Signature(secret, method, uri, query string, headers []header, signedHeaders, payloadHash string) string {
	// Ours take about 600 bytes (700 with an STS token): one allocation,
	// reused for the string-to-sign once hashed.
	buf := appendCanonicalRequest(make([]byte, 0, 1024), method, uri, query, headers, signedHeaders, payloadHash)
	sum := sha256.Sum256(buf)
	stringToSign := hex.AppendEncode(append(buf[:0], v3Algorithm+"\n"...), sum[:])
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(stringToSign)
	return hex.EncodeToString(mac.Sum(nil))
}

// appendCanonicalRequest appends the V3 canonical request to dst: METHOD,
// URI, query, the header lines (each ending in \n), the signed header names
// and the payload hash, joined by \n, as Alibaba Cloud's V3 signature
// documentation
// (https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature)
// lays it out.
func appendCanonicalRequest(dst []byte, method, uri, query string, headers []header, signedHeaders, payloadHash string) []byte {
	if uri == "" {
		uri = "/"
	}
	for _, s := range [...]string{method, "\n", uri, "\n", query, "\n"} {
		dst = append(dst, s...)
	}
	for _, h := range headers {
		dst = append(dst, h.name...)
		dst = append(dst, ':')
		dst = append(dst, h.value...)
		dst = append(dst, '\n')
	}
	for _, s := range [...]string{"\n", signedHeaders, "\n", payloadHash} {
		dst = append(dst, s...)
	}
	return dst
}

// v3Authorization returns the Authorization header value.
func v3Authorization(accessKeyID, signedHeaders, signature string) string {
	return v3Algorithm + " Credential=" + accessKeyID + ",SignedHeaders=" + signedHeaders + ",Signature=" + signature
}

// signRPC builds a classic RPC request: every parameter, the common ones
// included, in the query, signed with HMAC-SHA1 under the key
// AccessKeySecret+"&" (Alibaba Cloud's RPC signature documentation,
// https://www.alibabacloud.com/help/en/sdk/product-overview/rpc-mechanism).
func signRPC(in *signInput) signedRequest {
	// Room for ours, the common parameters and the Signature, on the
	// stack (the operations send at most eight parameters).
	all := make([]param, 0, 16)
	all = append(all, in.params...)
	all = append(all,
		param{"AccessKeyId", in.cred.accessKeyID},
		param{"Action", in.action},
		param{"Format", "json"},
		param{"SignatureMethod", "HMAC-SHA1"},
		param{"SignatureNonce", in.nonce},
		param{"SignatureVersion", "1.0"},
		param{"Timestamp", in.date},
		param{"Version", apiVersion},
	)
	if in.cred.securityToken != "" {
		all = append(all, param{"SecurityToken", in.cred.securityToken})
	}
	sortParams(all)

	// The query's buffer stays on the stack (a longer query, with an STS
	// token or a long parameter, moves to the heap by itself); the
	// string-to-sign goes to the HMAC, so to the heap: one allocation of
	// its size.
	query := appendQuery(make([]byte, 0, 1024), all)
	stringToSign := appendRPCStringToSign(make([]byte, 0, len("POST&%2F&")+pct.Len(query)), "POST", query)
	signature := rpcSignature(in.cred.accessKeySecret, stringToSign)

	// The wire query is the canonical one with Signature at its sorted
	// place, as the official cores send it; the gateway would take any
	// order.
	i, _ := slices.BinarySearchFunc(all, "Signature", func(p param, name string) int { return strings.Compare(p.name, name) })
	all = slices.Insert(all, i, param{"Signature", signature})
	return signedRequest{rawQuery: string(appendQuery(query[:0], all)), signature: signature}
}

// rpcSignature is base64(HMAC-SHA1(AccessKeySecret+"&", stringToSign)).
func rpcSignature(secret string, stringToSign []byte) string {
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write(stringToSign)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// appendRPCStringToSign appends METHOD&%2F&pct(canonical query) to dst: the
// canonical query is percent-encoded a second time.
func appendRPCStringToSign(dst []byte, method string, canonicalQuery []byte) []byte {
	dst = append(dst, method...)
	dst = append(dst, "&%2F&"...)
	return pct.Append(dst, canonicalQuery)
}

// appendQuery appends params, which must be sorted by raw name, to dst as
// pct(name)=pct(value) pairs joined by '&'. An empty value keeps its '='.
func appendQuery(dst []byte, params []param) []byte {
	for i, p := range params {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = pct.Append(dst, p.name)
		dst = append(dst, '=')
		dst = pct.Append(dst, p.value)
	}
	return dst
}

// sortParams orders params by the bytes of their raw (unencoded) names, as
// the official cores do: case-sensitive, never numeric.
func sortParams(params []param) {
	slices.SortFunc(params, func(a, b param) int { return strings.Compare(a.name, b.name) })
}

// newNonce returns 32 lower-case hex characters from crypto/rand, the shape
// darabonba sends; the gateway only requires uniqueness.
func newNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+).
	return hex.EncodeToString(b[:])
}

// formatTimestamp renders t in timestampLayout.
func formatTimestamp(t time.Time) string {
	return t.UTC().Format(timestampLayout)
}
