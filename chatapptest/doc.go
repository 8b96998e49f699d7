// Package chatapptest is an in-process emulator of Alibaba Cloud's ChatApp
// Message Service (cams, API version 2020-06-06) for tests and offline
// use, in the spirit of net/http/httptest and pstest. It serves
// GetChatappPhoneNumberMetric, EnableWhatsappROIMetric,
// QueryChatappPhoneNumbers, GetChatappTemplateMetric and
// GetWhatsappHealthStatus and behaves like the real service as far as its
// documentation and the official SDKs tell.
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
// (t-1s, t]: 50 for GetChatappPhoneNumberMetric, 5 for
// EnableWhatsappROIMetric, 10 for QueryChatappPhoneNumbers, 50 for
// GetChatappTemplateMetric and 5 for GetWhatsappHealthStatus, as the API
// reference documents them (its quota page says 100 for the last). Others get HTTP 400
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
// from midnight to midnight in the emulator's time zone (chatapp.ChinaStandardTime(),
// a fixed UTC+8, unless WithLocation says otherwise); HALF_HOUR buckets are
// the half hours counted from those midnights. Points come in time order,
// with Start and End in milliseconds and PhoneNumber and Granularity
// echoed. Without PhoneNumber the answer holds one series per known number
// (the sample set "8613800001234" and "8613800005678", numbers added with
// AddPhoneNumber or SetPhoneNumber and seeded numbers), numbers in byte
// order. A number that is not the channel's gets an empty series with Code
// "OK": the service's answer is undocumented, and an empty series is its
// most likely behaviour (so a typo in a test shows as missing data). One
// answer holds at most 100,000 points (InvalidEnd beyond).
//
// Generated data is a pure function of the number and the bucket's start:
// a working-day curve with quiet nights and weekends, per-number volume,
// and hash-seeded noise; DeliveredCount never exceeds SentCount, and a
// day's DAILY point is the sum of its HALF_HOUR points. While a day is
// under way its DAILY point holds only the half hours that have begun.
// SeedMetrics replaces generated points with given ones.
//
// # The simulated channel
//
// The emulator simulates one channel (CustSpaceID, DefaultCustSpaceID
// unless WithCustSpaceID says otherwise) that owns the known phone numbers
// and the templates (Templates; DefaultTemplates unless WithTemplates or
// AddTemplate change them). Requests naming any CustSpaceId are answered
// from this channel; only ROI collection is kept per CustSpaceId.
//
// QueryChatappPhoneNumbers lists the numbers with the state SetPhoneNumber
// gave them (CONNECTED, GREEN, TIER_10K by default); Status filters on
// Status or CodeVerificationStatus. GetChatappTemplateMetric needs
// TemplateCode (MissingTemplateCode) and follows the Start, End,
// Granularity and ROI rules above; it answers one series per language of
// the template (or only Language's), with ReadCount <= DeliveredCount <=
// SentCount and button clicks no more than the reads; a template the
// channel does not have gets empty Data, Code "OK". SeedTemplateMetrics
// replaces its points. GetWhatsappHealthStatus needs NodeType and
// CustSpaceId; a phone node must be a channel number, a template node a
// channel template. Health follows the numbers' state: BANNED,
// RESTRICTED, DELETED, DISCONNECTED and FLAGGED numbers are BLOCKED,
// RATE_LIMITED and RED-rated ones LIMITED, each with an error entry; the
// overall CanSendMessage is the worst of the entities'.
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
