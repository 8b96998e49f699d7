package chatapp

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
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

// param is one request parameter before encoding. plain marks a name and a
// value that hold only unreserved bytes by construction (one of our names
// with a constant, a decimal or an enum value): the signers copy them
// instead of scanning them for bytes to escape, the larger part of what RPC
// signing spends on encoding. TestPlainParamsNeedNoEscaping holds every
// producer of plain parameters to it.
type param struct {
	name, value string
	plain       bool
}

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
	var sig [2 * sha256.Size]byte
	v3SignInto(&sig, in.cred.accessKeySecret, "POST", "/", query, headers, signedHeaders, emptyPayloadHash)
	auth := v3Authorization(in.cred.accessKeyID, signedHeaders, &sig)
	// host travels as the request's Host, not as a header line. The
	// signature is the Authorization's tail, so it costs no allocation.
	return signedRequest{rawQuery: query, authorization: auth, signature: auth[len(auth)-len(sig):], headers: headers[1:]}
}

// v3SignInto writes the hex signature of a request to sig. The headers
// must be normalised already: lower-case names, trimmed values, sorted, no
// duplicates, only the signed ones. Its buffers live on the stack while the
// canonical request fits in 1 KiB, which ours always does.
func v3SignInto(sig *[2 * sha256.Size]byte, secret, method, uri, query string, headers []header, signedHeaders, payloadHash string) {
	var buf [1024]byte
	sum := sha256.Sum256(appendCanonicalRequest(buf[:0], method, uri, query, headers, signedHeaders, payloadHash))
	// The string-to-sign, after the HMAC's inner pad (see signRPC).
	var sts [hmacBlockSize + len(v3Algorithm) + 1 + 2*sha256.Size]byte
	k := newHMACKey(secret, sha256Key)
	n := copy(sts[:], k.ipad[:])
	n += copy(sts[n:], v3Algorithm)
	sts[n] = '\n'
	hex.Encode(sts[n+1:], sum[:])
	mac := k.sumSHA256(sts[:])
	hex.Encode(sig[:], mac[:])
}

// appendCanonicalRequest appends the V3 canonical request to dst:
// METHOD, URI, query, headers (each line ends in \n), signed header names and
// the payload hash, joined by \n, as Alibaba Cloud's V3 signature documentation
// (https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature)
// lays it out.
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

// v3Authorization returns the Authorization header value. Converting sig
// inside the concatenation costs no allocation of its own.
func v3Authorization(accessKeyID, signedHeaders string, sig *[2 * sha256.Size]byte) string {
	return v3Algorithm + " Credential=" + accessKeyID + ",SignedHeaders=" + signedHeaders + ",Signature=" + string(sig[:])
}

// signRPC builds a classic RPC request: every parameter, the common ones
// included, in the query, signed with HMAC-SHA1 under the key AccessKeySecret+"&" (Alibaba Cloud's
// RPC signature documentation,
// https://www.alibabacloud.com/help/en/sdk/product-overview/rpc-mechanism).
func signRPC(in *signInput) signedRequest {
	// In byte order of their names, so that merging keeps the order.
	common := [...]param{
		{name: "AccessKeyId", value: in.cred.accessKeyID},
		{name: "Action", value: in.action, plain: true},
		{name: "Format", value: "json", plain: true},
		{name: "SecurityToken", value: in.cred.securityToken},
		{name: "SignatureMethod", value: "HMAC-SHA1", plain: true},
		{name: "SignatureNonce", value: in.nonce},
		{name: "SignatureVersion", value: "1.0", plain: true},
		{name: "Timestamp", value: in.date},
		{name: "Version", value: apiVersion, plain: true},
	}
	// Merge the common parameters into the sorted business ones.
	var buf [24]param
	all := buf[:0]
	rest := in.params
	for _, p := range common {
		if p.name == "SecurityToken" && p.value == "" {
			continue
		}
		for len(rest) > 0 && rest[0].name < p.name {
			all, rest = append(all, rest[0]), rest[1:]
		}
		all = append(all, p)
	}
	all = append(all, rest...)

	// The string-to-sign is written straight after the HMAC's inner pad,
	// so that it is hashed where it was written rather than copied there.
	k := newHMACKey(in.cred.accessKeySecret+"&", sha1Key)
	var stsBuf [hmacBlockSize + 2048]byte
	sts := appendRPCStringToSign(append(stsBuf[:0], k.ipad[:]...), "POST", all)
	mac := k.sumSHA1(sts)
	var sig [28]byte // base64 of a 20-byte HMAC-SHA1
	base64.StdEncoding.Encode(sig[:], mac[:])
	signature := string(sig[:])

	// The wire query is the canonical one with Signature at its sorted place.
	at, _ := slices.BinarySearchFunc(all, "Signature", func(p param, name string) int { return strings.Compare(p.name, name) })
	all = slices.Insert(all, at, param{name: "Signature", value: signature})
	var qbuf [1024]byte
	return signedRequest{rawQuery: string(appendQuery(qbuf[:0], all)), signature: signature}
}

