package bench

import (
	"context"
	"net/url"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/chatappkit/chatapp/conformance/officialcams"
)

// setupOfficial makes the official core's call, with the default Config
// plus the endpoint, the AccessKey, Protocol http and, for rpc,
// SignatureAlgorithm "v2" (the classic HMAC-SHA1 scheme). With a nil
// RetryOptions the core makes exactly one attempt.
func setupOfficial(rpc bool) func(b *testing.B, base string) func(ctx context.Context) error {
	return func(b *testing.B, base string) func(ctx context.Context) error {
		u, err := url.Parse(base)
		if err != nil {
			b.Fatal(err)
		}
		config := &openapi.Config{
			AccessKeyId:     dara.String(accessKeyID),
			AccessKeySecret: dara.String(accessKeySecret),
			Endpoint:        dara.String(u.Host),
			Protocol:        dara.String("http"),
		}
		if rpc {
			config.SignatureAlgorithm = dara.String("v2")
		}
		client, err := openapi.NewClient(config)
		if err != nil {
			b.Fatal(err)
		}
		return func(context.Context) error {
			// The generated GetChatappPhoneNumberMetric takes no context
			// and makes its RuntimeOptions per call.
			request := &officialcams.MetricRequest{
				CustSpaceId: dara.String(custSpaceID),
				End:         dara.Int64(endMilli),
				Granularity: dara.String(granularity),
				PhoneNumber: dara.String(phoneNumber),
				Start:       dara.Int64(startMilli),
			}
			resp, err := officialcams.GetMetric(client, request, &dara.RuntimeOptions{})
			if err != nil {
				return err
			}
			var code string
			var n int
			var last int64
			if resp.Body != nil {
				code, n = dara.StringValue(resp.Body.Code), len(resp.Body.Data)
				if n > 0 && resp.Body.Data[n-1] != nil {
					last = int64(dara.Int32Value(resp.Body.Data[n-1].SentCount))
				}
			}
			return checkSeries(code, n, last)
		}
	}
}
