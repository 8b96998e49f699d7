package chatapp

import (
	"cmp"
	"context"
	"iter"
	"strconv"
	"time"
)

// GetChatappTemplateMetricRateLimit is the documented limit of
// GetChatappTemplateMetric, in requests per second per account. The
// default limiter keeps to 96 % of it.
const GetChatappTemplateMetricRateLimit = 50

// ButtonType is the kind of a template button.
type ButtonType string

// The button kinds the API reference lists.
const (
	ButtonQuickReply  ButtonType = "quick_reply_button"
	ButtonURL         ButtonType = "url_button"
	ButtonPhoneNumber ButtonType = "phone_number_button"
)

// String returns the wire value.
func (t ButtonType) String() string { return string(t) }

// UnmarshalJSON keeps any value as sent, except the official SDK's
// spelling "quick_relpy_button", which becomes ButtonQuickReply.
func (t *ButtonType) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if s == "quick_relpy_button" {
		s = flexString(ButtonQuickReply)
	}
	*t = ButtonType(s)
	return nil
}

// GetChatappTemplateMetricRequest selects the series of one template.
type GetChatappTemplateMetricRequest struct {
	// TemplateCode is the template's code. Required.
	TemplateCode string
	// Language is the template's language code, e.g. "en". Optional.
	Language string
	// TemplateType is the channel type; empty means WHATSAPP at the
	// service. Optional.
	TemplateType string
	// Granularity is GranularityDaily or GranularityHalfHour; empty leaves
	// the choice to the service, whose default is DAILY.
	Granularity Granularity
	// Start and End bound the range. Both are required, must lie in
	// [1970-01-01T00:00:00Z, 10000-01-01T00:00:00Z), End must be after
	// Start, and both are sent as UNIX milliseconds (finer precision is
	// dropped).
	Start, End time.Time
	// IsvCode proves that an ISV authorised the caller. Optional.
	IsvCode string
	// CustSpaceID is the channel's space ID; wire name CustSpaceId.
	// Optional.
	CustSpaceID string
}

// GetChatappTemplateMetricResponse is a successful answer.
type GetChatappTemplateMetricResponse struct {
	RequestID          string
	Code               string // "OK"
	Message            string
	AccessDeniedDetail string
	// Data is the series in the order the service sent it.
	Data []TemplateMetric
}

// TemplateMetric is one point of a template's series.
type TemplateMetric struct {
	TemplateCode   string         `json:"TemplateCode"`
	Language       string         `json:"Language"`
	SentCount      int64          `json:"SentCount"`
	DeliveredCount int64          `json:"DeliveredCount"`
	ReadCount      int64          `json:"ReadCount"`
	Start          time.Time      `json:"Start"` // in UTC
	End            time.Time      `json:"End"`
	Clicks         []ButtonClicks `json:"Clicks"` // the wire's "Cliented"
}

// ButtonClicks counts the clicks on one button of a template.
type ButtonClicks struct {
	ButtonContent string     `json:"ButtonContent"` // the button's text
	Count         int64      `json:"Count"`
	Type          ButtonType `json:"Type"`
}

// DeliveryRate returns DeliveredCount ÷ SentCount, or 0 when nothing was
// sent.
func (m TemplateMetric) DeliveryRate() float64 { return deliveryRate(m.DeliveredCount, m.SentCount) }

// ReadRate returns ReadCount ÷ DeliveredCount (what share of the delivered
// messages was read), or 0 when nothing was delivered.
func (m TemplateMetric) ReadRate() float64 { return deliveryRate(m.ReadCount, m.DeliveredCount) }

type templateMetricWire struct {
	envelope
	Data []templatePointWire `json:"Data"`
}

type templatePointWire struct {
	TemplateCode   string       `json:"TemplateCode"`
	Language       string       `json:"Language"`
	SentCount      flexInt      `json:"SentCount"`
	DeliveredCount flexInt      `json:"DeliveredCount"`
	ReadCount      flexInt      `json:"ReadCount"`
	Start          flexInt      `json:"Start"`
	End            flexInt      `json:"End"`
	Cliented       []clicksWire `json:"Cliented"`
}

