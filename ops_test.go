package chatapp

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func exampleBody(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/api/" + name)
	require.NoError(t, err)
	return string(b)
}

// TestPhoneNumbersDecodeDocumentedExample decodes the API reference's
// example answer exactly.
func TestPhoneNumbersDecodeDocumentedExample(t *testing.T) {
	c, mock := newMockClient(t)
	script(mock, jsonAnswer(200, exampleBody(t, "QueryChatappPhoneNumbers.documented.json")))
	resp, err := c.QueryChatappPhoneNumbers(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, &QueryChatappPhoneNumbersResponse{
		RequestID:          "90E63D28-E31D-1EB2-8939-A94866411B2O",
		Code:               "OK",
		Message:            "SUCCESS",
		AccessDeniedDetail: "无",
		PhoneNumbers: []PhoneNumberInfo{{
			UpQueue:                "Alicom-Queue-****-ChatAppInbound",
			PhoneNumber:            "8613800000",
			StatusQueue:            "Alicom-Queue-****-ChatAppStatus",
			VerifiedName:           "Alibaba",
			StatusCallbackURL:      "https://ali.com/status",
			UpCallbackURL:          "https://ali.com/inbound",
			QualityRating:          QualityGreen,
			Status:                 PhoneNumberConnected,
			CodeVerificationStatus: CodeVerified,
			NameStatus:             "Approval",
			MessagingLimitTier:     "TIER_10",
			NewNameStatus:          "Approval",
		}},
	}, resp)
}

// TestPhoneNumbersDecodeSDKModelExample decodes the full-shape example.
func TestPhoneNumbersDecodeSDKModelExample(t *testing.T) {
	c, mock := newMockClient(t)
	script(mock, jsonAnswer(200, exampleBody(t, "QueryChatappPhoneNumbers.sdk-model.json")))
	resp, err := c.QueryChatappPhoneNumbers(context.Background(), nil)
	require.NoError(t, err)
	assert.True(t, resp.Success)
	assert.Equal(t, "None", resp.AccessDeniedDetail)
	assert.Equal(t, []PhoneNumberInfo{{
		PhoneNumber:            "861380000****",
		VerifiedName:           "Alibaba",
		Status:                 PhoneNumberConnected,
		QualityRating:          QualityGreen,
		MessagingLimitTier:     Tier10K,
		CodeVerificationStatus: CodeVerified,
		NameStatus:             "Approval",
		NewNameStatus:          "Approval",
		IsOfficial:             false,
		StatusCallbackURL:      "https://ali.com/status",
		StatusQueue:            "Alicom-Queue-****-ChatAppStatus",
		UpCallbackURL:          "https://ali.com/inbound",
		UpQueue:                "Alicom-Queue-****-ChatAppInbound",
		CallingConfigure: &CallingConfigure{
			CallingCallbackURL: "https://aliyun.com",
			MaxTalkTime:        1000,
			Calling: &Calling{
				Status: "ENABLED",
				CallHours: &CallHours{
					Status:                   "ENABLED",
					CallIconVisibility:       "DEFAULT",
					CallbackPermissionStatus: "ENABLED",
					TimezoneID:               "Asia/Shanghai",
					WeeklyOperatingHours:     []OperatingHours{{DayOfWeek: "MONDAY", OpenTime: "0000", CloseTime: "2359"}},
					HolidaySchedule:          []HolidaySchedule{{Date: "2026-01-01", StartTime: "0000", EndTime: "2359"}},
				},
			},
		},
	}}, resp.PhoneNumbers)
}

