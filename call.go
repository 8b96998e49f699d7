package chatapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// operation is one API action of the service.
type operation struct {
	id        int     // its index in operations and in an accountLimiter
	name      string  // the Action
	rateLimit float64 // the documented limit, requests per second per account
}

var (
	opGetChatappPhoneNumberMetric = &operation{id: 0, name: "GetChatappPhoneNumberMetric", rateLimit: GetChatappPhoneNumberMetricRateLimit}
	opEnableWhatsappROIMetric     = &operation{id: 1, name: "EnableWhatsappROIMetric", rateLimit: EnableWhatsappROIMetricRateLimit}
	opQueryChatappPhoneNumbers    = &operation{id: 2, name: "QueryChatappPhoneNumbers", rateLimit: QueryChatappPhoneNumbersRateLimit}
	opGetChatappTemplateMetric    = &operation{id: 3, name: "GetChatappTemplateMetric", rateLimit: GetChatappTemplateMetricRateLimit}
	opGetWhatsappHealthStatus     = &operation{id: 4, name: "GetWhatsappHealthStatus", rateLimit: GetWhatsappHealthStatusRateLimit}

	// operations lists every operation at the index of its id.
	operations = [...]*operation{opGetChatappPhoneNumberMetric, opEnableWhatsappROIMetric,
		opQueryChatappPhoneNumbers, opGetChatappTemplateMetric, opGetWhatsappHealthStatus}
)

// responseBody is a decoded response: its envelope says whether the call
// succeeded.
type responseBody interface {
	head() *envelope
}

