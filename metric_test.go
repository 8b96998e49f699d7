package chatapp

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWireV3 checks every byte our default scheme puts on the wire against
// the vector v3-cams-post-ak-minimal: same inputs, same Authorization.
func TestWireV3(t *testing.T) {
	c, mock := newMockClient(t, WithAccessKey("testid", "testsecret"), WithUserAgent("billing-job/2.1"))
	pin(c, time.Date(2026, 11, 26, 22, 10, 51, 0, time.UTC), "c1ba914d9db9d753b3b15659542eab3c")
	rec := script(mock, jsonAnswer(200, sevenDays))

	resp, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
	require.NoError(t, err)
	require.Len(t, resp.Data, 7)

	req := rec.request(0)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "/", req.URL.Path)
	assert.Equal(t, "cams.ap-southeast-1.aliyuncs.com", req.URL.Host)
	assert.Equal(t, "CustSpaceId=cams-test-space&End=1757289600000&Granularity=DAILY&PhoneNumber=8613800001234&Start=1756684800000", req.URL.RawQuery)
	assert.Equal(t, http.Header{
		"Authorization":         {expectedV3Authorization(t, "v3-cams-post-ak-minimal")},
		"Accept":                {"application/json"},
		"User-Agent":            {userAgent("billing-job/2.1")},
		"X-Acs-Action":          {"GetChatappPhoneNumberMetric"},
		"X-Acs-Content-Sha256":  {emptyPayloadHash},
		"X-Acs-Date":            {"2026-11-26T22:10:51Z"},
		"X-Acs-Signature-Nonce": {"c1ba914d9db9d753b3b15659542eab3c"},
		"X-Acs-Version":         {"2020-06-06"},
	}, req.Header)
	assert.Contains(t, req.Header.Get("User-Agent"), "chatapp-go/"+Version)
	assert.True(t, strings.HasSuffix(req.Header.Get("User-Agent"), " billing-job/2.1"))
	assert.Zero(t, req.ContentLength)
	if req.Body != nil {
		body, _ := io.ReadAll(req.Body)
		assert.Empty(t, body)
	}
}

func expectedV3Authorization(t *testing.T, id string) string {
	t.Helper()
	for _, v := range loadVectors(t).V3 {
		if v.ID == id {
			return v.Authorization
		}
	}
	t.Fatalf("no vector %s", id)
	return ""
}

// TestWireV3STS checks the STS headers against v3-cams-post-sts.
func TestWireV3STS(t *testing.T) {
	const id, token = "STS.NUgYrLnoC37mZZCNnAbez2Ufh", "CAIS+gF1q6Ft5B2yfSjIr5bDE/3x2+1Vx6W5b0XQ/mkbO+9ghqfYkTz2IHxMe3VvBu0dsP0+n2hX7fsclqB6T55OSAmcNZEoOtJ7ZAr4bWjoohJ23ERM6HOyxoHX0AZMZv4Fv2bVv=="
	c, mock := newMockClient(t, WithSTSToken(id, "stsSecret/with+Base64=", token))
	pin(c, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "9b2f5bb2c8d94c3a8d1e0f1a2b3c4d5e")
	rec := script(mock, jsonAnswer(200, sevenDays))
	_, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
	require.NoError(t, err)
	req := rec.request(0)
	assert.Equal(t, expectedV3Authorization(t, "v3-cams-post-sts"), req.Header.Get("Authorization"))
	assert.Equal(t, token, req.Header.Get("X-Acs-Security-Token"))
	assert.Equal(t, id, req.Header.Get("X-Acs-Accesskey-Id"))
}

// TestWireRPCMatchesOfficialCapture sends the request of the team's capture
// of darabonba with SignatureAlgorithm "v2" and must produce its exact
// query, signature included.
func TestWireRPCMatchesOfficialCapture(t *testing.T) {
	capt := loadCapture(t, "darabonba_v1_signature_algorithm_v2.json")
	c, mock := newMockClient(t,
		WithEndpoint("http://"+capt.Request.Host),
		WithAccessKey(capt.AccessKeyID, capt.AccessKeySecret),
		WithSignatureVersion(SignatureRPC),
	)
	ts, err := time.Parse(time.RFC3339, capt.Request.Verdict.Timestamp)
	require.NoError(t, err)
	pin(c, ts, capt.Request.Verdict.Nonce)
	var got *http.Request
	mock.RegisterResponder(http.MethodPost, "http://"+capt.Request.Host+"/", func(r *http.Request) (*http.Response, error) {
		got = r
		return httpmock.NewStringResponse(200, capt.Request.Response), nil
	})

	resp, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
	require.NoError(t, err)
	require.Len(t, resp.Data, 7)
	assert.Equal(t, capt.Request.RawQuery, got.URL.RawQuery)
	assert.Equal(t, capt.Request.Method, got.Method)
	assert.Equal(t, capt.Request.Path, got.URL.Path)
	assert.Empty(t, got.Header.Get("Authorization"), "RPC signs in the query")
	assert.Equal(t, []string{"Accept", "User-Agent"}, slices.Sorted(maps.Keys(got.Header)))
}

