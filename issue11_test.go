package chatapp

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryRedirectIsRefused (issue 11.1): an https endpoint answers every
// redirect status with a Location on the same host but plain http, the
// signed query repeated. No client follows it, whatever its own policy:
// the call fails with a *RedirectError naming the status and the target
// host, and nothing reaches the server a second time.
func TestEveryRedirectIsRefused(t *testing.T) {
	followAll := func(*http.Request, []*http.Request) error { return nil }
	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, client := range []struct {
			name string
			hc   func(srv *httptest.Server) *http.Client
		}{
			{"user client, Go's policy", func(srv *httptest.Server) *http.Client { return srv.Client() }},
			{"user client following everything", func(srv *httptest.Server) *http.Client {
				hc := srv.Client()
				hc.CheckRedirect = followAll
				return hc
			}},
			{"default client", nil},
		} {
			t.Run(http.StatusText(status)+"/"+client.name, func(t *testing.T) {
				var hits atomic.Int64
				handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					hits.Add(1)
					if r.URL.Path == "/" {
						w.Header().Set("Location", "http://"+r.Host+"/moved?"+r.URL.RawQuery)
						w.WriteHeader(status)
						return
					}
					w.Header().Set("Content-Type", "application/json")
					_, _ = io.WriteString(w, sevenDays)
				})
				var srv *httptest.Server
				var opts []Option
				if client.hc == nil {
					// The default client trusts no test certificate: it talks
					// plain http to loopback, and the redirect stays refused.
					srv = httptest.NewServer(handler)
				} else {
					srv = httptest.NewTLSServer(handler)
					opts = append(opts, WithHTTPClient(client.hc(srv)))
				}
				defer srv.Close()
				c := newServerClient(t, srv.URL, append(opts, WithSignatureVersion(SignatureRPC))...)
				resp, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
				assert.Nil(t, resp)
				var re *RedirectError
				require.ErrorAs(t, err, &re)
				u, _ := url.Parse(srv.URL)
				assert.Equal(t, status, re.StatusCode)
				assert.Equal(t, u.Host, re.Host)
				assert.Contains(t, err.Error(), u.Host)
				assert.NotContains(t, err.Error(), "Signature", "the target's query is not repeated")
				assert.Equal(t, int64(1), hits.Load(), "no request followed the redirect, and none was retried")
				requireAttempts(t, err, 1)
			})
		}
	}
}
