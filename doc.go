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
// limit, shared by every Client of one AccessKeyId in the process), fetches
// credentials (by default from the credentials-go chain), signs the request
// (ACS3-HMAC-SHA256 by default, or the classic RPC HMAC-SHA1 scheme), sends
// it, and decodes the answer into typed results or typed errors:
//
//	client, err := chatapp.NewClient()
//	if err != nil {
//		return err
//	}
//	resp, err := client.GetChatappPhoneNumberMetric(ctx, &chatapp.GetChatappPhoneNumberMetricRequest{
//		PhoneNumber: "8613800001234",
//		Granularity: chatapp.GranularityDaily,
//		Start:       time.Now().AddDate(0, 0, -7),
//		End:         time.Now(),
//	})
//	switch {
//	case errors.Is(err, chatapp.ErrThrottled):
//		// still throttled after the retries
//	case err != nil:
//		return err
//	}
//
// Every failure is an *OperationError; answers from the service unwrap to an
// *APIError with the code, message and request ID, and match one of the
// Err* sentinels with errors.Is. Throttling, 5xx answers and connection
// failures are retried with exponential backoff and full jitter.
//
// The chatapptest package is an in-process emulator of the service for
// tests and offline use.
package chatapp
