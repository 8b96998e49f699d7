// Package chatapp is a typed Go client for Alibaba Cloud's ChatApp Message
// Service (product cams, API version 2020-06-06).
//
// It calls GetChatappPhoneNumberMetric, the time series of WhatsApp
// messages sent and delivered by a business phone number, by day or by half
// hour, and EnableWhatsappROIMetric, which switches that collection on;
// QueryChatappPhoneNumbers, a channel's numbers with their status, quality
// rating and messaging tier; GetChatappTemplateMetric, a marketing
// template's sent, delivered and read counts and button clicks; and
// GetWhatsappHealthStatus, whether a number, template or WABA can send.
//
// A Client takes a context on every call and, per HTTP attempt, waits for
// the rate limiter (by default each operation's documented per-account
// limit, shared by every Client of one credential source in the process),
// fetches credentials (by default from the credentials-go chain), signs the request
// (ACS3-HMAC-SHA256 by default, or the classic RPC HMAC-SHA1 scheme), sends
// it, and decodes the answer into typed results or typed errors:
//
//	client, err := chatapp.NewClient()
//	if err != nil {
//		return err
//	}
//	// The last seven whole days: DAILY buckets run midnight to midnight in
//	// China Standard Time, and today's bucket is still filling.
//	cst := chatapp.ChinaStandardTime()
//	y, m, d := time.Now().In(cst).Date()
//	today := time.Date(y, m, d, 0, 0, 0, 0, cst)
//	resp, err := client.GetChatappPhoneNumberMetric(ctx, &chatapp.GetChatappPhoneNumberMetricRequest{
//		PhoneNumber: "8613800001234",
//		Granularity: chatapp.GranularityDaily,
//		Start:       today.AddDate(0, 0, -7),
//		End:         today,
//	})
//	if errors.Is(err, chatapp.ErrThrottled) {
//		// Still throttled after the retries: try again later.
//		return fmt.Errorf("metrics not fetched, try again later: %w", err)
//	}
//	if err != nil {
//		return err
//	}
//	for _, p := range resp.Data {
//		fmt.Println(p.Start.In(cst).Format(time.DateOnly), p.SentCount, p.DeliveredCount)
//	}
//
// # Errors
//
// Every failure is an *OperationError. When the service answered with an
// error code, it unwraps to an *APIError with the code, message and
// request ID. When the answer could not be used (a body cut short, not the
// operation's JSON, such as a proxy's HTML 502 page, or over the size cap),
// it unwraps to a *ResponseError with the HTTP status, the x-acs-request-id
// header and what was wrong. Both match the Err* sentinels with errors.Is:
//
//	Code sent by the service                      Sentinel
//	System.LimitControl, Throttling, Throttling.* ErrThrottled
//	Product.Unsubscript                           ErrProductNotSubscribed
//	Ram.PermissionDeny, Forbidden, Forbidden.*,   ErrPermissionDenied
//	  NoPermission, Authentication.NoAuth
//	Unknown.ResourceOwnerId,                      ErrResourceOwnerUnknown
//	  ERR-OPERATION-MAAP-0060 (no WABA bound),
//	  ERR-OPERATION-MAAP-0065 (number not bound)
//	InvalidAccessKeyId, InvalidAccessKeyId.*,     ErrAuthentication
//	  InvalidSecurityToken, InvalidSecurityToken.*,
//	  InvalidTimeStamp, InvalidTimeStamp.*,
//	  Forbidden.AccessKeyDisabled,
//	  SignatureDoesNotMatch, IncompleteSignature,
//	  SignatureNonceUsed, InvalidSignatureMethod,
//	  InvalidSignatureVersion, IllegalTimestamp,
//	  MissingSecurityToken, InvalidCredentials
//	MissingParameter, Missing*, InvalidParameter, ErrInvalidParameter
//	  Invalid* (other than those above and below)
//	InternalError, ServiceUnavailable,            ErrServer
//	  CHAT.APIError, ERR-COMMON-001,
//	  999999 (system exception, HTTP 400)
//	InvalidApi*, InvalidAction*, InvalidVersion*, none (a wrong endpoint,
//	  InvalidProduct*, InvalidProtocol* (NeedSsl)   action or scheme)
//	any other code                                none, but ErrServer on a 5xx
//
// Without a code, the HTTP status decides: 429 is ErrThrottled, 401
// ErrAuthentication, 403 ErrPermissionDenied and 5xx ErrServer. A
// *ResponseError also matches ErrMalformedResponse or ErrResponseTooLarge.
// The codes come from the ChatApp API reference and the OpenAPI gateway's
// common error codes (https://api.aliyun.com/document/cams/2020-06-06/errorCode).
//
// Throttling, server errors, bodies cut short and connection failures are
// retried with exponential backoff and full jitter; a replayed nonce and an
// expired STS token are retried with a fresh signature and credentials.
// Validation, authentication and permission errors are not.
//
// The chatapptest package is an in-process emulator of the service for
// tests and offline use.
package chatapp
