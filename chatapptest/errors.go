package chatapptest

import (
	"net/http"
	"strconv"
)

// hostID is the HostId the gateway puts in error bodies.
const hostID = "cams.ap-southeast-1.aliyuncs.com"

// apiError is an answer given instead of a result: an HTTP status and the
// body's Code and Message. The codes, statuses and wording follow the
// gateway's error tables and the cams API reference
// (the "Error codes" of each operation's page under
// https://www.alibabacloud.com/help/en/chatapp/developer-reference/).
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func newError(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

// The codes the emulator answers with.
const (
	codeOK                    = "OK"
	codeIncompleteSignature   = "IncompleteSignature"
	codeSignatureDoesNotMatch = "SignatureDoesNotMatch"
	codeAccessKeyNotFound     = "InvalidAccessKeyId.NotFound"
	codeTimestampExpired      = "InvalidTimeStamp.Expired"
	codeTimestampFormat       = "InvalidTimeStamp.Format"
	codeNonceUsed             = "SignatureNonceUsed"
	codeMissingSecurityToken  = "MissingSecurityToken"
	codeSecurityTokenMismatch = "InvalidSecurityToken.MismatchWithAccessKey"
	codeSignatureMethod       = "InvalidSignatureMethod"
	codeSignatureVersion      = "InvalidSignatureVersion"
	codeAPINotFound           = "InvalidApi.NotFound"
	codeInvalidVersion        = "InvalidVersion"
	codeMissingParameter      = "MissingParameter"
	codeInvalidParameter      = "InvalidParameter"
	codeUnsupportedHTTPMethod = "UnsupportedHTTPMethod"
	codeLimitControl          = "System.LimitControl"
	codeInternalError         = "InternalError"
	codeServiceUnavailable    = "ServiceUnavailable"
	codeThrottlingUser        = "Throttling.User"
	codeProductNotSubscribed  = "Product.Unsubscript"
	codePermissionDeny        = "Ram.PermissionDeny"
	codeResourceOwnerUnknown  = "Unknown.ResourceOwnerId"
)

// The gateway's wording for those codes.
const (
	limitControlMessage          = "The system is under flow control."
	signatureDoesNotMatchMessage = "Specified signature does not match our calculation."
	incompleteSignatureMessage   = "The request signature does not conform to Aliyun standards."
	unsupportedHTTPMethodMessage = "This http method is not supported."
	apiNotFoundMessage           = "Specified api is not found, please check your url and method."
	accessKeyNotFoundMessage     = "Specified access key is not found."
	timestampExpiredMessage      = "Specified time stamp or date value is expired."
	timestampFormatMessage       = "Specified time stamp or date value is not well formatted."
	nonceUsedMessage             = "Specified signature nonce was used already."
	missingSecurityTokenMessage  = "SecurityToken is mandatory for this AccessKeyId."
	securityTokenMismatchMessage = "Specified SecurityToken mismatch with the AccessKey."
	signatureMethodMessage       = "Specified signature method is not supported."
	signatureVersionMessage      = "Specified signature version is not supported."
	invalidVersionMessage        = "Specified parameter Version is not valid."
	internalErrorMessage         = "The request processing has failed due to some unknown error, exception or failure."
	serviceUnavailableMessage    = "The request has failed due to a temporary failure of the server."
	throttlingUserMessage        = "Request was denied due to user flow control."
	productNotSubscribedMessage  = "You have not subscribed to the specified product."
	permissionDenyMessage        = "You are not authorized to perform the operation."
	resourceOwnerUnknownMessage  = "The resource does not belong to the current user."
	defaultFaultMessage          = "Injected fault."
)

// gatewayMessages is the gateway's wording of the codes above, those the
// emulator answers with and those a fault is likely to name.
var gatewayMessages = map[string]string{
	codeLimitControl:          limitControlMessage,
	codeSignatureDoesNotMatch: signatureDoesNotMatchMessage,
	codeIncompleteSignature:   incompleteSignatureMessage,
	codeUnsupportedHTTPMethod: unsupportedHTTPMethodMessage,
	codeAPINotFound:           apiNotFoundMessage,
	codeAccessKeyNotFound:     accessKeyNotFoundMessage,
	codeTimestampExpired:      timestampExpiredMessage,
	codeTimestampFormat:       timestampFormatMessage,
	codeNonceUsed:             nonceUsedMessage,
	codeMissingSecurityToken:  missingSecurityTokenMessage,
	codeSecurityTokenMismatch: securityTokenMismatchMessage,
	codeSignatureMethod:       signatureMethodMessage,
	codeSignatureVersion:      signatureVersionMessage,
	codeInvalidVersion:        invalidVersionMessage,
	codeInternalError:         internalErrorMessage,
	codeServiceUnavailable:    serviceUnavailableMessage,
	codeThrottlingUser:        throttlingUserMessage,
	"Throttling":              throttlingUserMessage,
	"Throttling.Api":          throttlingUserMessage,
	codeProductNotSubscribed:  productNotSubscribedMessage,
	codePermissionDeny:        permissionDenyMessage,
	codeResourceOwnerUnknown:  resourceOwnerUnknownMessage,
}

// knownMessage returns the gateway's wording for code, so an injected
// fault that names only a code still reads like the real thing.
func knownMessage(code string) string {
	if m, ok := gatewayMessages[code]; ok {
		return m
	}
	return defaultFaultMessage
}

func errIncompleteSignature(detail string) *apiError {
	return newError(http.StatusBadRequest, codeIncompleteSignature, incompleteSignatureMessage+" "+detail)
}

func errSignatureDoesNotMatch(detail string) *apiError {
	msg := signatureDoesNotMatchMessage
	if detail != "" {
		msg += " " + detail
	}
	return newError(http.StatusBadRequest, codeSignatureDoesNotMatch, msg)
}

func errAccessKeyNotFound() *apiError {
	return newError(http.StatusNotFound, codeAccessKeyNotFound, accessKeyNotFoundMessage)
}

func errMissingToken() *apiError {
	return newError(http.StatusBadRequest, codeMissingSecurityToken, missingSecurityTokenMessage)
}

func errTokenMismatch() *apiError {
	return newError(http.StatusBadRequest, codeSecurityTokenMismatch, securityTokenMismatchMessage)
}

func errMissingParameter(name string) *apiError {
	return newError(http.StatusBadRequest, codeMissingParameter,
		"The input parameter "+strconv.Quote(name)+" that is mandatory for processing this request is not supplied.")
}

func errInvalidParameter(detail string) *apiError {
	return newError(http.StatusBadRequest, codeInvalidParameter, detail)
}

// errMissing and errInvalid give the per-parameter codes of the
// operation's validation (MissingStart, InvalidEnd, ...).
func errMissing(name string) *apiError {
	return newError(http.StatusBadRequest, "Missing"+name, name+" is mandatory for this action.")
}

func errInvalid(name, why string) *apiError {
	msg := "Specified parameter " + name + " is not valid."
	if why != "" {
		msg += " " + why
	}
	return newError(http.StatusBadRequest, "Invalid"+name, msg)
}

func errLimitControl() *apiError {
	return newError(http.StatusBadRequest, codeLimitControl, limitControlMessage)
}
