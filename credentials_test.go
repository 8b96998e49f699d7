package chatapp_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	alicred "github.com/aliyun/credentials-go/credentials"
	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scriptedProvider is a credentials-go Credential whose GetCredential
// runs a script, given the call's number (1 for the first). It counts the
// calls, and is safe for concurrent use as long as the script is.
type scriptedProvider struct {
	calls  atomic.Int64
	script func(call int64) (*alicred.CredentialModel, error)
}

var errDeprecatedGetter = errors.New("scriptedProvider: use GetCredential")

func (p *scriptedProvider) GetCredential() (*alicred.CredentialModel, error) {
	return p.script(p.calls.Add(1))
}
func (p *scriptedProvider) GetAccessKeyId() (*string, error)     { return nil, errDeprecatedGetter }
func (p *scriptedProvider) GetAccessKeySecret() (*string, error) { return nil, errDeprecatedGetter }
func (p *scriptedProvider) GetSecurityToken() (*string, error)   { return nil, errDeprecatedGetter }
func (p *scriptedProvider) GetBearerToken() *string              { return nil }
func (p *scriptedProvider) GetType() *string                     { return credentialField("sts") }

func credentialField(s string) *string { return &s }

// stsKey is one set of STS credentials.
type stsKey struct{ id, secret, token string }

var stsKeySeq atomic.Int64

// newSTSKey returns STS credentials unique in the process, so that each
// test has its own default limiter bucket.
func newSTSKey(label string) stsKey {
	n := stsKeySeq.Add(1)
	return stsKey{
		id:     fmt.Sprintf("STS.%s%d", label, n),
		secret: fmt.Sprintf("SECRET-sts-%s-%d", label, n),
		token:  fmt.Sprintf("TOKEN-sts-%s-%d+/=", label, n),
	}
}

func (k stsKey) model() *alicred.CredentialModel {
	return &alicred.CredentialModel{
		AccessKeyId: credentialField(k.id), AccessKeySecret: credentialField(k.secret), SecurityToken: credentialField(k.token), Type: credentialField("sts"),
	}
}

// TestBrokenCredentialProviders: whatever a provider does wrong, the call
// fails with ErrCredentials before anything is sent, and the process
// survives a provider that panics.
func TestBrokenCredentialProviders(t *testing.T) {
	providerDown := errors.New("ECS metadata server unreachable")
	key := newSTSKey("broken")
	withoutID := key.model()
	withoutID.AccessKeyId = credentialField("")
	withoutSecret := key.model()
	withoutSecret.AccessKeySecret = nil
	spacedID := key.model()
	spacedID.AccessKeyId = credentialField(" " + key.id + "\n")
	cases := []struct {
		name   string
		script func(int64) (*alicred.CredentialModel, error)
		cause  error // also matched, when not nil
	}{
		{"error", func(int64) (*alicred.CredentialModel, error) { return nil, providerDown }, providerDown},
		{"nil and no error", func(int64) (*alicred.CredentialModel, error) { return nil, nil }, nil},
		{"every field nil", func(int64) (*alicred.CredentialModel, error) { return &alicred.CredentialModel{}, nil }, nil},
		{"empty AccessKeyId", func(int64) (*alicred.CredentialModel, error) { return withoutID, nil }, nil},
		{"no secret", func(int64) (*alicred.CredentialModel, error) { return withoutSecret, nil }, nil},
		{"AccessKeyId with white space", func(int64) (*alicred.CredentialModel, error) { return spacedID, nil }, nil},
		{"bearer token", func(int64) (*alicred.CredentialModel, error) {
			return &alicred.CredentialModel{BearerToken: credentialField("TOKEN-bearer"), Type: credentialField("bearer")}, nil
		}, nil},
		{"panics", func(int64) (*alicred.CredentialModel, error) { panic("SECRET-in-panic: config file unreadable") }, nil},
		{"panics with an error", func(int64) (*alicred.CredentialModel, error) { panic(providerDown) }, nil},
		{"panics with nil", func(int64) (*alicred.CredentialModel, error) { panic(nil) }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := chatapptest.NewServer()
			defer srv.Close()
			p := &scriptedProvider{script: tc.script}
			c, err := srv.Client(chatapp.WithCredential(p))
			require.NoError(t, err)
			resp, err := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
			require.Error(t, err)
			assert.Nil(t, resp)
			assert.ErrorIs(t, err, chatapp.ErrCredentials)
			if tc.cause != nil {
				assert.ErrorIs(t, err, tc.cause, "the provider's error is kept")
			}
			var opErr *chatapp.OperationError
			require.ErrorAs(t, err, &opErr)
			assert.Zero(t, opErr.Attempts)
			assert.Zero(t, srv.Stats().Requests, "nothing is sent without credentials")
			assert.Equal(t, int64(1), p.calls.Load(), "a broken provider is not asked again within a call")
			assert.NotContains(t, err.Error(), "SECRET")
		})
	}
}

