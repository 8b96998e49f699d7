package chatapp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// QueryChatappPhoneNumbersRateLimit is the documented limit of
// QueryChatappPhoneNumbers, in requests per second per account. The
// default limiter keeps to 96 % of it.
const QueryChatappPhoneNumbersRateLimit = 10

// PhoneNumberStatus is the state of a WhatsApp sending number. Values the
// package does not list are kept as the service sent them.
type PhoneNumberStatus string

// The number states listed by the cams API reference.
const (
	PhoneNumberPending      PhoneNumberStatus = "PENDING"
	PhoneNumberDeleted      PhoneNumberStatus = "DELETED"
	PhoneNumberMigrated     PhoneNumberStatus = "MIGRATED"
	PhoneNumberBanned       PhoneNumberStatus = "BANNED"
	PhoneNumberRestricted   PhoneNumberStatus = "RESTRICTED"
	PhoneNumberRateLimited  PhoneNumberStatus = "RATE_LIMITED"
	PhoneNumberFlagged      PhoneNumberStatus = "FLAGGED"
	PhoneNumberConnected    PhoneNumberStatus = "CONNECTED"
	PhoneNumberDisconnected PhoneNumberStatus = "DISCONNECTED"
	PhoneNumberUnknown      PhoneNumberStatus = "UNKNOWN"
	PhoneNumberUnverified   PhoneNumberStatus = "UNVERIFIED"
	PhoneNumberOffline      PhoneNumberStatus = "OFFLINE"
	PhoneNumberPaused       PhoneNumberStatus = "PAUSED"
)

// String returns the wire value.
func (s PhoneNumberStatus) String() string { return string(s) }

// QualityRating is Meta's quality rating of a number.
type QualityRating string

// The quality ratings the API reference lists.
const (
	QualityGreen   QualityRating = "GREEN"  // high
	QualityYellow  QualityRating = "YELLOW" // medium
	QualityRed     QualityRating = "RED"    // low
	QualityUnknown QualityRating = "UNKNOWN"
)

// String returns the wire value.
func (q QualityRating) String() string { return string(q) }

// MessagingLimitTier is how many distinct recipients a number may message
// in a day. The API reference's own example, "TIER_10", is in no list; it
// is kept as sent, like any value not listed here.
type MessagingLimitTier string

// The tiers of the official SDK's model (they match Meta's).
const (
	Tier50        MessagingLimitTier = "TIER_50"
	Tier250       MessagingLimitTier = "TIER_250"
	Tier1K        MessagingLimitTier = "TIER_1K"
	Tier10K       MessagingLimitTier = "TIER_10K"
	Tier100K      MessagingLimitTier = "TIER_100K"
	TierUnlimited MessagingLimitTier = "TIER_UNLIMITED"
)

// String returns the wire value.
func (t MessagingLimitTier) String() string { return string(t) }

// CodeVerificationStatus is whether a number's ownership was verified.
type CodeVerificationStatus string

// The verification states of the official SDK's model; Meta also uses
// NOT_VERIFIED and EXPIRED.
const (
	CodeVerified                 CodeVerificationStatus = "VERIFIED"
	CodeNotVerified              CodeVerificationStatus = "NOT_VERIFIED"
	CodeExpired                  CodeVerificationStatus = "EXPIRED"
	CodeRevoked                  CodeVerificationStatus = "REVOKED"
	CodeRejected                 CodeVerificationStatus = "REJECTED"
	CodeMoreInformationRequested CodeVerificationStatus = "MORE_INFORMATION_REQUESTED"
)

// String returns the wire value.
func (c CodeVerificationStatus) String() string { return string(c) }

// QueryChatappPhoneNumbersRequest names whose numbers to list. A direct
// customer leaves every field empty.
type QueryChatappPhoneNumbersRequest struct {
	// CustSpaceID is an ISV sub-customer's space (channel) ID; wire name
	// CustSpaceId. Optional.
	CustSpaceID string
	// IsvCode proves that an ISV authorised the caller. Optional.
	IsvCode string
	// Status is passed to the service as is. The API reference calls it
	// "the status of the phone number" without saying how it filters.
	// Optional.
	Status string
}