func TestPhoneNumbersIsOfficialAndUnknownEnums(t *testing.T) {
	c, mock := newMockClient(t)
	script(mock, jsonAnswer(200, `{"Code":"OK","PhoneNumbers":[
		{"PhoneNumber":"1","IsOfficial":"Y","Status":"OFFLINE_FOR_GOOD","QualityRating":"PURPLE","CallingConfigure":{"MaxTalkTime":"30"}},
		{"PhoneNumber":"2","IsOfficial":"N"},{"PhoneNumber":"3"}]}`))
	resp, err := c.QueryChatappPhoneNumbers(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, resp.PhoneNumbers, 3)
	p := resp.PhoneNumbers
	assert.True(t, p[0].IsOfficial)
	assert.False(t, p[1].IsOfficial)
	assert.False(t, p[2].IsOfficial)
	assert.Equal(t, "OFFLINE_FOR_GOOD", p[0].Status.String(), "unknown values are kept")
	assert.Equal(t, QualityRating("PURPLE"), p[0].QualityRating)
	assert.Equal(t, int64(30), p[0].CallingConfigure.MaxTalkTime)
	assert.Nil(t, p[1].CallingConfigure)
}

func TestTemplateMetricDecodeDocumentedExample(t *testing.T) {
	c, mock := newMockClient(t)
	script(mock, jsonAnswer(200, exampleBody(t, "GetChatappTemplateMetric.documented.json")))
	resp, err := c.GetChatappTemplateMetric(context.Background(), templateRequest())
	require.NoError(t, err)
	assert.Equal(t, &GetChatappTemplateMetricResponse{
		RequestID:          "90E63D28-E31D-1EB2-8939-A9486641****",
		Code:               "OK",
		Message:            "None",
		AccessDeniedDetail: "无",
		Data: []TemplateMetric{{
			TemplateCode:   "83837774838*****",
			Language:       "en",
			SentCount:      10,
			ReadCount:      3,
			DeliveredCount: 6,
			Clicks:         []ButtonClicks{{Type: ButtonQuickReply, ButtonContent: "回复", Count: 20}},
			Start:          time.UnixMilli(1673919240001).UTC(),
			End:            time.UnixMilli(1668138331485).UTC(),
		}},
	}, resp)
	assert.InDelta(t, 0.5, resp.Data[0].ReadRate(), 1e-12)
	assert.InDelta(t, 0.6, resp.Data[0].DeliveryRate(), 1e-12)
}

func TestTemplateMetricButtonSpellings(t *testing.T) {
	c, mock := newMockClient(t)
	script(mock, jsonAnswer(200, `{"Code":"OK","Data":[{"TemplateCode":"T","SentCount":"4","Cliented":[
		{"Type":"quick_relpy_button","Count":1},{"Type":"quick_reply_button","Count":"2"},{"Type":"url_button","Count":3},{"Type":"flow_button","Count":4}]}]}`))
	resp, err := c.GetChatappTemplateMetric(context.Background(), templateRequest())
	require.NoError(t, err)
	var types []ButtonType
	for _, k := range resp.Data[0].Clicks {
		types = append(types, k.Type)
	}
	assert.Equal(t, []ButtonType{ButtonQuickReply, ButtonQuickReply, ButtonURL, "flow_button"}, types)
	assert.Equal(t, int64(2), resp.Data[0].Clicks[1].Count)
	assert.Equal(t, int64(4), resp.Data[0].SentCount)
	assert.Zero(t, TemplateMetric{}.ReadRate())
}

func TestHealthDecodeSDKModelExample(t *testing.T) {
	c, mock := newMockClient(t)
	script(mock, jsonAnswer(200, exampleBody(t, "GetWhatsappHealthStatus.sdk-model.json")))
	resp, err := c.GetWhatsappHealthStatus(context.Background(), &GetWhatsappHealthStatusRequest{NodeType: NodePhone, CustSpaceID: "cs"})
	require.NoError(t, err)
	assert.Equal(t, &GetWhatsappHealthStatusResponse{
		RequestID:          "DAC72B08-3327-33EF-BEDC-8EC3E83A6575",
		Code:               "OK",
		Message:            "无",
		AccessDeniedDetail: "无",
		Success:            true,
		CanSendMessage:     SendAvailable,
		Entities: []HealthEntity{{
			EntityType:     EntityPhoneNumber,
			CanSendMessage: SendAvailable,
			BusinessID:     "3992****",
			WabaID:         "39939***",
			PhoneNumber:    "86138****",
			TemplateCode:   "939928****",
			Language:       "en",
			Errors: []HealthError{{
				ErrorCode:        "141006",
				ErrorDescription: "There is an error with the payment method.",
				PossibleSolution: "There was an error with your payment method. Please add a new payment method to the account.",
			}},
		}},
	}, resp)
}

