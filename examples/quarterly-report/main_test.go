package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// noCredentials empties every source of the default credential chain.
func noCredentials(t *testing.T) {
	for _, v := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
		"ALIBABA_CLOUD_CREDENTIALS_URI", "ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
		"ALIBABA_CLOUD_ECS_METADATA", "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_CREDENTIALS_FILE"} {
		t.Setenv(v, "")
	}
	t.Setenv("HOME", t.TempDir())
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
}

func invoke(ctx context.Context, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func pinClock(t *testing.T, at time.Time) {
	old := now
	now = func() time.Time { return at }
	t.Cleanup(func() { now = old })
}

func TestReportAgainstTheEmulator(t *testing.T) {
	noCredentials(t)
	code, stdout, stderr := invoke(context.Background(), "-emulator", "-quarter", "2026Q3", "-phone", "8613800001234, 8613800005678")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "in-process emulator")

	records, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"day", "phone_number", "sent", "delivered", "delivery_rate", "partial"}, records[0])
	days, totals := records[1:93], records[93:]
	assert.Equal(t, "2026-07-01", days[0][0])
	assert.Equal(t, "2026-09-30", days[91][0])
	require.Len(t, totals, 3)
	assert.Equal(t, []string{"total", "8613800001234", "248757", "230179", "0.9253", "false"}, totals[0])

	var sent, delivered int64
	for _, d := range days {
		s, _ := strconv.ParseInt(d[2], 10, 64)
		dl, _ := strconv.ParseInt(d[3], 10, 64)
		sent, delivered = sent+s, delivered+dl
	}
	assert.Equal(t, []string{"total", "all", strconv.FormatInt(sent, 10), strconv.FormatInt(delivered, 10),
		strconv.FormatFloat(chatapp.Totals{Sent: sent, Delivered: delivered}.DeliveryRate(), 'f', 4, 64), "false"}, totals[2])
}

func TestRefusals(t *testing.T) {
	noCredentials(t)
	pinClock(t, time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC))
	code, stdout, stderr := invoke(context.Background(), "-phone", "8613800001234")
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout, "no CSV of generated numbers")
	assert.Contains(t, stderr, "no Alibaba Cloud credentials found")
	assert.Contains(t, stderr, "pass -emulator")

	code, stdout, stderr = invoke(context.Background(), "-emulator", "-quarter", "2027Q1")
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, `-quarter "2027Q1" has not begun`)

	code, _, _ = invoke(context.Background(), "-h")
	assert.Equal(t, 0, code)
	code, _, stderr = invoke(context.Background(), "-bogus")
	assert.Equal(t, 2, code)
	assert.Equal(t, 1, strings.Count(stderr, "flag provided but not defined"))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, stdout, _ = invoke(ctx, "-emulator", "-quarter", "2026Q3")
	assert.Equal(t, 130, code)
	assert.Empty(t, stdout)
}

// In the current quarter, today is marked partial, and so are the totals.
func TestCurrentQuarterIsPartial(t *testing.T) {
	noCredentials(t)
	pinClock(t, time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC))
	code, stdout, stderr := invoke(context.Background(), "-emulator", "-quarter", "2026Q4", "-phone", "8613800001234")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "2026-12-02,all,")
	assert.Regexp(t, `\n2026-12-02,all,\d+,\d+,[0-9.]+,false\n`, stdout)
	assert.Regexp(t, `\n2026-12-03,all,\d+,\d+,[0-9.]+,true\n`, stdout)
	assert.NotContains(t, stdout, "2026-12-04")
	assert.Regexp(t, `\ntotal,all,\d+,\d+,[0-9.]+,true\n$`, stdout)
}

func TestQuarterRange(t *testing.T) {
	cst := chatapp.ChinaStandardTime()
	// Late on Dec 31 UTC is already January 1 in UTC+8: the last quarter
	// is then Q4.
	start, end, err := quarterRange("", time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC), cst)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 10, 1, 0, 0, 0, 0, cst), start)
	assert.Equal(t, time.Date(2027, 1, 1, 0, 0, 0, 0, cst), end)

	start, end, err = quarterRange("2026q1", time.Now(), cst)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 1, 1, 0, 0, 0, 0, cst), start)
	assert.Equal(t, time.Date(2026, 4, 1, 0, 0, 0, 0, cst), end)

	// Trailing characters and short years were once read as the quarter
	// before them (fmt.Sscanf ignores what its format does not consume).
	for _, bad := range []string{"2026Q5", "Q3", "last", "2026Q34", "2026Q3x", "26Q3", "-001Q3"} {
		_, _, err := quarterRange(bad, time.Now(), cst)
		assert.Error(t, err, bad)
	}
}
