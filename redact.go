package chatapp

import (
	"strings"

	"github.com/chatappkit/chatapp/internal/pct"
)

const redacted = "[redacted]"

// redactor removes an attempt's secrets from text the server sent back. A
// SignatureDoesNotMatch message commonly embeds the server's string-to-sign,
// which under SignatureRPC holds the SecurityToken
// percent-encoded once or twice.
type redactor struct {
	cred      credentials
	signature string
}

func (r redactor) redact(s string) string {
	if s == "" {
		return s
	}
	for _, secret := range [...]string{r.cred.accessKeySecret, r.cred.securityToken, r.signature} {
		if len(secret) < 4 {
			// Too short to tell from ordinary text; real secrets are long.
			continue
		}
		once := pct.Encode(secret)
		for _, form := range [...]string{secret, once, pct.Encode(once)} {
			if strings.Contains(s, form) {
				s = strings.ReplaceAll(s, form, redacted)
			}
		}
	}
	return s
}