func TestHealthErrorCodeAsNumber(t *testing.T) {
	c, mock := newMockClient(t)
	script(mock, jsonAnswer(200, `{"Code":"OK","Data":{"CanSendMessage":"BLOCKED","Entities":[{"EntityType":"WABA","CanSendMessage":"BLOCKED","Errors":[{"ErrorCode":141006}]}]}}`))
	resp, err := c.GetWhatsappHealthStatus(context.Background(), &GetWhatsappHealthStatusRequest{NodeType: NodeWABA, CustSpaceID: "cs", WabaID: "w"})
	require.NoError(t, err)
	assert.Equal(t, SendBlocked, resp.CanSendMessage)
	assert.Equal(t, "141006", resp.Entities[0].Errors[0].ErrorCode)
}

func templateRequest() *GetChatappTemplateMetricRequest {
	return &GetChatappTemplateMetricRequest{
		TemplateCode: "744c4b5c79c9432497a075bdfca36bf5",
		Language:     "en",
		Granularity:  GranularityDaily,
		Start:        time.UnixMilli(1693107714687),
		End:          time.UnixMilli(1693407714687),
		CustSpaceID:  "cams-test-space",
	}
}

// TestNewOperationsWire checks action, placement and parameter names on
// both schemes.
func TestNewOperationsWire(t *testing.T) {
	calls := []struct {
		action string
		query  string
		call   func(*Client) error
	}{
		{"QueryChatappPhoneNumbers", "CustSpaceId=cs&IsvCode=isv&Status=VERIFIED", func(c *Client) error {
			_, err := c.QueryChatappPhoneNumbers(context.Background(), &QueryChatappPhoneNumbersRequest{CustSpaceID: "cs", IsvCode: "isv", Status: "VERIFIED"})
			return err
		}},
		{"GetChatappTemplateMetric", "CustSpaceId=cams-test-space&End=1693407714687&Granularity=DAILY&IsvCode=i&Language=en&Start=1693107714687&TemplateCode=744c4b5c79c9432497a075bdfca36bf5&TemplateType=WHATSAPP", func(c *Client) error {
			r := templateRequest()
			r.IsvCode, r.TemplateType = "i", "WHATSAPP"
			_, err := c.GetChatappTemplateMetric(context.Background(), r)
			return err
		}},
		{"GetWhatsappHealthStatus", "CustSpaceId=cs&Language=en_US&NodeType=template&PhoneNumber=86&TemplateCode=t%20c&WabaId=w", func(c *Client) error {
			_, err := c.GetWhatsappHealthStatus(context.Background(), &GetWhatsappHealthStatusRequest{NodeType: NodeTemplate, CustSpaceID: "cs", PhoneNumber: "86", TemplateCode: "t c", Language: "en_US", WabaID: "w"})
			return err
		}},
	}
	for _, tc := range calls {
		t.Run(tc.action+"/V3", func(t *testing.T) {
			c, mock := newMockClient(t)
			rec := script(mock, jsonAnswer(200, `{"Code":"OK"}`))
			require.NoError(t, tc.call(c))
			req := rec.request(0)
			assert.Equal(t, http.MethodPost, req.Method)
			assert.Equal(t, tc.action, req.Header.Get("X-Acs-Action"))
			assert.Equal(t, "2020-06-06", req.Header.Get("X-Acs-Version"))
			assert.Equal(t, tc.query, req.URL.RawQuery)
		})
		t.Run(tc.action+"/RPC", func(t *testing.T) {
			c, mock := newMockClient(t, WithSignatureVersion(SignatureRPC))
			rec := script(mock, jsonAnswer(200, `{"Code":"OK"}`))
			require.NoError(t, tc.call(c))
			q, err := url.ParseQuery(rec.request(0).URL.RawQuery)
			require.NoError(t, err)
			assert.Equal(t, []string{tc.action}, q["Action"])
			want, err := url.ParseQuery(tc.query)
			require.NoError(t, err)
			for k, v := range want {
				assert.Equal(t, v, q[k], k)
			}
		})
	}
}

