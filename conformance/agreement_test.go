package conformance

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/chatappkit/chatapp/conformance/officialcams"

	"github.com/alibabacloud-go/tea/dara"
	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// point is one metric point in the terms both clients can be compared in:
// the wire's milliseconds, the number and granularity as strings, and the
// counts.
type point struct {
	PhoneNumber, Granularity string
	StartMs, EndMs           int64
	Sent, Delivered          int64
}

func chatappPoints(ps []chatapp.PhoneNumberMetric) []point {
	out := make([]point, 0, len(ps))
	for _, p := range ps {
		out = append(out, point{
			PhoneNumber: p.PhoneNumber,
			Granularity: string(p.Granularity),
			StartMs:     p.Start.UnixMilli(),
			EndMs:       p.End.UnixMilli(),
			Sent:        p.SentCount,
			Delivered:   p.DeliveredCount,
		})
	}
	return out
}

func officialPoints(t *testing.T, ps []*officialcams.MetricPoint) []point {
	t.Helper()
	out := make([]point, 0, len(ps))
	for _, p := range ps {
		require.NotNil(t, p)
		out = append(out, point{
			PhoneNumber: dara.StringValue(p.PhoneNumber),
			Granularity: dara.StringValue(p.Granularity),
			StartMs:     dara.Int64Value(p.Start),
			EndMs:       dara.Int64Value(p.End),
			Sent:        int64(dara.Int32Value(p.SentCount)),
			Delivered:   int64(dara.Int32Value(p.DeliveredCount)),
		})
	}
	return out
}

// businessParams are the operation's own parameters of a logged request,
// wherever they travelled (query or form body).
func businessParams(r chatapptest.Request) url.Values {
	out := url.Values{}
	for _, name := range []string{"CustSpaceId", "End", "Granularity", "IsvCode", "PhoneNumber", "Start"} {
		for _, v := range []url.Values{r.Query, r.Form} {
			out[name] = append(out[name], v[name]...)
		}
		if len(out[name]) == 0 {
			delete(out, name)
		}
	}
	return out
}

// TestChatappAgreesWithOfficial asks one emulator the same question through
// chatapp.Client and through the official core, under each scheme and for
// each granularity, with an AccessKey and with STS credentials, and checks
// that both decode the same series, point by point, and that it is the
// series the emulator's Metrics says it sent. It also checks that both
// clients sent the same business parameters.
func TestChatappAgreesWithOfficial(t *testing.T) {
	ranges := []struct {
		granularity chatapp.Granularity
		start, end  time.Time
		points      int
	}{
		{chatapp.GranularityDaily, dailyStart, dailyEnd, 7},
		{chatapp.GranularityHalfHour, halfHourStart, halfHourEnd, 48},
	}
	eachSchemeAndCredentials(t, func(t *testing.T, s scheme, kind credKind) {
		for _, rg := range ranges {
			t.Run(string(rg.granularity), func(t *testing.T) {
				srv := newServer(t)
				k := credentials(srv, kind)
				official := officialClient(t, srv.URL, k, s, nil)
				ours, err := srv.Client(chatappOptions(k, s)...)
				require.NoError(t, err)

				req := &chatapp.GetChatappPhoneNumberMetricRequest{
					PhoneNumber: phoneNumber,
					Granularity: rg.granularity,
					Start:       rg.start,
					End:         rg.end,
					CustSpaceID: custSpaceID,
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				ourResp, err := ours.GetChatappPhoneNumberMetric(ctx, req)
				require.NoError(t, err)

				offResp, err := officialcams.GetMetric(official, &officialcams.MetricRequest{
					CustSpaceId: dara.String(custSpaceID),
					PhoneNumber: dara.String(phoneNumber),
					Granularity: dara.String(string(rg.granularity)),
					Start:       dara.Int64(rg.start.UnixMilli()),
					End:         dara.Int64(rg.end.UnixMilli()),
				}, nil)
				require.NoError(t, err)
				require.NotNil(t, offResp.Body)
				assert.Equal(t, "OK", dara.StringValue(offResp.Body.Code))
				assert.Equal(t, "OK", ourResp.Code)

				want, err := srv.Metrics(req)
				require.NoError(t, err)
				wantPoints := chatappPoints(want)
				ourPoints := chatappPoints(ourResp.Data)
				offPoints := officialPoints(t, offResp.Body.Data)

				require.Len(t, wantPoints, rg.points)
				var sent int64
				for i, p := range wantPoints {
					bucket := rg.start.Add(time.Duration(i) * rg.granularity.Duration())
					assert.Equal(t, phoneNumber, p.PhoneNumber)
					assert.Equal(t, string(rg.granularity), p.Granularity)
					assert.Equal(t, bucket.UnixMilli(), p.StartMs)
					assert.Equal(t, bucket.Add(rg.granularity.Duration()).UnixMilli(), p.EndMs)
					sent += p.Sent
				}
				require.Positive(t, sent, "a range of working days must have traffic, or the comparison proves little")

				assert.Equal(t, offPoints, ourPoints, "chatapp and the official core must decode the same points")
				assert.Equal(t, wantPoints, offPoints, "the official core must decode what the emulator sent")
				assert.Equal(t, wantPoints, ourPoints, "chatapp must decode what the emulator sent")

				reqs := srv.Requests()
				require.Len(t, reqs, 2)
				ourReq, offReq := reqs[0], reqs[1]
				assert.Equal(t, ourReq.RequestID, ourResp.RequestID)
				assert.Equal(t, offReq.RequestID, dara.StringValue(offResp.Body.RequestId))
				assert.Equal(t, emulatorScheme(s), ourReq.Scheme)
				assert.Equal(t, emulatorScheme(s), offReq.Scheme)
				assert.Equal(t, ourReq.Method, offReq.Method)
				assert.Equal(t, ourReq.Path, offReq.Path)
				assert.Equal(t, businessParams(offReq), businessParams(ourReq), "both clients must ask the same question")
			})
		}
	})
}

// TestAwkwardValuesAgree sends parameter values that percent-encoding rules
// disagree on (space, '*', '~', '+', '%', '/', '?', '&', '=', quotes and
// non-ASCII) through both clients under each scheme: the emulator must
// accept the official core's signature and chatapp's alike, and both must
// deliver the same decoded values.
func TestAwkwardValuesAgree(t *testing.T) {
	values := []string{"cams space", "a*b~c", "a+b", "100%", "a/b?c=d&e", "'!()", "é中"}
	for _, s := range schemes {
		for _, v := range values {
			t.Run(s.name+"/"+v, func(t *testing.T) {
				srv := newServer(t)
				k := credentials(srv, credKinds[1])
				official := officialClient(t, srv.URL, k, s, nil)
				ours, err := srv.Client(chatappOptions(k, s)...)
				require.NoError(t, err)

				m := dailyModel()
				m.CustSpaceId = dara.String(v)
				m.IsvCode = dara.String(v)
				_, err = officialcams.GetMetric(official, m, nil)
				require.NoError(t, err, "the emulator must accept the official signature over %q", v)

				req := chatappDailyRequest()
				req.CustSpaceID = v
				req.IsvCode = v
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_, err = ours.GetChatappPhoneNumberMetric(ctx, req)
				require.NoError(t, err, "the emulator must accept chatapp's signature over %q", v)

				reqs := srv.Requests()
				require.Len(t, reqs, 2)
				assert.Equal(t, v, businessParams(reqs[0]).Get("CustSpaceId"))
				assert.Equal(t, v, businessParams(reqs[0]).Get("IsvCode"))
				assert.Equal(t, businessParams(reqs[0]), businessParams(reqs[1]))
			})
		}
	}
}
