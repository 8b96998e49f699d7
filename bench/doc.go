// Package bench holds the end-to-end benchmarks of the chatapp client: one
// full GetChatappPhoneNumberMetric call against a canned server in a child
// process, next to a plain net/http floor and the official darabonba-openapi
// core doing the same call. It is a module of its own so that the chatapp
// module never depends on the official SDK.
//
// The package has no API; see README.md for how to run the benchmarks and
// cmd/benchtable for the table of medians and targets.
package bench