// invoke runs a call: it makes up to c.maxAttempts attempts, each paced by
// the limiter, freshly signed and decoded into a new B.
func invoke[B any, PB interface {
	*B
	responseBody
}](ctx context.Context, c *Client, op *operation, params []param) (_ *B, err error) {
	ctx, obs := c.startCall(ctx, op, params)
	defer func() { obs.done(err) }()
	var last error
	for attempt := 1; ; attempt++ {
		cred, err := c.credentials.credentials(ctx)
		if err != nil {
			return nil, c.fail(op, attempt-1, err, last)
		}
		if err := c.observedWait(ctx, obs, op, cred.accessKeyID, attempt); err != nil {
			return nil, c.fail(op, attempt-1, err, last)
		}
		body := PB(new(B))
		start := time.Now()
		actx := obs.startAttempt(ctx, attempt)
		status, err := c.attempt(actx, op, params, cred, body)
		obs.endAttempt(attempt, status, body.head(), err)
		c.logAttempt(actx, op, attempt, status, body.head(), err, time.Since(start))
		if err == nil {
			return (*B)(body), nil
		}
		last = err
		if ctxErr := ctx.Err(); ctxErr != nil {
			if errors.Is(err, ctxErr) {
				return nil, c.fail(op, attempt, err, nil)
			}
			return nil, c.fail(op, attempt, ctxErr, err)
		}
		if attempt >= c.maxAttempts {
			return nil, c.fail(op, attempt, err, nil)
		}
		delay, reason, retry := c.retryDelay(err, attempt)
		if !retry {
			return nil, c.fail(op, attempt, err, nil)
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay {
			// Sleeping would only end in a deadline error: fail now, as the
			// limiter does, keeping the last answer reachable.
			tooLate := fmt.Errorf("retry pause of %v would pass the context deadline: %w", delay.Round(time.Millisecond), context.DeadlineExceeded)
			return nil, c.fail(op, attempt, tooLate, err)
		}
		if err := c.pause(ctx, obs, delay, reason); err != nil {
			return nil, c.fail(op, attempt, err, last)
		}
	}
}

// fail wraps err in an *OperationError. When err is the context's and an
// earlier attempt failed, the earlier failure stays reachable by errors.As.
func (c *Client) fail(op *operation, attempts int, err, last error) error {
	if last != nil && err != last {
		err = fmt.Errorf("%w (last attempt: %w)", err, last)
	}
	return &OperationError{Operation: op.name, Attempts: attempts, Err: err}
}

// wait paces one attempt through the configured limiter.
func (c *Client) wait(ctx context.Context, op *operation, accessKeyID string, attempt int) error {
	var err error
	switch {
	case c.defaultLimiter != nil:
		err = c.defaultLimiter.wait(ctx, op)
	case c.limiter != nil:
		err = c.limiter.Wait(ContextWithCallInfo(ctx, CallInfo{Operation: op.name, AccessKeyID: accessKeyID, Attempt: attempt}))
	}
	if err == nil || errors.Is(err, ErrThrottled) || err == ctx.Err() {
		return err
	}
	// Whatever failed in a limiter (a shared store down, say), the call
	// was held back: it matches ErrThrottled, and the cause stays reachable.
	return fmt.Errorf("%w: rate limiter: %w", ErrThrottled, err)
}

// attempt sends one signed request and decodes its answer into body.
func (c *Client) attempt(ctx context.Context, op *operation, params []param, cred credentials, body responseBody) (status int, err error) {
	signed := c.signature.sign(&signInput{
		action: op.name,
		host:   c.host,
		params: params,
		date:   formatTimestamp(c.now()),
		nonce:  c.nonce(),
		cred:   cred,
	})
	if c.attemptTimeout > 0 && !deadlineWithin(ctx, c.attemptTimeout) {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.attemptTimeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL, nil)
	if err != nil {
		return 0, err
	}
	req.URL.RawQuery = signed.rawQuery
	req.Header = c.header(&signed)
	red := redactor{cred: cred, signature: signed.signature}
	resp, err := c.roundTrip(req)
	if err != nil {
		return 0, c.transportError(err, red)
	}
	return resp.StatusCode, c.decode(resp, body, red)
}

// header builds the request's headers.
func (c *Client) header(s *signedRequest) http.Header {
	h := make(http.Header, len(s.headers)+3)
	for _, hd := range s.headers {
		h[wireHeaderKey(hd.name)] = []string{hd.value}
	}
	if s.authorization != "" {
		h["Authorization"] = []string{s.authorization}
	}
	h["Accept"] = []string{"application/json"}
	h["User-Agent"] = []string{c.userAgent}
	return h
}

// wireHeaderKey returns the canonical form of the signer's lower-case header
// names without allocating for the ones it sends.
func wireHeaderKey(name string) string {
	switch name {
	case "x-acs-accesskey-id":
		return "X-Acs-Accesskey-Id"
	case "x-acs-action":
		return "X-Acs-Action"
	case "x-acs-content-sha256":
		return "X-Acs-Content-Sha256"
	case "x-acs-date":
		return "X-Acs-Date"
	case "x-acs-security-token":
		return "X-Acs-Security-Token"
	case "x-acs-signature-nonce":
		return "X-Acs-Signature-Nonce"
	case "x-acs-version":
		return "X-Acs-Version"
	}
	return http.CanonicalHeaderKey(name)
}

// transportError reports a failed round trip as a *url.Error on the bare
// endpoint: under SignatureRPC the request URL's query holds the
// Signature and SecurityToken. When the cause's own text repeats them (a
// proxy or a wrapping RoundTripper quoting the URL), it is replaced by a
// redacted copy.
func (c *Client) transportError(err error, red redactor) error {
	op, cause := "Post", err
	var ue *url.Error
	if errors.As(err, &ue) {
		op, cause = ue.Op, ue.Err
	}
	return &url.Error{Op: op, URL: c.baseURL, Err: redactError(cause, red)}
}

// redactedError shows a cause's text with secrets removed. It does not
// unwrap, so errors.As cannot reach the original text, but errors.Is still
// answers for it (context.Canceled, a timeout, ...).
type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string { return e.msg }

func (e *redactedError) Is(target error) bool { return errors.Is(e.cause, target) }

// Timeout keeps net/http's notion of a timeout visible through url.Error.
func (e *redactedError) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.As(e.cause, &t) && t.Timeout()
}

// deadlineWithin reports whether ctx ends within d anyway, which makes a
// per-attempt timeout of d redundant.
func deadlineWithin(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return ok && time.Until(deadline) <= d
}

// sleep pauses for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// answerIDs returns the request ID and the error code of an attempt's
// answer: from the error when the service's answer failed, else from the
// decoded envelope.
func answerIDs(env *envelope, err error) (requestID, code string) {
	requestID, code = env.RequestID, env.Code
	var apiErr *APIError
	var respErr *ResponseError
	switch {
	case errors.As(err, &apiErr):
		requestID, code = apiErr.RequestID, apiErr.Code
	case errors.As(err, &respErr):
		requestID = respErr.RequestID
	}
	return requestID, code
}

// logAttempt writes one debug record per attempt. It never logs the URL,
// headers or credentials.
func (c *Client) logAttempt(ctx context.Context, op *operation, attempt, status int, env *envelope, err error, latency time.Duration) {
	if !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	requestID, code := answerIDs(env, err)
	attrs := []slog.Attr{
		slog.String("operation", op.name),
		slog.Int("attempt", attempt),
		slog.Int("status", status),
		slog.String("request_id", requestID),
		slog.Duration("latency", latency),
	}
	if code != "" {
		attrs = append(attrs, slog.String("code", code))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "chatapp attempt", attrs...)
}
