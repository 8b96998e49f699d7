package chatapptest

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Request is one request the emulator received, as the log keeps it for
// assertions. Header and Query are copies of what arrived, signatures and
// security tokens included: they are test data, never written to a log.
type Request struct {
	Time        time.Time // arrival, by the emulator's clock
	Method      string
	Path        string
	Query       url.Values
	Form        url.Values // parameters of an x-www-form-urlencoded body; nil if none
	Header      http.Header
	Body        []byte
	Scheme      Scheme // how it was signed, as far as it could be told
	AccessKeyID string
	Action      string // from x-acs-action (ACS3) or the Action parameter (RPC)

	Status    int    // HTTP status answered; 0 if the connection was dropped
	Code      string // the answer's Code: "OK", an error code, or "" when no JSON answer was sent
	RequestID string // the answer's RequestId, if any
	Fault     bool   // an injected fault acted on it
	// Latency is the real time from arrival until the answer started to
	// leave (or, for a dropped connection, until it was dropped).
	Latency time.Duration
}

// Stats counts the requests the emulator received since it was made or
// ClearRequests was called.
type Stats struct {
	Requests  int // received
	OK        int // answered with Code "OK"
	Throttled int // answered with System.LimitControl or a Throttling* code
	Errors    int // answered with any other error code
	Faults    int // acted on by an injected fault, whatever it did
}

// requestLog keeps the last limit requests and the counters.
type requestLog struct {
	mu    sync.Mutex
	limit int
	ring  []Request
	first int // index of the oldest entry once the ring is full
	stats Stats
}

func newRequestLog(limit int) *requestLog {
	return &requestLog{limit: max(limit, 0)}
}

func (l *requestLog) add(r Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stats.Requests++
	switch {
	case r.Code == codeOK:
		l.stats.OK++
	case r.Code == codeLimitControl || strings.HasPrefix(r.Code, "Throttling"):
		l.stats.Throttled++
	case r.Code != "":
		l.stats.Errors++
	}
	if r.Fault {
		l.stats.Faults++
	}
	switch {
	case l.limit == 0:
	case len(l.ring) < l.limit:
		l.ring = append(l.ring, r)
	default:
		l.ring[l.first] = r
		l.first = (l.first + 1) % l.limit
	}
}

// record starts the log entry of a request. Copies are made only when
// the log keeps requests.
func (in *incoming) record(now time.Time, keep bool) Request {
	r := Request{
		Time:        now,
		Method:      in.method,
		Path:        in.path,
		Scheme:      in.scheme,
		AccessKeyID: in.accessKeyID,
		Action:      in.action,
	}
	if keep {
		r.Query = in.query
		r.Form = in.form
		r.Header = in.header.Clone()
		r.Body = in.body
	}
	return r
}

// finish completes a request's entry, logs it and writes the log line.
func (e *Emulator) finish(rec *Request, began time.Time) {
	rec.Latency = time.Since(began)
	e.log.add(*rec)
	if e.logger == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("action", rec.Action),
		slog.Int("status", rec.Status),
		slog.String("code", rec.Code),
		slog.Duration("latency", rec.Latency),
		slog.String("access_key_id", rec.AccessKeyID),
		slog.String("scheme", string(rec.Scheme)),
	}
	if rec.Fault {
		attrs = append(attrs, slog.Bool("fault", true))
	}
	e.logger.LogAttrs(context.Background(), slog.LevelInfo, "request", attrs...)
}

// Requests returns the requests received, oldest first: the last
// DefaultRequestLogLimit unless WithRequestLogLimit says otherwise. The
// entries' maps and slices are shared with the log: read them, do not
// change them.
func (e *Emulator) Requests() []Request {
	l := e.log
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Request, 0, len(l.ring))
	out = append(out, l.ring[l.first:]...)
	return append(out, l.ring[:l.first]...)
}

// Stats returns the counters.
func (e *Emulator) Stats() Stats {
	e.log.mu.Lock()
	defer e.log.mu.Unlock()
	return e.log.stats
}

// ClearRequests empties the request log and zeroes the counters.
func (e *Emulator) ClearRequests() {
	l := e.log
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring, l.first, l.stats = nil, 0, Stats{}
}
