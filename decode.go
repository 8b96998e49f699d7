package chatapp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// envelope holds the fields every answer of the service can carry, success
// and error bodies alike. encoding/json matches names case-insensitively,
// so the lower-camel spellings some gateways use ("requestId") decode too.
type envelope struct {
	RequestID          string     `json:"RequestId"`
	Code               string     `json:"Code"`
	Message            string     `json:"Message"`
	HostID             string     `json:"HostId"`
	Recommend          string     `json:"Recommend"`
	AccessDeniedDetail flexString `json:"AccessDeniedDetail"`
}

func (e *envelope) head() *envelope { return e }

// flexString decodes a JSON string as is and any other JSON value as its
// compact text. AccessDeniedDetail is a string in success bodies but an
// object in RAM denials (testdata/spec/README.md).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	if string(b) == "null" {
		*f = ""
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return err
	}
	*f = flexString(buf.String())
	return nil
}

// flexInt decodes an integer sent as a JSON number, an integral float
// (10.0, 1e3) or a quoted integer ("10"). The SDKs declare the counts int32
// and the times int64; a number that is not integral or does not fit an
// int64 is an error.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	s := string(b)
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*f = flexInt(n)
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != math.Trunc(v) || v < math.MinInt64 || v >= math.MaxInt64 {
		return fmt.Errorf("%s is not an integer", strconv.Quote(truncate(s, 32)))
	}
	*f = flexInt(v)
	return nil
}

// decode reads resp's body (closing it) and decodes it into body, or
// returns the *APIError or *ResponseError it stands for.
func (c *Client) decode(resp *http.Response, body responseBody, red redactor) error {
	if isRedirect(resp.StatusCode) {
		return redirectFailure(resp, red)
	}
	if resp.ContentLength > c.maxResponseBytes {
		resp.Body.Close()
		return responseFailure(resp, nil, nil, problemTooLarge, c.maxResponseBytes, nil, red)
	}
	// One byte over the cap tells an answer at the cap from a longer one.
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		// One allocation of the announced size instead of doubling from
		// 512 bytes; ReadFrom wants MinRead spare bytes to see EOF.
		buf.Grow(int(resp.ContentLength) + bytes.MinRead)
	}
	_, readErr := buf.ReadFrom(io.LimitReader(resp.Body, c.maxResponseBytes+1))
	data := buf.Bytes()
	resp.Body.Close()
	if int64(len(data)) > c.maxResponseBytes {
		return responseFailure(resp, nil, nil, problemTooLarge, c.maxResponseBytes, nil, red)
	}
	if readErr != nil {
		// The connection broke mid-body; whatever arrived is not trusted.
		return responseFailure(resp, nil, nil, problemCut, 0, readErr, red)
	}
	success := resp.StatusCode >= 200 && resp.StatusCode < 300
	var decodeErr error
	if success {
		decodeErr = json.Unmarshal(data, body)
	} else {
		decodeErr = json.Unmarshal(data, body.head())
	}
	env := body.head()
	switch {
	case decodeErr != nil:
		return responseFailure(resp, env, data, problemNotJSON, 0, decodeErr, red)
	case !success && env.Code == "" && env.Message == "":
		return responseFailure(resp, env, data, problemNoCode, 0, nil, red)
	case success && (env.Code == "" || env.Code == "OK"):
		// The request id goes into the response, the debug log and the
		// observers: a server that echoes a secret there must not leak it.
		// The service's ids are UUIDs, which can hold a secret only as it
		// is (fitsUUID), so only other shapes pay for every form.
		if !isUUID(env.RequestID) || red.fitsUUID(env.RequestID) {
			env.RequestID = red.redact(env.RequestID)
		}
		return nil
	}
	return responseFailure(resp, env, data, problemNone, 0, nil, red)
}

// problem says what made an answer unusable; problemNone is an answer with
// an error code.
type problem int

const (
	problemNone problem = iota
	problemTooLarge
	problemCut
	problemNotJSON
	problemNoCode
)

