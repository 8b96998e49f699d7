package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunTLSChannelAndHealthz serves HTTPS with a written certificate, and
// checks that a client trusting only that file reaches every new
// operation, that the banner lists the channel and that /healthz needs no
// signature.
func TestRunTLSChannelAndHealthz(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	certFile := filepath.Join(t.TempDir(), "emulator.pem")
	s := startRun(t, ctx, "-addr", "127.0.0.1:0", "-tls", "-cert-out", certFile, "-cust-space-id", "cams-ci-channel", "-quiet")
	require.True(t, strings.HasPrefix(s.url, "https://127.0.0.1:"), s.url)
	var banner strings.Builder
	for {
		line, err := s.out.ReadString('\n')
		require.NoError(t, err)
		banner.WriteString(line)
		if strings.Contains(line, "template") && strings.Contains(line, "order_update") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, s.out) }()
	assert.Contains(t, banner.String(), "Channel:         cams-ci-channel (CustSpaceId)")
	assert.Contains(t, banner.String(), "8613800001234  CONNECTED GREEN TIER_10K")
	assert.Contains(t, banner.String(), "Certificate:     "+certFile)

	pemCert, err := os.ReadFile(certFile)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(pemCert))
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	defer hc.CloseIdleConnections()

	client, err := chatapp.NewClient(chatapp.WithEndpoint(s.url), chatapp.WithAccessKey("testid", "testsecret"), chatapp.WithHTTPClient(hc))
	require.NoError(t, err)
	list, err := client.QueryChatappPhoneNumbers(ctx, &chatapp.QueryChatappPhoneNumbersRequest{CustSpaceID: "cams-ci-channel"})
	require.NoError(t, err)
	assert.Len(t, list.PhoneNumbers, 2)
	tm, err := client.GetChatappTemplateMetric(ctx, &chatapp.GetChatappTemplateMetricRequest{TemplateCode: "welcome_offer", Language: "en", Start: time.Now().AddDate(0, 0, -2), End: time.Now()})
	require.NoError(t, err)
	assert.NotEmpty(t, tm.Data)
	h, err := client.GetWhatsappHealthStatus(ctx, &chatapp.GetWhatsappHealthStatusRequest{NodeType: chatapp.NodeWABA, CustSpaceID: "cams-ci-channel"})
	require.NoError(t, err)
	assert.Equal(t, chatapp.SendAvailable, h.CanSendMessage)

	resp, err := hc.Get(s.url + "/healthz")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "ok\n", string(body))

	cancel()
	select {
	case err := <-s.done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return")
	}
	assert.NotContains(t, s.stderr.String(), "WARNING", "loopback is not exposed")
}

func TestExposureWarning(t *testing.T) {
	public := &net.TCPAddr{IP: net.IPv4zero, Port: 8788}
	assert.Contains(t, exposureWarning(public, "testid", "testsecret"), "WARNING: listening on 0.0.0.0:8788, beyond loopback")
	assert.Empty(t, exposureWarning(public, "own-id", "own-secret"))
	assert.Empty(t, exposureWarning(&net.TCPAddr{IP: net.IPv6loopback}, "testid", "testsecret"))
}

func TestCertHosts(t *testing.T) {
	assert.Equal(t, []string{"127.0.0.1", "emulator"}, certHosts(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, "127.0.0.1:0", []string{"emulator", ""}))
	assert.Equal(t, []string{"chatapp.test"}, certHosts(&net.TCPAddr{IP: net.IPv4(10, 0, 0, 1)}, "chatapp.test:8788", nil))
	all := certHosts(&net.TCPAddr{IP: net.IPv4zero}, ":8788", nil)
	assert.Subset(t, all, []string{"localhost", "127.0.0.1", "::1"})
}

func TestCertOutNeedsTLS(t *testing.T) {
	err := run(context.Background(), []string{"-cert-out", "x.pem"}, io.Discard, io.Discard)
	assert.ErrorContains(t, err, "-cert-out needs -tls")
}

func TestParseNumberStates(t *testing.T) {
	got, err := parseNumberStates("8613800005678=BANNED:RED, 1=RATE_LIMITED::TIER_1K")
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, chatapp.PhoneNumberBanned, got[0].Status)
	assert.Equal(t, chatapp.QualityRed, got[0].QualityRating)
	assert.Equal(t, chatapp.QualityGreen, got[1].QualityRating)
	assert.Equal(t, chatapp.Tier1K, got[1].MessagingLimitTier)
	for _, bad := range []string{"x", "=BANNED", "1=", "1=A:B:C:D"} {
		_, err := parseNumberStates(bad)
		assert.Error(t, err, bad)
	}
}
