package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// troubledServer is an emulator whose second number is banned, reached
// through -endpoint with its key in the environment.
func troubledServer(t *testing.T) *chatapptest.Server {
	t.Helper()
	srv := chatapptest.NewServer()
	t.Cleanup(srv.Close)
	serviceEnv(t, srv.AccessKeyID, srv.AccessKeySecret)
	banned := srv.PhoneNumberInfos()[1]
	banned.Status, banned.QualityRating = chatapp.PhoneNumberBanned, chatapp.QualityRed
	require.NoError(t, srv.SetPhoneNumber(banned))
	return srv
}

func TestNumbersShowsStatusAndHealth(t *testing.T) {
	srv := troubledServer(t)
	code, stdout, stderr := invoke(t, "numbers", "-endpoint", srv.URL, "-cust-space-id", srv.CustSpaceID())
	require.Equal(t, exitOK, code, stderr)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, lines, 3)
	assert.Regexp(t, `^PHONE NUMBER +VERIFIED NAME +STATUS +QUALITY +TIER +OFFICIAL +HEALTH +ERRORS`, lines[0])
	assert.Regexp(t, `^8613800001234 +Emulated Business +CONNECTED +GREEN +TIER_10K +no +AVAILABLE`, lines[1])
	assert.Regexp(t, `^8613800005678 +Emulated Business +BANNED +RED +TIER_10K +no +BLOCKED +131031 The phone number is BANNED\.`, lines[2])

	code, stdout, stderr = invoke(t, "numbers", "-endpoint", srv.URL, "-cust-space-id", srv.CustSpaceID(), "-format", "json")
	require.Equal(t, exitOK, code, stderr)
	var v struct {
		PhoneNumber, Status, Health string
		HealthErrors                []chatapp.HealthError
	}
	require.NoError(t, json.Unmarshal([]byte(strings.Split(stdout, "\n")[1]), &v))
	assert.Equal(t, "BANNED", v.Status)
	assert.Equal(t, "BLOCKED", v.Health)
	assert.Len(t, v.HealthErrors, 1)

	code, stdout, _ = invoke(t, "numbers", "-endpoint", srv.URL, "-format", "csv")
	assert.Equal(t, exitOK, code, "without -cust-space-id there is no health, said on stderr")
	assert.True(t, strings.HasPrefix(stdout, "phone_number,verified_name,status,quality,tier,official\n"), stdout)
}

func TestNumbersHealthFailureIsNotShownAsHealthy(t *testing.T) {
	srv := troubledServer(t)
	srv.InjectFault(1, chatapptest.Fault{Action: "GetWhatsappHealthStatus", Status: 400, Code: "Ram.PermissionDeny"})
	code, stdout, stderr := invoke(t, "numbers", "-endpoint", srv.URL, "-cust-space-id", srv.CustSpaceID())
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "8613800001234: health: Ram.PermissionDeny")
	assert.Regexp(t, `8613800001234 .* \?`, stdout)
}

func TestTemplatesReportsReadRateAndClicks(t *testing.T) {
	srv := troubledServer(t)
	args := []string{"templates", "-endpoint", srv.URL, "-template", "welcome_offer", "-language", "en", "-since", "2026-09-01", "-until", "2026-09-03"}
	code, stdout, stderr := invoke(t, args...)
	require.Equal(t, exitOK, code, stderr)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, lines, 4, stdout)
	assert.Regexp(t, `^START \(\+08:00\) +TEMPLATE +LANG +SENT +DELIVERED +READ +DELIVERY +READ RATE +CLICKS`, lines[0])
	assert.Regexp(t, `^2026-09-01 00:00 +welcome_offer +en +\d+ +\d+ +\d+ +\d+\.\d\d% +\d+\.\d\d% +Yes, please \(quick_reply_button\)=\d+; See the offer \(url_button\)=\d+$`, lines[1])

	code, stdout, stderr = invoke(t, append(args, "-format", "json")...)
	require.Equal(t, exitOK, code, stderr)
	want, err := srv.TemplateMetrics(&chatapp.GetChatappTemplateMetricRequest{TemplateCode: "welcome_offer", Language: "en",
		Start: time.Date(2026, 9, 1, 0, 0, 0, 0, chatapp.ChinaStandardTime()), End: time.Date(2026, 9, 4, 0, 0, 0, 0, chatapp.ChinaStandardTime())})
	require.NoError(t, err)
	rows := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, rows, len(want))
	for i, row := range rows {
		var got templateJSON
		require.NoError(t, json.Unmarshal([]byte(row), &got))
		assert.Equal(t, want[i].ReadCount, got.Read)
		assert.Equal(t, want[i].SentCount, got.Sent)
		assert.InDelta(t, want[i].ReadRate(), got.ReadRate, 1e-6)
		require.Len(t, got.Clicks, len(want[i].Clicks))
		for j, c := range want[i].Clicks {
			assert.Equal(t, clickJSON{Button: c.ButtonContent, Type: string(c.Type), Count: c.Count}, got.Clicks[j])
		}
	}

	code, stdout, stderr = invoke(t, append(args, "-format", "csv")...)
	require.Equal(t, exitOK, code, stderr)
	assert.True(t, strings.HasPrefix(stdout, "start,end,template_code,language,sent,delivered,read,delivery_rate,read_rate,clicks\n"))
}

func TestTemplatesUsage(t *testing.T) {
	code, _, stderr := invoke(t, "templates", "-endpoint", "https://example.invalid")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "-template is required")
	code, _, stderr = invoke(t, "templates", "-emulator", "-granularity", "WEEKLY")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "-granularity must be DAILY or HALF_HOUR")
	code, _, _ = invoke(t, "numbers", "-format", "xml", "-emulator")
	assert.Equal(t, exitUsage, code)
}

func TestReportCoversEveryNumberOfTheChannel(t *testing.T) {
	srv := troubledServer(t)
	srv.AddPhoneNumber("6590000000")
	code, stdout, stderr := invoke(t, "report", "-endpoint", srv.URL, "-cust-space-id", srv.CustSpaceID(), "-since", "2026-09-01", "-until", "2026-09-02", "-format", "csv")
	require.Equal(t, exitOK, code, stderr)
	for _, n := range []string{"6590000000", "8613800001234", "8613800005678"} {
		assert.Equal(t, 2, strings.Count(stdout, ","+n+","), "two days of %s", n)
	}
	var listed bool
	for _, r := range srv.Requests() {
		if r.Action == "QueryChatappPhoneNumbers" {
			listed = true
			assert.Equal(t, srv.CustSpaceID(), r.Query.Get("CustSpaceId"))
		}
		if r.Action == "GetChatappPhoneNumberMetric" {
			assert.Equal(t, srv.CustSpaceID(), r.Query.Get("CustSpaceId"))
		}
	}
	assert.True(t, listed)
}
