package conformance

import (
	"net/http"
	"net/url"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/stretchr/testify/require"
)

// scheme is a signing scheme of the official core, as a Config selects it.
type scheme struct {
	name string
	// algorithm is Config.SignatureAlgorithm; empty leaves the default.
	algorithm string
}

var (
	// schemeV3 is the core's default: ACS3-HMAC-SHA256.
	schemeV3 = scheme{name: "ACS3"}
	// schemeRPC is SignatureAlgorithm "v2": RPC HMAC-SHA1, SignatureVersion 1.0.
	schemeRPC = scheme{name: "RPC", algorithm: "v2"}
	schemes   = []scheme{schemeV3, schemeRPC}
)

// keyPair is what a Config authenticates with; token is set for STS.
type keyPair struct {
	id, secret, token string
}

// officialClient makes the official core's client for endpoint, a base URL
// such as "http://127.0.0.1:PORT", with the default Config but for the
// endpoint, the credentials, Protocol "http" and the scheme's
// SignatureAlgorithm. A non-nil hc becomes Config.HttpClient.
func officialClient(t *testing.T, endpoint string, k keyPair, s scheme, hc dara.HttpClient) *openapi.Client {
	t.Helper()
	u, err := url.Parse(endpoint)
	require.NoError(t, err)
	config := &openapi.Config{
		Endpoint:        dara.String(u.Host),
		AccessKeyId:     dara.String(k.id),
		AccessKeySecret: dara.String(k.secret),
		Protocol:        dara.String("http"),
	}
	if k.token != "" {
		config.SecurityToken = dara.String(k.token)
	}
	if s.algorithm != "" {
		config.SignatureAlgorithm = dara.String(s.algorithm)
	}
	if hc != nil {
		config.HttpClient = hc
	}
	c, err := openapi.NewClient(config)
	require.NoError(t, err)
	return c
}

// hookedHTTPClient is a dara.HttpClient, the interface of Config.HttpClient:
// the core hands it every request it has built and signed. It sends them
// through its own http.Client, whose Transport may change them on the way.
// The *http.Transport the core offers (a new one per request) is not used,
// so connections are pooled and closed with the test.
type hookedHTTPClient struct {
	hc *http.Client
}

func (h hookedHTTPClient) Call(req *http.Request, _ *http.Transport) (*http.Response, error) {
	return h.hc.Do(req)
}

// newHookedHTTPClient returns a Config.HttpClient whose requests go through
// the RoundTripper that wrap builds around a private transport, whose idle
// connections are closed when the test ends.
func newHookedHTTPClient(t *testing.T, wrap func(base http.RoundTripper) http.RoundTripper) hookedHTTPClient {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.Proxy = nil
	t.Cleanup(base.CloseIdleConnections)
	return hookedHTTPClient{hc: &http.Client{Transport: wrap(base)}}
}