// TestWireV3CaptureSignature recomputes the official client's Authorization
// from the genuine V3 capture, whose signed headers include
// x-acs-credentials-provider, with our general V3 path.
func TestWireV3CaptureSignature(t *testing.T) {
	capt := loadCapture(t, "darabonba_v3_default.json")
	var raw []header
	for name, values := range capt.Request.Header {
		for _, v := range values {
			raw = append(raw, header{name, v})
		}
	}
	raw = append(raw, header{"host", capt.Request.Host})
	headers, signed := normaliseV3Headers(raw)
	q, err := url.ParseQuery(capt.Request.RawQuery)
	require.NoError(t, err)
	var ps []param
	for k, v := range q {
		ps = append(ps, param{name: k, value: v[0]})
	}
	sortParams(ps)
	sig := v3Signature(capt.AccessKeySecret, capt.Request.Method, capt.Request.Path, canonicalQuery(ps), headers, signed, emptyPayloadHash)
	assert.Equal(t, capt.Request.Header["Authorization"][0], v3Authorization(capt.AccessKeyID, signed, sig))
}

func TestOptionalParametersAreOmitted(t *testing.T) {
	c, mock := newMockClient(t)
	rec := script(mock, jsonAnswer(200, `{"RequestId":"R","Code":"OK","Data":[]}`))
	_, err := c.GetChatappPhoneNumberMetric(context.Background(), &GetChatappPhoneNumberMetricRequest{
		Start: time.UnixMilli(1000), End: time.UnixMilli(2000),
	})
	require.NoError(t, err)
	assert.Equal(t, "End=2000&Start=1000", rec.request(0).URL.RawQuery)
}

// TestHostileFieldsAreEncoded: separators, unicode, control characters and
// long values stay inside their own parameter.
func TestHostileFieldsAreEncoded(t *testing.T) {
	for _, sig := range []SignatureVersion{SignatureV3, SignatureRPC} {
		t.Run(sig.String(), func(t *testing.T) {
			c, mock := newMockClient(t, WithSignatureVersion(sig))
			rec := script(mock, jsonAnswer(200, `{"Code":"OK"}`))
			evil := "a&Start=1&b=c+d%2e e\x00\n\r中😀=" + strings.Repeat("x", 10<<10)
			req := weekRequest()
			req.PhoneNumber, req.CustSpaceID, req.IsvCode = evil, evil+"1", evil+"2"
			_, err := c.GetChatappPhoneNumberMetric(context.Background(), req)
			require.NoError(t, err)
			q, err := url.ParseQuery(rec.request(0).URL.RawQuery)
			require.NoError(t, err)
			assert.Equal(t, []string{evil}, q["PhoneNumber"])
			assert.Equal(t, []string{evil + "1"}, q["CustSpaceId"])
			assert.Equal(t, []string{evil + "2"}, q["IsvCode"])
			assert.Equal(t, []string{"1756684800000"}, q["Start"], "no injected Start")
		})
	}
}

func TestDecodeSuccess(t *testing.T) {
	c, mock := newMockClient(t)
	script(mock, jsonAnswer(200, sevenDays))
	resp, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
	require.NoError(t, err)
	assert.Equal(t, "EB5210E5-0000-4000-8000-000000000001", resp.RequestID)
	assert.Equal(t, "OK", resp.Code)
	require.Len(t, resp.Data, 7)
	assert.Equal(t, PhoneNumberMetric{
		PhoneNumber:    "8613800001234",
		Granularity:    GranularityDaily,
		Start:          time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC),
		End:            time.Date(2025, 9, 2, 0, 0, 0, 0, time.UTC),
		SentCount:      10,
		DeliveredCount: 5,
	}, resp.Data[0])
	assert.Equal(t, int64(16), resp.Data[6].SentCount)
	assert.Equal(t, time.UTC, resp.Data[6].End.Location())
}

