package chatapp_test

import (
	"context"
	"errors"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The signers are fuzzed end to end: the Client signs a request with
// arbitrary field values and an arbitrary secret (and STS token), sends it
// over a real loopback connection, and the emulator, whose verifier is
// written independently of the package's signer, must accept it and must
// read back exactly the parameters the caller set.

func FuzzV3SignatureAcceptedByEmulator(f *testing.F) {
	fuzzSignerAgainstEmulator(f, chatapp.SignatureV3)
}

func FuzzRPCSignatureAcceptedByEmulator(f *testing.F) {
	fuzzSignerAgainstEmulator(f, chatapp.SignatureRPC)
}

// hostileValue holds every separator and escape a query or a signature
// could trip over, unicode, control characters, and 10 KB.
var hostileValue = "a&Start=1&b=c+d%2e%%25 e;f#g?h/i*j'k(l)m!n~o\x00\x01\t\n\r\x7f中文😀\xff\xfe=" + strings.Repeat("x&=+% ", 10<<10/6)

func fuzzSignerAgainstEmulator(f *testing.F, sig chatapp.SignatureVersion) {
	f.Add("8613800001234", "", "", uint8(0), uint32(1756684800-8*3600), uint16(7*24*60-1), "secret", "")
	f.Add("8613800001234", "cams-space", "isv", uint8(1), uint32(1756684800), uint16(60), "SECRET-zq8+/=", "TOKEN-CAIS+/=")
	f.Add("+86 138&Start=1", "a=b&c", "%41%", uint8(2), uint32(0), uint16(1), "%2B", "x y")
	f.Add("中文😀", "\x00\n\r", "\xff\xfe", uint8(0), uint32(1700000000), uint16(90), "秘密", "令牌")
	f.Add(hostileValue, hostileValue+"1", hostileValue+"2", uint8(1), uint32(1756684800), uint16(30), hostileValue, "tok\x00en")

	srv := chatapptest.NewServer(chatapptest.WithoutRateLimit())
	f.Cleanup(srv.Close)
	const accessKeyID = "LTAIfuzzsigner"

	f.Fuzz(func(t *testing.T, phone, space, isv string, granularity uint8, startSec uint32, spanMinutes uint16, secret, token string) {
		if secret == "" {
			secret = "s" // an empty secret is refused before signing
		}
		creds := chatapp.WithAccessKey(accessKeyID, secret)
		if token != "" {
			srv.AddSTSToken(accessKeyID, secret, token)
			creds = chatapp.WithSTSToken(accessKeyID, secret, token)
		} else {
			srv.AddAccessKey(accessKeyID, secret)
		}
		// Every point echoes the number, which JSON may escape to six
		// bytes a byte: the answer's size is not what is under test.
		c, err := srv.Client(creds, chatapp.WithSignatureVersion(sig), chatapp.WithRateLimiter(nil), chatapp.WithMaxAttempts(1),
			chatapp.WithMaxResponseBytes(256<<20))
		plausible := plausibleCredential(secret) && plausibleCredential(token)
		if err != nil && !plausible {
			return // refusing credentials no real key has is fine
		}
		require.NoError(t, err)
		start := time.Unix(int64(startSec), 0)
		req := &chatapp.GetChatappPhoneNumberMetricRequest{
			PhoneNumber: phone,
			Granularity: []chatapp.Granularity{"", chatapp.GranularityDaily, chatapp.GranularityHalfHour}[granularity%3],
			Start:       start,
			End:         start.Add(time.Duration(int(spanMinutes)%(2*24*60)+1) * time.Minute),
			CustSpaceID: space,
			IsvCode:     isv,
		}
		srv.ClearRequests()
		resp, err := c.GetChatappPhoneNumberMetric(context.Background(), req)

		switch {
		case sig == chatapp.SignatureV3 && !survivesAsHeaderValue(token):
			// Under ACS3 the token travels as a header: net/http refuses
			// control characters and the server trims white space, so
			// such a token cannot authenticate. It must fail, not pass
			// as someone else.
			require.Error(t, err)
			assert.Nil(t, resp)
			for _, r := range srv.Requests() {
				assert.NotEqual(t, "OK", r.Code)
			}
			return
		case errors.Is(err, chatapp.ErrCredentials) && !plausible:
			// Refusing credentials no real key has (control characters,
			// white space at either end) before sending is fine too.
			assert.Nil(t, resp)
			assert.Empty(t, srv.Requests(), "refused credentials are not sent")
			return
		}
		require.NoError(t, err, "the emulator refused what the client signed")
		log := srv.Requests()
		require.Len(t, log, 1)
		requireParams(t, log[0], sig, req, accessKeyID, token)

		want, err := srv.Metrics(req)
		require.NoError(t, err)
		require.Len(t, resp.Data, len(want))
		// JSON carries only valid UTF-8: invalid bytes of the number come
		// back as replacement characters.
		for i := range want {
			want[i].PhoneNumber = replaceEachInvalidByte(want[i].PhoneNumber)
		}
		if len(want) == 0 {
			assert.Empty(t, resp.Data)
		} else {
			assert.Equal(t, want, resp.Data)
		}
	})
}

// plausibleCredential reports whether s could be a real secret or token:
// no control character and no white space at either end. A client may
// refuse others before sending anything.
func plausibleCredential(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) && strings.TrimSpace(s) == s
}

