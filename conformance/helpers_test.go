package conformance

import (
	"crypto/rand"
	"strconv"
	"testing"
	"time"

	"github.com/chatappkit/chatapp/conformance/officialcams"

	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/stretchr/testify/require"
)

// The question every test asks: a business number, an ISV sub-customer's
// space, and fixed past ranges that begin and end on the service's bucket
// boundaries (midnights in UTC+8), on working days so the counts are not
// all zero.
const (
	phoneNumber = "8613800001234"
	custSpaceID = "cams-conformance-0001"
)

var (
	utc8 = chatapp.ChinaStandardTime()
	// dailyStart..dailyEnd is Monday 4 to Monday 11 March 2024: 7 DAILY points.
	dailyStart = time.Date(2024, time.March, 4, 0, 0, 0, 0, utc8)
	dailyEnd   = dailyStart.AddDate(0, 0, 7)
	// halfHourStart..halfHourEnd is Tuesday 5 March 2024: 48 HALF_HOUR points.
	halfHourStart = time.Date(2024, time.March, 5, 0, 0, 0, 0, utc8)
	halfHourEnd   = halfHourStart.AddDate(0, 0, 1)
)

// dailyModel is the official request for the DAILY range.
func dailyModel() *officialcams.MetricRequest {
	return &officialcams.MetricRequest{
		CustSpaceId: dara.String(custSpaceID),
		PhoneNumber: dara.String(phoneNumber),
		Granularity: dara.String(string(chatapp.GranularityDaily)),
		Start:       dara.Int64(dailyStart.UnixMilli()),
		End:         dara.Int64(dailyEnd.UnixMilli()),
	}
}

// chatappDailyRequest is dailyModel's question in chatapp's terms.
func chatappDailyRequest() *chatapp.GetChatappPhoneNumberMetricRequest {
	return &chatapp.GetChatappPhoneNumberMetricRequest{
		PhoneNumber: phoneNumber,
		Granularity: chatapp.GranularityDaily,
		Start:       dailyStart,
		End:         dailyEnd,
		CustSpaceID: custSpaceID,
	}
}

// newServer starts an emulator that the test closes when it ends.
func newServer(t *testing.T, opts ...chatapptest.ServerOption) *chatapptest.Server {
	t.Helper()
	srv := chatapptest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// credKind says whether a case signs with the server's AccessKey pair or
// with STS credentials (an STS AccessKey pair and its SecurityToken).
type credKind struct {
	name string
	sts  bool
}

var credKinds = []credKind{{name: "AK"}, {name: "STS", sts: true}}

// eachSchemeAndCredentials runs f as a subtest named scheme/credentials,
// such as "RPC/STS", for every signature scheme and kind of credentials.
func eachSchemeAndCredentials(t *testing.T, f func(t *testing.T, s scheme, kind credKind)) {
	t.Helper()
	for _, s := range schemes {
		for _, kind := range credKinds {
			t.Run(s.name+"/"+kind.name, func(t *testing.T) { f(t, s, kind) })
		}
	}
}

// credentials returns the key pair of kind for srv. STS credentials are
// made up for the test and registered with the emulator; their AccessKeyId
// is unique, as chatapp's default rate limiter is shared per AccessKeyId
// within the process.
func credentials(srv *chatapptest.Server, kind credKind) keyPair {
	if !kind.sts {
		return keyPair{id: srv.AccessKeyID, secret: srv.AccessKeySecret}
	}
	k := keyPair{
		id:     "STS.NV" + rand.Text(),
		secret: rand.Text() + "x",
		token:  "CAIS" + rand.Text() + rand.Text() + rand.Text(),
	}
	srv.AddSTSToken(k.id, k.secret, k.token)
	return k
}

// chatappOptions are the options that make a chatapp.Client from
// srv.Client sign as k and s do.
func chatappOptions(k keyPair, s scheme) []chatapp.Option {
	opts := []chatapp.Option{chatapp.WithSignatureVersion(chatappVersion(s))}
	if k.token != "" {
		opts = append(opts, chatapp.WithSTSToken(k.id, k.secret, k.token))
	}
	return opts
}

// chatappVersion is chatapp's name for the official scheme s.
func chatappVersion(s scheme) chatapp.SignatureVersion {
	if s == schemeRPC {
		return chatapp.SignatureRPC
	}
	return chatapp.SignatureV3
}

// emulatorScheme is what the emulator's log calls the official scheme s.
func emulatorScheme(s scheme) chatapptest.Scheme {
	if s == schemeRPC {
		return chatapptest.SchemeRPC
	}
	return chatapptest.SchemeV3
}

// requireSDKError checks that err is what the official core returns for an
// error answer by default: a *tea.SDKError carrying the answer's Code and
// HTTP status, whose Message quotes the RequestId.
func requireSDKError(t *testing.T, err error, code string, status int, requestID string) *tea.SDKError {
	t.Helper()
	require.Error(t, err, "the official client must surface the refusal")
	var sdkErr *tea.SDKError
	require.ErrorAs(t, err, &sdkErr, "the official core flattens error answers into *tea.SDKError")
	require.Equal(t, code, tea.StringValue(sdkErr.Code))
	require.Equal(t, status, tea.IntValue(sdkErr.StatusCode))
	if requestID != "" {
		require.Contains(t, tea.StringValue(sdkErr.Message), "request id: "+requestID)
	}
	return sdkErr
}

// onlyRequest returns the single request srv received.
func onlyRequest(t *testing.T, srv *chatapptest.Server) chatapptest.Request {
	t.Helper()
	reqs := srv.Requests()
	require.Len(t, reqs, 1, "the emulator must have received exactly one request")
	return reqs[0]
}

// formatMilli is t as the wire carries it: UNIX milliseconds in decimal.
func formatMilli(t time.Time) string {
	return strconv.FormatInt(t.UnixMilli(), 10)
}
