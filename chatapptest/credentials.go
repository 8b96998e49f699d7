package chatapptest

import (
	"crypto/rand"
	"crypto/subtle"
)

// credential is one key the emulator accepts. token is empty for a plain
// AccessKey pair and set for STS credentials.
type credential struct {
	id, secret, token string
}

// alphanumeric is the alphabet of generated keys, like Alibaba's own.
const alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomString returns n characters drawn from alphanumeric with
// crypto/rand, so that two emulators in one process never share a key (the
// SDK's default rate limiter is shared by every Client of an AccessKeyId).
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+).
	for i := range b {
		// 256 is not a multiple of 62, so this is slightly biased; only
		// uniqueness matters here.
		b[i] = alphanumeric[int(b[i])%len(alphanumeric)]
	}
	return string(b)
}

// newAccessKey returns a fresh pair shaped like Alibaba's: "LTAI" and 20
// letters or digits, and a 30-character secret.
func newAccessKey() (id, secret string) {
	return "LTAI" + randomString(20), randomString(30)
}

// Credentials returns the AccessKey pair the emulator was made with: the
// one given to WithCredentials, or else a pair generated for this emulator
// alone ("LTAI" and 20 letters or digits; a 30-character secret).
func (e *Emulator) Credentials() (accessKeyID, accessKeySecret string) {
	return e.id, e.secret
}

// AddAccessKey makes the emulator accept one more AccessKey pair. Adding
// an AccessKeyId it already knows replaces that key.
func (e *Emulator) AddAccessKey(accessKeyID, accessKeySecret string) {
	e.addKey(credential{id: accessKeyID, secret: accessKeySecret})
}

// AddSTSToken makes the emulator accept STS credentials: requests signed
// with accessKeyID must carry token as their SecurityToken, or they fail
// with MissingSecurityToken or InvalidSecurityToken.MismatchWithAccessKey.
func (e *Emulator) AddSTSToken(accessKeyID, accessKeySecret, token string) {
	e.addKey(credential{id: accessKeyID, secret: accessKeySecret, token: token})
}

// RemoveAccessKey stops accepting accessKeyID, as if the key had been
// deleted: its requests then fail with InvalidAccessKeyId.NotFound.
func (e *Emulator) RemoveAccessKey(accessKeyID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.keys, accessKeyID)
}

func (e *Emulator) addKey(c credential) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.keys[c.id] = c
}

// lookupKey authenticates the key part of a request: the AccessKeyId must
// be known, and an STS key must come with its own token.
func (e *Emulator) lookupKey(id, token string) (credential, *apiError) {
	e.mu.RLock()
	c, ok := e.keys[id]
	e.mu.RUnlock()
	switch {
	case !ok || id == "":
		return credential{}, errAccessKeyNotFound()
	case c.token == "" && token != "":
		return credential{}, errTokenMismatch()
	case c.token != "" && token == "":
		return credential{}, errMissingToken()
	case subtle.ConstantTimeCompare([]byte(c.token), []byte(token)) != 1:
		return credential{}, errTokenMismatch()
	}
	return c, nil
}
