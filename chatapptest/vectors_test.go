package chatapptest

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"hash"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The official vectors (copied from the team's spec so CI has them).
const vectorsPath = "../testdata/spec/signing-vectors.json"

type vectorFile struct {
	RPC  []rpcVector     `json:"v1_rpc_hmac_sha1"`
	V3   []v3Vector      `json:"v3_acs3"`
	HMAC []hmacPrimitive `json:"hmac_primitives"`
}

type rpcVector struct {
	ID           string            `json:"id"`
	Method       string            `json:"method"`
	Params       map[string]string `json:"params"`
	Secret       string            `json:"access_key_secret"`
	Canonical    string            `json:"canonicalized_query_string"`
	StringToSign string            `json:"string_to_sign"`
	Signature    string            `json:"signature"`
	WireQuery    string            `json:"wire_query_rfc3986"`
	Placement    *struct {
		BodyParams  []string `json:"body_params"`
		Body        string   `json:"body_bytes_as_sent_by_darabonba"`
		ContentType string   `json:"content_type"`
	} `json:"placement"`
}

type v3Vector struct {
	ID               string            `json:"id"`
	Algorithm        string            `json:"algorithm"`
	Method           string            `json:"method"`
	URI              string            `json:"canonical_uri"`
	Query            map[string]string `json:"query"`
	Headers          [][2]string       `json:"headers"`
	Body             string            `json:"body"`
	AccessKeyID      string            `json:"access_key_id"`
	Secret           string            `json:"access_key_secret"`
	PayloadHash      string            `json:"hashed_request_payload"`
	CanonicalQuery   string            `json:"canonical_query_string"`
	CanonicalHeaders string            `json:"canonical_headers"`
	SignedHeaders    string            `json:"signed_headers"`
	CanonicalRequest string            `json:"canonical_request"`
	StringToSign     string            `json:"string_to_sign"`
	Signature        string            `json:"signature"`
	Authorization    string            `json:"authorization"`
}

type hmacPrimitive struct {
	ID        string `json:"id"`
	Algorithm string `json:"algorithm"`
	Key       string `json:"key"`
	Message   string `json:"message"`
	Encoding  string `json:"output_encoding"`
	Output    string `json:"output"`
}

func loadVectors(t *testing.T) vectorFile {
	t.Helper()
	b, err := os.ReadFile(vectorsPath)
	require.NoError(t, err)
	var v vectorFile
	require.NoError(t, json.Unmarshal(b, &v))
	require.Len(t, v.RPC, 16, "all RPC vectors")
	require.Len(t, v.V3, 9, "all V3 vectors")
	return v
}

func toPairs(m map[string]string) []pair {
	var out []pair
	for k, v := range m {
		out = append(out, pair{k, v})
	}
	return out
}

// TestRPCVectors recomputes every RPC vector from its inputs with the
// emulator's canonicalisation, then sends the vector's wire form through
// the verifier, and a tampered copy of it.
func TestRPCVectors(t *testing.T) {
	for _, v := range loadVectors(t).RPC {
		t.Run(v.ID, func(t *testing.T) {
			pairs := toPairs(v.Params)
			assert.Equal(t, v.Canonical, canonicalQuery(pairs))
			assert.Equal(t, v.StringToSign, rpcStringToSign(v.Method, pairs))
			assert.Equal(t, v.Signature, rpcSignature(v.Secret, v.StringToSign))

			if v.Method == "" {
				return // an official degenerate input: no request has an empty method
			}
			checkVerifier(t, SchemeRPC, verifyRPC, v.Secret, func(tamper bool) *http.Request {
				query, err := url.ParseQuery(v.WireQuery)
				require.NoError(t, err)
				body := ""
				if v.Placement != nil {
					for _, name := range v.Placement.BodyParams {
						query.Del(name)
					}
					body = v.Placement.Body
				}
				if tamper {
					query.Set("Tampered", "1")
				}
				r := httptest.NewRequest(v.Method, "/?"+query.Encode(), strings.NewReader(body))
				if v.Placement != nil {
					r.Header.Set("Content-Type", v.Placement.ContentType)
				}
				return r
			})
		})
	}
}

// checkVerifier reads the request build makes, which must be signed under
// scheme, and checks that verify accepts it with secret and refuses it
// tampered with.
func checkVerifier(t *testing.T, scheme Scheme, verify func(*incoming, string) *apiError, secret string, build func(tamper bool) *http.Request) {
	t.Helper()
	read := func(tamper bool) *incoming {
		in := readRequest(build(tamper))
		require.Nil(t, in.err)
		require.Equal(t, scheme, in.scheme)
		return in
	}
	assert.Nil(t, verify(read(false), secret))
	err := verify(read(true), secret)
	require.NotNil(t, err)
	assert.Equal(t, codeSignatureDoesNotMatch, err.code)
}

// TestV3Vectors recomputes every ACS3 vector (SM3 included) from its
// inputs with the emulator's canonicalisation, then sends each real
// request among them through the verifier, and a tampered copy.
func TestV3Vectors(t *testing.T) {
	for _, v := range loadVectors(t).V3 {
		t.Run(v.ID, func(t *testing.T) {
			newHash, ok := v3Algorithms[v.Algorithm]
			require.True(t, ok, "algorithm %s", v.Algorithm)

			header, host := http.Header{}, ""
			for _, kv := range v.Headers {
				if strings.EqualFold(kv[0], "host") {
					host = kv[1]
					continue
				}
				header.Add(kv[0], kv[1])
			}
			if sent := header.Get("x-acs-content-sha256"); sent != "" {
				assert.Equal(t, sent, hexHash(newHash, []byte(v.Body)), "x-acs-content-sha256 is the body's hash")
				assert.Equal(t, v.PayloadHash, hexHash(newHash, []byte(v.Body)))
			}
			names := mustSignV3(header, host)
			assert.Equal(t, v.SignedHeaders, strings.Join(names, ";"))
			lines, missing := v3CanonicalHeaders(header, host, names)
			require.Empty(t, missing)
			var canonicalHeaders strings.Builder
			for _, l := range lines {
				canonicalHeaders.WriteString(l.name + ":" + l.value + "\n")
			}
			assert.Equal(t, v.CanonicalHeaders, canonicalHeaders.String())
			query := canonicalQuery(toPairs(v.Query))
			assert.Equal(t, v.CanonicalQuery, query)
			canonical := v3CanonicalRequest(v.Method, v.URI, query, lines, strings.Join(names, ";"), v.PayloadHash)
			assert.Equal(t, v.CanonicalRequest, canonical)
			stringToSign := v3StringToSign(v.Algorithm, newHash, canonical)
			assert.Equal(t, v.StringToSign, stringToSign)
			assert.Equal(t, v.Signature, v3Signature(newHash, v.Secret, stringToSign))
			a := parseAuthorization(v.Authorization)
			assert.Equal(t, v3Auth{v.Algorithm, v.AccessKeyID, v.SignedHeaders, v.Signature}, a)

			if v.Method == "" {
				return // an official degenerate input: no request has an empty method
			}
			checkVerifier(t, SchemeV3, verifyV3, v.Secret, func(tamper bool) *http.Request {
				q := url.Values{}
				for k, val := range v.Query {
					q.Set(k, val)
				}
				body := v.Body
				if tamper {
					body += "x"
					if body == "x" {
						q.Set("Tampered", "1")
						body = ""
					}
				}
				r := httptest.NewRequest(v.Method, "/?"+q.Encode(), strings.NewReader(body))
				r.Host = host
				r.Header = header.Clone()
				r.Header.Set("Authorization", v.Authorization)
				return r
			})
		})
	}
}

func TestHMACPrimitives(t *testing.T) {
	hashes := map[string]func() hash.Hash{"HMAC-SHA1": sha1.New, "HMAC-SM3": newSM3, "HMAC-SHA256": sha256.New}
	for _, p := range loadVectors(t).HMAC {
		t.Run(p.ID, func(t *testing.T) {
			newHash, ok := hashes[p.Algorithm]
			require.True(t, ok, p.Algorithm)
			sum := mac(newHash, p.Key, p.Message)
			got := hex.EncodeToString(sum)
			if p.Encoding == "base64" {
				got = base64.StdEncoding.EncodeToString(sum)
			}
			assert.Equal(t, p.Output, got)
		})
	}
}

// TestSM3 checks the hash against the standard's examples (GB/T
// 32905-2016 appendix A) and the empty string (the SM3 vector's body
// hash), in one write and byte by byte.
func TestSM3(t *testing.T) {
	cases := map[string]string{
		"":                         "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b",
		"abc":                      "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
		strings.Repeat("abcd", 16): "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732",
	}
	for in, want := range cases {
		assert.Equal(t, want, hexHash(newSM3, []byte(in)), "%q", in)
		h := newSM3()
		for i := range len(in) {
			h.Write([]byte{in[i]})
		}
		assert.Equal(t, want, hex.EncodeToString(h.Sum(nil)), "%q byte by byte", in)
		assert.Equal(t, want, hex.EncodeToString(h.Sum(nil)), "Sum leaves the state alone")
		h.Reset()
		assert.Equal(t, cases[""], hex.EncodeToString(h.Sum(nil)))
	}
}

// TestEscape pins the encoding's corner cases (unreserved A-Z a-z 0-9 - _ . ~
// kept, every other byte %XX in upper-case hex).
func TestEscape(t *testing.T) {
	assert.Equal(t, "a%20b%2Bc%2Ad~e%2Ff%3D%26%25", escape("a b+c*d~e/f=&%"))
	assert.Equal(t, "%E4%B8%AD%C3%A9%F0%9F%98%80", escape("中é😀"))
	assert.Equal(t, "AZaz09-_.~", escape("AZaz09-_.~"))
	assert.Equal(t, "Empty=&Key=v", canonicalQuery([]pair{{"Key", "v"}, {"Empty", ""}}))
	names := []string{"~tilde", "alpha", "_under", "Zeta", "Alpha", "A.2.B", "A.10.B", "1num", "-dash"}
	var pairs []pair
	for _, n := range names {
		pairs = append(pairs, pair{n, ""})
	}
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	assert.Equal(t, strings.Join(sorted, "=&")+"=", canonicalQuery(pairs))
}