// TestDecodeTolerance covers what the docs and the field show: the doc's own
// example has End before Start, AccessDeniedDetail may be "None" or an
// object, Data may be null or missing, numbers may arrive quoted.
func TestDecodeTolerance(t *testing.T) {
	cases := []struct {
		name, body string
		check      func(t *testing.T, r *GetChatappPhoneNumberMetricResponse)
	}{
		{"doc example, End before Start", `{"RequestId":"608F9CCA-B5EB-3D72-8047-B25D6D75BDEC\n","Code":"OK","Message":"None","Data":[{"SentCount":10,"DeliveredCount":5,"Start":1669619491000,"End":1667196043904,"PhoneNumber":"861380000****","Granularity":"DAILY"}],"AccessDeniedDetail":"None"}`,
			func(t *testing.T, r *GetChatappPhoneNumberMetricResponse) {
				require.Len(t, r.Data, 1)
				assert.True(t, r.Data[0].End.Before(r.Data[0].Start))
				assert.Equal(t, "None", r.AccessDeniedDetail)
			}},
		{"Data null", `{"Code":"OK","Data":null}`, func(t *testing.T, r *GetChatappPhoneNumberMetricResponse) { assert.Empty(t, r.Data) }},
		{"Data missing, no Code", `{"RequestId":"R"}`, func(t *testing.T, r *GetChatappPhoneNumberMetricResponse) { assert.Empty(t, r.Data) }},
		{"numbers as strings and integral floats", `{"Code":"OK","Data":[{"SentCount":"12","DeliveredCount":7.0,"Start":"1756684800000","End":1.7567712e12,"Granularity":"HALF_HOUR","PhoneNumber":"1"}]}`,
			func(t *testing.T, r *GetChatappPhoneNumberMetricResponse) {
				require.Len(t, r.Data, 1)
				assert.Equal(t, int64(12), r.Data[0].SentCount)
				assert.Equal(t, int64(7), r.Data[0].DeliveredCount)
				assert.Equal(t, int64(1756771200000), r.Data[0].End.UnixMilli())
				assert.Equal(t, GranularityHalfHour, r.Data[0].Granularity)
			}},
		{"unknown granularity kept", `{"Code":"OK","Data":[{"Granularity":"MONTHLY"}]}`,
			func(t *testing.T, r *GetChatappPhoneNumberMetricResponse) {
				assert.Equal(t, Granularity("MONTHLY"), r.Data[0].Granularity)
			}},
		{"invalid UTF-8 replaced", "{\"Code\":\"OK\",\"Data\":[{\"PhoneNumber\":\"86\xff\xfe\"}]}",
			func(t *testing.T, r *GetChatappPhoneNumberMetricResponse) {
				assert.Equal(t, "86\uFFFD\uFFFD", r.Data[0].PhoneNumber)
			}},
		{"AccessDeniedDetail object", `{"Code":"OK","AccessDeniedDetail":{"AuthAction":"cams:Get","NoPermissionType":"ImplicitDeny"}}`,
			func(t *testing.T, r *GetChatappPhoneNumberMetricResponse) {
				assert.Equal(t, `{"AuthAction":"cams:Get","NoPermissionType":"ImplicitDeny"}`, r.AccessDeniedDetail)
			}},
		{"lower-camel keys", `{"requestId":"r1","code":"OK"}`, func(t *testing.T, r *GetChatappPhoneNumberMetricResponse) { assert.Equal(t, "r1", r.RequestID) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mock := newMockClient(t)
			script(mock, jsonAnswer(200, tc.body))
			resp, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
			require.NoError(t, err)
			tc.check(t, resp)
		})
	}
}

func TestDecodeRejectsBadNumbers(t *testing.T) {
	for _, body := range []string{
		`{"Code":"OK","Data":[{"SentCount":1.5}]}`,
		`{"Code":"OK","Data":[{"SentCount":"ten"}]}`,
		`{"Code":"OK","Data":[{"Start":1e30}]}`,
		`{"Code":"OK","Data":[{"Granularity":7}]}`,
		`{"Code":"OK","Data":{"not":"a list"}}`,
	} {
		t.Run(body, func(t *testing.T) {
			c, mock := newMockClient(t)
			script(mock, jsonAnswer(200, body, "X-Acs-Request-Id", "HDR-REQ"))
			resp, err := c.GetChatappPhoneNumberMetric(context.Background(), weekRequest())
			require.Error(t, err)
			assert.Nil(t, resp, "no partial data on error")
			assert.ErrorIs(t, err, ErrMalformedResponse)
			requireResponseError(t, err, 200, "HDR-REQ")
		})
	}
}

