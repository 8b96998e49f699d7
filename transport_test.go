package chatapp

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPlainHTTPOnlyForLoopback: credentials-derived headers never cross a
// network in the clear. Plain http is refused for every host that is not
// loopback, including names that merely look like it.
func TestPlainHTTPOnlyForLoopback(t *testing.T) {
	for _, endpoint := range []string{
		"http://cams.ap-southeast-1.aliyuncs.com",
		"http://10.0.0.1:8080",
		"http://192.168.1.10",
		"http://[fe80::1]:80",
		"http://0.0.0.0:8080",
		"http://localhost.evil.example",
		"http://127.0.0.1.nip.io",
		"http://evil.example#@127.0.0.1",
		"HTTP://cams.ap-southeast-1.aliyuncs.com",
	} {
		t.Run(endpoint, func(t *testing.T) {
			c, err := NewClient(WithEndpoint(endpoint), WithAccessKey("id", "secret"))
			assert.Error(t, err)
			assert.Nil(t, c)
		})
	}
	for _, endpoint := range []string{"http://127.0.0.1:8080", "http://127.8.9.10", "http://localhost:1", "http://[::1]:8080", "https://10.0.0.1"} {
		t.Run(endpoint, func(t *testing.T) {
			c, err := NewClient(WithEndpoint(endpoint), WithAccessKey("id", "secret"))
			require.NoError(t, err)
			assert.Equal(t, endpoint, c.Endpoint())
		})
	}
}

// TestDefaultTransportRequiresTLS12: the transport a Client makes for
// itself sets MinVersion TLS 1.2 explicitly, so that it holds whatever Go's
// default becomes, and a server that speaks only TLS 1.0 and 1.1 is
// refused during the handshake, while a client that allows TLS 1.0 gets
// past the version to the certificate (showing the server really speaks
// 1.1).
func TestDefaultTransportRequiresTLS12(t *testing.T) {
	c, err := NewClient(WithAccessKey("id", "secret"))
	require.NoError(t, err)
	require.Nil(t, c.httpClient, "without WithHTTPClient the Client sends on sharedTransport")
	tr := sharedTransport()
	require.NotNil(t, tr.TLSClientConfig)
	assert.GreaterOrEqual(t, tr.TLSClientConfig.MinVersion, uint16(tls.VersionTLS12))
	assert.False(t, tr.TLSClientConfig.InsecureSkipVerify)

	var handshakes atomic.Int64
	old := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("a request reached the TLS 1.1 server")
	}))
	old.TLS = &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
	old.Config.ErrorLog = log.New(io.Discard, "", 0)
	old.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			handshakes.Add(1)
		}
	}
	old.StartTLS()
	defer old.Close()

	c = newServerClient(t, old.URL, WithMaxAttempts(1))
	resp, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
	require.Error(t, err)
	assert.Nil(t, resp)
	assert.Contains(t, err.Error(), "protocol version", "refused for its version, before any certificate check")
	assert.Equal(t, int64(1), handshakes.Load(), "the connection was attempted")

	permissive := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS10}}}
	defer permissive.CloseIdleConnections()
	_, err = permissive.Get(old.URL)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate", "a TLS 1.0 client negotiates with this server")
}

// newServerClient returns a Client of endpoint, with its own transport
// unless opts give one, an AccessKeyId of its own, and no rate limiter.
func newServerClient(t *testing.T, endpoint string, opts ...Option) *Client {
	t.Helper()
	base := []Option{WithEndpoint(endpoint), WithAccessKey(uniqueAccessKeyID(), "secret"), WithRateLimiter(nil)}
	c, err := NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// redirectPair is a server A that redirects every request, and a server B
// that must never be reached with signed headers.
type redirectPair struct {
	a, b             *httptest.Server
	hitsA, hitsB     atomic.Int64
	lastPathA        atomic.Value // string
	authorizationToB atomic.Value // string
}

// newRedirectPair starts A and B. A answers "/" with a 307 to location(B's
// URL, A's URL) and any other path with the week's data.
func newRedirectPair(t *testing.T, location func(aURL, bURL string) string) *redirectPair {
	t.Helper()
	p := &redirectPair{}
	p.b = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.hitsB.Add(1)
		p.authorizationToB.Store(r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, sevenDays)
	}))
	t.Cleanup(p.b.Close)
	p.a = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.hitsA.Add(1)
		p.lastPathA.Store(r.URL.Path)
		if r.URL.Path == "/" {
			w.Header().Set("Location", location(p.a.URL, p.b.URL)+"?"+r.URL.RawQuery)
			w.WriteHeader(http.StatusTemporaryRedirect)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, sevenDays)
	}))
	t.Cleanup(p.a.Close)
	return p
}

