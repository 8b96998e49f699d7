package chatapp

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors. Match them with errors.Is; the error itself is usually an
// *APIError (errors.As gives the details) wrapped in an *OperationError.
var (
	// ErrThrottled matches flow control by the service (System.LimitControl,
	// Throttling, Throttling.User, Throttling.Api, HTTP 429) and a client-side
	// rate-limiter wait that could not finish before the context deadline.
	ErrThrottled = errors.New("chatapp: throttled")
	// ErrProductNotSubscribed matches Product.Unsubscript: the account has not
	// activated ChatApp Message Service.
	ErrProductNotSubscribed = errors.New("chatapp: product not subscribed")
	// ErrPermissionDenied matches RAM denials: Ram.PermissionDeny,
	// Forbidden, Forbidden.*, NoPermission, Authentication.NoAuth, and a 403
	// that carries no code. APIError.AccessDeniedDetail says which policy.
	ErrPermissionDenied = errors.New("chatapp: permission denied")
	// ErrResourceOwnerUnknown matches Unknown.ResourceOwnerId: the resource
	// (for example a CustSpaceId) does not belong to the caller.
	ErrResourceOwnerUnknown = errors.New("chatapp: resource owner unknown")
	// ErrAuthentication matches a request the gateway could not authenticate:
	// an unknown or disabled AccessKey, a bad or expired STS token, a
	// signature mismatch, a timestamp outside the ±15 minute window, or a
	// replayed nonce.
	ErrAuthentication = errors.New("chatapp: authentication failed")
	// ErrInvalidParameter matches the gateway rejecting a parameter
	// (MissingParameter, Missing<Name>, InvalidParameter, Invalid<Name>).
	// Requests this package validates locally fail with ErrInvalidRequest
	// before they are sent.
	ErrInvalidParameter = errors.New("chatapp: invalid parameter")
	// ErrServer matches a failure on the service's side: InternalError,
	// ServiceUnavailable and any HTTP 5xx. Such errors are retried.
	ErrServer = errors.New("chatapp: server error")
	// ErrMalformedResponse matches a response that is not the JSON the
	// operation returns: an HTML gateway page, an empty or truncated body.
	ErrMalformedResponse = errors.New("chatapp: malformed response")
	// ErrResponseTooLarge matches a response body over the client's cap
	// (WithMaxResponseBytes). The body is not read past the cap.
	ErrResponseTooLarge = errors.New("chatapp: response too large")
	// ErrInvalidRequest matches a request rejected by local validation,
	// before any network I/O. The error is a *ValidationError.
	ErrInvalidRequest = errors.New("chatapp: invalid request")
	// ErrCredentials matches a credential provider that failed or returned
	// unusable credentials (nil, an empty AccessKeyId or secret).
	ErrCredentials = errors.New("chatapp: credentials unavailable")
)

// OperationError is what every failed call returns: the operation, how many
// HTTP attempts were made, and the cause (an *APIError, a *ValidationError,
// a transport error, or a context error).
type OperationError struct {
	Operation string // the API action, e.g. "GetChatappPhoneNumberMetric"
	Attempts  int    // HTTP attempts made; 0 when the call failed before sending
	Err       error
}

// Error reports the operation and the cause.
func (e *OperationError) Error() string {
	return "chatapp: " + e.Operation + ": " + e.Err.Error()
}

// Unwrap returns the cause, so errors.Is and errors.As see through it.
func (e *OperationError) Unwrap() error { return e.Err }

// APIError is an error answer from the service: an HTTP status outside 2xx,
// or HTTP 200 whose body Code is not "OK". Code is empty when the body was not
// the expected JSON; Message then holds a short snippet of it.
type APIError struct {
	StatusCode         int    // HTTP status
	Code               string // the body's Code, e.g. "System.LimitControl"
	Message            string // the body's Message, secrets redacted
	RequestID          string // the body's RequestId, else the x-acs-request-id header
	HostID             string // the body's HostId
	Recommend          string // the body's Recommend (a troubleshooting URL)
	AccessDeniedDetail string // a string, or the compact JSON of the object RAM sends
	// RetryAfter is the server's wait hint (the TimeLeft of the
	// x-ratelimit-user-api / x-ratelimit-user headers, or Retry-After); 0 when
	// none was sent.
	RetryAfter time.Duration

	malformed bool // the body was not the JSON the operation returns
	cut       bool // the body ended early: the connection broke mid-answer
	tooLarge  bool // the body was over the client's cap and not read
}

// Error reports the code, status, message and request ID on one line.
func (e *APIError) Error() string {
	var b strings.Builder
	code := e.Code
	if code == "" {
		code = "no error code"
	}
	b.WriteString(code)
	b.WriteString(" (HTTP ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	b.WriteString(")")
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" [RequestId ")
		b.WriteString(e.RequestID)
		b.WriteString("]")
	}
	return b.String()
}

