package chatapptest

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/chatappkit/chatapp"
)

// Server is an Emulator listening on a loopback port, like
// httptest.Server. Its Emulator methods (SeedMetrics, InjectFault,
// Requests, ...) are promoted, so a test configures and inspects it
// directly.
type Server struct {
	// URL is the base URL, "http://127.0.0.1:PORT" ("https://..." for a
	// TLS server), ready for chatapp.WithEndpoint.
	URL string
	// AccessKeyID and AccessKeySecret are the AccessKey pair the server was
	// made with and Client signs with: generated and unique to this server
	// ("LTAI" and 20 letters or digits; a 30-character secret) unless
	// WithCredentials set them. Unique keys matter because the SDK's
	// default rate limiter is shared by every Client of an AccessKeyId in
	// the process.
	AccessKeyID     string
	AccessKeySecret string

	*Emulator

	srv       *httptest.Server
	transport *http.Transport
	closeOnce sync.Once
}

// NewServer starts an emulator on 127.0.0.1 over plain HTTP, which the
// SDK allows for loopback hosts. The caller should Close it when done.
func NewServer(opts ...ServerOption) *Server {
	return start(false, opts)
}

// NewTLSServer starts an emulator on 127.0.0.1 over HTTPS with a
// self-signed certificate, which the clients from Client and HTTPClient
// trust.
func NewTLSServer(opts ...ServerOption) *Server {
	return start(true, opts)
}

func start(useTLS bool, opts []ServerOption) *Server {
	e := NewEmulator(opts...)
	var srv *httptest.Server
	if useTLS {
		srv = httptest.NewTLSServer(e)
	} else {
		srv = httptest.NewServer(e)
	}
	// Load tests send from hundreds of goroutines; Go's default of two idle
	// connections per host would redial for most requests.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.MaxIdleConns = 512
	tr.MaxIdleConnsPerHost = 512
	if useTLS {
		pool := x509.NewCertPool()
		pool.AddCert(srv.Certificate())
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	id, secret := e.Credentials()
	return &Server{
		URL:             srv.URL,
		AccessKeyID:     id,
		AccessKeySecret: secret,
		Emulator:        e,
		srv:             srv,
		transport:       tr,
	}
}

// Client returns a chatapp.Client wired to the server: its endpoint, its
// AccessKey pair and, for a TLS server, an http.Client that trusts its
// certificate. opts are applied after those, so they can override any of
// them (chatapp.WithSTSToken, chatapp.WithSignatureVersion, ...).
func (s *Server) Client(opts ...chatapp.Option) (*chatapp.Client, error) {
	base := []chatapp.Option{
		chatapp.WithEndpoint(s.URL),
		chatapp.WithAccessKey(s.AccessKeyID, s.AccessKeySecret),
		chatapp.WithHTTPClient(s.HTTPClient()),
	}
	return chatapp.NewClient(append(base, opts...)...)
}

// HTTPClient returns an http.Client for sending raw requests to the
// server; for a TLS server it trusts the server's certificate. Its idle
// connections are closed by Close.
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{Transport: s.transport}
}

// Certificate returns the TLS server's certificate, or nil for a plain
// HTTP server.
func (s *Server) Certificate() *x509.Certificate {
	return s.srv.Certificate()
}

// Close ends injected delays, shuts the server down, blocking until every
// request in flight has been answered, and closes the idle connections of
// the clients it handed out. Calling it again does nothing.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.Emulator.Close()
		s.srv.Close()
		s.transport.CloseIdleConnections()
	})
}