// survivesAsHeaderValue reports whether s reaches a server unchanged as an
// HTTP header value: no control character but tab, and no white space at
// either end.
func survivesAsHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return strings.Trim(s, " \t") == s
}

// requireParams checks that the emulator read exactly the parameters the
// request set, each once, and none injected.
func requireParams(t *testing.T, r chatapptest.Request, sig chatapp.SignatureVersion, req *chatapp.GetChatappPhoneNumberMetricRequest, accessKeyID, token string) {
	t.Helper()
	want := url.Values{
		"Start": {strconv.FormatInt(req.Start.UnixMilli(), 10)},
		"End":   {strconv.FormatInt(req.End.UnixMilli(), 10)},
	}
	for name, v := range map[string]string{"PhoneNumber": req.PhoneNumber, "CustSpaceId": req.CustSpaceID, "IsvCode": req.IsvCode, "Granularity": string(req.Granularity)} {
		if v != "" {
			want[name] = []string{v}
		}
	}
	got := url.Values{}
	for name, values := range r.Query {
		got[name] = values
	}
	if sig == chatapp.SignatureRPC {
		common := []string{"AccessKeyId", "Action", "Format", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp", "Version", "Signature"}
		if token != "" {
			common = append(common, "SecurityToken")
			assert.Equal(t, []string{token}, got["SecurityToken"])
		}
		assert.Equal(t, []string{accessKeyID}, got["AccessKeyId"])
		for _, name := range common {
			assert.Len(t, got[name], 1, name)
			delete(got, name)
		}
	}
	if !assert.Equal(t, want, got) {
		names := slices.Sorted(maps.Keys(got))
		t.Logf("names the emulator read: %q", names)
	}
}

// TestHostileFieldValuesReachTheEmulatorIntact: values full of separators,
// escapes, unicode, control characters and 10 KB long are encoded, not
// injected, under both schemes, with AccessKey and STS credentials, and
// the emulator's independent verifier accepts the signature.
func TestHostileFieldValuesReachTheEmulatorIntact(t *testing.T) {
	for _, sig := range []chatapp.SignatureVersion{chatapp.SignatureV3, chatapp.SignatureRPC} {
		for _, sts := range []bool{false, true} {
			name := sig.String() + "/AccessKey"
			if sts {
				name = sig.String() + "/STS"
			}
			t.Run(name, func(t *testing.T) {
				srv := chatapptest.NewServer()
				defer srv.Close()
				srv.AddPhoneNumber(hostileValue) // only the channel's numbers have data
				opts := []chatapp.Option{chatapp.WithSignatureVersion(sig), chatapp.WithMaxAttempts(1)}
				token := ""
				if sts {
					key := newSTSKey("hostile")
					token = key.token + "&SecurityToken=forged"
					srv.AddSTSToken(key.id, key.secret+"&=+ %", token)
					opts = append(opts, chatapp.WithSTSToken(key.id, key.secret+"&=+ %", token))
				}
				c, err := srv.Client(opts...)
				require.NoError(t, err)
				req := loadRequest()
				req.PhoneNumber, req.CustSpaceID, req.IsvCode = hostileValue, hostileValue+"1", hostileValue+"2"
				resp, err := c.GetChatappPhoneNumberMetric(context.Background(), req)
				require.NoError(t, err)
				require.Len(t, resp.Data, 7)
				for _, p := range resp.Data {
					assert.Equal(t, replaceEachInvalidByte(hostileValue), p.PhoneNumber, "the number the emulator read, echoed")
				}
				log := srv.Requests()
				require.Len(t, log, 1)
				requireParams(t, log[0], sig, req, log[0].AccessKeyID, token)
			})
		}
	}
}

// replaceEachInvalidByte replaces every byte of s that is not part of
// valid UTF-8 with U+FFFD, as encoding/json does when it encodes s.
func replaceEachInvalidByte(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[:size])
		}
		s = s[size:]
	}
	return b.String()
}
