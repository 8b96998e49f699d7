package chatapp

import (
	"context"
	"reflect"
	"strings"
	"sync"

	alicred "github.com/aliyun/credentials-go/credentials"
)

// credentials is one consistent snapshot of an access key. Its String and
// GoString never show the secret or the token.
type credentials struct {
	accessKeyID     string
	accessKeySecret string
	securityToken   string
}

func (c credentials) String() string {
	s := "credentials{AccessKeyId: " + c.accessKeyID + ", AccessKeySecret: [redacted]"
	if c.securityToken != "" {
		s += ", SecurityToken: [redacted]"
	}
	return s + "}"
}

func (c credentials) GoString() string { return c.String() }

func (c credentials) validate() error {
	switch {
	case c.accessKeyID == "":
		return &credentialError{reason: "AccessKeyId is empty"}
	case c.accessKeySecret == "":
		return &credentialError{reason: "AccessKeySecret is empty"}
	case strings.TrimSpace(c.accessKeyID) != c.accessKeyID:
		return &credentialError{reason: "AccessKeyId has surrounding white space"}
	case strings.ContainsFunc(c.accessKeyID, isControl):
		return &credentialError{reason: "AccessKeyId contains control characters"}
	case strings.ContainsFunc(c.securityToken, isControl):
		// A token read from a file with its newline cannot travel in a
		// header; retrying would not help.
		return &credentialError{reason: "SecurityToken contains control characters"}
	}
	return nil
}

func isControl(r rune) bool { return r < ' ' || r == 0x7f }

// credentialSource yields the credentials for one attempt.
type credentialSource interface {
	credentials(ctx context.Context) (credentials, error)
	// limiterKey names the account whose default quota the source's
	// calls share in the process (see processLimiters).
	limiterKey() any
}

// providerKey keys a credentials-go provider apart from AccessKeyIds.
type providerKey struct{ provider alicred.Credential }

// defaultChainKey keys every Client that uses the default credential chain.
type defaultChainKey struct{}

// staticSource serves fixed credentials (WithAccessKey, WithSTSToken).
type staticSource struct {
	// A pointer, so that even fmt's verbs that bypass String (a Client
	// printed by value) print an address, not the secret.
	c *credentials
}

func (s *staticSource) credentials(context.Context) (credentials, error) { return *s.c, nil }

func (s *staticSource) limiterKey() any { return s.c.accessKeyID }

// limiterKey is the provider, so that every Client built from it shares
// one quota however often its credentials rotate. A provider of a type
// that cannot be compared is keyed by this source, one per Client.
func (s *providerSource) limiterKey() any {
	if s.defaultChain {
		// Every Client on the default chain reads the same environment,
		// files and instance role: one account, one quota.
		return defaultChainKey{}
	}
	// The value, not its type: a comparable struct type holding an
	// interface whose dynamic value is a slice would panic as a map key.
	if reflect.ValueOf(s.provider).Comparable() {
		return providerKey{s.provider}
	}
	return s
}

// providerSource asks a credentials-go Credential once per attempt, so a
// provider that refreshes STS credentials is followed at the next attempt.
// credentials-go providers have no locking (credentials-go v1.4.14 refreshes
// lazily inside GetCredential, without a lock: concurrent first calls race
// and fetch many times), so concurrent callers share one
// in-flight fetch, and no two fetches ever overlap.
type providerSource struct {
	provider     alicred.Credential
	defaultChain bool // made by NewClient from the default chain

	mu       sync.Mutex
	inflight *credentialFetch
}

type credentialFetch struct {
	done chan struct{}
	c    credentials
	err  error
}

func (s *providerSource) credentials(ctx context.Context) (credentials, error) {
	s.mu.Lock()
	f := s.inflight
	if f == nil {
		f = &credentialFetch{done: make(chan struct{})}
		s.inflight = f
		// GetCredential takes no context; running it apart lets every
		// caller, the first included, give up when its context ends.
		go s.fetch(f)
	}
	s.mu.Unlock()
	select {
	case <-f.done:
		return f.c, f.err
	case <-ctx.Done():
		return credentials{}, ctx.Err()
	}
}

func (s *providerSource) fetch(f *credentialFetch) {
	f.c, f.err = fetchCredential(s.provider)
	s.mu.Lock()
	s.inflight = nil
	s.mu.Unlock()
	close(f.done)
}

func fetchCredential(p alicred.Credential) (c credentials, err error) {
	defer func() {
		// A provider is third-party code; a panic in it must not take the
		// caller's process down.
		if r := recover(); r != nil {
			c, err = credentials{}, &credentialError{reason: "provider panicked"}
		}
	}()
	m, err := p.GetCredential()
	if err != nil {
		return credentials{}, &credentialError{reason: "provider failed", err: err}
	}
	if m == nil {
		// credentials-go's default chain can return nil, nil (a provider that fails
		// softly yields no error and no model).
		return credentials{}, &credentialError{reason: "provider returned no credentials"}
	}
	if m.Type != nil && *m.Type == "bearer" {
		return credentials{}, &credentialError{reason: "bearer tokens are not accepted by ChatApp; use an AccessKey or STS credential"}
	}
	c = credentials{
		accessKeyID:     deref(m.AccessKeyId),
		accessKeySecret: deref(m.AccessKeySecret),
		securityToken:   deref(m.SecurityToken),
	}
	return c, c.validate()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
