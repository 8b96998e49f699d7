package conformance

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/dara"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/chatappkit/chatapp/conformance/officialcams"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOfficialGenuineMetricRequest sends GetChatappPhoneNumberMetric with the
// official core, untouched, under each scheme and each kind of credentials:
// the emulator must answer HTTP 200 with Code OK and the series, the core
// must decode it, and the emulator's log must show the request signed the
// way the scheme says, with the parameters where the official core puts
// them.
func TestOfficialGenuineMetricRequest(t *testing.T) {
	eachSchemeAndCredentials(t, func(t *testing.T, s scheme, kind credKind) {
		srv := newServer(t)
		k := credentials(srv, kind)
		client := officialClient(t, srv.URL, k, s, nil)

		resp, err := officialcams.GetMetric(client, dailyModel(), nil)
		require.NoError(t, err, "the emulator must accept a genuine official request")
		require.NotNil(t, resp.Body)
		assert.Equal(t, int32(http.StatusOK), dara.Int32Value(resp.StatusCode))
		assert.Equal(t, "OK", dara.StringValue(resp.Body.Code))
		require.Len(t, resp.Body.Data, 7, "7 DAILY points from %s to %s", dailyStart, dailyEnd)
		for i, p := range resp.Body.Data {
			require.NotNil(t, p)
			day := dailyStart.AddDate(0, 0, i)
			assert.Equal(t, phoneNumber, dara.StringValue(p.PhoneNumber))
			assert.Equal(t, "DAILY", dara.StringValue(p.Granularity))
			assert.Equal(t, day.UnixMilli(), dara.Int64Value(p.Start))
			assert.Equal(t, day.AddDate(0, 0, 1).UnixMilli(), dara.Int64Value(p.End))
		}

		got := onlyRequest(t, srv)
		assert.Equal(t, emulatorScheme(s), got.Scheme, "the emulator must see the scheme the Config selects")
		assert.Equal(t, k.id, got.AccessKeyID)
		assert.Equal(t, "GetChatappPhoneNumberMetric", got.Action)
		assert.Equal(t, http.StatusOK, got.Status)
		assert.Equal(t, "OK", got.Code)
		assert.Equal(t, got.RequestID, dara.StringValue(resp.Body.RequestId))
		requireOfficialShape(t, got, s, k)

		// The business parameters travel in the query under
		// both schemes, and the body is empty.
		assert.Equal(t, custSpaceID, got.Query.Get("CustSpaceId"))
		assert.Equal(t, phoneNumber, got.Query.Get("PhoneNumber"))
		assert.Equal(t, "DAILY", got.Query.Get("Granularity"))
		assert.Equal(t, formatMilli(dailyStart), got.Query.Get("Start"))
		assert.Equal(t, formatMilli(dailyEnd), got.Query.Get("End"))
		assert.Empty(t, got.Body)
	})
}

// TestOfficialGenuineEnableROI sends EnableWhatsappROIMetric with the
// official core under each scheme and each kind of credentials to an
// emulator whose ROI collection is off: the call must succeed with Code OK,
// and collection must be on for the space from then on.
func TestOfficialGenuineEnableROI(t *testing.T) {
	eachSchemeAndCredentials(t, func(t *testing.T, s scheme, kind credKind) {
		srv := newServer(t, chatapptest.WithROIDisabled())
		k := credentials(srv, kind)
		client := officialClient(t, srv.URL, k, s, nil)
		_, on := srv.ROIEnabledSince(custSpaceID)
		require.False(t, on)

		before := time.Now().Add(-time.Second)
		resp, err := officialcams.EnableROI(client, &officialcams.ROIRequest{CustSpaceId: dara.String(custSpaceID)}, nil)
		require.NoError(t, err, "the emulator must accept a genuine official request")
		require.NotNil(t, resp.Body)
		assert.Equal(t, int32(http.StatusOK), dara.Int32Value(resp.StatusCode))
		assert.Equal(t, "OK", dara.StringValue(resp.Body.Code))

		got := onlyRequest(t, srv)
		assert.Equal(t, emulatorScheme(s), got.Scheme)
		assert.Equal(t, k.id, got.AccessKeyID)
		assert.Equal(t, "EnableWhatsappROIMetric", got.Action)
		assert.Equal(t, http.StatusOK, got.Status)
		assert.Equal(t, "OK", got.Code)
		assert.Equal(t, got.RequestID, dara.StringValue(resp.Body.RequestId))
		assert.Equal(t, custSpaceID, got.Query.Get("CustSpaceId"))
		requireOfficialShape(t, got, s, k)

		since, on := srv.ROIEnabledSince(custSpaceID)
		require.True(t, on, "EnableWhatsappROIMetric must switch collection on for the space")
		assert.WithinRange(t, since, before, time.Now().Add(time.Second))
	})
}

// requireOfficialShape checks the shape the official core was verified to
// send under scheme s, as the emulator logged it.
func requireOfficialShape(t *testing.T, got chatapptest.Request, s scheme, k keyPair) {
	t.Helper()
	assert.Equal(t, http.MethodPost, got.Method)
	assert.Equal(t, "/", got.Path)
	switch s {
	case schemeV3:
		auth := got.Header.Get("Authorization")
		require.True(t, strings.HasPrefix(auth, "ACS3-HMAC-SHA256 Credential="+k.id+",SignedHeaders="), "Authorization %q", auth)
		for _, name := range []string{"Action", "Version", "Signature", "SignatureNonce", "AccessKeyId", "SecurityToken"} {
			assert.False(t, got.Query.Has(name), "no %s in the query under ACS3", name)
		}
		assert.NotEmpty(t, got.Header.Get("x-acs-date"))
		assert.NotEmpty(t, got.Header.Get("x-acs-signature-nonce"))
		assert.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", got.Header.Get("x-acs-content-sha256"))
		if k.token != "" {
			assert.Equal(t, k.token, got.Header.Get("x-acs-security-token"))
			assert.Contains(t, auth, "x-acs-security-token", "the token header is signed")
		} else {
			assert.Empty(t, got.Header.Get("x-acs-security-token"))
		}
	case schemeRPC:
		assert.Empty(t, got.Header.Get("Authorization"))
		assert.Equal(t, got.Action, got.Query.Get("Action"))
		assert.Equal(t, "2020-06-06", got.Query.Get("Version"))
		assert.Equal(t, "json", got.Query.Get("Format"))
		assert.Equal(t, "HMAC-SHA1", got.Query.Get("SignatureMethod"))
		assert.Equal(t, "1.0", got.Query.Get("SignatureVersion"))
		assert.Equal(t, k.id, got.Query.Get("AccessKeyId"))
		assert.NotEmpty(t, got.Query.Get("Signature"))
		assert.Len(t, got.Query.Get("SignatureNonce"), 32)
		assert.Equal(t, k.token, got.Query.Get("SecurityToken"))
	}
}