// QueryChatappPhoneNumbersResponse is a successful answer: every number of
// the channel, in one piece (the operation has no pagination).
type QueryChatappPhoneNumbersResponse struct {
	RequestID          string
	Code               string // "OK"
	Message            string
	AccessDeniedDetail string
	Success            bool   // often absent; Code is what tells success
	Data               string // undocumented; kept as sent
	PhoneNumbers       []PhoneNumberInfo
}

// PhoneNumberInfo is one sending number and its settings.
type PhoneNumberInfo struct {
	PhoneNumber            string                 `json:"PhoneNumber"` // country code and digits, no "+"
	VerifiedName           string                 `json:"VerifiedName"`
	Status                 PhoneNumberStatus      `json:"Status"`
	QualityRating          QualityRating          `json:"QualityRating"`
	MessagingLimitTier     MessagingLimitTier     `json:"MessagingLimitTier"`
	CodeVerificationStatus CodeVerificationStatus `json:"CodeVerificationStatus"`
	NameStatus             string                 `json:"NameStatus"`    // e.g. "Approval"
	NewNameStatus          string                 `json:"NewNameStatus"` // review of a changed name
	// IsOfficial is whether the number is an Official Business Account:
	// "Y" on the wire is true, anything else false.
	IsOfficial        bool              `json:"IsOfficial"`
	StatusCallbackURL string            `json:"StatusCallbackUrl"`
	StatusQueue       string            `json:"StatusQueue"`
	UpCallbackURL     string            `json:"UpCallbackUrl"`
	UpQueue           string            `json:"UpQueue"`
	CallingConfigure  *CallingConfigure `json:"CallingConfigure,omitempty"`
}

// UnmarshalJSON decodes the wire form, whose IsOfficial is "Y" or "N".
func (p *PhoneNumberInfo) UnmarshalJSON(b []byte) error {
	type plain PhoneNumberInfo
	w := struct {
		*plain
		IsOfficial flexString `json:"IsOfficial"`
	}{plain: (*plain)(p)}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	p.IsOfficial = strings.EqualFold(string(w.IsOfficial), "Y") || strings.EqualFold(string(w.IsOfficial), "true")
	return nil
}

// CallingConfigure is a number's WhatsApp Calling settings. The official
// SDK documents none of its fields.
type CallingConfigure struct {
	CallingCallbackURL string   `json:"CallingCallbackUrl"`
	MaxTalkTime        int64    `json:"MaxTalkTime"` // unit undocumented
	Calling            *Calling `json:"Calling,omitempty"`
}

// UnmarshalJSON accepts MaxTalkTime as a number or a quoted number.
func (c *CallingConfigure) UnmarshalJSON(b []byte) error {
	type plain CallingConfigure
	w := struct {
		*plain
		MaxTalkTime flexInt `json:"MaxTalkTime"`
	}{plain: (*plain)(c)}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	c.MaxTalkTime = int64(w.MaxTalkTime)
	return nil
}

// Calling is whether calling is on, and when.
type Calling struct {
	Status    string     `json:"Status"` // e.g. "ENABLED"
	CallHours *CallHours `json:"CallHours,omitempty"`
}

// CallHours are the hours a number takes calls.
type CallHours struct {
	Status                   string            `json:"Status"`
	CallIconVisibility       string            `json:"CallIconVisibility"`
	CallbackPermissionStatus string            `json:"CallbackPermissionStatus"`
	TimezoneID               string            `json:"TimezoneId"`
	WeeklyOperatingHours     []OperatingHours  `json:"WeeklyOperatingHours"`
	HolidaySchedule          []HolidaySchedule `json:"HolidaySchedule"`
}

// OperatingHours are the opening hours of one weekday, as HHMM.
type OperatingHours struct {
	DayOfWeek string `json:"DayOfWeek"`
	OpenTime  string `json:"OpenTime"`
	CloseTime string `json:"CloseTime"`
}

// HolidaySchedule is a day (YYYY-MM-DD) with its own hours, as HHMM.
type HolidaySchedule struct {
	Date      string `json:"Date"`
	StartTime string `json:"StartTime"`
	EndTime   string `json:"EndTime"`
}

