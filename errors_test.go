package chatapp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var allSentinels = []error{
	ErrThrottled, ErrProductNotSubscribed, ErrPermissionDenied, ErrResourceOwnerUnknown,
	ErrAuthentication, ErrInvalidParameter, ErrServer, ErrMalformedResponse,
	ErrResponseTooLarge, ErrInvalidRequest, ErrCredentials,
}

// TestErrorMapping sends each documented code with its documented status
// (and some on HTTP 200 or another status) and checks the one sentinel it
// must match, the *APIError fields, and that no other sentinel matches.
func TestErrorMapping(t *testing.T) {
	cases := []struct {
		status int
		code   string
		want   error // nil: no family
	}{
		{400, "Product.Unsubscript", ErrProductNotSubscribed},
		{400, "Ram.PermissionDeny", ErrPermissionDenied},
		{400, "System.LimitControl", ErrThrottled},
		{400, "Unknown.ResourceOwnerId", ErrResourceOwnerUnknown},
		{200, "System.LimitControl", ErrThrottled},
		{200, "Product.Unsubscript", ErrProductNotSubscribed},
		{400, "Throttling", ErrThrottled},
		{400, "Throttling.User", ErrThrottled},
		{400, "Throttling.Api", ErrThrottled},
		{403, "Forbidden.RAM", ErrPermissionDenied},
		{403, "Forbidden", ErrPermissionDenied},
		{403, "NoPermission", ErrPermissionDenied},
		{400, "SignatureDoesNotMatch", ErrAuthentication},
		{403, "SignatureDoesNotMatch", ErrAuthentication},
		{400, "IncompleteSignature", ErrAuthentication},
		{404, "InvalidAccessKeyId.NotFound", ErrAuthentication},
		{400, "InvalidAccessKeyId.Inactive", ErrAuthentication},
		{400, "InvalidTimeStamp.Expired", ErrAuthentication},
		{400, "SignatureNonceUsed", ErrAuthentication},
		{400, "InvalidSecurityToken.Expired", ErrAuthentication},
		{400, "InvalidSignatureVersion", ErrAuthentication},
		{400, "MissingStart", ErrInvalidParameter},
		{400, "MissingParameter", ErrInvalidParameter},
		{400, "InvalidGranularity", ErrInvalidParameter},
		{400, "InvalidParameter.PhoneNumberError", ErrInvalidParameter},
		{500, "InternalError", ErrServer},
		{503, "ServiceUnavailable", ErrServer},
		{500, "CHAT.APIError", ErrServer},
		{404, "InvalidApi.NotFound", nil},
		{400, "InvalidVersion", nil},
		{400, "DetailError.TemplateNotExist", nil},
		{502, "SomethingNew", ErrServer},
		// Gateway codes without a suffix, and ChatApp binding codes.
		{404, "InvalidAccessKeyId", ErrAuthentication},
		{400, "InvalidSecurityToken", ErrAuthentication},
		{400, "InvalidTimeStamp", ErrAuthentication},
		{403, "Forbidden.AccessKeyDisabled", ErrAuthentication},
		{400, "InvalidProtocol.NeedSsl", nil},
		{400, "999999", ErrServer},
		{200, "ERR-OPERATION-MAAP-0060", ErrResourceOwnerUnknown},
		{200, "ERR-OPERATION-MAAP-0065", ErrResourceOwnerUnknown},
		{400, "SomethingNew", nil},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d %s", tc.status, tc.code), func(t *testing.T) {
			c, mock := newMockClient(t, WithMaxAttempts(1))
			script(mock, jsonAnswer(tc.status, errorBody(tc.code, "msg for "+tc.code, "REQ-"+tc.code)))
			resp, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
			require.Error(t, err)
			assert.Nil(t, resp)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, &APIError{
				StatusCode: tc.status,
				Code:       tc.code,
				Message:    "msg for " + tc.code,
				RequestID:  "REQ-" + tc.code,
				HostID:     "cams.ap-southeast-1.aliyuncs.com",
				Recommend:  "https://api.aliyun.com/troubleshoot?q=" + tc.code,
			}, apiErr)
			for _, s := range allSentinels {
				assert.Equal(t, s == tc.want, errors.Is(err, s), "errors.Is(err, %v)", s)
			}
			assert.Contains(t, err.Error(), tc.code)
			assert.Contains(t, err.Error(), "REQ-"+tc.code)
		})
	}
}