// responseFailure is the one place where what the server sent (code,
// message, request and host IDs, body snippets) becomes an error's fields,
// redacted by red. It returns an *APIError for problemNone and a
// *ResponseError otherwise. env and data may be nil; limit is the size cap
// for problemTooLarge; cause is the read or JSON error.
func responseFailure(resp *http.Response, env *envelope, data []byte, p problem, limit int64, cause error, red redactor) error {
	// An unusable body is not trusted, so its request ID is the header's.
	requestID := resp.Header.Get("X-Acs-Request-Id")
	if p == problemNone {
		if env.RequestID != "" {
			requestID = env.RequestID
		}
		return &APIError{
			StatusCode:         resp.StatusCode,
			Code:               red.redact(env.Code),
			Message:            red.redact(env.Message),
			RequestID:          red.redact(requestID),
			HostID:             red.redact(env.HostID),
			Recommend:          red.redact(env.Recommend),
			AccessDeniedDetail: red.redact(string(env.AccessDeniedDetail)),
			RetryAfter:         retryAfter(resp.Header),
		}
	}
	e := &ResponseError{StatusCode: resp.StatusCode, RequestID: red.redact(requestID), Err: redactError(cause, red)}
	var msg strings.Builder
	switch p {
	case problemTooLarge:
		e.tooLarge = true
		msg.WriteString("response body over " + strconv.FormatInt(limit, 10) + " bytes, not read further")
	case problemCut:
		e.cut = true
		msg.WriteString("response body cut short: " + red.redact(cause.Error()))
	case problemNotJSON:
		msg.WriteString("response is not the expected JSON")
		if len(bytes.TrimSpace(data)) == 0 {
			msg.Reset()
			msg.WriteString("empty response body")
		} else {
			var syntax *json.SyntaxError
			var typeErr *json.UnmarshalTypeError
			if errors.As(cause, &syntax) || errors.As(cause, &typeErr) || errors.Is(cause, io.ErrUnexpectedEOF) {
				msg.WriteString(" (" + cause.Error() + ")")
			} else {
				msg.WriteString(" (" + truncate(cause.Error(), 120) + ")")
			}
		}
	case problemNoCode:
		msg.WriteString("error response without Code or Message")
	}
	if p == problemNotJSON || p == problemNoCode {
		if ct := resp.Header.Get("Content-Type"); ct != "" {
			msg.WriteString(", Content-Type " + truncate(ct, 80))
		}
		if len(data) > 0 {
			// Redact before cutting: a secret cut in half would escape.
			msg.WriteString(": " + snippet([]byte(red.redact(string(data)))))
		}
	}
	e.Problem = red.redact(msg.String())
	return e
}

// redactError returns err, or a copy whose text has the secrets removed
// when its text shows one. errors.Is still sees through the copy.
func redactError(err error, red redactor) error {
	if err == nil {
		return nil
	}
	if text := err.Error(); red.redact(text) != text {
		return &redactedError{msg: red.redact(text), cause: err}
	}
	return err
}

// snippet returns up to 200 bytes of b as printable, valid UTF-8 on one line.
func snippet(b []byte) string {
	const max = 200
	cut := len(b) > max
	if cut {
		b = b[:max]
	}
	var out strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		switch {
		case r == utf8.RuneError && size <= 1:
			out.WriteRune('\uFFFD')
		case r == '\n' || r == '\r' || r == '\t':
			out.WriteByte(' ')
		case r < ' ' || r == 0x7f:
			out.WriteRune('\uFFFD')
		default:
			out.WriteRune(r)
		}
	}
	if cut {
		out.WriteString("…")
	}
	return out.String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// retryAfter reads the server's wait hint: the larger TimeLeft (ms) of the
// x-ratelimit-user-api and x-ratelimit-user headers, whose format is
// "Limit:..,Remain:..,TimeLeft:<ms>,Reset:.." (darabonba's
// GetThrottlingTimeLeft), else a Retry-After in seconds.
func retryAfter(h http.Header) time.Duration {
	var best time.Duration
	for _, key := range [...]string{"X-Ratelimit-User-Api", "X-Ratelimit-User"} {
		for _, field := range strings.Split(h.Get(key), ",") {
			name, value, ok := strings.Cut(strings.TrimSpace(field), ":")
			if !ok || !strings.EqualFold(name, "TimeLeft") {
				continue
			}
			if ms, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64); err == nil && ms > 0 {
				best = max(best, time.Duration(min(ms, math.MaxInt64/int64(time.Millisecond)))*time.Millisecond)
			}
		}
	}
	if best == 0 {
		if s, err := strconv.ParseInt(strings.TrimSpace(h.Get("Retry-After")), 10, 64); err == nil && s > 0 {
			best = time.Duration(min(s, math.MaxInt64/int64(time.Second))) * time.Second
		}
	}
	return best
}

// isUUID reports whether s has the 8-4-4-4-12 hexadecimal shape of a UUID.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		switch c := s[i]; {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}