// TestRedirectsNeverCarryCredentialsToAnotherHost: A answers 307 to B
// (another port, or the same port under another name). Neither the
// default client nor a user's http.Client, even one whose own policy
// follows everything, sends anything to B; the caller gets a
// *RedirectError for the 307.
func TestRedirectsNeverCarryCredentialsToAnotherHost(t *testing.T) {
	followAll := func(*http.Request, []*http.Request) error { return nil }
	for _, target := range []struct {
		name     string
		location func(aURL, bURL string) string
	}{
		{"another port", func(_, bURL string) string { return bURL + "/" }},
		{"same port, another name", func(aURL, _ string) string { return strings.Replace(aURL, "127.0.0.1", "localhost", 1) + "/moved" }},
	} {
		for _, client := range []struct {
			name string
			opts []Option
		}{
			{"default client", nil},
			{"user client", []Option{WithHTTPClient(&http.Client{})}},
			{"user client following everything", []Option{WithHTTPClient(&http.Client{CheckRedirect: followAll})}},
		} {
			t.Run(target.name+"/"+client.name, func(t *testing.T) {
				p := newRedirectPair(t, target.location)
				c := newServerClient(t, p.a.URL, client.opts...)
				resp, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
				assert.Nil(t, resp)
				var re *RedirectError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, http.StatusTemporaryRedirect, re.StatusCode)
				assert.Zero(t, p.hitsB.Load(), "the other host received nothing")
				assert.Equal(t, int64(1), p.hitsA.Load(), "no retry of a redirect either")
				if target.name == "same port, another name" {
					assert.Equal(t, "/", p.lastPathA.Load(), "the redirect to another name was not followed")
				}
			})
		}
	}
}

// TestUsersHTTPClientIsNeverMutated: every field of the user's
// http.Client, and the configuration of its transport, is the same after
// NewClient and after calls that were redirected, as before, whether the
// client has a redirect policy of its own or Go's (a nil CheckRedirect).
func TestUsersHTTPClientIsNeverMutated(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy func(*http.Request, []*http.Request) error
	}{
		{"own redirect policy", func(*http.Request, []*http.Request) error { return nil }},
		{"Go's redirect policy", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newRedirectPair(t, func(_, bURL string) string { return bURL + "/" })
			jar, err := cookiejar.New(nil)
			require.NoError(t, err)
			tr := &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS13}, MaxIdleConnsPerHost: 3, IdleConnTimeout: time.Minute}
			defer tr.CloseIdleConnections()
			user := &http.Client{Transport: tr, CheckRedirect: tc.policy, Jar: jar, Timeout: 7 * time.Second}
			before := *user
			trBefore := struct {
				tls     *tls.Config
				minTLS  uint16
				perHost int
				idle    time.Duration
				proxy   uintptr
			}{tr.TLSClientConfig, tr.TLSClientConfig.MinVersion, tr.MaxIdleConnsPerHost, tr.IdleConnTimeout, reflect.ValueOf(tr.Proxy).Pointer()}

			c := newServerClient(t, p.a.URL, WithHTTPClient(user))
			_, err = c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
			require.Error(t, err, "the redirect to B is refused")
			assert.NotSame(t, user, c.httpClient, "the Client sends through its own copy")

			assert.Same(t, before.Transport, user.Transport)
			if tc.policy == nil {
				assert.Nil(t, user.CheckRedirect, "no policy was installed on the user's client")
			} else {
				assert.Equal(t, reflect.ValueOf(before.CheckRedirect).Pointer(), reflect.ValueOf(user.CheckRedirect).Pointer(), "CheckRedirect")
			}
			assert.Same(t, before.Jar, user.Jar)
			assert.Equal(t, before.Timeout, user.Timeout)
			assert.Same(t, trBefore.tls, tr.TLSClientConfig)
			assert.Equal(t, trBefore.minTLS, tr.TLSClientConfig.MinVersion)
			assert.Equal(t, trBefore.perHost, tr.MaxIdleConnsPerHost)
			assert.Equal(t, trBefore.idle, tr.IdleConnTimeout)
			assert.Equal(t, trBefore.proxy, reflect.ValueOf(tr.Proxy).Pointer())

			// The user's own client still follows the redirect under its
			// policy: its behaviour did not change.
			resp, err := user.Get(p.a.URL + "/")
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, int64(1), p.hitsB.Load(), "the user's client, used directly, follows as it always did")
		})
	}
}