func TestNewOperationsValidation(t *testing.T) {
	ctx := context.Background()
	c, mock := newMockClient(t)
	rec := script(mock, jsonAnswer(200, `{"Code":"OK"}`))
	good := templateRequest()
	cases := []struct {
		field string
		err   error
	}{
		{"TemplateCode", func() error { r := *good; r.TemplateCode = ""; _, e := c.GetChatappTemplateMetric(ctx, &r); return e }()},
		{"Start", func() error { r := *good; r.Start = time.Time{}; _, e := c.GetChatappTemplateMetric(ctx, &r); return e }()},
		{"End", func() error { r := *good; r.End = r.Start; _, e := c.GetChatappTemplateMetric(ctx, &r); return e }()},
		{"Granularity", func() error {
			r := *good
			r.Granularity = "WEEKLY"
			_, e := c.GetChatappTemplateMetric(ctx, &r)
			return e
		}()},
		{"request", func() error { _, e := c.GetChatappTemplateMetric(ctx, nil); return e }()},
		{"NodeType", func() error {
			_, e := c.GetWhatsappHealthStatus(ctx, &GetWhatsappHealthStatusRequest{NodeType: "PHONE", CustSpaceID: "cs"})
			return e
		}()},
		{"CustSpaceID", func() error {
			_, e := c.GetWhatsappHealthStatus(ctx, &GetWhatsappHealthStatusRequest{NodeType: NodePhone})
			return e
		}()},
		{"CustSpaceID", func() error {
			_, _, e := c.ChannelPhoneNumberMetrics(ctx, &GetChatappPhoneNumberMetricRequest{Start: good.Start, End: good.End})
			return e
		}()},
	}
	for _, tc := range cases {
		var v *ValidationError
		require.ErrorAs(t, tc.err, &v, tc.field)
		assert.Equal(t, tc.field, v.Field)
		assert.ErrorIs(t, tc.err, ErrInvalidRequest)
	}
	assert.Zero(t, rec.count(), "nothing sent")
}

func TestDefaultLimitsOfNewOperations(t *testing.T) {
	got := map[string]float64{}
	for _, op := range operations {
		got[op.name] = op.rateLimit * limitHeadroom
	}
	assert.Equal(t, 9.6, got["QueryChatappPhoneNumbers"])
	assert.Equal(t, 48.0, got["GetChatappTemplateMetric"])
	assert.Equal(t, 4.8, got["GetWhatsappHealthStatus"])
	for i, op := range operations {
		assert.Equal(t, i, op.id)
	}
}

func TestNewOperationsRetryThrottling(t *testing.T) {
	c, mock := newMockClient(t, WithBackoff(Backoff{Base: time.Millisecond, ThrottleBase: time.Millisecond, Max: time.Millisecond}))
	rec := script(mock, throttled(), jsonAnswer(200, `{"Code":"OK","PhoneNumbers":[{"PhoneNumber":"1"}]}`))
	resp, err := c.QueryChatappPhoneNumbers(context.Background(), nil)
	require.NoError(t, err)
	assert.Len(t, resp.PhoneNumbers, 1)
	assert.Equal(t, 2, rec.count())
	script(mock, throttled())
	_, err = c.GetWhatsappHealthStatus(context.Background(), &GetWhatsappHealthStatusRequest{NodeType: NodePhone, CustSpaceID: "cs"})
	assert.ErrorIs(t, err, ErrThrottled)
	requireAttempts(t, err, DefaultMaxAttempts)
}