// phoneNumbersWire is the JSON the service sends.
type phoneNumbersWire struct {
	envelope
	Success      bool              `json:"Success"`
	Data         flexString        `json:"Data"`
	PhoneNumbers []PhoneNumberInfo `json:"PhoneNumbers"`
}

// QueryChatappPhoneNumbers lists every WhatsApp sending number of the
// caller or of the channel req.CustSpaceID, with its status, quality
// rating, messaging tier and callback settings. The service allows 10
// calls a second per account, and the default limiter keeps to that.
//
// Failures are *OperationError values wrapping an *APIError for answers
// from the service; see the Err* sentinels.
func (c *Client) QueryChatappPhoneNumbers(ctx context.Context, req *QueryChatappPhoneNumbersRequest) (*QueryChatappPhoneNumbersResponse, error) {
	op := opQueryChatappPhoneNumbers
	if req == nil {
		req = &QueryChatappPhoneNumbersRequest{}
	}
	var buf [3]param
	wire, err := invoke[phoneNumbersWire](ctx, c, op, req.params(buf[:0]))
	if err != nil {
		return nil, err
	}
	return &QueryChatappPhoneNumbersResponse{
		RequestID:          wire.RequestID,
		Code:               wire.Code,
		Message:            wire.Message,
		AccessDeniedDetail: string(wire.AccessDeniedDetail),
		Success:            wire.Success,
		Data:               string(wire.Data),
		PhoneNumbers:       wire.PhoneNumbers,
	}, nil
}

// params appends the wire parameters in byte order of their names.
func (r *QueryChatappPhoneNumbersRequest) params(dst []param) []param {
	if r.CustSpaceID != "" {
		dst = append(dst, param{name: "CustSpaceId", value: r.CustSpaceID})
	}
	if r.IsvCode != "" {
		dst = append(dst, param{name: "IsvCode", value: r.IsvCode})
	}
	if r.Status != "" {
		dst = append(dst, param{name: "Status", value: r.Status})
	}
	return dst
}

// ChannelPhoneNumberMetrics fetches the range of req for every number of
// the channel req.CustSpaceID: it lists the channel's numbers with
// QueryChatappPhoneNumbers and then queries them as QueryPhoneNumbers
// does, with the same options. req.PhoneNumber must be empty.
//
// numbers is the channel's list as the service returned it, and the
// series come in its order. A failed listing returns nil, nil and the
// error; a channel without numbers returns empty slices and no error.
func (c *Client) ChannelPhoneNumberMetrics(ctx context.Context, req *GetChatappPhoneNumberMetricRequest, opts ...QueryOption) (numbers []PhoneNumberInfo, series []PhoneNumberSeries, err error) {
	op := opGetChatappPhoneNumberMetric
	if err := validateChannelQuery(req); err != nil {
		return nil, nil, c.fail(op, 0, err, nil)
	}
	list, err := c.QueryChatappPhoneNumbers(ctx, &QueryChatappPhoneNumbersRequest{CustSpaceID: req.CustSpaceID, IsvCode: req.IsvCode})
	if err != nil {
		return nil, nil, err
	}
	numbers = list.PhoneNumbers
	if len(numbers) == 0 {
		return []PhoneNumberInfo{}, []PhoneNumberSeries{}, nil
	}
	phones := make([]string, len(numbers))
	for i, n := range numbers {
		phones[i] = n.PhoneNumber
	}
	series, err = c.QueryPhoneNumbers(ctx, phones, req, opts...)
	if series == nil && err != nil {
		return numbers, nil, fmt.Errorf("channel %s: %w", req.CustSpaceID, err)
	}
	return numbers, series, err
}

// validateChannelQuery checks what ChannelPhoneNumberMetrics adds to a
// request's rules.
func validateChannelQuery(req *GetChatappPhoneNumberMetricRequest) error {
	if err := req.validate(); err != nil {
		return err
	}
	switch {
	case req.CustSpaceID == "":
		return &ValidationError{Field: "CustSpaceID", Rule: "is required: it names the channel whose numbers to query"}
	case req.PhoneNumber != "":
		return &ValidationError{Field: "PhoneNumber", Rule: "must be empty: the numbers are the channel's"}
	}
	return nil
}
