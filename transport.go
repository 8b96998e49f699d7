package chatapp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
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
	// User information is refused before parsing, so that no error,
	// url.Parse's included, repeats a password.
	_, authority, _ := strings.Cut(s, "://")
	if end := strings.IndexAny(authority, "/?#"); end >= 0 {
		authority = authority[:end]
	}
	if strings.Contains(authority, "@") {
		return fail("must not carry user information (user:password@); credentials go in WithAccessKey or WithCredential")
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
// sends with. Its redirect policy follows nothing: the service never
// redirects, and a signed request replayed to a Location, even on the same
// host, could carry credentials to another host or over plain http. The
// 3xx answer comes back to decode, which turns it into a *RedirectError.
// The user's own client, and its CheckRedirect, are left as they were.
func copyHTTPClient(user *http.Client) *http.Client {
	hc := *user
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

// isRedirect reports whether status is a 3xx.
func isRedirect(status int) bool { return status >= 300 && status < 400 }

// redirectFailure closes a 3xx answer's body and reports it. Only the
// Location's scheme and host are kept, redacted like anything else the
// server sent: its query may repeat the signed request's.
func redirectFailure(resp *http.Response, red redactor) error {
	resp.Body.Close()
	e := &RedirectError{StatusCode: resp.StatusCode}
	if u, err := url.Parse(resp.Header.Get("Location")); err == nil {
		e.Scheme, e.Host = red.redact(u.Scheme), red.redact(u.Host)
	}
	return e
}

// errNotLoopback marks a dial that a plain-http endpoint's host resolved
// to an address off the loopback interface. It is not retried.
var errNotLoopback = errors.New("not loopback")

// confineToLoopback makes a plain-http Client dial loopback addresses
// only. parseEndpoint allowed http for loopback hosts, but a name
// (localhost) is only as loopback as its resolution: /etc/hosts, a DNS
// search domain or a hostile resolver can point it elsewhere, and signed
// requests would then cross a network in cleartext. A loopback IP literal
// is never resolved and needs nothing. For a name, the Client's own
// transport, or a copy of the user's *http.Transport, gets a dialer that
// resolves the name itself and refuses the dial if any address is not
// loopback. A user's RoundTripper of another type has a dialer the Client
// cannot reach, so it is refused.
func (c *Client) confineToLoopback() (*http.Transport, error) {
	host, _, err := net.SplitHostPort(c.host)
	if err != nil {
		host = c.host
	}
	if net.ParseIP(strings.Trim(host, "[]")) != nil {
		return nil, nil
	}
	if c.httpClient == nil {
		tr := sharedTransport().Clone()
		tr.DialContext = c.loopbackDial(tr.DialContext)
		return tr, nil
	}
	var tr *http.Transport
	switch t := c.httpClient.Transport.(type) {
	case nil:
		tr = http.DefaultTransport.(*http.Transport).Clone()
	case *http.Transport:
		tr = t.Clone()
	default:
		return nil, optionError("WithEndpoint", "plain http to the host name "+host+" needs WithHTTPClient's Transport to be an *http.Transport (or nil), so that dials off loopback can be refused; use 127.0.0.1 or [::1] instead")
	}
	dial := tr.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	// DialContext takes priority over a deprecated Dial the user may have set.
	tr.DialContext = c.loopbackDial(dial)
	c.httpClient.Transport = tr
	return nil, nil
}

// loopbackDial returns a dialer that resolves addr's host with c.lookupIP,
// refuses the dial if any address it resolves to is not loopback, and
// dials the resolved addresses in turn with dial.
func (c *Client) loopbackDial(dial func(ctx context.Context, network, addr string) (net.Conn, error)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		ips := []net.IPAddr{{IP: net.ParseIP(host)}}
		if ips[0].IP == nil {
			if ips, err = c.lookupIP(ctx, host); err != nil {
				return nil, err
			}
		}
		if len(ips) == 0 {
			return nil, fmt.Errorf("%s resolves to no address", host)
		}
		for _, ip := range ips {
			if !ip.IP.IsLoopback() {
				return nil, fmt.Errorf("plain http endpoint %s resolves to %s, which is %w: refusing to send signed requests in cleartext", host, ip.IP, errNotLoopback)
			}
		}
		var last error
		for _, ip := range ips {
			conn, err := dial(ctx, network, net.JoinHostPort(ip.String(), port))
			if err == nil {
				return conn, nil
			}
			last = err
		}
		return nil, last
	}
}
