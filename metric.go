package chatapp

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Granularity is the bucket size of a metric time series.
type Granularity string

const (
	// GranularityDaily asks for one point per day.
	GranularityDaily Granularity = "DAILY"
	// GranularityHalfHour asks for one point per half hour.
	GranularityHalfHour Granularity = "HALF_HOUR"
)

// Valid reports whether g is a granularity the service accepts.
func (g Granularity) Valid() bool {
	return g == GranularityDaily || g == GranularityHalfHour
}

// Duration returns the length of one bucket: 24h for GranularityDaily, 30m
// for GranularityHalfHour, and 0 for anything else.
func (g Granularity) Duration() time.Duration {
	switch g {
	case GranularityDaily:
		return 24 * time.Hour
	case GranularityHalfHour:
		return 30 * time.Minute
	}
	return 0
}

// ParseGranularity returns the Granularity of its wire spelling, DAILY or
// HALF_HOUR, in any case ("daily", "Half_Hour"). Anything else, the empty
// string included, is a *ValidationError.
func ParseGranularity(s string) (Granularity, error) {
	for _, g := range [...]Granularity{GranularityDaily, GranularityHalfHour} {
		if strings.EqualFold(s, string(g)) {
			return g, nil
		}
	}
	return "", &ValidationError{Field: "Granularity", Rule: "must be DAILY or HALF_HOUR, got " + strconv.Quote(s)}
}

