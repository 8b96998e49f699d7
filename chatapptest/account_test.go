package chatapptest

import (
	"context"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newAccountServer is a server on a fake clock at now8 and a client of it.
func newAccountServer(t *testing.T, sig chatapp.SignatureVersion, opts ...ServerOption) (*Server, *chatapp.Client, *fakeClock) {
	t.Helper()
	clock := newFakeClock(now8)
	s := NewServer(append([]ServerOption{WithClock(clock.Now), WithTimestampSkew(0), WithoutRateLimit()}, opts...)...)
	t.Cleanup(s.Close)
	c, err := s.Client(chatapp.WithSignatureVersion(sig), chatapp.WithRateLimiter(nil), chatapp.WithMaxAttempts(1))
	require.NoError(t, err)
	return s, c, clock
}

func TestAccountPhoneNumbersAndHealth(t *testing.T) {
	for _, sig := range []chatapp.SignatureVersion{chatapp.SignatureV3, chatapp.SignatureRPC} {
		t.Run(sig.String(), func(t *testing.T) {
			s, c, _ := newAccountServer(t, sig)
			ctx := context.Background()
			assert.Equal(t, DefaultCustSpaceID, s.CustSpaceID())

			list, err := c.QueryChatappPhoneNumbers(ctx, &chatapp.QueryChatappPhoneNumbersRequest{CustSpaceID: s.CustSpaceID()})
			require.NoError(t, err)
			assert.Equal(t, s.PhoneNumberInfos(), list.PhoneNumbers)
			require.Len(t, list.PhoneNumbers, 2)
			assert.Equal(t, chatapp.PhoneNumberConnected, list.PhoneNumbers[0].Status)

			banned := defaultNumber("8613800005678")
			banned.Status, banned.QualityRating, banned.IsOfficial = chatapp.PhoneNumberBanned, chatapp.QualityRed, true
			require.NoError(t, s.SetPhoneNumber(banned))
			list, err = c.QueryChatappPhoneNumbers(ctx, &chatapp.QueryChatappPhoneNumbersRequest{CustSpaceID: s.CustSpaceID()})
			require.NoError(t, err)
			assert.Equal(t, banned, list.PhoneNumbers[1], "IsOfficial travels as Y and comes back true")
			only, err := c.QueryChatappPhoneNumbers(ctx, &chatapp.QueryChatappPhoneNumbersRequest{Status: "BANNED"})
			require.NoError(t, err)
			require.Len(t, only.PhoneNumbers, 1)

			h, err := c.GetWhatsappHealthStatus(ctx, &chatapp.GetWhatsappHealthStatusRequest{NodeType: chatapp.NodePhone, CustSpaceID: s.CustSpaceID(), PhoneNumber: "8613800001234"})
			require.NoError(t, err)
			assert.Equal(t, chatapp.SendAvailable, h.CanSendMessage)
			h, err = c.GetWhatsappHealthStatus(ctx, &chatapp.GetWhatsappHealthStatusRequest{NodeType: chatapp.NodePhone, CustSpaceID: s.CustSpaceID(), PhoneNumber: "8613800005678"})
			require.NoError(t, err)
			assert.Equal(t, chatapp.SendBlocked, h.CanSendMessage)
			require.NotEmpty(t, h.Entities)
			assert.Equal(t, chatapp.EntityPhoneNumber, h.Entities[0].EntityType)
			assert.Equal(t, chatapp.SendBlocked, h.Entities[0].CanSendMessage)
			require.Len(t, h.Entities[0].Errors, 1)
			assert.Contains(t, h.Entities[0].Errors[0].ErrorDescription, "BANNED")

			waba, err := c.GetWhatsappHealthStatus(ctx, &chatapp.GetWhatsappHealthStatusRequest{NodeType: chatapp.NodeWABA, CustSpaceID: s.CustSpaceID()})
			require.NoError(t, err)
			assert.Equal(t, chatapp.SendBlocked, waba.CanSendMessage, "the worst entity decides")
			assert.Len(t, waba.Entities, 3)

			tpl, err := c.GetWhatsappHealthStatus(ctx, &chatapp.GetWhatsappHealthStatusRequest{NodeType: chatapp.NodeTemplate, CustSpaceID: s.CustSpaceID(), TemplateCode: "welcome_offer"})
			require.NoError(t, err)
			assert.Equal(t, chatapp.SendAvailable, tpl.CanSendMessage)
			assert.Len(t, tpl.Entities, 3, "two languages and the WABA")

			_, err = c.GetWhatsappHealthStatus(ctx, &chatapp.GetWhatsappHealthStatusRequest{NodeType: chatapp.NodePhone, CustSpaceID: s.CustSpaceID(), PhoneNumber: "15550001111"})
			assert.ErrorIs(t, err, chatapp.ErrInvalidParameter)
		})
	}
}

func TestAccountTemplateMetrics(t *testing.T) {
	s, c, _ := newAccountServer(t, chatapp.SignatureV3)
	ctx := context.Background()
	require.Len(t, s.Templates(), 3)
	day := dayStart(now8, utc8)
	req := &chatapp.GetChatappTemplateMetricRequest{TemplateCode: "welcome_offer", Start: day.AddDate(0, 0, -7), End: now8, CustSpaceID: s.CustSpaceID()}
	resp, err := c.GetChatappTemplateMetric(ctx, req)
	require.NoError(t, err)
	want, err := s.TemplateMetrics(req)
	require.NoError(t, err)
	assert.Equal(t, want, resp.Data, "the client decodes what the emulator sent")
	require.Len(t, resp.Data, 16, "8 days (today included) for en and zh_CN")
	for _, p := range resp.Data {
		assert.LessOrEqual(t, p.ReadCount, p.DeliveredCount)
		assert.LessOrEqual(t, p.DeliveredCount, p.SentCount)
		for _, k := range p.Clicks {
			assert.LessOrEqual(t, k.Count, p.ReadCount)
		}
	}
	assert.Equal(t, "en", resp.Data[0].Language)
	assert.Len(t, resp.Data[0].Clicks, 2)
	assert.Equal(t, chatapp.ButtonQuickReply, resp.Data[0].Clicks[0].Type)
	assert.Positive(t, resp.Data[0].SentCount)

	// DAILY is the sum of the HALF_HOUR points, today's of those begun.
	half := *req
	half.Granularity, half.Language, half.End = chatapp.GranularityHalfHour, "en", day.AddDate(0, 0, 1)
	hp, err := c.GetChatappTemplateMetric(ctx, &half)
	require.NoError(t, err)
	sums := map[int64]int64{}
	for _, p := range hp.Data {
		sums[dayStart(p.Start, utc8).UnixMilli()] += p.ReadCount
	}
	for _, p := range resp.Data[:8] {
		assert.Equal(t, sums[p.Start.UnixMilli()], p.ReadCount, p.Start)
	}
	assert.Equal(t, now8.UTC(), hp.Data[len(hp.Data)-1].Start, "the last half hour is the one begun at now")

	// Unknown template, or language: empty Data, Code OK.
	other := *req
	other.TemplateCode = "no_such_template"
	empty, err := c.GetChatappTemplateMetric(ctx, &other)
	require.NoError(t, err)
	assert.Equal(t, "OK", empty.Code)
	assert.Empty(t, empty.Data)

	// Seeds replace generated points.
	seed := chatapp.TemplateMetric{TemplateCode: "order_update", Language: "en", Start: day.AddDate(0, 0, -1), SentCount: 9, DeliveredCount: 8, ReadCount: 7}
	require.NoError(t, s.SeedTemplateMetrics(chatapp.GranularityDaily, seed))
	assert.Error(t, s.SeedTemplateMetrics(chatapp.GranularityDaily, chatapp.TemplateMetric{TemplateCode: "nope", Language: "en", Start: day}))
	seeded, err := c.GetChatappTemplateMetric(ctx, &chatapp.GetChatappTemplateMetricRequest{TemplateCode: "order_update", Start: seed.Start, End: day})
	require.NoError(t, err)
	require.Len(t, seeded.Data, 1)
	assert.Equal(t, int64(7), seeded.Data[0].ReadCount)
	assert.Empty(t, seeded.Data[0].Clicks)
}

func TestTodaysDailyBucketHoldsTheHalfHoursBegun(t *testing.T) {
	s, c, clock := newAccountServer(t, chatapp.SignatureV3)
	ctx := context.Background()
	day := dayStart(now8, utc8)
	get := func() int64 {
		resp, err := c.GetChatappPhoneNumberMetric(ctx, &chatapp.GetChatappPhoneNumberMetricRequest{PhoneNumber: "8613800001234", Start: day, End: day.AddDate(0, 0, 1)})
		require.NoError(t, err)
		require.Len(t, resp.Data, 1)
		return resp.Data[0].SentCount
	}
	half, err := c.GetChatappPhoneNumberMetric(ctx, &chatapp.GetChatappPhoneNumberMetricRequest{PhoneNumber: "8613800001234", Granularity: chatapp.GranularityHalfHour, Start: day, End: day.AddDate(0, 0, 1)})
	require.NoError(t, err)
	require.Len(t, half.Data, 27, "00:00 to 13:00 inclusive")
	var sum int64
	for _, p := range half.Data {
		sum += p.SentCount
	}
	assert.Equal(t, sum, get())
	clock.Advance(time.Hour)
	assert.Greater(t, get(), sum, "the day grows as half hours begin")
	_ = s
}

func TestChannelPhoneNumberMetricsCoversEveryNumber(t *testing.T) {
	s, c, _ := newAccountServer(t, chatapp.SignatureV3)
	s.AddPhoneNumber("6590000000")
	day := dayStart(now8, utc8)
	numbers, series, err := c.ChannelPhoneNumberMetrics(context.Background(), &chatapp.GetChatappPhoneNumberMetricRequest{CustSpaceID: s.CustSpaceID(), Start: day.AddDate(0, 0, -3), End: day})
	require.NoError(t, err)
	require.Len(t, numbers, 3)
	require.Len(t, series, 3)
	for i, sr := range series {
		assert.Equal(t, numbers[i].PhoneNumber, sr.PhoneNumber)
		want, err := s.Metrics(&chatapp.GetChatappPhoneNumberMetricRequest{PhoneNumber: sr.PhoneNumber, Start: day.AddDate(0, 0, -3), End: day})
		require.NoError(t, err)
		assert.Equal(t, want, sr.Points)
	}
}

func TestNewOperationsFaultsAndLimits(t *testing.T) {
	clock := newFakeClock(now8)
	s := NewServer(WithClock(clock.Now), WithTimestampSkew(0))
	t.Cleanup(s.Close)
	c, err := s.Client(chatapp.WithRateLimiter(nil), chatapp.WithMaxAttempts(1))
	require.NoError(t, err)
	ctx := context.Background()

	s.InjectFault(1, Fault{Action: actionTemplateMetric, Status: 400, Code: "Product.Unsubscript"})
	_, err = c.GetChatappTemplateMetric(ctx, &chatapp.GetChatappTemplateMetricRequest{TemplateCode: "order_update", Start: now8.Add(-time.Hour), End: now8})
	var apiErr *chatapp.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Product.Unsubscript", apiErr.Code)

	// 10 QueryChatappPhoneNumbers per sliding second, 5 health checks.
	for i := range 10 {
		_, err := c.QueryChatappPhoneNumbers(ctx, nil)
		require.NoError(t, err, "call %d", i)
	}
	_, err = c.QueryChatappPhoneNumbers(ctx, nil)
	assert.ErrorIs(t, err, chatapp.ErrThrottled)
	for i := range 5 {
		_, err := c.GetWhatsappHealthStatus(ctx, &chatapp.GetWhatsappHealthStatusRequest{NodeType: chatapp.NodeWABA, CustSpaceID: "x"})
		require.NoError(t, err, "call %d", i)
	}
	_, err = c.GetWhatsappHealthStatus(ctx, &chatapp.GetWhatsappHealthStatusRequest{NodeType: chatapp.NodeWABA, CustSpaceID: "x"})
	assert.ErrorIs(t, err, chatapp.ErrThrottled)
	clock.Advance(time.Second)
	_, err = c.QueryChatappPhoneNumbers(ctx, nil)
	assert.NoError(t, err, "a second later the window is free")
}
