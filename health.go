package chatapp

import (
	"context"
	"strconv"
)

// GetWhatsappHealthStatusRateLimit is the limit the default limiter keeps
// GetWhatsappHealthStatus to (at 96 %), in requests per second per
// account. The API reference documents 5 a second; the ChatApp quota page
// lists 100. The lower figure is used; a caller who knows their account
// allows more sets a limiter of their own (WithRateLimiter).
const GetWhatsappHealthStatusRateLimit = 5

// NodeType is the kind of node whose health to query.
type NodeType string

// The node types the service accepts (lower case on the wire).
const (
	NodeTemplate NodeType = "template"
	NodePhone    NodeType = "phone"
	NodeWABA     NodeType = "waba"
)

// String returns the wire value.
func (n NodeType) String() string { return string(n) }

// Valid reports whether n is one of the documented node types.
func (n NodeType) Valid() bool { return n == NodeTemplate || n == NodePhone || n == NodeWABA }

// SendStatus says whether a node can send messages. Values not listed are
// kept as sent.
type SendStatus string

// Meta's health states, which the service passes through.
const (
	SendAvailable SendStatus = "AVAILABLE"
	SendLimited   SendStatus = "LIMITED"
	SendBlocked   SendStatus = "BLOCKED"
)

// String returns the wire value.
func (s SendStatus) String() string { return string(s) }

// EntityType is the kind of a node in a health answer.
type EntityType string

// Meta's entity types.
const (
	EntityPhoneNumber     EntityType = "PHONE_NUMBER"
	EntityMessageTemplate EntityType = "MESSAGE_TEMPLATE"
	EntityWABA            EntityType = "WABA"
	EntityBusiness        EntityType = "BUSINESS"
	EntityApp             EntityType = "APP"
)

// String returns the wire value.
func (e EntityType) String() string { return string(e) }

// GetWhatsappHealthStatusRequest names the node to check.
type GetWhatsappHealthStatusRequest struct {
	// NodeType is NodeTemplate, NodePhone or NodeWABA. Required.
	NodeType NodeType
	// CustSpaceID is the channel's space ID (or a direct customer's
	// instance ID); wire name CustSpaceId. Required.
	CustSpaceID string
	// PhoneNumber is the number to check (with NodePhone).
	PhoneNumber string
	// TemplateCode and Language name the template to check (with
	// NodeTemplate).
	TemplateCode string
	Language     string
	// WabaID names the WhatsApp Business Account (with NodeWABA); wire name
	// WabaId.
	WabaID string
}

// GetWhatsappHealthStatusResponse is a successful answer.
type GetWhatsappHealthStatusResponse struct {
	RequestID          string
	Code               string // "OK"
	Message            string
	AccessDeniedDetail string
	Success            bool
	// CanSendMessage is the overall status: BLOCKED if any entity is,
	// otherwise LIMITED if any is, otherwise AVAILABLE.
	CanSendMessage SendStatus
	Entities       []HealthEntity
}

// HealthEntity is one node of the answer.
type HealthEntity struct {
	EntityType     EntityType    `json:"EntityType"`
	CanSendMessage SendStatus    `json:"CanSendMessage"`
	BusinessID     string        `json:"BusinessId"`
	WabaID         string        `json:"WabaId"`
	PhoneNumber    string        `json:"PhoneNumber"`
	TemplateCode   string        `json:"TemplateCode"`
	Language       string        `json:"Language"`
	Errors         []HealthError `json:"Errors"`
}

// HealthError is a reason a node cannot send, as Meta reports it.
type HealthError struct {
	ErrorCode        string `json:"ErrorCode"` // Meta's numeric code, as text
	ErrorDescription string `json:"ErrorDescription"`
	PossibleSolution string `json:"PossibleSolution"`
}

type healthWire struct {
	envelope
	Success bool `json:"Success"`
	Data    struct {
		CanSendMessage SendStatus         `json:"CanSendMessage"`
		Entities       []healthEntityWire `json:"Entities"`
	} `json:"Data"`
}

type healthEntityWire struct {
	HealthEntity
	Errors []healthErrorWire `json:"Errors"`
}

type healthErrorWire struct {
	ErrorCode        flexString `json:"ErrorCode"` // a string, or a number
	ErrorDescription string     `json:"ErrorDescription"`
	PossibleSolution string     `json:"PossibleSolution"`
}

// GetWhatsappHealthStatus reports whether a template, a phone number or a
// WABA can send messages, entity by entity, with the errors that block
// them; the service asks Meta. The default limiter keeps to 5 calls a
// second per account (see GetWhatsappHealthStatusRateLimit).
//
// The request is validated before anything is sent (errors match
// ErrInvalidRequest).
func (c *Client) GetWhatsappHealthStatus(ctx context.Context, req *GetWhatsappHealthStatusRequest) (*GetWhatsappHealthStatusResponse, error) {
	op := opGetWhatsappHealthStatus
	if err := req.validate(); err != nil {
		return nil, c.fail(op, 0, err, nil)
	}
	var buf [6]param
	wire, err := invoke[healthWire](ctx, c, op, req.params(buf[:0]))
	if err != nil {
		return nil, err
	}
	out := &GetWhatsappHealthStatusResponse{
		RequestID:          wire.RequestID,
		Code:               wire.Code,
		Message:            wire.Message,
		AccessDeniedDetail: string(wire.AccessDeniedDetail),
		Success:            wire.Success,
		CanSendMessage:     wire.Data.CanSendMessage,
	}
	if len(wire.Data.Entities) > 0 {
		out.Entities = make([]HealthEntity, len(wire.Data.Entities))
	}
	for i, w := range wire.Data.Entities {
		e := w.HealthEntity
		e.Errors = nil
		for _, x := range w.Errors {
			e.Errors = append(e.Errors, HealthError{ErrorCode: string(x.ErrorCode), ErrorDescription: x.ErrorDescription, PossibleSolution: x.PossibleSolution})
		}
		out.Entities[i] = e
	}
	return out, nil
}

func (r *GetWhatsappHealthStatusRequest) validate() error {
	switch {
	case r == nil:
		return &ValidationError{Field: "request", Rule: "must not be nil"}
	case r.NodeType == "":
		return &ValidationError{Field: "NodeType", Rule: `is required ("template", "phone" or "waba")`}
	case !r.NodeType.Valid():
		return &ValidationError{Field: "NodeType", Rule: `must be "template", "phone" or "waba", got ` + strconv.Quote(string(r.NodeType))}
	case r.CustSpaceID == "":
		return &ValidationError{Field: "CustSpaceID", Rule: "is required"}
	}
	return nil
}

// params appends the wire parameters in byte order of their names:
// CustSpaceId, Language, NodeType, PhoneNumber, TemplateCode, WabaId.
func (r *GetWhatsappHealthStatusRequest) params(dst []param) []param {
	dst = append(dst, param{name: "CustSpaceId", value: r.CustSpaceID})
	if r.Language != "" {
		dst = append(dst, param{name: "Language", value: r.Language})
	}
	dst = append(dst, param{name: "NodeType", value: string(r.NodeType)})
	if r.PhoneNumber != "" {
		dst = append(dst, param{name: "PhoneNumber", value: r.PhoneNumber})
	}
	if r.TemplateCode != "" {
		dst = append(dst, param{name: "TemplateCode", value: r.TemplateCode})
	}
	if r.WabaID != "" {
		dst = append(dst, param{name: "WabaId", value: r.WabaID})
	}
	return dst
}
