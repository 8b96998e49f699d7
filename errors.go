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
// *APIError or a *ResponseError (errors.As gives the details) wrapped in an
// *OperationError.
var (
	// ErrThrottled matches flow control by the service (System.LimitControl,
	// Throttling, Throttling.User, Throttling.Api, HTTP 429), a client-side
	// rate-limiter wait that could not finish before the context deadline,
	// and any other failure of a rate limiter's Wait.
	ErrThrottled = errors.New("chatapp: throttled")
	// ErrProductNotSubscribed matches Product.Unsubscript: the account has not
	// activated ChatApp Message Service.
	ErrProductNotSubscribed = errors.New("chatapp: product not subscribed")
	// ErrPermissionDenied matches RAM denials: Ram.PermissionDeny,
	// Forbidden, Forbidden.*, NoPermission, Authentication.NoAuth, and a 403
	// that carries no code. APIError.AccessDeniedDetail says which policy.
	ErrPermissionDenied = errors.New("chatapp: permission denied")
	// ErrResourceOwnerUnknown matches Unknown.ResourceOwnerId: the resource
	// (for example a CustSpaceId) does not belong to the caller; and
	// ERR-OPERATION-MAAP-0060 / -0065: no WhatsApp Business Account is bound
	// to the space, or the number is not bound to it.
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
	// ServiceUnavailable, 999999 ("system exception", sent with HTTP 400)
	// and any HTTP 5xx. Such errors are retried.
	ErrServer = errors.New("chatapp: server error")
	// ErrMalformedResponse matches a response that is not the JSON the
	// operation returns: an HTML gateway page, an empty or truncated body.
	// The error is a *ResponseError.
	ErrMalformedResponse = errors.New("chatapp: malformed response")
	// ErrResponseTooLarge matches a response body over the client's cap
	// (WithMaxResponseBytes). The body is not read past the cap. The error
	// is a *ResponseError.
	ErrResponseTooLarge = errors.New("chatapp: response too large")
	// ErrInvalidRequest matches a request rejected by local validation,
	// before any network I/O. The error is a *ValidationError.
	ErrInvalidRequest = errors.New("chatapp: invalid request")
	// ErrCredentials matches a credential provider that failed or returned
	// unusable credentials (nil, an empty AccessKeyId or secret).
	ErrCredentials = errors.New("chatapp: credentials unavailable")
)

// OperationError is what every failed call returns: the operation, how many
// HTTP attempts were made, and the cause (an *APIError, a *ResponseError, a
// *ValidationError, a transport error, or a context error).
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

// APIError is an error answer from the service: a JSON body with a Code
// other than "OK" (or, outside 2xx, at least a Message). A body that is not
// such an answer is a *ResponseError instead.
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
// ErrAuthentication, ErrInvalidParameter or ErrServer. The family comes
// from Code (see the table in the package documentation), and from
// StatusCode only when there is no Code.
func (e *APIError) Is(target error) bool {
	return target != nil && e.family() == target
}

// family classifies e into one of the sentinel errors, or nil. A code the
// table does not know has no family, except that a 5xx is always ErrServer.
func (e *APIError) family() error {
	if e.Code != "" {
		if f := codeFamily(e.Code); f != nil {
			return f
		}
		if e.StatusCode >= 500 {
			return ErrServer
		}
		return nil
	}
	return statusFamily(e.StatusCode)
}

// statusFamily classifies an answer that carries no code by its HTTP status.
func statusFamily(status int) error {
	switch {
	case status == 429:
		return ErrThrottled
	case status >= 500:
		return ErrServer
	case status == 401:
		return ErrAuthentication
	case status == 403:
		return ErrPermissionDenied
	}
	return nil
}

