package chatapp

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// parseEndpoint checks an endpoint and returns its scheme and host.
func parseEndpoint(raw string) (scheme, host string, err error) {
	fail := func(rule string) (string, string, error) {
		return "", "", optionError("WithEndpoint", rule)
	}
	s := strings.TrimSpace(raw)
	if s == "" {
		return fail("endpoint is empty")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, perr := url.Parse(s)
	if perr != nil {
		return fail("not a URL: " + perr.Error())
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return fail("scheme must be https (or http for a loopback host), got " + u.Scheme)
	case u.Host == "" || u.Hostname() == "":
		return fail("no host in " + raw)
	case u.User != nil:
		return fail("must not carry user information")
	case u.Path != "" && u.Path != "/":
		return fail("must not have a path: the API is served at /")
	case u.RawQuery != "" || u.Fragment != "":
		return fail("must not have a query or fragment")
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return fail("plain http is allowed only for loopback hosts; use https for " + u.Hostname())
	}
	return u.Scheme, u.Host, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// sharedTransport is the transport of every Client built without
// WithHTTPClient, so that they share one connection pool. It is never
// changed after it is made.
var sharedTransport = sync.OnceValue(func() *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          100,
		// Many goroutines share one Client against one host; Go's default of
		// 2 idle connections per host would close and redial most of them.
		MaxIdleConnsPerHost: 64,
	}
})

// copyHTTPClient returns the copy of a user's http.Client that a Client
// sends with: its redirect policy stops at a change of host, so that signed
// headers are never replayed to another host, and otherwise defers to the
// user's own policy. A redirect that is not followed comes back as an
// *APIError with its 3xx status.
func copyHTTPClient(user *http.Client) *http.Client {
	hc := *user
	userCheck := user.CheckRedirect
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && req.URL.Host != via[0].URL.Host {
			return http.ErrUseLastResponse
		}
		if userCheck != nil {
			return userCheck(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &hc
}