type clicksWire struct {
	ButtonContent string     `json:"ButtonContent"`
	Count         flexInt    `json:"Count"`
	Type          ButtonType `json:"Type"`
}

// GetChatappTemplateMetric returns the sent, delivered and read counts and
// the button clicks of a marketing template, per day or per half hour,
// between req.Start and req.End. Like GetChatappPhoneNumberMetric it needs
// EnableWhatsappROIMetric. The service allows 50 calls a second per
// account, and the default limiter keeps to that.
//
// The request is validated before anything is sent (errors match
// ErrInvalidRequest).
func (c *Client) GetChatappTemplateMetric(ctx context.Context, req *GetChatappTemplateMetricRequest) (*GetChatappTemplateMetricResponse, error) {
	op := opGetChatappTemplateMetric
	if err := req.validate(); err != nil {
		return nil, c.fail(op, 0, err, nil)
	}
	var buf [8]param
	wire, err := invoke[templateMetricWire](ctx, c, op, req.params(buf[:0]))
	if err != nil {
		return nil, err
	}
	return wire.response(), nil
}

func (w *templateMetricWire) response() *GetChatappTemplateMetricResponse {
	out := &GetChatappTemplateMetricResponse{
		RequestID:          w.RequestID,
		Code:               w.Code,
		Message:            w.Message,
		AccessDeniedDetail: string(w.AccessDeniedDetail),
	}
	if len(w.Data) > 0 {
		out.Data = make([]TemplateMetric, len(w.Data))
	}
	for i, p := range w.Data {
		m := TemplateMetric{
			TemplateCode:   p.TemplateCode,
			Language:       p.Language,
			SentCount:      int64(p.SentCount),
			DeliveredCount: int64(p.DeliveredCount),
			ReadCount:      int64(p.ReadCount),
			Start:          time.UnixMilli(int64(p.Start)).UTC(),
			End:            time.UnixMilli(int64(p.End)).UTC(),
		}
		if len(p.Cliented) > 0 {
			m.Clicks = make([]ButtonClicks, len(p.Cliented))
			for j, k := range p.Cliented {
				m.Clicks[j] = ButtonClicks{ButtonContent: k.ButtonContent, Count: int64(k.Count), Type: k.Type}
			}
		}
		out.Data[i] = m
	}
	return out
}

func (r *GetChatappTemplateMetricRequest) validate() error {
	if r == nil {
		return &ValidationError{Field: "request", Rule: "must not be nil"}
	}
	if r.TemplateCode == "" {
		return &ValidationError{Field: "TemplateCode", Rule: "is required"}
	}
	if err := validateTimeRange(r.Start, r.End); err != nil {
		return err
	}
	if r.Granularity != "" && !r.Granularity.Valid() {
		return &ValidationError{Field: "Granularity", Rule: `must be "DAILY", "HALF_HOUR" or empty, got ` + strconv.Quote(string(r.Granularity))}
	}
	return nil
}