// appendQuery appends params, sorted by raw name, as pct(name)=pct(value)
// pairs joined by '&', after what dst holds already.
func appendQuery(dst []byte, params []param) []byte {
	for _, p := range params {
		if len(dst) > 0 {
			dst = append(dst, '&')
		}
		if p.plain {
			dst = append(append(append(dst, p.name...), '='), p.value...)
			continue
		}
		dst = pct.Append(dst, p.name)
		dst = append(dst, '=')
		dst = pct.Append(dst, p.value)
	}
	return dst
}

// appendQueryEncoded appends pct of the canonical query of params, the
// tail of the RPC string-to-sign, straight from the raw parameters rather
// than by reading the canonical query a second time.
func appendQueryEncoded(dst []byte, params []param) []byte {
	for i, p := range params {
		if i > 0 {
			dst = append(dst, "%26"...)
		}
		if p.plain {
			dst = append(append(append(dst, p.name...), "%3D"...), p.value...)
			continue
		}
		dst = pct.AppendTwice(dst, p.name)
		dst = append(dst, "%3D"...)
		dst = pct.AppendTwice(dst, p.value)
	}
	return dst
}

// appendRPCStringToSign appends METHOD&%2F&pct(canonical query of params)
// (the canonical query is encoded a second time); params must be sorted by
// raw name.
func appendRPCStringToSign(dst []byte, method string, params []param) []byte {
	dst = append(append(dst, method...), "&%2F&"...)
	return appendQueryEncoded(dst, params)
}

// hmacSHA256 and hmacSHA1 compute HMAC (RFC 2104) over the standard
// library's hashes. crypto/hmac does the same with six allocations per
// signature; the signers instead write their message straight after the
// key's inner pad in a stack buffer and hash it there (hmacKey).
// TestHMACMatchesCryptoHMAC holds these to crypto/hmac, and the signing
// vectors hold the signers to the official results.
func hmacSHA256(key string, msg []byte) [sha256.Size]byte {
	k := newHMACKey(key, sha256Key)
	return k.sumSHA256(append(append(make([]byte, 0, hmacBlockSize+len(msg)), k.ipad[:]...), msg...))
}

func hmacSHA1(key string, msg []byte) [sha1.Size]byte {
	k := newHMACKey(key, sha1Key)
	return k.sumSHA1(append(append(make([]byte, 0, hmacBlockSize+len(msg)), k.ipad[:]...), msg...))
}

// hmacBlockSize is the block size of both SHA-1 and SHA-256.
const hmacBlockSize = 64

// hmacKey is an HMAC key as its two padded blocks: key XOR ipad, which the
// inner hash begins with, and key XOR opad, which the outer one does.
type hmacKey struct{ ipad, opad [hmacBlockSize]byte }

var ipadBlock, opadBlock = [hmacBlockSize]byte(bytes.Repeat([]byte{0x36}, hmacBlockSize)),
	[hmacBlockSize]byte(bytes.Repeat([]byte{0x5c}, hmacBlockSize))

// newHMACKey pads key; a key longer than a block is hashed first.
func newHMACKey(key string, hash func([]byte) []byte) (k hmacKey) {
	var block [hmacBlockSize]byte
	if len(key) > hmacBlockSize {
		copy(block[:], hash([]byte(key)))
	} else {
		copy(block[:], key)
	}
	subtle.XORBytes(k.ipad[:], block[:], ipadBlock[:])
	subtle.XORBytes(k.opad[:], block[:], opadBlock[:])
	return k
}

// sumSHA256 and sumSHA1 return the HMAC of the message that padded holds
// after k.ipad.
func (k *hmacKey) sumSHA256(padded []byte) [sha256.Size]byte {
	inner := sha256.Sum256(padded)
	var obuf [hmacBlockSize + sha256.Size]byte
	return sha256.Sum256(append(append(obuf[:0], k.opad[:]...), inner[:]...))
}

func (k *hmacKey) sumSHA1(padded []byte) [sha1.Size]byte {
	inner := sha1.Sum(padded)
	var obuf [hmacBlockSize + sha1.Size]byte
	return sha1.Sum(append(append(obuf[:0], k.opad[:]...), inner[:]...))
}

// sha256Key and sha1Key shorten a key longer than a block (RFC 2104 §2).
func sha256Key(b []byte) []byte { h := sha256.Sum256(b); return h[:] }
func sha1Key(b []byte) []byte   { h := sha1.Sum(b); return h[:] }

// canonicalQuery writes params, which must be sorted by raw name, as
// pct(name)=pct(value) pairs joined by '&'. An empty value keeps its '='.
func canonicalQuery(params []param) string {
	var buf [1024]byte
	return string(appendQuery(buf[:0], params))
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
	var out [32]byte
	hex.Encode(out[:], b[:])
	return string(out[:])
}

// formatTimestamp renders t in timestampLayout.
func formatTimestamp(t time.Time) string {
	var b [len(timestampLayout)]byte
	return string(t.UTC().AppendFormat(b[:0], timestampLayout))
}
