package chatapptest

import (
	"cmp"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/chatappkit/chatapp"
)

// FaultKind says what an injected Fault does to a request.
type FaultKind int

const (
	// FaultError answers with a gateway error body: Status (default 500),
	// Code (default "InternalError") and Message (default the gateway's
	// wording for Code).
	FaultError FaultKind = iota
	// FaultDelay waits Delay, then lets the request be answered normally.
	FaultDelay
	// FaultDrop closes the connection without answering.
	//
	// FaultDrop and FaultTruncated take the connection over
	// (http.Hijacker); where that cannot be done (HTTP/2, an
	// httptest.ResponseRecorder) the handler aborts with
	// http.ErrAbortHandler instead, which net/http turns into a reset.
	FaultDrop
	// FaultTruncated declares the Content-Length of a whole JSON answer,
	// sends only its first half, and closes the connection.
	FaultTruncated
	// FaultShortBody sends the first half of a JSON answer as a complete
	// HTTP 200 response (its Content-Length matches), so the exchange
	// succeeds but the JSON does not parse.
	FaultShortBody
	// FaultHTML answers with an HTML error page, as a load balancer in
	// front of the gateway would: Status (default 502).
	FaultHTML
	// FaultRaw answers with Status (default 200) and Body as given, with
	// no Content-Type unless Header sets one.
	FaultRaw
)

// Fault is a failure to inject into the next requests (see InjectFault).
// Faults act before authentication: a request they answer uses no nonce,
// no rate-limit slot and changes nothing, except under FaultDelay, which
// only delays the normal answer.
type Fault struct {
	Kind FaultKind
	// Action limits the fault to requests for one operation, e.g.
	// "GetChatappPhoneNumberMetric"; empty matches every request.
	Action string
	// Delay is waited before the fault acts, whatever its kind. The wait
	// ends early if the client goes away or the emulator closes.
	Delay time.Duration
	// Status is the HTTP status of FaultError, FaultHTML and FaultRaw.
	Status int
	// Code and Message fill the body of FaultError.
	Code, Message string
	// Header is added to the response (any kind but FaultDrop), e.g.
	// x-ratelimit-user-api.
	Header http.Header
	// Body is the body of FaultRaw.
	Body []byte
}

// ThrottlingFault returns the gateway's per-user flow control answer:
// HTTP 400, Code "Throttling.User", and an x-ratelimit-user-api header
// "Limit:50,Remain:0,TimeLeft:<ms>,Reset:<UNIX ms>" asking the client to
// wait timeLeft.
func ThrottlingFault(timeLeft time.Duration) Fault {
	ms := timeLeft.Milliseconds()
	h := http.Header{}
	h.Set("x-ratelimit-user-api", "Limit:"+strconv.Itoa(chatapp.GetChatappPhoneNumberMetricRateLimit)+
		",Remain:0,TimeLeft:"+strconv.FormatInt(ms, 10)+
		",Reset:"+strconv.FormatInt(time.Now().Add(timeLeft).UnixMilli(), 10))
	return Fault{Kind: FaultError, Status: http.StatusBadRequest, Code: codeThrottlingUser, Header: h}
}

// InjectFault makes the next n requests that match f.Action fail as f
// says. Faults queue up: a request takes the oldest injected fault that
// matches it. n <= 0 does nothing.
func (e *Emulator) InjectFault(n int, f Fault) {
	if n <= 0 {
		return
	}
	f.Header = f.Header.Clone()
	f.Body = append([]byte(nil), f.Body...)
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	e.faults.pending = append(e.faults.pending, &pendingFault{fault: f, left: n})
}

// ClearFaults drops every fault not yet used.
func (e *Emulator) ClearFaults() {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	e.faults.pending = nil
}

// PendingFaults returns how many requests injected faults are still
// waiting for.
func (e *Emulator) PendingFaults() int {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	n := 0
	for _, p := range e.faults.pending {
		n += p.left
	}
	return n
}

// faultQueue holds the injected faults in the order they were injected.
type faultQueue struct {
	mu      sync.Mutex
	pending []*pendingFault
}

type pendingFault struct {
	fault Fault
	left  int
}

// take returns the oldest fault matching action and uses it up once.
func (q *faultQueue) take(action string) (Fault, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, p := range q.pending {
		if p.fault.Action != "" && p.fault.Action != action {
			continue
		}
		p.left--
		if p.left == 0 {
			q.pending = append(q.pending[:i], q.pending[i+1:]...)
		}
		return p.fault, true
	}
	return Fault{}, false
}

// serveFault carries out f. It reports whether it answered the request;
// FaultDelay leaves the answer to the normal path.
func (e *Emulator) serveFault(w http.ResponseWriter, r *http.Request, f Fault, rec *Request) bool {
	if f.Delay > 0 {
		// Cut short, the fault goes on at once: the client has gone or the
		// server is closing, and either way nobody waits for the answer.
		e.sleep(r.Context(), f.Delay)
	}
	if f.Kind == FaultDelay {
		return false
	}
	addHeaders(w.Header(), f.Header)
	switch f.Kind {
	case FaultDrop:
		hijackAndClose(w, false)
	case FaultTruncated, FaultShortBody:
		// The first half of a success answer: as the whole of a complete
		// response, or cut off from the length declared for the whole.
		body := cannedBody()
		half := body[:len(body)/2]
		declared := len(half)
		if f.Kind == FaultTruncated {
			declared = len(body)
		}
		rec.Status = http.StatusOK
		writeBody(w, rec.Status, jsonContentType, declared, half)
		if f.Kind == FaultTruncated {
			hijackAndClose(w, true)
		}
	case FaultHTML:
		rec.Status = cmp.Or(f.Status, http.StatusBadGateway)
		title := strconv.Itoa(rec.Status) + " " + http.StatusText(rec.Status)
		body := "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
			"</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n"
		writeBody(w, rec.Status, "text/html", len(body), []byte(body))
	case FaultRaw:
		rec.Status = cmp.Or(f.Status, http.StatusOK)
		if f.Header.Get("Content-Type") == "" {
			w.Header()["Content-Type"] = nil // no sniffing either
		}
		writeBody(w, rec.Status, "", len(f.Body), f.Body)
	default: // FaultError, and kinds this version does not know
		code := cmp.Or(f.Code, codeInternalError)
		err := newError(cmp.Or(f.Status, http.StatusInternalServerError), code, cmp.Or(f.Message, knownMessage(code)))
		errorResponse(err).write(w, rec)
	}
	return true
}

func addHeaders(dst, src http.Header) {
	for name, values := range src {
		dst[name] = append(dst[name], values...)
	}
}

// hijackAndClose closes the connection under the handler, after sending
// what was written if flush is set. Where the connection cannot be taken
// over (HTTP/2), it aborts the handler the way net/http provides for it.
func hijackAndClose(w http.ResponseWriter, flush bool) {
	rc := http.NewResponseController(w)
	if flush {
		_ = rc.Flush()
	}
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// cannedBody is a plausible success answer for the faults that cut one.
func cannedBody() []byte {
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, chatapp.ChinaStandardTime())
	points := []chatapp.PhoneNumberMetric{
		{PhoneNumber: "8613800001234", Granularity: chatapp.GranularityDaily, Start: day, End: day.AddDate(0, 0, 1), SentCount: 1200, DeliveredCount: 1130},
		{PhoneNumber: "8613800001234", Granularity: chatapp.GranularityDaily, Start: day.AddDate(0, 0, 1), End: day.AddDate(0, 0, 2), SentCount: 1310, DeliveredCount: 1262},
	}
	return appendMetricBody(nil, newRequestID(), points)
}
