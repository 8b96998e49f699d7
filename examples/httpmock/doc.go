// Package httpmock tests the service of examples/testing/deliveryreport a
// second way: with github.com/jarcoal/httpmock in place of the HTTP
// transport, rather than with chatapptest's emulator. Run it with
//
//	go test ./examples/httpmock
//
// The client is made as in production, but with
// chatapp.WithHTTPClient(&http.Client{Transport: mock}), and a responder for
// POST https://cams.ap-southeast-1.aliyuncs.com/ returns the documented
// JSON answers, success and throttling alike. Mocking the transport suits a
// test that wants exact control of the bytes the service answers with, or
// that already mocks other HTTP APIs the same way; the emulator, which also
// checks signatures and rate limits, suits most others.
//
// The package holds only this comment and its tests.
package httpmock
