package officialcams

import (
	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
)

// PhoneNumbersRequest is shaped like cams' QueryChatappPhoneNumbersRequest.
type PhoneNumbersRequest struct {
	CustSpaceId          *string `json:"CustSpaceId,omitempty" xml:"CustSpaceId,omitempty"`
	IsvCode              *string `json:"IsvCode,omitempty" xml:"IsvCode,omitempty"`
	OwnerId              *int64  `json:"OwnerId,omitempty" xml:"OwnerId,omitempty"`
	ResourceOwnerAccount *string `json:"ResourceOwnerAccount,omitempty" xml:"ResourceOwnerAccount,omitempty"`
	ResourceOwnerId      *int64  `json:"ResourceOwnerId,omitempty" xml:"ResourceOwnerId,omitempty"`
	Status               *string `json:"Status,omitempty" xml:"Status,omitempty"`
}

// PhoneNumbersResponse is shaped like the generated response wrapper.
type PhoneNumbersResponse struct {
	Headers    map[string]*string `json:"headers,omitempty" xml:"headers,omitempty"`
	StatusCode *int32             `json:"statusCode,omitempty" xml:"statusCode,omitempty"`
	Body       *PhoneNumbersBody  `json:"body,omitempty" xml:"body,omitempty"`
}

// PhoneNumbersBody is shaped like QueryChatappPhoneNumbersResponseBody.
type PhoneNumbersBody struct {
	AccessDeniedDetail *string        `json:"AccessDeniedDetail,omitempty" xml:"AccessDeniedDetail,omitempty"`
	Code               *string        `json:"Code,omitempty" xml:"Code,omitempty"`
	Data               *string        `json:"Data,omitempty" xml:"Data,omitempty"`
	Message            *string        `json:"Message,omitempty" xml:"Message,omitempty"`
	PhoneNumbers       []*PhoneNumber `json:"PhoneNumbers,omitempty" xml:"PhoneNumbers,omitempty" type:"Repeated"`
	RequestId          *string        `json:"RequestId,omitempty" xml:"RequestId,omitempty"`
	Success            *bool          `json:"Success,omitempty" xml:"Success,omitempty"`
}

// PhoneNumber is shaped like QueryChatappPhoneNumbersResponseBodyPhoneNumbers (without CallingConfigure, which the emulator does not send).
type PhoneNumber struct {
	CodeVerificationStatus *string `json:"CodeVerificationStatus,omitempty" xml:"CodeVerificationStatus,omitempty"`
	IsOfficial             *string `json:"IsOfficial,omitempty" xml:"IsOfficial,omitempty"`
	MessagingLimitTier     *string `json:"MessagingLimitTier,omitempty" xml:"MessagingLimitTier,omitempty"`
	NameStatus             *string `json:"NameStatus,omitempty" xml:"NameStatus,omitempty"`
	NewNameStatus          *string `json:"NewNameStatus,omitempty" xml:"NewNameStatus,omitempty"`
	PhoneNumber            *string `json:"PhoneNumber,omitempty" xml:"PhoneNumber,omitempty"`
	QualityRating          *string `json:"QualityRating,omitempty" xml:"QualityRating,omitempty"`
	Status                 *string `json:"Status,omitempty" xml:"Status,omitempty"`
	StatusCallbackUrl      *string `json:"StatusCallbackUrl,omitempty" xml:"StatusCallbackUrl,omitempty"`
	StatusQueue            *string `json:"StatusQueue,omitempty" xml:"StatusQueue,omitempty"`
	UpCallbackUrl          *string `json:"UpCallbackUrl,omitempty" xml:"UpCallbackUrl,omitempty"`
	UpQueue                *string `json:"UpQueue,omitempty" xml:"UpQueue,omitempty"`
	VerifiedName           *string `json:"VerifiedName,omitempty" xml:"VerifiedName,omitempty"`
}

// TemplateMetricRequest is shaped like cams' GetChatappTemplateMetricRequest.
type TemplateMetricRequest struct {
	CustSpaceId          *string `json:"CustSpaceId,omitempty" xml:"CustSpaceId,omitempty"`
	End                  *int64  `json:"End,omitempty" xml:"End,omitempty"`
	Granularity          *string `json:"Granularity,omitempty" xml:"Granularity,omitempty"`
	IsvCode              *string `json:"IsvCode,omitempty" xml:"IsvCode,omitempty"`
	Language             *string `json:"Language,omitempty" xml:"Language,omitempty"`
	OwnerId              *int64  `json:"OwnerId,omitempty" xml:"OwnerId,omitempty"`
	ResourceOwnerAccount *string `json:"ResourceOwnerAccount,omitempty" xml:"ResourceOwnerAccount,omitempty"`
	ResourceOwnerId      *int64  `json:"ResourceOwnerId,omitempty" xml:"ResourceOwnerId,omitempty"`
	Start                *int64  `json:"Start,omitempty" xml:"Start,omitempty"`
	TemplateCode         *string `json:"TemplateCode,omitempty" xml:"TemplateCode,omitempty"`
	TemplateType         *string `json:"TemplateType,omitempty" xml:"TemplateType,omitempty"`
}

