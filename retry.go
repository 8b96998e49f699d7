package chatapp

import (
	"crypto/x509"
	"errors"
	"net"
	"time"
)

// retryDelay decides whether a failed attempt is worth another, and how
// long to pause first. retry counts from 1 (the pause before the second
// attempt). The caller has already ruled out the caller's context ending.
//
// Retried: throttling (with the longer ThrottleBase, or the server's hint),
// server-side failures and 5xx, bodies cut short, a replayed nonce and an
// expired STS token (the next attempt signs with a fresh nonce and freshly
// fetched credentials), and transport errors before a response. Never
// retried: validation, authentication and permission errors, other 4xx,
// redirects, and certificate or DNS failures that a retry cannot cure.
//
// reason names why a retried attempt failed, for the observers:
// "throttled", "truncated" (a body cut short), "server", "nonce",
// "token-expired" or "transport"; it is "" when ok is false.
func (c *Client) retryDelay(err error, retry int) (delay time.Duration, reason string, ok bool) {
	var respErr *ResponseError
	if errors.As(err, &respErr) {
		switch {
		case respErr.tooLarge:
			// The same request would bring the same answer.
			return 0, "", false
		case respErr.cut:
			return c.fullJitter(c.backoff.Base, retry), "truncated", true
		case errors.Is(respErr, ErrServer):
			return c.fullJitter(c.backoff.Base, retry), "server", true
		case errors.Is(respErr, ErrThrottled):
			return c.fullJitter(c.backoff.ThrottleBase, retry), "throttled", true
		}
		return 0, "", false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		switch {
		case errors.Is(apiErr, ErrThrottled):
			if apiErr.RetryAfter > 0 {
				// Honour the hint, with a little jitter to keep callers that
				// got the same hint apart, but never beyond Max: a hint is
				// the server's, and a bad one must not park the caller.
				hint := min(apiErr.RetryAfter, c.backoff.Max)
				hint += time.Duration(c.jitter(int64(hint/10) + 1))
				return min(hint, c.backoff.Max), "throttled", true
			}
			return c.fullJitter(c.backoff.ThrottleBase, retry), "throttled", true
		case errors.Is(apiErr, ErrServer):
			return c.fullJitter(c.backoff.Base, retry), "server", true
		case apiErr.Code == "SignatureNonceUsed":
			return c.fullJitter(c.backoff.Base, retry), "nonce", true
		case apiErr.Code == "InvalidSecurityToken.Expired":
			return c.fullJitter(c.backoff.Base, retry), "token-expired", true
		}
		return 0, "", false
	}
	var redirect *RedirectError
	if errors.As(err, &redirect) || errors.Is(err, ErrCredentials) || errors.Is(err, ErrInvalidRequest) || errors.Is(err, errNotLoopback) {
		return 0, "", false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return 0, "", false
	}
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var certInvalid x509.CertificateInvalidError
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &certInvalid) {
		return 0, "", false
	}
	return c.fullJitter(c.backoff.Base, retry), "transport", true
}

// fullJitter draws a pause uniformly from [0, min(Max, base·2^(retry-1))].
func (c *Client) fullJitter(base time.Duration, retry int) time.Duration {
	ceiling := c.backoff.Max
	if shift := retry - 1; shift < 32 && base<<shift > 0 && base<<shift < ceiling {
		ceiling = base << shift
	}
	return time.Duration(c.jitter(int64(ceiling) + 1))
}
