// Package chatapptest is an in-process emulator of Alibaba Cloud's ChatApp
// Message Service (cams, API version 2020-06-06) for tests and offline
// use, in the spirit of net/http/httptest and pstest. It serves
// GetChatappPhoneNumberMetric and EnableWhatsappROIMetric and behaves like
// the real service as far as its documentation and the official SDKs tell.
//
// A unit test starts a Server and takes a client wired to it:
//
//	srv := chatapptest.NewServer()
//	defer srv.Close()
//	client, err := srv.Client()
//	if err != nil {
//		t.Fatal(err)
//	}
//	resp, err := client.GetChatappPhoneNumberMetric(ctx, &chatapp.GetChatappPhoneNumberMetricRequest{
//		PhoneNumber: "8613800001234",
//		Start:       time.Now().AddDate(0, 0, -7),
//		End:         time.Now(),
//	})
//
// NewEmulator gives the same service as an http.Handler to serve anywhere;
// cmd/chatapp-emulator serves it on a fixed address.
//
// # Authentication
//
// Requests must be signed with ACS3-HMAC-SHA256 (or ACS3-HMAC-SM3) or the
// classic RPC HMAC-SHA1 scheme, with an AccessKey the emulator knows: the
// pair it was made with (generated and unique unless WithCredentials sets
// it; see Server.AccessKeyID) and any added with WithAccessKey,
// WithSTSToken, AddAccessKey or AddSTSToken. The emulator recomputes
// signatures with its own code, independent of the SDK's signer. Under
// ACS3 the signature must cover host, content-type (when sent) and every
// x-acs-* header, and x-acs-content-sha256 must be the hash of the exact
// body; under RPC it covers the query and form-body parameters together.
// Parameters may come in the query, an x-www-form-urlencoded body, or
// both, by POST or GET.
//
// Refusals carry the gateway's JSON body (RequestId, HostId, Code,
// Message, Recommend) and codes:
//
//	IncompleteSignature (400)                          a signature part is missing, or a header that must be signed is not
//	SignatureDoesNotMatch (400)                        wrong signature, or x-acs-content-sha256 not the body's hash
//	InvalidSignatureMethod, InvalidSignatureVersion (400)
//	InvalidAccessKeyId.NotFound (404)                  unknown AccessKeyId
//	MissingSecurityToken (400)                         an STS AccessKeyId without its token
//	InvalidSecurityToken.MismatchWithAccessKey (400)   a token that is not the key's
//	InvalidTimeStamp.Format, InvalidTimeStamp.Expired (400)   timestamp unreadable, or more than 15 minutes off
//	SignatureNonceUsed (400)                           a nonce the key used before (remembered while its timestamp is valid)
//	MissingParameter (400)                             no Action or Version
//	InvalidVersion (400)                               a version other than 2020-06-06
//	InvalidApi.NotFound (404)                          an action the service does not have (names are case-sensitive)
//	UnsupportedHTTPMethod (400)                        a method other than POST and GET
//	InvalidParameter (400)                             an unreadable query or body, or an RPC Format other than JSON
//
// # Rate limits
//
// Per AccessKeyId and operation, a request is admitted only if fewer than
// the limit of admitted requests arrived in the second before it, in
// (t-1s, t]: 50 for GetChatappPhoneNumberMetric and 5 for
// EnableWhatsappROIMetric, as documented. Others get HTTP 400
// System.LimitControl, "The system is under flow control.", and do not
// count. See WithRateLimit, WithoutRateLimit and SetRateLimit.
//
// # Metric data
//
// GetChatappPhoneNumberMetric requires Start and End, UNIX milliseconds
// with End after Start (else MissingStart, MissingEnd, InvalidStart or
// InvalidEnd, HTTP 400); Granularity is DAILY (also when absent) or
// HALF_HOUR (else InvalidGranularity). A bucket is returned iff
//
//	Start <= bucket start < End, and bucket start <= now,
//
// and ROI collection was on before the bucket's day. DAILY buckets run
// from midnight to midnight in the emulator's time zone (DefaultLocation,
// a fixed UTC+8, unless WithLocation says otherwise); HALF_HOUR buckets are
// the half hours counted from those midnights. Points come in time order,
// with Start and End in milliseconds and PhoneNumber and Granularity
// echoed. Without PhoneNumber the answer holds one series per known number
// (the sample set "8613800001234" and "8613800005678", numbers added with
// AddPhoneNumber and seeded numbers), numbers in byte order; any explicit
// number gets data. One answer holds at most 100,000 points (InvalidEnd
// beyond).
//
// Generated data is a pure function of the number and the bucket's start:
// a working-day curve with quiet nights and weekends, per-number volume,
// and hash-seeded noise; DeliveredCount never exceeds SentCount, and a
// day's DAILY point is the sum of its HALF_HOUR points. A DAILY point
// covers its whole day even while the day is under way. SeedMetrics
// replaces generated points with given ones.
//
// # ROI collection
//
// As with the real service, data exists only after EnableWhatsappROIMetric
// and only from the day after it was called; before that queries answer
// Code "OK" with "Data": []. Calling it again changes nothing. ROI state is
// kept per CustSpaceId. A new emulator behaves as if collection had been on
// since the UNIX epoch, so data is there at once; WithROIDisabled starts
// with it off, and EnableROI, EnableROIAt and DisableROI switch it.
//
// # Faults, log and clock
//
// InjectFault makes the next requests fail: an error code and status with
// headers, a delay, a dropped connection, a body cut short, an HTML page,
// or any raw body. Requests and Stats report what arrived and what was
// answered. WithClock replaces the clock, for exact tests of time windows.
package chatapptest