// TemplateMetricResponse is shaped like the generated response wrapper.
type TemplateMetricResponse struct {
	Headers    map[string]*string  `json:"headers,omitempty" xml:"headers,omitempty"`
	StatusCode *int32              `json:"statusCode,omitempty" xml:"statusCode,omitempty"`
	Body       *TemplateMetricBody `json:"body,omitempty" xml:"body,omitempty"`
}

// TemplateMetricBody is shaped like GetChatappTemplateMetricResponseBody.
type TemplateMetricBody struct {
	AccessDeniedDetail *string          `json:"AccessDeniedDetail,omitempty" xml:"AccessDeniedDetail,omitempty"`
	Code               *string          `json:"Code,omitempty" xml:"Code,omitempty"`
	Data               []*TemplatePoint `json:"Data,omitempty" xml:"Data,omitempty" type:"Repeated"`
	Message            *string          `json:"Message,omitempty" xml:"Message,omitempty"`
	RequestId          *string          `json:"RequestId,omitempty" xml:"RequestId,omitempty"`
}

// TemplatePoint is shaped like GetChatappTemplateMetricResponseBodyData; the generated model holds the counts in int32.
type TemplatePoint struct {
	Cliented       []*Click `json:"Cliented,omitempty" xml:"Cliented,omitempty" type:"Repeated"`
	DeliveredCount *int32   `json:"DeliveredCount,omitempty" xml:"DeliveredCount,omitempty"`
	End            *int64   `json:"End,omitempty" xml:"End,omitempty"`
	Language       *string  `json:"Language,omitempty" xml:"Language,omitempty"`
	ReadCount      *int32   `json:"ReadCount,omitempty" xml:"ReadCount,omitempty"`
	SentCount      *int32   `json:"SentCount,omitempty" xml:"SentCount,omitempty"`
	Start          *int64   `json:"Start,omitempty" xml:"Start,omitempty"`
	TemplateCode   *string  `json:"TemplateCode,omitempty" xml:"TemplateCode,omitempty"`
}

// Click is shaped like GetChatappTemplateMetricResponseBodyDataCliented.
type Click struct {
	ButtonContent *string `json:"ButtonContent,omitempty" xml:"ButtonContent,omitempty"`
	Count         *int32  `json:"Count,omitempty" xml:"Count,omitempty"`
	Type          *string `json:"Type,omitempty" xml:"Type,omitempty"`
}

// HealthRequest is shaped like cams' GetWhatsappHealthStatusRequest.
type HealthRequest struct {
	CustSpaceId          *string `json:"CustSpaceId,omitempty" xml:"CustSpaceId,omitempty"`
	Language             *string `json:"Language,omitempty" xml:"Language,omitempty"`
	NodeType             *string `json:"NodeType,omitempty" xml:"NodeType,omitempty"`
	OwnerId              *int64  `json:"OwnerId,omitempty" xml:"OwnerId,omitempty"`
	PhoneNumber          *string `json:"PhoneNumber,omitempty" xml:"PhoneNumber,omitempty"`
	ResourceOwnerAccount *string `json:"ResourceOwnerAccount,omitempty" xml:"ResourceOwnerAccount,omitempty"`
	ResourceOwnerId      *int64  `json:"ResourceOwnerId,omitempty" xml:"ResourceOwnerId,omitempty"`
	TemplateCode         *string `json:"TemplateCode,omitempty" xml:"TemplateCode,omitempty"`
	WabaId               *string `json:"WabaId,omitempty" xml:"WabaId,omitempty"`
}

// HealthResponse is shaped like the generated response wrapper.
type HealthResponse struct {
	Headers    map[string]*string `json:"headers,omitempty" xml:"headers,omitempty"`
	StatusCode *int32             `json:"statusCode,omitempty" xml:"statusCode,omitempty"`
	Body       *HealthBody        `json:"body,omitempty" xml:"body,omitempty"`
}

// HealthBody is shaped like GetWhatsappHealthStatusResponseBody.
type HealthBody struct {
	AccessDeniedDetail *string     `json:"AccessDeniedDetail,omitempty" xml:"AccessDeniedDetail,omitempty"`
	Code               *string     `json:"Code,omitempty" xml:"Code,omitempty"`
	Data               *HealthData `json:"Data,omitempty" xml:"Data,omitempty" type:"Struct"`
	Message            *string     `json:"Message,omitempty" xml:"Message,omitempty"`
	RequestId          *string     `json:"RequestId,omitempty" xml:"RequestId,omitempty"`
	Success            *bool       `json:"Success,omitempty" xml:"Success,omitempty"`
}