// TestErrorWithoutCode classifies by status when the body has no code.
func TestErrorWithoutCode(t *testing.T) {
	for status, want := range map[int]error{429: ErrThrottled, 500: ErrServer, 504: ErrServer, 401: ErrAuthentication, 403: ErrPermissionDenied} {
		e := &APIError{StatusCode: status}
		assert.ErrorIs(t, e, want, "status %d", status)
	}
	assert.False(t, errors.Is(&APIError{StatusCode: 400}, ErrInvalidParameter))
}

func TestAccessDeniedDetailObject(t *testing.T) {
	c, mock := newMockClient(t, WithMaxAttempts(1))
	script(mock, jsonAnswer(403, `{"RequestId":"REQ-D","Code":"NoPermission","Message":"You are not authorized to do this action.","AccessDeniedDetail":{"AuthAction":"cams:GetChatappPhoneNumberMetric","AuthPrincipalType":"SubUser","NoPermissionType":"ImplicitDeny"}}`))
	_, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, ErrPermissionDenied)
	assert.JSONEq(t, `{"AuthAction":"cams:GetChatappPhoneNumberMetric","AuthPrincipalType":"SubUser","NoPermissionType":"ImplicitDeny"}`, apiErr.AccessDeniedDetail)
}

// TestMalformedBodies: HTML, empty and code-less bodies are *ResponseError
// values (not *APIError) with the status, a snippet, and the request ID of
// the header.
func TestMalformedBodies(t *testing.T) {
	cases := []struct {
		name    string
		status  int
		body    string
		family  error
		snippet string
	}{
		{"HTML 502", 502, "<html><body><h1>502 Bad Gateway</h1></body></html>", ErrServer, "<h1>502 Bad Gateway</h1>"},
		{"empty 200", 200, "", nil, "empty response body"},
		{"empty 503", 503, "", ErrServer, "empty response body"},
		{"truncated JSON 200", 200, `{"RequestId":"R1","Code":"OK","Data":[{"SentCount":1`, nil, "unexpected end of JSON input"},
		{"code-less error", 400, `{"foo":"bar"}`, nil, "without Code or Message"},
		{"control characters", 500, "bad\x00\x1b[31m\nbody", ErrServer, "bad\uFFFD\uFFFD[31m body"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mock := newMockClient(t, WithMaxAttempts(1))
			script(mock, jsonAnswer(tc.status, tc.body, "X-Acs-Request-Id", "HDR-1", "Content-Type", "text/html"))
			resp, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
			assert.Nil(t, resp)
			assert.ErrorIs(t, err, ErrMalformedResponse)
			if tc.family != nil {
				assert.ErrorIs(t, err, tc.family)
			}
			respErr := requireResponseError(t, err, tc.status, "HDR-1")
			assert.Contains(t, respErr.Problem, tc.snippet)
		})
	}
}

func TestSnippetIsBounded(t *testing.T) {
	s := snippet(bytes.Repeat([]byte("x"), 10_000))
	assert.Equal(t, strings.Repeat("x", 200)+"…", s, "the first 200 bytes, marked as cut")
	assert.Equal(t, "short", snippet([]byte("short")), "a short body is not marked")
}

func TestOperationErrorUnwraps(t *testing.T) {
	inner := &APIError{StatusCode: 400, Code: "System.LimitControl", RequestID: "R"}
	err := error(&OperationError{Operation: "GetChatappPhoneNumberMetric", Attempts: 3, Err: inner})
	assert.ErrorIs(t, err, ErrThrottled)
	var got *APIError
	require.ErrorAs(t, err, &got)
	assert.Same(t, inner, got)
	assert.Equal(t, "chatapp: GetChatappPhoneNumberMetric: System.LimitControl (HTTP 400) [RequestId R]", err.Error())
}

func TestLimiterDeadlineErrorMatchesBoth(t *testing.T) {
	err := error(&LimiterDeadlineError{Wait: 1500 * time.Millisecond})
	assert.ErrorIs(t, err, ErrThrottled)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, context.Canceled)
	assert.Equal(t, "rate limiter wait of 1.5s would exceed the context deadline", err.Error())
}
