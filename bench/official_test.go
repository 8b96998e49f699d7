package bench

import (
	"context"
	"net/url"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
)

// The generated cams client (github.com/alibabacloud-go/cams-20200606) asks
// for versions of darabonba-openapi and tea that the module proxy does not
// serve, so it cannot be imported here. These types have the shape of its
// models (pointer fields, the same JSON names), and officialGetMetric does
// what its GetChatappPhoneNumberMetricWithOptions does around CallApi.

// officialRequest has the shape of the generated
// GetChatappPhoneNumberMetricRequest.
type officialRequest struct {
	CustSpaceId          *string `json:"CustSpaceId,omitempty" xml:"CustSpaceId,omitempty"`
	End                  *int64  `json:"End,omitempty" xml:"End,omitempty"`
	Granularity          *string `json:"Granularity,omitempty" xml:"Granularity,omitempty"`
	IsvCode              *string `json:"IsvCode,omitempty" xml:"IsvCode,omitempty"`
	OwnerId              *int64  `json:"OwnerId,omitempty" xml:"OwnerId,omitempty"`
	PhoneNumber          *string `json:"PhoneNumber,omitempty" xml:"PhoneNumber,omitempty"`
	ResourceOwnerAccount *string `json:"ResourceOwnerAccount,omitempty" xml:"ResourceOwnerAccount,omitempty"`
	ResourceOwnerId      *int64  `json:"ResourceOwnerId,omitempty" xml:"ResourceOwnerId,omitempty"`
	Start                *int64  `json:"Start,omitempty" xml:"Start,omitempty"`
}

// officialResponse has the shape of the generated
// GetChatappPhoneNumberMetricResponse.
type officialResponse struct {
	Headers    map[string]*string    `json:"headers,omitempty" xml:"headers,omitempty"`
	StatusCode *int32                `json:"statusCode,omitempty" xml:"statusCode,omitempty"`
	Body       *officialResponseBody `json:"body,omitempty" xml:"body,omitempty"`
}

// officialResponseBody has the shape of the generated
// GetChatappPhoneNumberMetricResponseBody.
type officialResponseBody struct {
	AccessDeniedDetail *string              `json:"AccessDeniedDetail,omitempty" xml:"AccessDeniedDetail,omitempty"`
	Code               *string              `json:"Code,omitempty" xml:"Code,omitempty"`
	Data               []*officialDataPoint `json:"Data,omitempty" xml:"Data,omitempty" type:"Repeated"`
	Message            *string              `json:"Message,omitempty" xml:"Message,omitempty"`
	RequestId          *string              `json:"RequestId,omitempty" xml:"RequestId,omitempty"`
}

// officialDataPoint has the shape of the generated
// GetChatappPhoneNumberMetricResponseBodyData.
type officialDataPoint struct {
	DeliveredCount *int32  `json:"DeliveredCount,omitempty" xml:"DeliveredCount,omitempty"`
	End            *int64  `json:"End,omitempty" xml:"End,omitempty"`
	Granularity    *string `json:"Granularity,omitempty" xml:"Granularity,omitempty"`
	PhoneNumber    *string `json:"PhoneNumber,omitempty" xml:"PhoneNumber,omitempty"`
	SentCount      *int32  `json:"SentCount,omitempty" xml:"SentCount,omitempty"`
	Start          *int64  `json:"Start,omitempty" xml:"Start,omitempty"`
}

// officialGetMetric is the generated GetChatappPhoneNumberMetricWithOptions:
// validate the model, put the set fields in a query map, flatten it with
// openapiutil.Query, CallApi with the operation's Params, and convert the
// map it returns into the response model with dara.Convert.
func officialGetMetric(client *openapi.Client, request *officialRequest, runtime *dara.RuntimeOptions) (*officialResponse, error) {
	if err := dara.Validate(request); err != nil {
		return nil, err
	}
	query := map[string]interface{}{}
	if !dara.IsNil(request.CustSpaceId) {
		query["CustSpaceId"] = request.CustSpaceId
	}
	if !dara.IsNil(request.End) {
		query["End"] = request.End
	}
	if !dara.IsNil(request.Granularity) {
		query["Granularity"] = request.Granularity
	}
	if !dara.IsNil(request.IsvCode) {
		query["IsvCode"] = request.IsvCode
	}
	if !dara.IsNil(request.OwnerId) {
		query["OwnerId"] = request.OwnerId
	}
	if !dara.IsNil(request.PhoneNumber) {
		query["PhoneNumber"] = request.PhoneNumber
	}
	if !dara.IsNil(request.ResourceOwnerAccount) {
		query["ResourceOwnerAccount"] = request.ResourceOwnerAccount
	}
	if !dara.IsNil(request.ResourceOwnerId) {
		query["ResourceOwnerId"] = request.ResourceOwnerId
	}
	if !dara.IsNil(request.Start) {
		query["Start"] = request.Start
	}
	req := &openapiutil.OpenApiRequest{
		Query: openapiutil.Query(query),
	}
	params := &openapiutil.Params{
		Action:   dara.String("GetChatappPhoneNumberMetric"),
		Version:  dara.String("2020-06-06"),
		Protocol: dara.String("HTTP"), // the generated client says HTTPS; the canned server is plain loopback HTTP
		Pathname: dara.String("/"),
		Method:   dara.String("POST"),
		AuthType: dara.String("AK"),
		Style:    dara.String("RPC"),
		// formData: the request body, if any, would be a form; this
		// operation has none, so every parameter travels in the query.
		ReqBodyType: dara.String("formData"),
		BodyType:    dara.String("json"),
	}
	result := &officialResponse{}
	body, err := client.CallApi(params, req, runtime)
	if err != nil {
		return result, err
	}
	err = dara.Convert(body, &result)
	return result, err
}

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
			request := &officialRequest{
				CustSpaceId: dara.String(custSpaceID),
				End:         dara.Int64(endMilli),
				Granularity: dara.String(granularity),
				PhoneNumber: dara.String(phoneNumber),
				Start:       dara.Int64(startMilli),
			}
			resp, err := officialGetMetric(client, request, &dara.RuntimeOptions{})
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
