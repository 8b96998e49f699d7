// Package conformance proves github.com/chatappkit/chatapp and its emulator,
// chatapptest, against Alibaba Cloud's official Go core,
// github.com/alibabacloud-go/darabonba-openapi/v2.
//
// It is a module of its own (replace github.com/chatappkit/chatapp => ../) so
// that the chatapp module never depends on the official SDK. It holds only
// tests, and package officialcams, through which they (and the bench
// module) call the official core the way the generated cams client
// (github.com/alibabacloud-go/cams-20200606, which cannot be imported: its
// go.mod asks for versions the module proxy does not serve) calls
// GetChatappPhoneNumberMetric and EnableWhatsappROIMetric: Client.CallApi with
// the operation's Params (RPC style, POST /, AuthType AK, formData request
// body type, json response) and the request's fields in
// OpenApiRequest.Query through openapiutil.Query, on a default Config that
// sets only Endpoint, AccessKeyId, AccessKeySecret (and SecurityToken for
// STS) and Protocol "http", since the emulator listens on loopback HTTP.
// Every case runs under the core's default signature, ACS3-HMAC-SHA256, and
// under SignatureAlgorithm "v2", the classic RPC HMAC-SHA1 scheme.
//
// What the tests prove:
//
//   - Genuine requests (genuine_test.go): the emulator accepts what the
//     official core sends, with an AccessKey and with STS credentials, for
//     both operations, and its request log shows which scheme arrived.
//   - Tampered requests (tamper_test.go): a signed part changed after the
//     official core signed it (a query value, a signed header, the body, the
//     Authorization header or the Signature parameter, or the request sent
//     twice) is refused with the gateway's code, and the official core
//     reports the refusal as an error. The tampering happens in an
//     http.RoundTripper reached through Config.HttpClient, the core's own
//     hook for the HTTP client.
//   - Agreement (agreement_test.go): chatapp.Client and the official core,
//     asking the same emulator the same question, decode the same series
//     point by point, the one the emulator's Metrics says it sent; values
//     that percent-encoding rules disagree on are signed acceptably by both.
//   - Error contrast (errors_test.go): for a throttling answer the official
//     core makes one attempt and returns a *tea.SDKError (and does not class
//     System.LimitControl as throttling), while chatapp.Client retries and
//     returns an error matching chatapp.ErrThrottled with the RequestId.
//   - Versions (versions_test.go): the official core is darabonba-openapi/v2
//     v2.1.13 with tea v1.5.3 and credentials-go v1.4.14, the versions the
//     signing spec verified.
//
// The four captured official requests under testdata/spec/captures are
// replayed by chatapptest's own tests and are not repeated here.
//
// Run it from the repository root:
//
//	cd conformance && go test -race -count=1 ./...
package conformance
