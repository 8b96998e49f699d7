package chatapp

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// PhoneNumberSeries is what QueryPhoneNumbers fetched for one number.
type PhoneNumberSeries struct {
	PhoneNumber string
	// Points are the number's points in time order. When Err is set they
	// are those fetched before the failure.
	Points []PhoneNumberMetric
	// Err is why the number's range could not be fetched in full, or nil.
	Err error
}

// QueryPhoneNumbers fetches the range of req for each of numbers, as
// PhoneNumberMetrics does for one, with up to DefaultWorkers numbers in
// flight at once (see Workers). Every call goes through the Client's rate
// limiter, so all the workers together keep to the account's quota.
//
// The result holds one PhoneNumberSeries per number, in the order of
// numbers. One number failing does not stop the others: its error is in
// its series, and the returned error joins every number's error, each
// prefixed by the number, so it is nil only when every range was fetched
// in full. When ctx ends during the query, the calls in flight fail with
// the context's error and the numbers not started fail with it at once; a
// ctx that has ended before the query (or while its calls are counted
// against MaxCalls) fails it as a whole, with no result.
//
// req is the template of every query; its PhoneNumber must be empty, since
// the numbers come from numbers, which must be non-empty and distinct. An
// invalid request or option fails the whole query with an error matching
// ErrInvalidRequest, before anything is sent, and a nil result.
func (c *Client) QueryPhoneNumbers(ctx context.Context, numbers []string, req *GetChatappPhoneNumberMetricRequest, opts ...QueryOption) ([]PhoneNumberSeries, error) {
	op := opGetChatappPhoneNumberMetric
	cfg, err := newQueryConfig(opts)
	if err == nil {
		err = validateQuery(numbers, req)
	}
	if err == nil {
		// The whole query's calls count against MaxCalls.
		start, end := time.UnixMilli(req.Start.UnixMilli()), time.UnixMilli(req.End.UnixMilli())
		_, err = newWindowPlan(req.Granularity, cfg).count(ctx, start, end, max(1, len(numbers)), cfg.maxCalls)
	}
	if err != nil {
		return nil, c.fail(op, 0, err, nil)
	}
	template := *req

	results := make([]PhoneNumberSeries, len(numbers))
	for i, n := range numbers {
		results[i].PhoneNumber = n
	}
	// Numbers are handed out in input order, so the first ones finish
	// first and a progress line moves steadily.
	next := make(chan int, len(numbers))
	for i := range numbers {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range min(cfg.workers, len(numbers)) {
		wg.Go(func() {
			for i := range next {
				r := &results[i]
				if err := ctx.Err(); err != nil {
					r.Err = c.fail(op, 0, err, nil)
					continue
				}
				q := template
				q.PhoneNumber = r.PhoneNumber
				c.fetchRange(ctx, &q, cfg, func(p PhoneNumberMetric, err error) bool {
					if err != nil {
						r.Err = err
						return false
					}
					r.Points = append(r.Points, p)
					return true
				})
			}
		})
	}
	wg.Wait()

	var errs []error
	for _, r := range results {
		if r.Err != nil {
			errs = append(errs, fmt.Errorf("phone number %s: %w", r.PhoneNumber, r.Err))
		}
	}
	return results, errors.Join(errs...)
}

// validateQuery checks what QueryPhoneNumbers adds to a request's rules.
func validateQuery(numbers []string, req *GetChatappPhoneNumberMetricRequest) error {
	if err := req.validate(); err != nil {
		return err
	}
	if req.PhoneNumber != "" {
		return &ValidationError{Field: "PhoneNumber", Rule: "must be empty: QueryPhoneNumbers takes the numbers from its numbers argument"}
	}
	first := make(map[string]int, len(numbers))
	for i, n := range numbers {
		field := "numbers[" + strconv.Itoa(i) + "]"
		if n == "" {
			return &ValidationError{Field: field, Rule: "must not be empty"}
		}
		if j, dup := first[n]; dup {
			return &ValidationError{Field: field, Rule: "must not repeat numbers[" + strconv.Itoa(j) + "] (" + n + ")"}
		}
		first[n] = i
	}
	return nil
}
