package chatapptest

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func enableCall(now time.Time, custSpaceID string) call {
	c := okCall(now)
	c.action, c.query = actionEnableROI, url.Values{}
	if custSpaceID != "" {
		c.query.Set("CustSpaceId", custSpaceID)
	}
	return c
}

// weekQuery asks for the last seven days of DAILY data, up to now.
func weekQuery(t *testing.T, e *Emulator, clock *fakeClock, more ...string) answer {
	t.Helper()
	params := append([]string{"Start", ms(clock.Now().AddDate(0, 0, -7)), "End", ms(clock.Now().Add(time.Millisecond)), "PhoneNumber", "8613800001234"}, more...)
	return query(t, e, clock, params...)
}

func TestROIDisabledThenEnabled(t *testing.T) {
	e, clock := newTestEmulator(t, now8, WithROIDisabled())
	_, on := e.ROIEnabledSince("")
	assert.False(t, on)

	a := weekQuery(t, e, clock)
	assert.Equal(t, "OK", a.Code)
	assert.Empty(t, a.Data)
	assert.Contains(t, a.raw, `"Data":[]`, "an empty series is [], not null")

	en := serve(t, e, enableCall(clock.Now(), "").build(t))
	require.Equal(t, http.StatusOK, en.Status, en.raw)
	assert.Equal(t, "OK", en.Code)
	assert.Regexp(t, requestIDRe, en.RequestID)
	since, on := e.ROIEnabledSince("")
	assert.True(t, on)
	assert.Equal(t, now8, since)

	assert.Empty(t, weekQuery(t, e, clock).Data, "nothing on the day of enabling")
	clock.Set(dayStart(now8, utc8).AddDate(0, 0, 1).Add(-time.Millisecond))
	assert.Empty(t, weekQuery(t, e, clock).Data, "nor up to its last millisecond")

	tomorrow := dayStart(now8, utc8).AddDate(0, 0, 1)
	clock.Set(tomorrow)
	a = weekQuery(t, e, clock)
	require.Len(t, a.Data, 1, "the day after has data")
	assert.Equal(t, tomorrow.UnixMilli(), a.Data[0].Start)
	half := weekQuery(t, e, clock, "Granularity", "HALF_HOUR")
	require.Len(t, half.Data, 1)
	assert.Equal(t, tomorrow.UnixMilli(), half.Data[0].Start)

	// Enabling again changes nothing.
	clock.Advance(5 * time.Hour)
	require.Equal(t, "OK", serve(t, e, enableCall(clock.Now(), "").build(t)).Code)
	since, _ = e.ROIEnabledSince("")
	assert.Equal(t, now8, since)
	clock.Set(tomorrow.AddDate(0, 0, 1))
	assert.Len(t, weekQuery(t, e, clock).Data, 2)
}

func TestROIPerCustSpace(t *testing.T) {
	e, clock := newTestEmulator(t, now8, WithROIDisabled())
	require.Equal(t, "OK", serve(t, e, enableCall(now8, "cams-a").build(t)).Code)
	clock.Set(now8.AddDate(0, 0, 2))
	assert.Len(t, weekQuery(t, e, clock, "CustSpaceId", "cams-a").Data, 2)
	assert.Empty(t, weekQuery(t, e, clock).Data, "the caller's own space is still off")
	assert.Empty(t, weekQuery(t, e, clock, "CustSpaceId", "cams-b").Data)
}

func TestROISwitches(t *testing.T) {
	e, clock := newTestEmulator(t, now8)
	since, on := e.ROIEnabledSince("")
	assert.True(t, on, "on by default")
	assert.Equal(t, time.Unix(0, 0), since)
	assert.Len(t, weekQuery(t, e, clock).Data, 7, "the midnights of the last seven days, today's included")

	e.DisableROI("")
	assert.Empty(t, weekQuery(t, e, clock).Data)
	e.EnableROI("")
	since, _ = e.ROIEnabledSince("")
	assert.Equal(t, now8, since)
	e.EnableROI("") // already on: no change
	clock.Advance(time.Hour)
	e.EnableROI("")
	since, _ = e.ROIEnabledSince("")
	assert.Equal(t, now8, since)
	assert.Empty(t, weekQuery(t, e, clock).Data)

	e.EnableROIAt("", now8.AddDate(0, 0, -3))
	assert.Len(t, weekQuery(t, e, clock).Data, 3, "from two days back: the day after enabling, yesterday, today")
}