// UnmarshalJSON decodes the wire values to the package's constants, so
// decoding a long series does not allocate a string per point.
func (g *Granularity) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"DAILY"`:
		*g = GranularityDaily
	case `"HALF_HOUR"`:
		*g = GranularityHalfHour
	case "null":
	default:
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*g = Granularity(s)
	}
	return nil
}

// GetChatappPhoneNumberMetricRequest selects the series to fetch.
type GetChatappPhoneNumberMetricRequest struct {
	// PhoneNumber is the WhatsApp business number, country code first and
	// without "+", e.g. "8613800001234". The service marks it optional but
	// does not document what it answers without one: presumably every
	// number of the account, each point naming its number, which is what
	// chatapptest serves; each point's PhoneNumber says which number it
	// counts, and range queries split such a series like any other. To cover every
	// number of a channel, ChannelPhoneNumberMetrics lists them and asks
	// for each.
	PhoneNumber string
	// Granularity is GranularityDaily or GranularityHalfHour; empty leaves
	// the choice to the service, whose default is DAILY.
	Granularity Granularity
	// Start and End bound the range. Both are required, must lie in
	// [1970-01-01T00:00:00Z, 10000-01-01T00:00:00Z), End must be after
	// Start, and both are sent as UNIX milliseconds (finer precision is
	// dropped).
	Start, End time.Time
	// CustSpaceID is an ISV sub-customer's space (channel) ID; wire name
	// CustSpaceId. Optional.
	CustSpaceID string
	// IsvCode proves that an ISV authorised the caller. Optional.
	IsvCode string
}

// GetChatappPhoneNumberMetricResponse is a successful answer.
type GetChatappPhoneNumberMetricResponse struct {
	RequestID          string // identifies the call in Alibaba Cloud's logs
	Code               string // "OK"
	Message            string
	AccessDeniedDetail string
	// Data is the series in the order the service sent it; nil or empty
	// when there is nothing to report (for example before
	// EnableWhatsappROIMetric was called).
	Data []PhoneNumberMetric
}

// PhoneNumberMetric is one point of the series: the messages a number sent
// and had delivered in [Start, End).
type PhoneNumberMetric struct {
	PhoneNumber    string
	Granularity    Granularity
	Start, End     time.Time // in UTC
	SentCount      int64
	DeliveredCount int64
}

// metricResponseWire is the JSON the service sends.
type metricResponseWire struct {
	envelope
	Data []metricPointWire `json:"Data"`
}

type metricPointWire struct {
	PhoneNumber    string      `json:"PhoneNumber"`
	Granularity    Granularity `json:"Granularity"`
	Start          flexInt     `json:"Start"`
	End            flexInt     `json:"End"`
	SentCount      flexInt     `json:"SentCount"`
	DeliveredCount flexInt     `json:"DeliveredCount"`
}

// GetChatappPhoneNumberMetric returns the messages sent and delivered by a
// WhatsApp business number, per day or per half hour, between req.Start and
// req.End. The account must have called EnableWhatsappROIMetric at least a
// day earlier; before that the series is empty.
//
// The request is validated before anything is sent (errors match
// ErrInvalidRequest). Failures are *OperationError values wrapping an
// *APIError for answers from the service; see the Err* sentinels.
func (c *Client) GetChatappPhoneNumberMetric(ctx context.Context, req *GetChatappPhoneNumberMetricRequest) (*GetChatappPhoneNumberMetricResponse, error) {
	op := opGetChatappPhoneNumberMetric
	if err := req.validate(); err != nil {
		return nil, c.fail(op, 0, err, nil)
	}
	var buf [6]param
	wire, err := invoke[metricResponseWire](ctx, c, op, req.params(buf[:0]))
	if err != nil {
		return nil, err
	}
	return wire.response(), nil
}

// response converts the wire answer to the public type.
func (w *metricResponseWire) response() *GetChatappPhoneNumberMetricResponse {
	out := &GetChatappPhoneNumberMetricResponse{
		RequestID:          w.RequestID,
		Code:               w.Code,
		Message:            w.Message,
		AccessDeniedDetail: string(w.AccessDeniedDetail),
	}
	if len(w.Data) > 0 {
		out.Data = make([]PhoneNumberMetric, len(w.Data))
		for i, p := range w.Data {
			out.Data[i] = PhoneNumberMetric{
				PhoneNumber:    p.PhoneNumber,
				Granularity:    p.Granularity,
				Start:          time.UnixMilli(int64(p.Start)).UTC(),
				End:            time.UnixMilli(int64(p.End)).UTC(),
				SentCount:      int64(p.SentCount),
				DeliveredCount: int64(p.DeliveredCount),
			}
		}
	}
	return out
}

// validate applies the rules the service documents, so that a bad request
// fails before it costs a call from the quota.
func (r *GetChatappPhoneNumberMetricRequest) validate() error {
	switch {
	case r == nil:
		return &ValidationError{Field: "request", Rule: "must not be nil"}
	}
	if err := validateTimeRange(r.Start, r.End); err != nil {
		return err
	}
	switch {
	case r.Granularity != "" && !r.Granularity.Valid():
		return &ValidationError{Field: "Granularity", Rule: `must be "DAILY", "HALF_HOUR" or empty, got ` + strconv.Quote(string(r.Granularity))}
	}
	return nil
}

// params appends the request's wire parameters to dst in byte order of
// their names, which is the order signing needs: CustSpaceId, End,
// Granularity, IsvCode, PhoneNumber, Start. Unset optional fields are not
// sent.
func (r *GetChatappPhoneNumberMetricRequest) params(dst []param) []param {
	end := strconv.FormatInt(r.End.UnixMilli(), 10)
	start := strconv.FormatInt(r.Start.UnixMilli(), 10)
	if r.CustSpaceID != "" {
		dst = append(dst, param{name: "CustSpaceId", value: r.CustSpaceID})
	}
	dst = append(dst, param{name: "End", value: end})
	if r.Granularity != "" {
		dst = append(dst, param{name: "Granularity", value: string(r.Granularity)})
	}
	if r.IsvCode != "" {
		dst = append(dst, param{name: "IsvCode", value: r.IsvCode})
	}
	if r.PhoneNumber != "" {
		dst = append(dst, param{name: "PhoneNumber", value: r.PhoneNumber})
	}
	return append(dst, param{name: "Start", value: start})
}