// The times the wire's UNIX milliseconds are allowed to carry. Outside
// them UnixMilli wraps (time.Unix(math.MinInt64, 0) would be sent as a
// small positive number), so times are compared before any conversion.
var (
	minWireTime = time.Unix(0, 0)
	maxWireTime = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// validateTime checks a required time field sent as UNIX milliseconds.
func validateTime(field string, t time.Time) error {
	switch {
	case t.IsZero():
		return &ValidationError{Field: field, Rule: "is required"}
	case t.Before(minWireTime):
		return &ValidationError{Field: field, Rule: "must not be before 1970-01-01T00:00:00Z"}
	case !t.Before(maxWireTime):
		return &ValidationError{Field: field, Rule: "must be before 10000-01-01T00:00:00Z"}
	}
	return nil
}

// validateTimeRange checks a required [Start, End) range sent as UNIX
// milliseconds: each time on its own first, so that the comparison in
// milliseconds cannot wrap.
func validateTimeRange(start, end time.Time) error {
	if err := validateTime("Start", start); err != nil {
		return err
	}
	if err := validateTime("End", end); err != nil {
		return err
	}
	if end.UnixMilli() <= start.UnixMilli() {
		return &ValidationError{Field: "End", Rule: "must be after Start (compared in milliseconds)"}
	}
	return nil
}

// params appends the wire parameters in byte order of their names:
// CustSpaceId, End, Granularity, IsvCode, Language, Start, TemplateCode,
// TemplateType.
func (r *GetChatappTemplateMetricRequest) params(dst []param) []param {
	if r.CustSpaceID != "" {
		dst = append(dst, param{name: "CustSpaceId", value: r.CustSpaceID})
	}
	dst = append(dst, param{name: "End", value: strconv.FormatInt(r.End.UnixMilli(), 10)})
	if r.Granularity != "" {
		dst = append(dst, param{name: "Granularity", value: string(r.Granularity)})
	}
	if r.IsvCode != "" {
		dst = append(dst, param{name: "IsvCode", value: r.IsvCode})
	}
	if r.Language != "" {
		dst = append(dst, param{name: "Language", value: r.Language})
	}
	dst = append(dst, param{name: "Start", value: strconv.FormatInt(r.Start.UnixMilli(), 10)})
	dst = append(dst, param{name: "TemplateCode", value: r.TemplateCode})
	if r.TemplateType != "" {
		dst = append(dst, param{name: "TemplateType", value: r.TemplateType})
	}
	return dst
}

// TemplateMetrics returns the points of req's range, however long, as an
// iterator, splitting it into windows exactly as PhoneNumberMetrics does
// (DailyWindow, HalfHourWindow, BucketZone and ReportProgress apply) and
// calling GetChatappTemplateMetric for one window after another.
//
// Points come in time order (by Start, then Language). A point returned in
// two adjacent windows is yielded once. An invalid request or option
// yields a single error matching ErrInvalidRequest and sends nothing; a
// failed call yields its error after the points before it and ends the
// sequence.
func (c *Client) TemplateMetrics(ctx context.Context, req *GetChatappTemplateMetricRequest, opts ...RangeOption) iter.Seq2[TemplateMetric, error] {
	var snapshot *GetChatappTemplateMetricRequest
	if req != nil {
		r := *req
		snapshot = &r
	}
	return func(yield func(TemplateMetric, error) bool) {
		cfg, err := newRangeConfig(opts)
		if err == nil {
			err = snapshot.validate()
		}
		if err != nil {
			yield(TemplateMetric{}, c.fail(opGetChatappTemplateMetric, 0, err, nil))
			return
		}
		c.fetchTemplateRange(ctx, snapshot, cfg, yield)
	}
}

type templateKey struct {
	code, language string
	start          int64
}

func (c *Client) fetchTemplateRange(ctx context.Context, req *GetChatappTemplateMetricRequest, cfg *rangeConfig, yield func(TemplateMetric, error) bool) {
	window := *req
	fetch := func(from, to time.Time) ([]TemplateMetric, error) {
		window.Start, window.End = from, to
		resp, err := c.GetChatappTemplateMetric(ctx, &window)
		if err != nil {
			return nil, err
		}
		return resp.Data, nil
	}
	order := func(a, b TemplateMetric) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.Language, b.Language)
	}
	key := func(p TemplateMetric) templateKey {
		return templateKey{p.TemplateCode, p.Language, p.Start.UnixMilli()}
	}
	// The wire carries milliseconds; cutting on them keeps every window
	// non-empty as the service sees it.
	start, end := time.UnixMilli(req.Start.UnixMilli()), time.UnixMilli(req.End.UnixMilli())
	plan := newWindowPlan(req.Granularity, cfg)
	windows, err := plan.count(ctx, start, end, 1, cfg.maxCalls)
	if err != nil {
		yield(TemplateMetric{}, c.fail(opGetChatappTemplateMetric, 0, err, nil))
		return
	}
	fetchWindows(start, end, plan, windows, cfg.progress, "", fetch, order, key, yield)
}
