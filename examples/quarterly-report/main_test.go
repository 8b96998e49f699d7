package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReportAgainstTheEmulator(t *testing.T) {
	var stdout, stderr bytes.Buffer
	noEnv := func(string) string { return "" }
	err := run(context.Background(), []string{"-quarter", "2026Q3", "-phone", "8613800001234, 8613800005678"}, noEnv, &stdout, &stderr)
	require.NoError(t, err)
	assert.Contains(t, stderr.String(), "in-process emulator")

	records, err := csv.NewReader(&stdout).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"day", "phone_number", "sent", "delivered", "delivery_rate"}, records[0])
	days, totals := records[1:93], records[93:]
	assert.Equal(t, "2026-07-01", days[0][0])
	assert.Equal(t, "2026-09-30", days[91][0])
	require.Len(t, totals, 3)
	assert.Equal(t, []string{"total", "8613800001234", "248757", "230179", "0.9253"}, totals[0])

	var sent, delivered int64
	for _, d := range days {
		s, _ := strconv.ParseInt(d[2], 10, 64)
		dl, _ := strconv.ParseInt(d[3], 10, 64)
		sent, delivered = sent+s, delivered+dl
	}
	assert.Equal(t, []string{"total", "all", strconv.FormatInt(sent, 10), strconv.FormatInt(delivered, 10),
		strconv.FormatFloat(chatapp.Totals{Sent: sent, Delivered: delivered}.DeliveryRate(), 'f', 4, 64)}, totals[2])
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