// Is reports whether the error belongs to target's family: ErrThrottled,
// ErrProductNotSubscribed, ErrPermissionDenied, ErrResourceOwnerUnknown,
// ErrAuthentication, ErrInvalidParameter, ErrServer, ErrMalformedResponse or
// ErrResponseTooLarge.
// The family is derived from Code, and from StatusCode only when there is
// no code (signing.md §6.2).
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrMalformedResponse:
		return e.malformed
	case ErrResponseTooLarge:
		return e.tooLarge
	}
	return target != nil && e.family() == target
}

// family classifies e into one of the sentinel errors, or nil.
func (e *APIError) family() error {
	if e.Code != "" {
		if f := codeFamily(e.Code); f != nil {
			return f
		}
	}
	switch {
	case e.Code != "" && e.StatusCode < 500:
		return nil
	case e.StatusCode == 429:
		return ErrThrottled
	case e.StatusCode >= 500:
		return ErrServer
	case e.StatusCode == 401:
		return ErrAuthentication
	case e.StatusCode == 403:
		return ErrPermissionDenied
	}
	return nil
}

// codeFamily maps a body Code to its sentinel. The lists come from the cams
// API reference and the OpenAPI gateway error tables (spec/README.md,
// signing.md §6.3).
func codeFamily(code string) error {
	switch code {
	case "System.LimitControl", "Throttling":
		return ErrThrottled
	case "Product.Unsubscript":
		return ErrProductNotSubscribed
	case "Ram.PermissionDeny", "Forbidden", "NoPermission", "Authentication.NoAuth":
		return ErrPermissionDenied
	case "Unknown.ResourceOwnerId":
		return ErrResourceOwnerUnknown
	case "SignatureDoesNotMatch", "IncompleteSignature", "SignatureNonceUsed",
		"InvalidSignatureMethod", "InvalidSignatureVersion", "IllegalTimestamp", "MissingSecurityToken", "InvalidCredentials":
		return ErrAuthentication
	case "InternalError", "ServiceUnavailable", "CHAT.APIError", "ERR-COMMON-001":
		return ErrServer
	}
	switch {
	case strings.HasPrefix(code, "Throttling."):
		return ErrThrottled
	case strings.HasPrefix(code, "Forbidden."):
		return ErrPermissionDenied
	case strings.HasPrefix(code, "InvalidAccessKeyId."),
		strings.HasPrefix(code, "InvalidSecurityToken."),
		strings.HasPrefix(code, "InvalidTimeStamp."):
		return ErrAuthentication
	// The auth families above start with "Invalid" too, so they are settled
	// first; InvalidApi/InvalidAction/InvalidVersion name a wrong endpoint or
	// action, not a parameter.
	case strings.HasPrefix(code, "InvalidApi"), strings.HasPrefix(code, "InvalidAction"),
		strings.HasPrefix(code, "InvalidVersion"), strings.HasPrefix(code, "InvalidProduct"):
		return nil
	case strings.HasPrefix(code, "Missing"), strings.HasPrefix(code, "Invalid"):
		return ErrInvalidParameter
	}
	return nil
}

// ValidationError reports a request field that breaks a rule. It matches
// ErrInvalidRequest.
type ValidationError struct {
	Field string // the request field, e.g. "End"
	Rule  string // what the field must satisfy, e.g. "must be after Start"
}

// Error names the field and the rule.
func (e *ValidationError) Error() string { return e.Field + ": " + e.Rule }

// Is reports whether target is ErrInvalidRequest.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }

// LimiterDeadlineError reports that a rate-limiter wait would end after the
// context deadline, so the call failed at once instead of sleeping in vain.
// It matches both ErrThrottled and context.DeadlineExceeded, which
// golang.org/x/time/rate's own error does not (golang/go#54541). Limiter
// implementations outside this package return it too.
type LimiterDeadlineError struct {
	Wait time.Duration // how long the limiter would have made the call wait
}

// Error reports the wait that did not fit.
func (e *LimiterDeadlineError) Error() string {
	return fmt.Sprintf("rate limiter wait of %v would exceed the context deadline", e.Wait.Round(time.Millisecond))
}

// Is reports whether target is ErrThrottled or context.DeadlineExceeded.
func (e *LimiterDeadlineError) Is(target error) bool {
	return target == ErrThrottled || target == context.DeadlineExceeded
}

// credentialError reports a credential provider failure; it matches
// ErrCredentials and unwraps to the provider's error.
type credentialError struct {
	reason string
	err    error
}

func (e *credentialError) Error() string {
	if e.err != nil {
		return "credentials: " + e.reason + ": " + e.err.Error()
	}
	return "credentials: " + e.reason
}

func (e *credentialError) Is(target error) bool { return target == ErrCredentials }
func (e *credentialError) Unwrap() error        { return e.err }
