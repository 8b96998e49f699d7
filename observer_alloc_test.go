package chatapp

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestNoObserverNoAllocations checks that observation costs a call no
// allocation when no Observer is installed: a Client without WithObserver
// and one with an empty WithObserver() allocate the same per call, and one
// with an Observer allocates more, so the measure can tell them apart. The
// transport is a function answering a reused body, so that every
// allocation counted is the Client's.
func TestNoObserverNoAllocations(t *testing.T) {
	ctx := context.Background()
	req := weekRequest()
	data := benchMetricBody(7, GranularityDaily)
	allocs := func(opts ...Option) float64 {
		c := newTestClient(t, http.DefaultTransport, opts...)
		body := &benchBody{}
		header := http.Header{"Content-Type": {"application/json"}}
		c.roundTrip = func(*http.Request) (*http.Response, error) {
			body.Reset(data)
			return &http.Response{StatusCode: http.StatusOK, Header: header, Body: body, ContentLength: int64(len(data))}, nil
		}
		return testing.AllocsPerRun(100, func() {
			if _, err := c.GetChatappPhoneNumberMetric(ctx, req); err != nil {
				t.Fatal(err)
			}
		})
	}
	none := allocs()
	empty := allocs(WithObserver())
	var n int
	observed := allocs(WithObserver(Observer{CallDone: func(context.Context, CallDoneInfo) { n++ }}))
	t.Logf("allocs per call: no observer %.0f, WithObserver() %.0f, one observer %.0f", none, empty, observed)
	assert.Equal(t, none, empty)
	assert.Greater(t, observed, none)
	assert.Positive(t, n)
}
