package chatapp_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// twelveNumbers are the business numbers of the user.
func twelveNumbers() []string {
	out := make([]string, 12)
	for i := range out {
		out[i] = fmt.Sprintf("86138000%05d", 1000+i*37)
	}
	return out
}

// The whole point of the issue: a quarter for 12 numbers, many windows
// each, under the service's strict 50 per sliding second, and not one
// failed call. The default limiter is what keeps to the quota.
func TestQueryPhoneNumbersKeepsToTheEmulatorsRateLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("takes two seconds of real rate limiting")
	}
	srv := chatapptest.NewServer()
	defer srv.Close()
	c, err := srv.Client()
	require.NoError(t, err)
	numbers := twelveNumbers()
	srv.AddPhoneNumber(numbers...) // only the channel's numbers have data
	req := &chatapp.GetChatappPhoneNumberMetricRequest{
		Granularity: chatapp.GranularityDaily,
		Start:       dateCST(2026, 7, 1, 0, 0),
		End:         dateCST(2026, 10, 1, 0, 0),
	}

	results, err := c.QueryPhoneNumbers(context.Background(), numbers, req, chatapp.DailyWindow(10), chatapp.Workers(8))
	require.NoError(t, err)

	// No call fails. On a loaded host the delay between the limiter and
	// the server can push the strict window over now and then; the
	// throttled attempt is retried (TestLoadUnderNetworkJitter measures
	// that under a fake clock).
	stats := srv.Stats()
	assert.Equal(t, 12*10, stats.OK, "92 days in 10-day windows is 10 calls a number")
	assert.Equal(t, stats.OK+stats.Throttled, stats.Requests, "every other attempt was a throttle, retried")
	assert.LessOrEqual(t, float64(stats.Throttled), 0.10*float64(stats.Requests), "throttled attempts")
	require.Len(t, results, len(numbers))
	for i, r := range results {
		require.Equal(t, numbers[i], r.PhoneNumber, "input order")
		require.NoError(t, r.Err)
		one := *req
		one.PhoneNumber = numbers[i]
		want, err := srv.Metrics(&one)
		require.NoError(t, err)
		require.Equal(t, want, r.Points)
		require.Len(t, r.Points, 92)
	}
}

func TestQueryPhoneNumbersKeepsTheOthersWhenOneFails(t *testing.T) {
	const bad = "8613800009999"
	f := &fakeService{fail: func(_ int, q windowQuery) httpmock.Responder {
		// The bad number's second window fails.
		if q.Phone == bad && !q.Start.Equal(dateCST(2026, 7, 1, 0, 0)) {
			return fakeAPIError(400, "Unknown.ResourceOwnerId", "REQ-BAD-NUMBER")
		}
		return nil
	}}
	c := newFakeClient(t, f)
	numbers := []string{"8613800001234", bad, "8613800005678"}
	results, err := c.QueryPhoneNumbers(context.Background(), numbers, &chatapp.GetChatappPhoneNumberMetricRequest{
		Start: dateCST(2026, 7, 1, 0, 0), End: dateCST(2026, 10, 1, 0, 0),
	})
	require.ErrorIs(t, err, chatapp.ErrResourceOwnerUnknown)
	require.ErrorContains(t, err, "phone number "+bad)
	require.NotContains(t, err.Error(), "8613800001234")
	require.Len(t, results, 3)
	for i, r := range results {
		require.Equal(t, numbers[i], r.PhoneNumber)
		if r.PhoneNumber == bad {
			require.ErrorIs(t, r.Err, chatapp.ErrResourceOwnerUnknown)
			requireSeries(t, r.Points, dateCST(2026, 7, 1, 0, 0), oneDay, 30) // the first window's
			continue
		}
		require.NoError(t, r.Err)
		requireSeries(t, r.Points, dateCST(2026, 7, 1, 0, 0), oneDay, 92)
	}
}

func TestQueryPhoneNumbersWithAnEmulatorFault(t *testing.T) {
	srv := chatapptest.NewServer()
	defer srv.Close()
	c, err := srv.Client(chatapp.WithMaxAttempts(1))
	require.NoError(t, err)
	srv.InjectFault(1, chatapptest.Fault{Kind: chatapptest.FaultError, Status: 500, Code: "InternalError"})
	numbers := []string{"8613800001234", "8613800005678", "6588887777"}
	srv.AddPhoneNumber(numbers...) // only the channel's numbers have data
	// One worker: the first request, which the fault answers, is the
	// first number's.
	results, err := c.QueryPhoneNumbers(context.Background(), numbers, &chatapp.GetChatappPhoneNumberMetricRequest{
		Start: dateCST(2026, 9, 1, 0, 0), End: dateCST(2026, 9, 8, 0, 0),
	}, chatapp.Workers(1))
	require.ErrorIs(t, err, chatapp.ErrServer)
	var apiErr *chatapp.APIError
	require.ErrorAs(t, results[0].Err, &apiErr)
	assert.Equal(t, "InternalError", apiErr.Code)
	assert.NotEmpty(t, apiErr.RequestID)
	assert.Empty(t, results[0].Points)
	for _, r := range results[1:] {
		require.NoError(t, r.Err)
		require.Len(t, r.Points, 7)
	}
}