func TestValidation(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		req   *GetChatappPhoneNumberMetricRequest
		field string
		rule  string
	}{
		{"nil", nil, "request", "must not be nil"},
		{"no start", &GetChatappPhoneNumberMetricRequest{End: start}, "Start", "is required"},
		{"no end", &GetChatappPhoneNumberMetricRequest{Start: start}, "End", "is required"},
		{"end before start", &GetChatappPhoneNumberMetricRequest{Start: start, End: start.Add(-time.Hour)}, "End", "must be after Start"},
		{"end equals start", &GetChatappPhoneNumberMetricRequest{Start: start, End: start.Add(time.Microsecond)}, "End", "must be after Start"},
		{"negative", &GetChatappPhoneNumberMetricRequest{Start: time.Unix(-10, 0), End: start}, "Start", "must not be before 1970"},
		{"granularity", &GetChatappPhoneNumberMetricRequest{Start: start, End: start.Add(time.Hour), Granularity: "daily"}, "Granularity", `must be "DAILY", "HALF_HOUR" or empty, got "daily"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mock := newMockClient(t)
			rec := script(mock, jsonAnswer(200, sevenDays))
			resp, err := c.GetChatappPhoneNumberMetric(context.Background(), tc.req)
			require.Error(t, err)
			assert.Nil(t, resp)
			assert.ErrorIs(t, err, ErrInvalidRequest)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Contains(t, ve.Rule, tc.rule)
			assert.Contains(t, err.Error(), tc.field+": ")
			requireAttempts(t, err, 0)
			assert.Zero(t, rec.count(), "nothing is sent")
		})
	}
}

func TestGranularity(t *testing.T) {
	assert.Equal(t, 24*time.Hour, GranularityDaily.Duration())
	assert.Equal(t, 30*time.Minute, GranularityHalfHour.Duration())
	assert.Zero(t, Granularity("x").Duration())
	assert.True(t, GranularityDaily.Valid())
	assert.True(t, GranularityHalfHour.Valid())
	assert.False(t, Granularity("").Valid())
	assert.False(t, Granularity("daily").Valid(), "the service's values are upper case")
}

func TestEnableWhatsappROIMetric(t *testing.T) {
	c, mock := newMockClient(t, WithAccessKey("testid", "testsecret"))
	pin(c, time.Date(2026, 11, 26, 22, 10, 51, 0, time.UTC), "n1")
	rec := script(mock, jsonAnswer(200, `{"RequestId":"E1","Code":"OK","Message":"None","AccessDeniedDetail":"None"}`))
	resp, err := c.EnableWhatsappROIMetric(context.Background(), &EnableWhatsappROIMetricRequest{CustSpaceID: "cams-1", IsvCode: "isv"})
	require.NoError(t, err)
	assert.Equal(t, &EnableWhatsappROIMetricResponse{RequestID: "E1", Code: "OK", Message: "None", AccessDeniedDetail: "None"}, resp)
	req := rec.request(0)
	assert.Equal(t, "EnableWhatsappROIMetric", req.Header.Get("X-Acs-Action"))
	assert.Equal(t, "CustSpaceId=cams-1&IsvCode=isv", req.URL.RawQuery)

	rec2 := script(mock, jsonAnswer(400, errorBody("Ram.PermissionDeny", "You are not authorized to perform the operation.", "E2")))
	_, err = c.EnableWhatsappROIMetric(context.Background(), nil)
	assert.ErrorIs(t, err, ErrPermissionDenied)
	assert.Equal(t, "", rec2.request(0).URL.RawQuery)
	var opErr *OperationError
	require.ErrorAs(t, err, &opErr)
	assert.Equal(t, "EnableWhatsappROIMetric", opErr.Operation)
}

func TestParseGranularity(t *testing.T) {
	for in, want := range map[string]Granularity{
		"DAILY": GranularityDaily, "daily": GranularityDaily, "Daily": GranularityDaily,
		"HALF_HOUR": GranularityHalfHour, "half_hour": GranularityHalfHour, "Half_Hour": GranularityHalfHour,
	} {
		got, err := ParseGranularity(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "HALFHOUR", "half hour", " DAILY", "HOURLY", "DAILY\x00"} {
		_, err := ParseGranularity(in)
		var v *ValidationError
		require.ErrorAs(t, err, &v, "%q", in)
		assert.Equal(t, "Granularity", v.Field)
		assert.ErrorIs(t, err, ErrInvalidRequest)
		assert.Contains(t, err.Error(), strconv.Quote(in))
	}
}
