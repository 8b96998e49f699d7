// Package officialcams calls GetChatappPhoneNumberMetric,
// EnableWhatsappROIMetric, QueryChatappPhoneNumbers,
// GetChatappTemplateMetric and GetWhatsappHealthStatus through the
// official Go core,
// github.com/alibabacloud-go/darabonba-openapi/v2, exactly as the generated
// cams client (github.com/alibabacloud-go/cams-20200606) does.
//
// The generated client itself cannot be imported: its go.mod asks for
// versions of darabonba-openapi and tea that the Go module proxy does not
// serve. So this package does what its GetChatappPhoneNumberMetricWithOptions
// and EnableWhatsappROIMetricWithOptions do around Client.CallApi, with
// models of the same shape (pointer fields named and tagged as the generated
// ones), so that dara.Validate, openapiutil.Query and dara.Convert see what
// they see in the generated client. The conformance tests and the bench
// module both drive the official core through it.
package officialcams

import (
	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
)

// MetricRequest is shaped like cams' GetChatappPhoneNumberMetricRequest.
type MetricRequest struct {
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

// MetricResponse is shaped like cams' GetChatappPhoneNumberMetricResponse.
type MetricResponse struct {
	Headers    map[string]*string `json:"headers,omitempty" xml:"headers,omitempty"`
	StatusCode *int32             `json:"statusCode,omitempty" xml:"statusCode,omitempty"`
	Body       *MetricBody        `json:"body,omitempty" xml:"body,omitempty"`
}

// MetricBody is shaped like GetChatappPhoneNumberMetricResponseBody.
type MetricBody struct {
	AccessDeniedDetail *string        `json:"AccessDeniedDetail,omitempty" xml:"AccessDeniedDetail,omitempty"`
	Code               *string        `json:"Code,omitempty" xml:"Code,omitempty"`
	Data               []*MetricPoint `json:"Data,omitempty" xml:"Data,omitempty" type:"Repeated"`
	Message            *string        `json:"Message,omitempty" xml:"Message,omitempty"`
	RequestId          *string        `json:"RequestId,omitempty" xml:"RequestId,omitempty"`
}

// MetricPoint is shaped like GetChatappPhoneNumberMetricResponseBodyData;
// the generated model holds the counts in int32.
type MetricPoint struct {
	DeliveredCount *int32  `json:"DeliveredCount,omitempty" xml:"DeliveredCount,omitempty"`
	End            *int64  `json:"End,omitempty" xml:"End,omitempty"`
	Granularity    *string `json:"Granularity,omitempty" xml:"Granularity,omitempty"`
	PhoneNumber    *string `json:"PhoneNumber,omitempty" xml:"PhoneNumber,omitempty"`
	SentCount      *int32  `json:"SentCount,omitempty" xml:"SentCount,omitempty"`
	Start          *int64  `json:"Start,omitempty" xml:"Start,omitempty"`
}

// ROIRequest is shaped like cams' EnableWhatsappROIMetricRequest.
type ROIRequest struct {
	CustSpaceId          *string `json:"CustSpaceId,omitempty" xml:"CustSpaceId,omitempty"`
	IsvCode              *string `json:"IsvCode,omitempty" xml:"IsvCode,omitempty"`
	OwnerId              *int64  `json:"OwnerId,omitempty" xml:"OwnerId,omitempty"`
	ResourceOwnerAccount *string `json:"ResourceOwnerAccount,omitempty" xml:"ResourceOwnerAccount,omitempty"`
	ResourceOwnerId      *int64  `json:"ResourceOwnerId,omitempty" xml:"ResourceOwnerId,omitempty"`
}

// ROIResponse is shaped like cams' EnableWhatsappROIMetricResponse.
type ROIResponse struct {
	Headers    map[string]*string `json:"headers,omitempty" xml:"headers,omitempty"`
	StatusCode *int32             `json:"statusCode,omitempty" xml:"statusCode,omitempty"`
	Body       *struct {
		AccessDeniedDetail *string `json:"AccessDeniedDetail,omitempty" xml:"AccessDeniedDetail,omitempty"`
		Code               *string `json:"Code,omitempty" xml:"Code,omitempty"`
		Message            *string `json:"Message,omitempty" xml:"Message,omitempty"`
		RequestId          *string `json:"RequestId,omitempty" xml:"RequestId,omitempty"`
	} `json:"body,omitempty" xml:"body,omitempty"`
}

// Params are the Params the generated client passes to CallApi for action,
// except Protocol: the generated client says HTTPS, and the emulator and
// the bench server listen on plain loopback HTTP. ReqBodyType formData
// would put a body in a form; these operations have none, so every
// parameter travels in the query.
func Params(action string) *openapiutil.Params {
	return &openapiutil.Params{
		Action:      dara.String(action),
		Version:     dara.String("2020-06-06"),
		Protocol:    dara.String("HTTP"),
		Pathname:    dara.String("/"),
		Method:      dara.String("POST"),
		AuthType:    dara.String("AK"),
		Style:       dara.String("RPC"),
		ReqBodyType: dara.String("formData"),
		BodyType:    dara.String("json"),
	}
}

// setIfPresent is the generated client's "if !dara.IsNil(field)" line.
func setIfPresent(query map[string]interface{}, name string, v interface{}) {
	if !dara.IsNil(v) {
		query[name] = v
	}
}

// GetMetric does what the generated GetChatappPhoneNumberMetricWithOptions
// does: validate the model, put the set fields in a query map, flatten it
// with openapiutil.Query, CallApi, and convert the map it returns into the
// response model with dara.Convert. A nil runtime means the generated
// client's default, an empty RuntimeOptions.
func GetMetric(c *openapi.Client, r *MetricRequest, runtime *dara.RuntimeOptions) (*MetricResponse, error) {
	if err := dara.Validate(r); err != nil {
		return nil, err
	}
	query := map[string]interface{}{}
	setIfPresent(query, "CustSpaceId", r.CustSpaceId)
	setIfPresent(query, "End", r.End)
	setIfPresent(query, "Granularity", r.Granularity)
	setIfPresent(query, "IsvCode", r.IsvCode)
	setIfPresent(query, "OwnerId", r.OwnerId)
	setIfPresent(query, "PhoneNumber", r.PhoneNumber)
	setIfPresent(query, "ResourceOwnerAccount", r.ResourceOwnerAccount)
	setIfPresent(query, "ResourceOwnerId", r.ResourceOwnerId)
	setIfPresent(query, "Start", r.Start)
	out := &MetricResponse{}
	err := call(c, "GetChatappPhoneNumberMetric", query, runtime, &out)
	return out, err
}

// EnableROI does what the generated EnableWhatsappROIMetricWithOptions does.
func EnableROI(c *openapi.Client, r *ROIRequest, runtime *dara.RuntimeOptions) (*ROIResponse, error) {
	if err := dara.Validate(r); err != nil {
		return nil, err
	}
	query := map[string]interface{}{}
	setIfPresent(query, "CustSpaceId", r.CustSpaceId)
	setIfPresent(query, "IsvCode", r.IsvCode)
	setIfPresent(query, "OwnerId", r.OwnerId)
	setIfPresent(query, "ResourceOwnerAccount", r.ResourceOwnerAccount)
	setIfPresent(query, "ResourceOwnerId", r.ResourceOwnerId)
	out := &ROIResponse{}
	err := call(c, "EnableWhatsappROIMetric", query, runtime, &out)
	return out, err
}

// call is the generated client's CallApi and dara.Convert, shared by both
// operations.
func call(c *openapi.Client, action string, query map[string]interface{}, runtime *dara.RuntimeOptions, out interface{}) error {
	if runtime == nil {
		runtime = &dara.RuntimeOptions{}
	}
	req := &openapiutil.OpenApiRequest{Query: openapiutil.Query(query)}
	body, err := c.CallApi(Params(action), req, runtime)
	if err != nil {
		return err
	}
	return dara.Convert(body, out)
}
