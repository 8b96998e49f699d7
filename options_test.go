package chatapp

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOptionErrorsNameTheOptionAndRule(t *testing.T) {
	cases := []struct {
		opt  Option
		want string
	}{
		{WithEndpoint(""), "WithEndpoint: endpoint is empty"},
		{WithEndpoint("http://cams.ap-southeast-1.aliyuncs.com"), "WithEndpoint: plain http is allowed only for loopback hosts"},
		{WithEndpoint("http://10.0.0.1:8080"), "loopback"},
		{WithEndpoint("ftp://example.com"), "scheme must be https"},
		{WithEndpoint("https://example.com/v1"), "must not have a path"},
		{WithEndpoint("https://user:pw@example.com"), "must not carry user information"},
		{WithEndpoint("https://example.com/?a=1"), "must not have a query"},
		{WithEndpoint("https://"), "no host"},
		{WithRegion("Singapore"), "WithRegion: region id \"Singapore\""},
		{WithAccessKey("", "s"), "WithAccessKey: credentials: AccessKeyId is empty"},
		{WithAccessKey("id", ""), "WithAccessKey: credentials: AccessKeySecret is empty"},
		{WithAccessKey(" id", "s"), "white space"},
		{WithSTSToken("id", "s", ""), "WithSTSToken: token is empty"},
		{WithCredential(nil), "WithCredential: credential is nil"},
		{WithHTTPClient(nil), "WithHTTPClient: client is nil"},
		{WithSignatureVersion(SignatureVersion(9)), "WithSignatureVersion: unknown version 9"},
		{WithMaxAttempts(0), "WithMaxAttempts: must be at least 1, got 0"},
		{WithBackoff(Backoff{Base: -1}), "WithBackoff: durations must not be negative"},
		{WithUserAgent("a\r\nX-Evil: 1"), "WithUserAgent: must not contain control characters"},
		{WithMaxResponseBytes(0), "WithMaxResponseBytes: must be positive, got 0"},
		{WithAttemptTimeout(-time.Second), "WithAttemptTimeout: must not be negative"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			c, err := NewClient(WithAccessKey("id", "secret"), tc.opt)
			assert.Nil(t, c)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "chatapp: NewClient: "))
		})
	}
}

func TestEndpoints(t *testing.T) {
	cases := map[string]string{
		"":                                 DefaultEndpoint,
		"cams.ap-southeast-1.aliyuncs.com": "https://cams.ap-southeast-1.aliyuncs.com",
		"https://cams.ap-southeast-1.aliyuncs.com/": "https://cams.ap-southeast-1.aliyuncs.com",
		"http://127.0.0.1:8788":                     "http://127.0.0.1:8788",
		"http://localhost:1":                        "http://localhost:1",
		"http://[::1]:80":                           "http://[::1]:80",
		"https://example.com:8443":                  "https://example.com:8443",
	}
	for in, want := range cases {
		opts := []Option{WithAccessKey("id", "secret")}
		if in != "" {
			opts = append(opts, WithEndpoint(in))
		}
		c, err := NewClient(opts...)
		require.NoError(t, err, in)
		assert.Equal(t, want, c.Endpoint(), in)
	}
	c, err := NewClient(WithAccessKey("id", "secret"), WithRegion("ap-southeast-1"))
	require.NoError(t, err)
	assert.Equal(t, DefaultEndpoint, c.Endpoint())
}

func TestBackoffDefaultsFillZeroFields(t *testing.T) {
	c, err := NewClient(WithAccessKey("id", "secret"), WithBackoff(Backoff{Base: time.Second}))
	require.NoError(t, err)
	assert.Equal(t, Backoff{Base: time.Second, ThrottleBase: defaultBackoff.ThrottleBase, Max: defaultBackoff.Max}, c.backoff)
}

func TestClientPrintsNoSecrets(t *testing.T) {
	c, err := NewClient(WithSTSToken("LTAIprint", "SECRET-print-zq8", "TOKEN-print-77"), WithRateLimiter(NewRateLimiter(5)))
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		out := fmt.Sprintf(verb, c)
		assert.NotContains(t, out, "SECRET-print")
		assert.NotContains(t, out, "TOKEN-print")
	}
	assert.Equal(t, "chatapp.Client{endpoint: https://cams.ap-southeast-1.aliyuncs.com, signature: ACS3-HMAC-SHA256, limiter: *chatapp.bucket, maxAttempts: 3}", fmt.Sprint(c))
	cred := credentials{"id", "SECRET-x", "TOKEN-y"}
	want := "credentials{AccessKeyId: id, AccessKeySecret: [redacted], SecurityToken: [redacted]}"
	assert.Equal(t, want, fmt.Sprintf("%+v", cred))
	assert.Equal(t, want, fmt.Sprintf("%#v", cred))
}

// TestDefaultCredentialChain: without a credential option the client asks
// credentials-go's default chain, here the environment, per call.
func TestDefaultCredentialChain(t *testing.T) {
	isolateCredentialChain(t)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIfromenv")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret-from-env")
	mock := httpmock.NewMockTransport()
	c, err := NewClient(WithHTTPClient(&http.Client{Transport: mock}), WithRateLimiter(nil))
	require.NoError(t, err)
	rec := script(mock, jsonAnswer(200, sevenDays))
	_, err = c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
	require.NoError(t, err)
	assert.Contains(t, rec.request(0).Header.Get("Authorization"), "Credential=LTAIfromenv,")
}

func TestDefaultCredentialChainEmpty(t *testing.T) {
	isolateCredentialChain(t)
	mock := httpmock.NewMockTransport()
	c, err := NewClient(WithHTTPClient(&http.Client{Transport: mock}), WithRateLimiter(nil))
	require.NoError(t, err, "NewClient does no I/O and needs no credentials yet")
	rec := script(mock, jsonAnswer(200, sevenDays))
	_, err = c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
	assert.ErrorIs(t, err, ErrCredentials)
	assert.Zero(t, rec.count())
}

// isolateCredentialChain points every source of credentials-go's default
// chain at nothing, so the test sees only what it sets.
func isolateCredentialChain(t *testing.T) {
	dir := t.TempDir()
	for _, kv := range [][2]string{
		{"ALIBABA_CLOUD_ACCESS_KEY_ID", ""}, {"ALIBABA_CLOUD_ACCESS_KEY_SECRET", ""}, {"ALIBABA_CLOUD_SECURITY_TOKEN", ""},
		{"ALIBABA_CLOUD_ROLE_ARN", ""}, {"ALIBABA_CLOUD_OIDC_PROVIDER_ARN", ""}, {"ALIBABA_CLOUD_OIDC_TOKEN_FILE", ""},
		{"ALIBABA_CLOUD_CREDENTIALS_URI", ""}, {"ALIBABA_CLOUD_ECS_METADATA", ""},
		{"ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"}, {"ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true"},
		{"ALIBABA_CLOUD_CONFIG_FILE", filepath.Join(dir, "none.json")},
		{"ALIBABA_CLOUD_CREDENTIALS_FILE", filepath.Join(dir, "none.ini")},
		{"HOME", dir},
	} {
		t.Setenv(kv[0], kv[1])
	}
}
