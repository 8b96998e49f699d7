package chatapp

import "context"

// EnableWhatsappROIMetricRequest names whose WhatsApp ROI metric collection
// to enable. A direct customer leaves both fields empty.
type EnableWhatsappROIMetricRequest struct {
	// CustSpaceID is an ISV sub-customer's space (channel) ID; wire name
	// CustSpaceId. Optional.
	CustSpaceID string
	// IsvCode proves that an ISV authorised the caller. Optional.
	IsvCode string
}

// EnableWhatsappROIMetricResponse is a successful answer.
type EnableWhatsappROIMetricResponse struct {
	RequestID          string
	Code               string // "OK"
	Message            string
	AccessDeniedDetail string
}

// EnableWhatsappROIMetric turns on WhatsApp ROI metric collection, which
// GetChatappPhoneNumberMetric needs: data exists from the day after, and
// traffic from before is never counted. Calling it again is harmless. The
// service allows 5 calls a second per account, and the default limiter
// keeps to that.
//
// The action is spelled EnableWhatsappROIMetric; the documentation's prose
// spelling "EnableWhatsAppROIMetric" is a typo the service does not accept.
func (c *Client) EnableWhatsappROIMetric(ctx context.Context, req *EnableWhatsappROIMetricRequest) (*EnableWhatsappROIMetricResponse, error) {
	op := opEnableWhatsappROIMetric
	if req == nil {
		req = &EnableWhatsappROIMetricRequest{}
	}
	var buf [2]param
	wire, err := invoke[envelope](ctx, c, op, req.params(buf[:0]))
	if err != nil {
		return nil, err
	}
	return &EnableWhatsappROIMetricResponse{
		RequestID:          wire.RequestID,
		Code:               wire.Code,
		Message:            wire.Message,
		AccessDeniedDetail: string(wire.AccessDeniedDetail),
	}, nil
}

// params appends the wire parameters in byte order of their names.
func (r *EnableWhatsappROIMetricRequest) params(dst []param) []param {
	if r.CustSpaceID != "" {
		dst = append(dst, param{name: "CustSpaceId", value: r.CustSpaceID})
	}
	if r.IsvCode != "" {
		dst = append(dst, param{name: "IsvCode", value: r.IsvCode})
	}
	return dst
}