// TestSTSRotationBetweenAttempts: the provider hands out new STS
// credentials after the first attempt failed; the retry is signed with the
// new AccessKeyId and carries the new token, and the emulator, which
// knows both, accepts it.
func TestSTSRotationBetweenAttempts(t *testing.T) {
	for _, sig := range []chatapp.SignatureVersion{chatapp.SignatureV3, chatapp.SignatureRPC} {
		for _, fault := range []chatapptest.Fault{
			{Kind: chatapptest.FaultError, Status: 503, Code: "ServiceUnavailable"},
			{Kind: chatapptest.FaultError, Status: 400, Code: "InvalidSecurityToken.Expired", Message: "Specified SecurityToken is expired."},
		} {
			t.Run(sig.String()+"/"+fault.Code, func(t *testing.T) {
				srv := chatapptest.NewServer()
				defer srv.Close()
				old, fresh := newSTSKey("old"), newSTSKey("fresh")
				srv.AddSTSToken(old.id, old.secret, old.token)
				srv.AddSTSToken(fresh.id, fresh.secret, fresh.token)
				p := &scriptedProvider{script: func(call int64) (*alicred.CredentialModel, error) {
					if call == 1 {
						return old.model(), nil
					}
					return fresh.model(), nil
				}}
				c, err := srv.Client(chatapp.WithCredential(p), chatapp.WithSignatureVersion(sig), quickRetries)
				require.NoError(t, err)
				srv.InjectFault(1, fault)

				resp, err := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
				require.NoError(t, err)
				requireWeek(t, srv, resp)

				log := srv.Requests()
				require.Len(t, log, 2)
				assert.Equal(t, []string{old.id, fresh.id}, []string{log[0].AccessKeyID, log[1].AccessKeyID})
				assert.Equal(t, []string{old.token, fresh.token}, []string{wireToken(log[0]), wireToken(log[1])})
				assert.True(t, log[0].Fault)
				assert.Equal(t, "OK", log[1].Code, "the emulator verified the new signature")
				assert.Equal(t, int64(2), p.calls.Load(), "credentials are asked for once per attempt")
			})
		}
	}
}

// wireToken is the SecurityToken a request carried, in either scheme.
func wireToken(r chatapptest.Request) string {
	if r.Scheme == chatapptest.SchemeRPC {
		return r.Query.Get("SecurityToken")
	}
	return r.Header.Get("X-Acs-Security-Token")
}

// TestConcurrentCallsShareCredentialFetches: 64 calls start at once
// against a provider that takes 200ms. They share one fetch, wait 200ms
// rather than 64 × 200ms, and sign with what it returned. When the
// provider then rotates, the next 64 share the next fetch and all sign
// with the new key.
func TestConcurrentCallsShareCredentialFetches(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		first, second := newSTSKey("first"), newSTSKey("second")
		var fetching concurrency
		p := &scriptedProvider{script: func(call int64) (*alicred.CredentialModel, error) {
			fetching.enter()
			defer fetching.leave()
			time.Sleep(200 * time.Millisecond)
			if call == 1 {
				return first.model(), nil
			}
			return second.model(), nil
		}}
		mock := httpmock.NewMockTransport()
		var mu sync.Mutex
		signedWith := map[string]int{}
		mock.RegisterResponder(http.MethodPost, rangeTestEndpoint+"/", func(req *http.Request) (*http.Response, error) {
			mu.Lock()
			signedWith[req.Header.Get("X-Acs-Accesskey-Id")+" "+req.Header.Get("X-Acs-Security-Token")]++
			mu.Unlock()
			return httpmock.NewStringResponse(200, `{"RequestId":"R","Code":"OK","Data":[]}`), nil
		})
		c, err := chatapp.NewClient(chatapp.WithEndpoint(rangeTestEndpoint), chatapp.WithCredential(p),
			chatapp.WithRateLimiter(nil), chatapp.WithHTTPClient(&http.Client{Transport: mock}))
		require.NoError(t, err)

		burst := func() {
			var wg sync.WaitGroup
			for range 64 {
				wg.Go(func() {
					_, err := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
					assert.NoError(t, err)
				})
			}
			wg.Wait()
		}

		start := time.Now()
		burst()
		assert.Equal(t, 200*time.Millisecond, time.Since(start), "the callers waited for one fetch")
		assert.Equal(t, int64(1), p.calls.Load(), "64 concurrent first calls, one fetch")
		assert.Equal(t, map[string]int{first.id + " " + first.token: 64}, signedWith)

		clear(signedWith)
		burst()
		assert.Equal(t, int64(2), p.calls.Load(), "the next burst shares the next fetch")
		assert.Equal(t, map[string]int{second.id + " " + second.token: 64}, signedWith, "every call signs with the rotated key")
		assert.Equal(t, int64(1), fetching.most.Load(), "fetches never overlap")
	})
}