func TestQueryPhoneNumbersBoundsTheWorkers(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []chatapp.QueryOption
		want int
	}{
		{"default", nil, chatapp.DefaultWorkers},
		{"Workers(2)", []chatapp.QueryOption{chatapp.Workers(2)}, 2},
		{"more workers than numbers", []chatapp.QueryOption{chatapp.Workers(50)}, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Under synctest every worker's request is in flight at once
			// before the fake clock moves on.
			synctest.Test(t, func(t *testing.T) {
				var inFlight concurrency
				f := &fakeService{fail: func(int, windowQuery) httpmock.Responder {
					inFlight.enter()
					defer inFlight.leave()
					time.Sleep(20 * time.Millisecond)
					return nil
				}}
				c := newFakeClient(t, f)
				numbers := make([]string, 10)
				for i := range numbers {
					numbers[i] = fmt.Sprint(8613800000000 + i)
				}
				_, err := c.QueryPhoneNumbers(context.Background(), numbers, &chatapp.GetChatappPhoneNumberMetricRequest{
					Start: dateCST(2026, 7, 1, 0, 0), End: dateCST(2026, 8, 1, 0, 0),
				}, tc.opts...)
				require.NoError(t, err)
				assert.Len(t, f.calls(), 20)
				assert.Equal(t, int64(tc.want), inFlight.most.Load())
			})
		})
	}
}

// TestQueryPhoneNumbersStopsPromptlyWhenTheContextEnds: cancelling while
// the service hangs ends the query at that instant (under synctest, with
// no time passing), every number's result carries the cancellation, and
// numbers not yet started are not asked for.
func TestQueryPhoneNumbersStopsPromptlyWhenTheContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var once sync.Once
		f := &fakeService{fail: func(int, windowQuery) httpmock.Responder {
			// The first request to arrive ends the caller's context.
			once.Do(cancel)
			// Hang like a slow service until the caller gives up.
			return func(req *http.Request) (*http.Response, error) {
				select {
				case <-req.Context().Done():
					return nil, req.Context().Err()
				case <-time.After(10 * time.Second):
					return nil, fmt.Errorf("the context was not cancelled")
				}
			}
		}}
		c := newFakeClient(t, f)
		began := time.Now()
		results, err := c.QueryPhoneNumbers(ctx, twelveNumbers(), &chatapp.GetChatappPhoneNumberMetricRequest{
			Start: dateCST(2026, 1, 1, 0, 0), End: dateCST(2026, 10, 1, 0, 0),
		})
		assert.Zero(t, time.Since(began), "returns as the context ends")
		require.ErrorIs(t, err, context.Canceled)
		require.Len(t, results, 12)
		for _, r := range results {
			require.ErrorIs(t, r.Err, context.Canceled)
		}
		assert.LessOrEqual(t, len(f.calls()), chatapp.DefaultWorkers, "numbers not started are not asked for")
	})
}

func TestQueryPhoneNumbersValidatesFirst(t *testing.T) {
	start := dateCST(2026, 1, 1, 0, 0)
	valid := chatapp.GetChatappPhoneNumberMetricRequest{Start: start, End: start.Add(oneDay)}
	withPhone := valid
	withPhone.PhoneNumber = "1"
	for _, tc := range []struct {
		name    string
		numbers []string
		req     *chatapp.GetChatappPhoneNumberMetricRequest
		opts    []chatapp.QueryOption
		field   string
	}{
		{"nil request", []string{"1"}, nil, nil, "request"},
		{"no End", []string{"1"}, &chatapp.GetChatappPhoneNumberMetricRequest{Start: start}, nil, "End"},
		{"PhoneNumber set", []string{"1"}, &withPhone, nil, "PhoneNumber"},
		{"empty number", []string{"1", ""}, &valid, nil, "numbers[1]"},
		{"repeated number", []string{"1", "2", "1"}, &valid, nil, "numbers[2]"},
		{"Workers(-1)", []string{"1"}, &valid, []chatapp.QueryOption{chatapp.Workers(-1)}, "Workers"},
		{"a RangeOption applies to every number", []string{"1"}, &valid, []chatapp.QueryOption{chatapp.DailyWindow(0)}, "DailyWindow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeService{}
			c := newFakeClient(t, f)
			results, err := c.QueryPhoneNumbers(context.Background(), tc.numbers, tc.req, tc.opts...)
			require.Nil(t, results)
			require.ErrorIs(t, err, chatapp.ErrInvalidRequest)
			var ve *chatapp.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Empty(t, f.calls())
		})
	}

	t.Run("no numbers", func(t *testing.T) {
		f := &fakeService{}
		c := newFakeClient(t, f)
		results, err := c.QueryPhoneNumbers(context.Background(), nil, &valid)
		require.NoError(t, err)
		require.Empty(t, results)
		assert.Empty(t, f.calls())
	})
}

// TestNilRangeOptionIsSkipped checks that a nil RangeOption among the
// options of a multi-number query is skipped, as a nil QueryOption is,
// instead of being called.
func TestNilRangeOptionIsSkipped(t *testing.T) {
	srv := chatapptest.NewServer()
	defer srv.Close()
	c, err := srv.Client()
	require.NoError(t, err)
	req := &chatapp.GetChatappPhoneNumberMetricRequest{
		Granularity: chatapp.GranularityDaily,
		Start:       dateCST(2026, 7, 1, 0, 0),
		End:         dateCST(2026, 7, 3, 0, 0),
	}
	var none chatapp.RangeOption
	results, err := c.QueryPhoneNumbers(context.Background(), srv.PhoneNumbers()[:1], req, none, nil)
	require.NoError(t, err)
	require.Len(t, results, 1)
	assert.NoError(t, results[0].Err)
}