// codeFamily maps a body Code to its sentinel. The codes are those of the
// ChatApp API reference and of the Alibaba Cloud OpenAPI gateway's common
// error codes (https://api.aliyun.com/document/cams/2020-06-06/errorCode);
// the package documentation lists them.
func codeFamily(code string) error {
	switch code {
	case "System.LimitControl", "Throttling":
		return ErrThrottled
	case "Product.Unsubscript":
		return ErrProductNotSubscribed
	case "Ram.PermissionDeny", "Forbidden", "NoPermission", "Authentication.NoAuth":
		return ErrPermissionDenied
	case "Unknown.ResourceOwnerId",
		// No WhatsApp Business Account bound to the space; the number is not
		// bound to the account.
		"ERR-OPERATION-MAAP-0060", "ERR-OPERATION-MAAP-0065":
		return ErrResourceOwnerUnknown
	case "SignatureDoesNotMatch", "IncompleteSignature", "SignatureNonceUsed",
		"InvalidSignatureMethod", "InvalidSignatureVersion", "IllegalTimestamp", "MissingSecurityToken", "InvalidCredentials",
		"InvalidAccessKeyId", "InvalidSecurityToken", "InvalidTimeStamp",
		// A disabled AccessKey is a credential to replace, not a policy to
		// change.
		"Forbidden.AccessKeyDisabled":
		return ErrAuthentication
	case "InternalError", "ServiceUnavailable", "CHAT.APIError", "ERR-COMMON-001",
		// "system exception", sent with HTTP 400.
		"999999":
		return ErrServer
	}
	switch {
	case strings.HasPrefix(code, "Throttling."):
		return ErrThrottled
	case strings.HasPrefix(code, "InvalidAccessKeyId."),
		strings.HasPrefix(code, "InvalidSecurityToken."),
		strings.HasPrefix(code, "InvalidTimeStamp."):
		return ErrAuthentication
	case strings.HasPrefix(code, "Forbidden."):
		return ErrPermissionDenied
	// The auth families above start with "Invalid" too, so they are settled
	// first. InvalidApi, InvalidAction, InvalidVersion and InvalidProduct
	// name a wrong endpoint or action, and InvalidProtocol (NeedSsl) a wrong
	// scheme: configuration, not a parameter.
	case strings.HasPrefix(code, "InvalidApi"), strings.HasPrefix(code, "InvalidAction"),
		strings.HasPrefix(code, "InvalidVersion"), strings.HasPrefix(code, "InvalidProduct"),
		strings.HasPrefix(code, "InvalidProtocol"):
		return nil
	case strings.HasPrefix(code, "Missing"), strings.HasPrefix(code, "Invalid"):
		return ErrInvalidParameter
	}
	return nil
}

// ResponseError reports an answer the client could not use: a body cut
// short, one that is not the operation's JSON (an HTML page from a proxy,
// an empty body), or one over the client's size cap. The service did not
// answer with a code, so it is not an *APIError.
//
// It matches ErrResponseTooLarge for a body over the cap and
// ErrMalformedResponse otherwise; a 5xx status also matches ErrServer (and
// 429, 401 and 403 ErrThrottled, ErrAuthentication and ErrPermissionDenied).
// It unwraps to the cause, so a body stalled past the context deadline
// matches context.DeadlineExceeded.
type ResponseError struct {
	StatusCode int    // HTTP status
	RequestID  string // the x-acs-request-id header; the body is not trusted
	Problem    string // what was wrong, with a short snippet of the body, secrets redacted
	Err        error  // the cause (a read or JSON error), or nil

	tooLarge bool // over the cap, not read further
	cut      bool // the connection broke mid-body
}

// Error reports the status, the problem and the request ID on one line.
func (e *ResponseError) Error() string {
	var b strings.Builder
	b.WriteString("unusable response (HTTP ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	b.WriteString("): ")
	b.WriteString(e.Problem)
	if e.RequestID != "" {
		b.WriteString(" [RequestId ")
		b.WriteString(e.RequestID)
		b.WriteString("]")
	}
	return b.String()
}

// Is reports whether target is ErrResponseTooLarge or ErrMalformedResponse
// (whichever applies), or the family of the HTTP status.
func (e *ResponseError) Is(target error) bool {
	switch target {
	case ErrResponseTooLarge:
		return e.tooLarge
	case ErrMalformedResponse:
		return !e.tooLarge
	}
	return target != nil && statusFamily(e.StatusCode) == target
}

// Unwrap returns the cause.
func (e *ResponseError) Unwrap() error { return e.Err }

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

// RedirectError reports a 3xx answer. The service never redirects, so a
// Client follows no redirect, on its own transport or on a user's
// http.Client: a signed request replayed to the Location, even on the same
// host, could carry credentials to another host or in cleartext. The
// Location's query and path are not kept.
type RedirectError struct {
	StatusCode int    // the 3xx status
	Scheme     string // the Location's scheme, "" when absent
	Host       string // the Location's host (and port), "" when absent or unparsable
}

// Error reports the status and the target host.
func (e *RedirectError) Error() string {
	target := "no usable Location"
	if e.Host != "" {
		target = e.Host
		if e.Scheme != "" {
			target = e.Scheme + "://" + e.Host
		}
	}
	return "redirect refused (HTTP " + strconv.Itoa(e.StatusCode) + ") to " + target + ": the service never redirects"
}