// TestCredentialFailureOnRetryKeepsTheLastAnswer: the first attempt got a
// 503 and the provider fails before the retry. The caller sees both: the
// error matches ErrCredentials and ErrServer, and the 503 is reachable.
func TestCredentialFailureOnRetryKeepsTheLastAnswer(t *testing.T) {
	srv := chatapptest.NewServer()
	defer srv.Close()
	key := newSTSKey("flaky")
	srv.AddSTSToken(key.id, key.secret, key.token)
	expired := errors.New("STS AssumeRole: throttled")
	p := &scriptedProvider{script: func(call int64) (*alicred.CredentialModel, error) {
		if call == 1 {
			return key.model(), nil
		}
		return nil, expired
	}}
	c, err := srv.Client(chatapp.WithCredential(p), quickRetries)
	require.NoError(t, err)
	srv.InjectFault(1, chatapptest.Fault{Kind: chatapptest.FaultError, Status: 503, Code: "ServiceUnavailable"})
	resp, err := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
	require.Error(t, err)
	assert.Nil(t, resp)
	assert.ErrorIs(t, err, chatapp.ErrCredentials)
	assert.ErrorIs(t, err, expired)
	assert.ErrorIs(t, err, chatapp.ErrServer)
	var apiErr *chatapp.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 503, apiErr.StatusCode)
	assert.Equal(t, srv.Requests()[0].RequestID, apiErr.RequestID)
	var opErr *chatapp.OperationError
	require.ErrorAs(t, err, &opErr)
	assert.Equal(t, 1, opErr.Attempts)
	assert.Len(t, srv.Requests(), 1)
}

// TestHungCredentialProviderEndsWithTheContext: GetCredential takes no
// context; a provider that hangs must still not hold the caller past its
// deadline.
func TestHungCredentialProviderEndsWithTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		key := newSTSKey("hung")
		p := &scriptedProvider{script: func(int64) (*alicred.CredentialModel, error) {
			<-release
			return key.model(), nil
		}}
		mock := httpmock.NewMockTransport()
		c, err := chatapp.NewClient(chatapp.WithEndpoint(rangeTestEndpoint), chatapp.WithCredential(p),
			chatapp.WithRateLimiter(nil), chatapp.WithHTTPClient(&http.Client{Transport: mock}))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		resp, err := c.GetChatappPhoneNumberMetric(ctx, loadRequest())
		assert.Equal(t, time.Second, time.Since(start))
		assert.Nil(t, resp)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		var opErr *chatapp.OperationError
		require.ErrorAs(t, err, &opErr)
		assert.Zero(t, opErr.Attempts)
		assert.Zero(t, mock.GetTotalCallCount())
		close(release) // let the abandoned fetch finish
	})
}

// TestUnsendableSTSTokenFailsFast: a token with a line break (read from a
// file with its trailing newline, say) can never authenticate, and under
// ACS3 cannot even be sent as a header. Such credentials are unusable: the
// call must fail with ErrCredentials at once, without retries.
func TestUnsendableSTSTokenFailsFast(t *testing.T) {
	for _, sig := range []chatapp.SignatureVersion{chatapp.SignatureV3, chatapp.SignatureRPC} {
		for _, token := range []string{"TOKEN-from-file\n", "TOKEN\r\nX-Injected: 1", "TOKEN\x00"} {
			t.Run(sig.String()+"/"+strconv.Quote(token), func(t *testing.T) {
				srv := chatapptest.NewServer()
				defer srv.Close()
				key := newSTSKey("unsendable")
				p := &scriptedProvider{script: func(int64) (*alicred.CredentialModel, error) {
					m := key.model()
					m.SecurityToken = credentialField(token)
					return m, nil
				}}
				c, err := srv.Client(chatapp.WithCredential(p), chatapp.WithSignatureVersion(sig))
				require.NoError(t, err)
				resp, err := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
				assert.Nil(t, resp)
				assert.ErrorIs(t, err, chatapp.ErrCredentials)
				var opErr *chatapp.OperationError
				require.ErrorAs(t, err, &opErr)
				assert.LessOrEqual(t, opErr.Attempts, 1, "no retries of a request that cannot succeed")
				assert.Zero(t, srv.Stats().Requests, "nothing is sent with such a token")
			})
		}
	}
}

// valueProvider is a provider passed by value whose type is comparable but
// whose value is not: its interface field holds a slice.
type valueProvider struct {
	extra any
	*scriptedProvider
}

// TestIncomparableProviderValueIsKeyedPerClient checks that such a
// provider does not panic as the key of the default limiter (comparing it
// would) and still makes calls.
func TestIncomparableProviderValueIsKeyedPerClient(t *testing.T) {
	srv := chatapptest.NewServer()
	t.Cleanup(srv.Close)
	key := newSTSKey("valueprovider")
	srv.AddSTSToken(key.id, key.secret, key.token)
	p := valueProvider{extra: []int{1}, scriptedProvider: &scriptedProvider{script: func(int64) (*alicred.CredentialModel, error) {
		return &alicred.CredentialModel{AccessKeyId: &key.id, AccessKeySecret: &key.secret, SecurityToken: &key.token}, nil
	}}}
	var c *chatapp.Client
	require.NotPanics(t, func() {
		var err error
		c, err = srv.Client(chatapp.WithCredential(p))
		require.NoError(t, err)
	})
	_, err := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
	require.NoError(t, err)
}
