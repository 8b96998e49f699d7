package conformance

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/chatappkit/chatapp/conformance/officialcams"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// throttleFault is a flow-control answer the emulator is made to give.
type throttleFault struct {
	code  string
	fault chatapptest.Fault
	// officialThrottling: the official core classes the code as
	// throttling (a *ThrottlingError before the *tea.SDKError flattening).
	officialThrottling bool
	// retryAfterMs is the wait the answer's x-ratelimit-user-api asks for.
	retryAfterMs int64
}

// throttleFaults are the two flow-control answers the service gives: CAMS'
// own System.LimitControl, and the gateway's Throttling.User with an
// x-ratelimit-user-api header asking to wait 40 ms.
func throttleFaults() []throttleFault {
	limit := chatapptest.Fault{
		Kind:   chatapptest.FaultError,
		Action: "GetChatappPhoneNumberMetric",
		Status: http.StatusBadRequest,
		Code:   "System.LimitControl",
	}
	user := chatapptest.ThrottlingFault(40 * time.Millisecond)
	user.Action = "GetChatappPhoneNumberMetric"
	return []throttleFault{
		{code: "System.LimitControl", fault: limit},
		{code: "Throttling.User", fault: user, officialThrottling: true, retryAfterMs: 40},
	}
}

// TestThrottlingContrast documents how the two clients differ on a
// throttling answer, under each scheme.
//
// The official core (default Config, no RetryOptions) makes one attempt and
// returns a *tea.SDKError carrying the code, the HTTP status and, inside
// its Message, the RequestId. Below that flattening (Client.DisableSDKError)
// it classes only Throttling, Throttling.User and Throttling.Api as a
// *ThrottlingError; System.LimitControl is a plain *ClientError.
//
// chatapp.Client retries both codes (up to 3 attempts by default), recovers
// when the service lets it through, and otherwise returns an error
// matching chatapp.ErrThrottled that unwraps to an *APIError with the code,
// the status and the RequestId of the last answer.
func TestThrottlingContrast(t *testing.T) {
	for _, s := range schemes {
		for _, tf := range throttleFaults() {
			t.Run(s.name+"/"+tf.code, func(t *testing.T) {
				t.Run("official", func(t *testing.T) {
					srv := newServer(t)
					k := credentials(srv, credKinds[0])
					client := officialClient(t, srv.URL, k, s, nil)

					srv.InjectFault(1, tf.fault)
					_, err := officialcams.GetMetric(client, dailyModel(), nil)
					got := onlyRequest(t, srv)
					require.True(t, got.Fault)
					assert.Equal(t, tf.code, got.Code)
					assert.NotEmpty(t, got.RequestID)
					requireSDKError(t, err, tf.code, http.StatusBadRequest, got.RequestID)
					assert.Zero(t, srv.PendingFaults())

					// The typed error the core builds before flattening it.
					srv.ClearRequests()
					client.DisableSDKError = dara.Bool(true)
					srv.InjectFault(1, tf.fault)
					_, err = officialcams.GetMetric(client, dailyModel(), nil)
					got = onlyRequest(t, srv)
					var throttling *openapi.ThrottlingError
					var clientErr *openapi.ClientError
					if tf.officialThrottling {
						require.ErrorAs(t, err, &throttling)
						assert.Equal(t, tf.code, dara.StringValue(throttling.Code))
						assert.Equal(t, got.RequestID, dara.StringValue(throttling.RequestId))
						assert.Equal(t, tf.retryAfterMs, dara.Int64Value(throttling.RetryAfter))
					} else {
						assert.False(t, errors.As(err, &throttling), "the official core does not class %s as throttling", tf.code)
						require.ErrorAs(t, err, &clientErr)
						assert.Equal(t, tf.code, dara.StringValue(clientErr.Code))
						assert.Equal(t, got.RequestID, dara.StringValue(clientErr.RequestId))
					}
				})

				t.Run("chatapp/exhausted", func(t *testing.T) {
					srv := newServer(t)
					k := credentials(srv, credKinds[0])
					ours, err := srv.Client(append(chatappOptions(k, s), fastBackoff())...)
					require.NoError(t, err)

					srv.InjectFault(chatapp.DefaultMaxAttempts, tf.fault)
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					_, err = ours.GetChatappPhoneNumberMetric(ctx, chatappDailyRequest())
					require.Error(t, err)
					assert.ErrorIs(t, err, chatapp.ErrThrottled)

					reqs := srv.Requests()
					require.Len(t, reqs, chatapp.DefaultMaxAttempts, "chatapp retries throttling")
					last := reqs[len(reqs)-1]
					var apiErr *chatapp.APIError
					require.ErrorAs(t, err, &apiErr)
					assert.Equal(t, tf.code, apiErr.Code)
					assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
					assert.Equal(t, last.RequestID, apiErr.RequestID)
					assert.NotEmpty(t, apiErr.RequestID)
					var opErr *chatapp.OperationError
					require.ErrorAs(t, err, &opErr)
					assert.Equal(t, chatapp.DefaultMaxAttempts, opErr.Attempts)
					if tf.retryAfterMs > 0 {
						assert.Equal(t, time.Duration(tf.retryAfterMs)*time.Millisecond, apiErr.RetryAfter)
					}
				})

				t.Run("chatapp/recovers", func(t *testing.T) {
					srv := newServer(t)
					k := credentials(srv, credKinds[0])
					ours, err := srv.Client(append(chatappOptions(k, s), fastBackoff())...)
					require.NoError(t, err)

					srv.InjectFault(1, tf.fault)
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					resp, err := ours.GetChatappPhoneNumberMetric(ctx, chatappDailyRequest())
					require.NoError(t, err, "the fault the official core gives up on, chatapp retries through")
					assert.Len(t, resp.Data, 7)
					reqs := srv.Requests()
					require.Len(t, reqs, 2)
					assert.Equal(t, tf.code, reqs[0].Code)
					assert.Equal(t, "OK", reqs[1].Code)
					assert.Equal(t, reqs[1].RequestID, resp.RequestID)
				})
			})
		}
	}
}

// fastBackoff keeps chatapp's pauses between attempts to milliseconds, so
// the test measures behaviour, not the default one-second throttling base.
func fastBackoff() chatapp.Option {
	return chatapp.WithBackoff(chatapp.Backoff{Base: time.Millisecond, ThrottleBase: time.Millisecond, Max: 50 * time.Millisecond})
}
