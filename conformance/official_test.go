package conformance

import (
	"net/http"
	"net/url"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/stretchr/testify/require"
)

// The generated cams client cannot be imported (see the package comment),
// so this file does what its GetChatappPhoneNumberMetricWithOptions and
// EnableWhatsappROIMetricWithOptions do around Client.CallApi, with models
// of the same shape: pointer fields named and tagged as the generated ones,
// so that dara.Validate, openapiutil.Query and dara.Convert see what they
// see in the generated client.

// metricRequestModel is shaped like cams' GetChatappPhoneNumberMetricRequest.
type metricRequestModel struct {
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

// metricResponseModel is shaped like cams' GetChatappPhoneNumberMetricResponse.
type metricResponseModel struct {
	Headers    map[string]*string `json:"headers,omitempty" xml:"headers,omitempty"`
	StatusCode *int32             `json:"statusCode,omitempty" xml:"statusCode,omitempty"`
	Body       *metricBodyModel   `json:"body,omitempty" xml:"body,omitempty"`
}

// metricBodyModel is shaped like GetChatappPhoneNumberMetricResponseBody.
type metricBodyModel struct {
	AccessDeniedDetail *string             `json:"AccessDeniedDetail,omitempty" xml:"AccessDeniedDetail,omitempty"`
	Code               *string             `json:"Code,omitempty" xml:"Code,omitempty"`
	Data               []*metricPointModel `json:"Data,omitempty" xml:"Data,omitempty" type:"Repeated"`
	Message            *string             `json:"Message,omitempty" xml:"Message,omitempty"`
	RequestId          *string             `json:"RequestId,omitempty" xml:"RequestId,omitempty"`
}

// metricPointModel is shaped like GetChatappPhoneNumberMetricResponseBodyData;
// the generated model holds the counts in int32.
type metricPointModel struct {
	DeliveredCount *int32  `json:"DeliveredCount,omitempty" xml:"DeliveredCount,omitempty"`
	End            *int64  `json:"End,omitempty" xml:"End,omitempty"`
	Granularity    *string `json:"Granularity,omitempty" xml:"Granularity,omitempty"`
	PhoneNumber    *string `json:"PhoneNumber,omitempty" xml:"PhoneNumber,omitempty"`
	SentCount      *int32  `json:"SentCount,omitempty" xml:"SentCount,omitempty"`
	Start          *int64  `json:"Start,omitempty" xml:"Start,omitempty"`
}

// roiRequestModel is shaped like cams' EnableWhatsappROIMetricRequest.
type roiRequestModel struct {
	CustSpaceId          *string `json:"CustSpaceId,omitempty" xml:"CustSpaceId,omitempty"`
	IsvCode              *string `json:"IsvCode,omitempty" xml:"IsvCode,omitempty"`
	OwnerId              *int64  `json:"OwnerId,omitempty" xml:"OwnerId,omitempty"`
	ResourceOwnerAccount *string `json:"ResourceOwnerAccount,omitempty" xml:"ResourceOwnerAccount,omitempty"`
	ResourceOwnerId      *int64  `json:"ResourceOwnerId,omitempty" xml:"ResourceOwnerId,omitempty"`
}

// roiResponseModel is shaped like cams' EnableWhatsappROIMetricResponse.
type roiResponseModel struct {
	Headers    map[string]*string `json:"headers,omitempty" xml:"headers,omitempty"`
	StatusCode *int32             `json:"statusCode,omitempty" xml:"statusCode,omitempty"`
	Body       *struct {
		AccessDeniedDetail *string `json:"AccessDeniedDetail,omitempty" xml:"AccessDeniedDetail,omitempty"`
		Code               *string `json:"Code,omitempty" xml:"Code,omitempty"`
		Message            *string `json:"Message,omitempty" xml:"Message,omitempty"`
		RequestId          *string `json:"RequestId,omitempty" xml:"RequestId,omitempty"`
	} `json:"body,omitempty" xml:"body,omitempty"`
}

// operationParams are the Params the generated client passes to CallApi for
// both operations, except Protocol: the generated client says HTTPS, and the
// emulator listens on plain loopback HTTP.
func operationParams(action string) *openapiutil.Params {
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

// setIfPresent copies the generated client's "if !dara.IsNil(field)" lines.
func setIfPresent(query map[string]interface{}, name string, v interface{}) {
	if !dara.IsNil(v) {
		query[name] = v
	}
}

// officialGetMetric does what the generated
// GetChatappPhoneNumberMetricWithOptions does.
func officialGetMetric(c *openapi.Client, r *metricRequestModel) (*metricResponseModel, error) {
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
	req := &openapiutil.OpenApiRequest{Query: openapiutil.Query(query)}
	out := &metricResponseModel{}
	body, err := c.CallApi(operationParams("GetChatappPhoneNumberMetric"), req, &dara.RuntimeOptions{})
	if err != nil {
		return out, err
	}
	err = dara.Convert(body, &out)
	return out, err
}

// officialEnableROI does what the generated
// EnableWhatsappROIMetricWithOptions does.
func officialEnableROI(c *openapi.Client, r *roiRequestModel) (*roiResponseModel, error) {
	if err := dara.Validate(r); err != nil {
		return nil, err
	}
	query := map[string]interface{}{}
	setIfPresent(query, "CustSpaceId", r.CustSpaceId)
	setIfPresent(query, "IsvCode", r.IsvCode)
	setIfPresent(query, "OwnerId", r.OwnerId)
	setIfPresent(query, "ResourceOwnerAccount", r.ResourceOwnerAccount)
	setIfPresent(query, "ResourceOwnerId", r.ResourceOwnerId)
	req := &openapiutil.OpenApiRequest{Query: openapiutil.Query(query)}
	out := &roiResponseModel{}
	body, err := c.CallApi(operationParams("EnableWhatsappROIMetric"), req, &dara.RuntimeOptions{})
	if err != nil {
		return out, err
	}
	err = dara.Convert(body, &out)
	return out, err
}

// scheme is a signing scheme of the official core, as a Config selects it.
type scheme struct {
	name string
	// algorithm is Config.SignatureAlgorithm; empty leaves the default.
	algorithm string
}

var (
	// schemeV3 is the core's default: ACS3-HMAC-SHA256.
	schemeV3 = scheme{name: "ACS3"}
	// schemeRPC is SignatureAlgorithm "v2": RPC HMAC-SHA1, SignatureVersion 1.0.
	schemeRPC = scheme{name: "RPC", algorithm: "v2"}
	schemes   = []scheme{schemeV3, schemeRPC}
)

// keyPair is what a Config authenticates with; token is set for STS.
type keyPair struct {
	id, secret, token string
}

// officialClient makes the official core's client for endpoint, a base URL
// such as "http://127.0.0.1:PORT", with the default Config but for the
// endpoint, the credentials, Protocol "http" and the scheme's
// SignatureAlgorithm. A non-nil hc becomes Config.HttpClient.
func officialClient(t *testing.T, endpoint string, k keyPair, s scheme, hc dara.HttpClient) *openapi.Client {
	t.Helper()
	u, err := url.Parse(endpoint)
	require.NoError(t, err)
	config := &openapi.Config{
		Endpoint:        dara.String(u.Host),
		AccessKeyId:     dara.String(k.id),
		AccessKeySecret: dara.String(k.secret),
		Protocol:        dara.String("http"),
	}
	if k.token != "" {
		config.SecurityToken = dara.String(k.token)
	}
	if s.algorithm != "" {
		config.SignatureAlgorithm = dara.String(s.algorithm)
	}
	if hc != nil {
		config.HttpClient = hc
	}
	c, err := openapi.NewClient(config)
	require.NoError(t, err)
	return c
}

// hookedHTTPClient is a dara.HttpClient, the interface of Config.HttpClient:
// the core hands it every request it has built and signed. It sends them
// through its own http.Client, whose Transport may change them on the way.
// The *http.Transport the core offers (a new one per request) is not used,
// so connections are pooled and closed with the test.
type hookedHTTPClient struct {
	hc *http.Client
}

func (h hookedHTTPClient) Call(req *http.Request, _ *http.Transport) (*http.Response, error) {
	return h.hc.Do(req)
}

// newHookedHTTPClient returns a Config.HttpClient whose requests go through
// the RoundTripper that wrap builds around a private transport, whose idle
// connections are closed when the test ends.
func newHookedHTTPClient(t *testing.T, wrap func(base http.RoundTripper) http.RoundTripper) hookedHTTPClient {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.Proxy = nil
	t.Cleanup(base.CloseIdleConnections)
	return hookedHTTPClient{hc: &http.Client{Transport: wrap(base)}}
}