// TestTemplateMetricsSplitsLikePhoneNumberMetrics: the iterator asks for
// the same windows as the phone-number iterator over the same range.
func TestTemplateMetricsSplitsLikePhoneNumberMetrics(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, ChinaStandardTime())
	end := start.AddDate(0, 0, 75)
	windowsOf := func(run func(*Client)) [][2]string {
		c, mock := newMockClient(t)
		rec := script(mock, jsonAnswer(200, `{"Code":"OK"}`))
		run(c)
		var out [][2]string
		for i := range rec.count() {
			q := rec.request(i).URL.Query()
			out = append(out, [2]string{q.Get("Start"), q.Get("End")})
		}
		return out
	}
	var progress []RangeProgress
	tpl := windowsOf(func(c *Client) {
		for _, err := range c.TemplateMetrics(context.Background(), &GetChatappTemplateMetricRequest{TemplateCode: "T", Start: start, End: end}, DailyWindow(20),
			ReportProgress(func(p RangeProgress) { progress = append(progress, p) })) {
			require.NoError(t, err)
		}
	})
	assert.Equal(t, []RangeProgress{{Window: 1, Windows: 4}, {Window: 2, Windows: 4}, {Window: 3, Windows: 4}, {Window: 4, Windows: 4}}, progress)
	phone := windowsOf(func(c *Client) {
		for _, err := range c.PhoneNumberMetrics(context.Background(), &GetChatappPhoneNumberMetricRequest{Start: start, End: end}, DailyWindow(20)) {
			require.NoError(t, err)
		}
	})
	assert.Len(t, tpl, 4)
	assert.Equal(t, phone, tpl)
}

func TestTemplateMetricsDeduplicatesAndOrders(t *testing.T) {
	c, mock := newMockClient(t)
	day := int64(86400000)
	s := time.Date(2026, 1, 1, 0, 0, 0, 0, ChinaStandardTime()).UnixMilli()
	point := func(i int64, lang string) string {
		return `{"TemplateCode":"T","Language":"` + lang + `","SentCount":3,"Start":` + itoa(s+i*day) + `,"End":` + itoa(s+(i+1)*day) + `}`
	}
	script(mock,
		jsonAnswer(200, `{"Code":"OK","Data":[`+point(1, "en")+`,`+point(0, "en")+`,`+point(1, "de")+`]}`),
		jsonAnswer(200, `{"Code":"OK","Data":[`+point(1, "en")+`,`+point(2, "en")+`]}`))
	var got []string
	for p, err := range c.TemplateMetrics(context.Background(), &GetChatappTemplateMetricRequest{TemplateCode: "T", Start: time.UnixMilli(s), End: time.UnixMilli(s + 3*day)}, DailyWindow(2)) {
		require.NoError(t, err)
		got = append(got, p.Start.Format("01-02")+p.Language)
	}
	assert.Equal(t, []string{"12-31en", "01-01de", "01-01en", "01-02en"}, got)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestTemplateMetricsStopsAtTheFirstFailure(t *testing.T) {
	c, mock := newMockClient(t, WithMaxAttempts(1))
	s := time.Date(2026, 1, 1, 0, 0, 0, 0, ChinaStandardTime())
	rec := script(mock,
		jsonAnswer(200, `{"Code":"OK","Data":[{"TemplateCode":"T","Language":"en","SentCount":1,"Start":`+itoa(s.UnixMilli())+`}]}`),
		jsonAnswer(400, errorBody("Ram.PermissionDeny", "denied", "REQ-D")))
	var got int
	var errs []error
	for _, err := range c.TemplateMetrics(context.Background(), &GetChatappTemplateMetricRequest{TemplateCode: "T", Start: s, End: s.AddDate(0, 0, 3)}, DailyWindow(1)) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got++
	}
	assert.Equal(t, 1, got, "the first window's point")
	require.Len(t, errs, 1)
	requireAPIError(t, errs[0], 400, "REQ-D")
	assert.Equal(t, 2, rec.count(), "nothing after the failure")

	for _, err := range c.TemplateMetrics(context.Background(), &GetChatappTemplateMetricRequest{Start: s, End: s.AddDate(0, 0, 3)}) {
		assert.ErrorIs(t, err, ErrInvalidRequest)
	}
	assert.Equal(t, 2, rec.count(), "an invalid request sends nothing")
}