// HealthData is shaped like GetWhatsappHealthStatusResponseBodyData.
type HealthData struct {
	CanSendMessage *string         `json:"CanSendMessage,omitempty" xml:"CanSendMessage,omitempty"`
	Entities       []*HealthEntity `json:"Entities,omitempty" xml:"Entities,omitempty" type:"Repeated"`
}

// HealthEntity is shaped like GetWhatsappHealthStatusResponseBodyDataEntities.
type HealthEntity struct {
	BusinessId     *string        `json:"BusinessId,omitempty" xml:"BusinessId,omitempty"`
	CanSendMessage *string        `json:"CanSendMessage,omitempty" xml:"CanSendMessage,omitempty"`
	EntityType     *string        `json:"EntityType,omitempty" xml:"EntityType,omitempty"`
	Errors         []*HealthError `json:"Errors,omitempty" xml:"Errors,omitempty" type:"Repeated"`
	Language       *string        `json:"Language,omitempty" xml:"Language,omitempty"`
	PhoneNumber    *string        `json:"PhoneNumber,omitempty" xml:"PhoneNumber,omitempty"`
	TemplateCode   *string        `json:"TemplateCode,omitempty" xml:"TemplateCode,omitempty"`
	WabaId         *string        `json:"WabaId,omitempty" xml:"WabaId,omitempty"`
}

// HealthError is shaped like GetWhatsappHealthStatusResponseBodyDataEntitiesErrors.
type HealthError struct {
	ErrorCode        *string `json:"ErrorCode,omitempty" xml:"ErrorCode,omitempty"`
	ErrorDescription *string `json:"ErrorDescription,omitempty" xml:"ErrorDescription,omitempty"`
	PossibleSolution *string `json:"PossibleSolution,omitempty" xml:"PossibleSolution,omitempty"`
}

// QueryPhoneNumbers does what the generated
// QueryChatappPhoneNumbersWithOptions does.
func QueryPhoneNumbers(c *openapi.Client, r *PhoneNumbersRequest, runtime *dara.RuntimeOptions) (*PhoneNumbersResponse, error) {
	if err := dara.Validate(r); err != nil {
		return nil, err
	}
	query := map[string]interface{}{}
	setIfPresent(query, "CustSpaceId", r.CustSpaceId)
	setIfPresent(query, "IsvCode", r.IsvCode)
	setIfPresent(query, "OwnerId", r.OwnerId)
	setIfPresent(query, "ResourceOwnerAccount", r.ResourceOwnerAccount)
	setIfPresent(query, "ResourceOwnerId", r.ResourceOwnerId)
	setIfPresent(query, "Status", r.Status)
	out := &PhoneNumbersResponse{}
	err := call(c, "QueryChatappPhoneNumbers", query, runtime, &out)
	return out, err
}

// GetTemplateMetric does what the generated
// GetChatappTemplateMetricWithOptions does.
func GetTemplateMetric(c *openapi.Client, r *TemplateMetricRequest, runtime *dara.RuntimeOptions) (*TemplateMetricResponse, error) {
	if err := dara.Validate(r); err != nil {
		return nil, err
	}
	query := map[string]interface{}{}
	setIfPresent(query, "CustSpaceId", r.CustSpaceId)
	setIfPresent(query, "End", r.End)
	setIfPresent(query, "Granularity", r.Granularity)
	setIfPresent(query, "IsvCode", r.IsvCode)
	setIfPresent(query, "Language", r.Language)
	setIfPresent(query, "OwnerId", r.OwnerId)
	setIfPresent(query, "ResourceOwnerAccount", r.ResourceOwnerAccount)
	setIfPresent(query, "ResourceOwnerId", r.ResourceOwnerId)
	setIfPresent(query, "Start", r.Start)
	setIfPresent(query, "TemplateCode", r.TemplateCode)
	setIfPresent(query, "TemplateType", r.TemplateType)
	out := &TemplateMetricResponse{}
	err := call(c, "GetChatappTemplateMetric", query, runtime, &out)
	return out, err
}

// GetHealthStatus does what the generated
// GetWhatsappHealthStatusWithOptions does.
func GetHealthStatus(c *openapi.Client, r *HealthRequest, runtime *dara.RuntimeOptions) (*HealthResponse, error) {
	if err := dara.Validate(r); err != nil {
		return nil, err
	}
	query := map[string]interface{}{}
	setIfPresent(query, "CustSpaceId", r.CustSpaceId)
	setIfPresent(query, "Language", r.Language)
	setIfPresent(query, "NodeType", r.NodeType)
	setIfPresent(query, "OwnerId", r.OwnerId)
	setIfPresent(query, "PhoneNumber", r.PhoneNumber)
	setIfPresent(query, "ResourceOwnerAccount", r.ResourceOwnerAccount)
	setIfPresent(query, "ResourceOwnerId", r.ResourceOwnerId)
	setIfPresent(query, "TemplateCode", r.TemplateCode)
	setIfPresent(query, "WabaId", r.WabaId)
	out := &HealthResponse{}
	err := call(c, "GetWhatsappHealthStatus", query, runtime, &out)
	return out, err
}
