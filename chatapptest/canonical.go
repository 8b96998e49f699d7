package chatapptest

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// This file recomputes signatures the way the gateway does. It shares no
// code with the client's signer on purpose: the emulator is only a fair
// judge of the client if the two can disagree. Its correctness is pinned
// by the official vectors (vectors_test.go).

// pair is one parameter as it takes part in a signature.
type pair struct{ name, value string }

// escape percent-encodes s as both signing schemes define it: the RFC
// 3986 unreserved characters stay, every other UTF-8 byte becomes %XX in
// upper-case hex. url.QueryEscape already keeps exactly the unreserved set
// and writes upper-case hex, but turns a space into '+'; a literal '+' it
// writes as %2B, so every '+' left in its output stands for a space.
func escape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// pairsOf flattens values into pairs, keeping repeated names.
func pairsOf(values ...url.Values) []pair {
	var out []pair
	for _, v := range values {
		for name, list := range v {
			for _, value := range list {
				out = append(out, pair{name, value})
			}
		}
	}
	return out
}

// canonicalQuery sorts pairs by the bytes of their raw names (then values,
// so that repeated names have one order) and joins them as
// escape(name)=escape(value) with '&'. An empty value keeps its '='.
func canonicalQuery(pairs []pair) string {
	sorted := slices.Clone(pairs)
	slices.SortFunc(sorted, func(a, b pair) int {
		return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.value, b.value))
	})
	var b strings.Builder
	for i, p := range sorted {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(escape(p.name))
		b.WriteByte('=')
		b.WriteString(escape(p.value))
	}
	return b.String()
}

// rpcStringToSign is METHOD&%2F&escape(canonical query): the
// canonical query is percent-encoded a second time.
func rpcStringToSign(method string, pairs []pair) string {
	return method + "&" + escape("/") + "&" + escape(canonicalQuery(pairs))
}

// rpcSignature is Base64(HMAC-SHA1(secret + "&", stringToSign)).
func rpcSignature(secret, stringToSign string) string {
	return base64.StdEncoding.EncodeToString(mac(sha1.New, secret+"&", stringToSign))
}

// v3Algorithms maps the ACS3 algorithm names the emulator verifies to
// their hash.
var v3Algorithms = map[string]func() hash.Hash{
	"ACS3-HMAC-SHA256": sha256.New,
	"ACS3-HMAC-SM3":    newSM3,
}

// canonicalHeader is one line of a V3 canonical request.
type canonicalHeader struct{ name, value string }

// v3CanonicalHeaders builds the canonical header lines for names, in the
// order given: the lower-cased name and the header's values, trimmed,
// sorted and joined by ','. host comes from the request's Host. It reports
// the first name that the request does not carry.
func v3CanonicalHeaders(h http.Header, host string, names []string) ([]canonicalHeader, string) {
	out := make([]canonicalHeader, 0, len(names))
	for _, name := range names {
		if name == "host" {
			if host == "" {
				return nil, name
			}
			out = append(out, canonicalHeader{name, strings.TrimSpace(host)})
			continue
		}
		values := h.Values(name)
		if len(values) == 0 {
			return nil, name
		}
		trimmed := make([]string, len(values))
		for i, v := range values {
			trimmed[i] = strings.TrimSpace(v)
		}
		slices.Sort(trimmed)
		out = append(out, canonicalHeader{name, strings.Join(trimmed, ",")})
	}
	return out, ""
}

// mustSignV3 lists, sorted, the headers a V3 signature has to cover: host
// (when known), content-type when present, and every x-acs-* header
// present: what the V3 documentation requires to be signed.
func mustSignV3(h http.Header, host string) []string {
	var names []string
	if host != "" {
		names = append(names, "host")
	}
	for name := range h {
		lower := strings.ToLower(name)
		if lower == "content-type" || strings.HasPrefix(lower, "x-acs-") {
			names = append(names, lower)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// v3CanonicalRequest lays out the V3 canonical request: method, URI,
// query, header lines, signed header names and payload hash, joined by \n. An empty uri means "/".
func v3CanonicalRequest(method, uri, query string, headers []canonicalHeader, signedHeaders, payloadHash string) string {
	if uri == "" {
		uri = "/"
	}
	var b strings.Builder
	b.WriteString(method + "\n" + uri + "\n" + query + "\n")
	for _, h := range headers {
		b.WriteString(h.name + ":" + h.value + "\n")
	}
	b.WriteString("\n" + signedHeaders + "\n" + payloadHash)
	return b.String()
}

// v3StringToSign is the algorithm name and the hex hash of the canonical
// request.
func v3StringToSign(algorithm string, newHash func() hash.Hash, canonicalRequest string) string {
	return algorithm + "\n" + hexHash(newHash, []byte(canonicalRequest))
}

// v3Signature is the lower-case hex HMAC of the string to sign, keyed
// with the bare secret.
func v3Signature(newHash func() hash.Hash, secret, stringToSign string) string {
	return hex.EncodeToString(mac(newHash, secret, stringToSign))
}

func hexHash(newHash func() hash.Hash, b []byte) string {
	h := newHash()
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

func mac(newHash func() hash.Hash, key, msg string) []byte {
	m := hmac.New(newHash, []byte(key))
	m.Write([]byte(msg))
	return m.Sum(nil)
}
