package chatapp

import (
	"cmp"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"

	"github.com/chatappkit/chatapp/internal/pct"
)

const redacted = "[redacted]"

// redactor removes an attempt's secrets from text the server sent back:
// codes, request and host IDs, messages, recommendations, body snippets. A
// SignatureDoesNotMatch message commonly embeds the server's string to
// sign, which under SignatureRPC holds the SecurityToken percent-encoded
// once or twice; a gateway's HTML page may hold it JSON-escaped.
type redactor struct {
	cred      credentials
	signature string
}

// forms returns every encoding of the attempt's secrets that a server
// could send back, longest first: the secret, the token and the signature
// raw, percent-encoded once and twice, form-encoded, each of those
// JSON-escaped ('/' as `\/`), and the signature's bytes in base64 and hex
// (a SignatureV3 signature is hex, an RPC one base64).
func (r redactor) forms() []string {
	var out []string
	add := func(s string) {
		for _, f := range [...]string{s, strings.ReplaceAll(s, "/", `\/`), strings.ReplaceAll(s, "/", `\u002f`)} {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	for _, secret := range [...]string{r.cred.accessKeySecret, r.cred.securityToken, r.signature} {
		if len(secret) < 4 {
			// Too short to tell from ordinary text; real secrets are long.
			continue
		}
		once := pct.Encode(secret)
		add(secret)
		add(once)
		add(pct.Encode(once))
		add(url.QueryEscape(secret))
	}
	if len(r.signature) >= 4 {
		if b, err := hex.DecodeString(r.signature); err == nil {
			add(base64.StdEncoding.EncodeToString(b))
			add(base64.URLEncoding.EncodeToString(b))
			add(base64.RawURLEncoding.EncodeToString(b))
		}
		if b, err := base64.StdEncoding.DecodeString(r.signature); err == nil {
			add(hex.EncodeToString(b))
			add(strings.ToUpper(hex.EncodeToString(b)))
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return out
}

// fitsUUID reports whether id, a UUID, holds one of the attempt's secrets.
// A UUID is 36 bytes of hex digits and dashes; of the forms redact looks
// for, only the secret, the token or the signature as they are can be made
// of those bytes (every encoding of such a string is the string itself; the
// other forms are longer or hold other bytes), so those are all it checks.
func (r redactor) fitsUUID(id string) bool {
	for _, secret := range [...]string{r.cred.accessKeySecret, r.cred.securityToken, r.signature} {
		if len(secret) >= 4 && strings.Contains(id, secret) {
			return true
		}
	}
	return false
}

// redact returns s with every form of the attempt's secrets replaced.
func (r redactor) redact(s string) string {
	if s == "" {
		return s
	}
	for _, form := range r.forms() {
		if strings.Contains(s, form) {
			s = strings.ReplaceAll(s, form, redacted)
		}
	}
	return s
}
