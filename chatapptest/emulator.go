package chatapptest

import (
	"bufio"
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/chatappkit/chatapp"
)

// The operations the emulator serves and the API version it speaks.
const (
	actionGetMetric = "GetChatappPhoneNumberMetric"
	actionEnableROI = "EnableWhatsappROIMetric"
	apiVersion      = "2020-06-06"
)

// maxBodyBytes bounds the request body the emulator reads. The operations
// take a handful of short parameters.
const maxBodyBytes = 1 << 20

// Emulator is the ChatApp service as an http.Handler: it authenticates
// requests as the gateway does (both signing schemes, timestamps, nonces,
// STS tokens), applies the per-AccessKeyId rate limits, validates
// parameters, and answers GetChatappPhoneNumberMetric and
// EnableWhatsappROIMetric with deterministic data. Its methods seed data,
// switch ROI collection, inject faults and read the request log; all are
// safe for concurrent use, also while requests are served.
//
// Serve it with any http.Server (as cmd/chatapp-emulator does), or use
// NewServer, which also wires up clients.
type Emulator struct {
	now    func() time.Time
	loc    *time.Location
	skew   time.Duration
	logger *slog.Logger

	id, secret string // the pair the emulator was made with

	limiter *slidingWindow
	nonces  *nonceStore
	log     *requestLog
	faults  faultQueue

	closeOnce sync.Once
	closed    chan struct{}

	mu           sync.RWMutex // guards what follows
	keys         map[string]credential
	roiDefault   roiState
	roi          map[string]roiState // by CustSpaceId
	phoneNumbers []string            // known numbers, sorted, no duplicates
	seeds        map[string]*seedSet // by phone number

	custSpaceID   string                             // the simulated channel
	numberInfo    map[string]chatapp.PhoneNumberInfo // numbers whose state was set
	templates     []Template                         // by Code, then Language
	templateSeeds map[templateSeedKey]templateCounts
}

// NewEmulator returns an Emulator configured by opts. Unless
// WithCredentials says otherwise it accepts a freshly generated AccessKey
// pair, unique to it (see Credentials).
func NewEmulator(opts ...ServerOption) *Emulator {
	c := defaultConfig()
	for _, opt := range opts {
		if opt != nil {
			opt(c)
		}
	}
	e := &Emulator{
		now:        c.now,
		loc:        c.loc,
		skew:       c.skew,
		logger:     c.logger,
		id:         c.id,
		secret:     c.secret,
		limiter:    newSlidingWindow(c.limits),
		nonces:     newNonceStore(),
		log:        newRequestLog(c.logLimit),
		closed:     make(chan struct{}),
		keys:       make(map[string]credential),
		roiDefault: roiState{enabled: true, since: time.Unix(0, 0)},
		roi:        make(map[string]roiState),
		seeds:      make(map[string]*seedSet),

		custSpaceID:   c.custSpaceID,
		numberInfo:    make(map[string]chatapp.PhoneNumberInfo),
		templateSeeds: make(map[templateSeedKey]templateCounts),
	}
	for _, t := range c.templates {
		e.addTemplate(t)
	}
	if e.id == "" {
		e.id, e.secret = newAccessKey()
	}
	e.keys[e.id] = credential{id: e.id, secret: e.secret}
	for _, k := range c.keys {
		e.keys[k.id] = k
	}
	if c.roiDisabled {
		e.roiDefault = roiState{}
	}
	e.AddPhoneNumber(c.phoneNumbers...)
	return e
}

// Close ends the injected delays of requests in flight, so that a server
// shutting down does not wait for them. The Emulator still answers later
// requests, without delays.
func (e *Emulator) Close() {
	e.closeOnce.Do(func() { close(e.closed) })
}

// sleep waits for d unless the request ends or the emulator closes first.
func (e *Emulator) sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-e.closed:
	}
}

// ServeHTTP answers one request the way the service would.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lw := &logOnFirstWrite{ResponseWriter: w, e: e, began: time.Now()}
	in := readRequest(r)
	lw.rec = in.record(e.now(), e.log.limit > 0)
	rec := &lw.rec
	defer lw.commit() // an answer that writes nothing: a dropped connection

	if f, ok := e.faults.take(in.action); ok {
		rec.Fault = true
		if e.serveFault(lw, r, f, rec) {
			return
		}
	}
	ans := e.answer(in)
	ans.write(lw, rec)
}

// logOnFirstWrite records the request in the log as its answer starts to
// leave, not after: a client that holds its answer must find its request in
// Requests(). Every answer sets the record's status before writing; taking
// the connection over (FaultDrop, FaultTruncated) counts as leaving too.
type logOnFirstWrite struct {
	http.ResponseWriter
	e      *Emulator
	rec    Request
	began  time.Time
	logged bool
}

func (w *logOnFirstWrite) commit() {
	if !w.logged {
		w.logged = true
		w.e.finish(&w.rec, w.began)
	}
}

func (w *logOnFirstWrite) WriteHeader(status int) {
	w.commit()
	w.ResponseWriter.WriteHeader(status)
}

func (w *logOnFirstWrite) Write(b []byte) (int, error) {
	w.commit()
	return w.ResponseWriter.Write(b)
}

// Hijack logs the request before the client can see its connection go,
// then hands the connection over (FaultDrop, FaultTruncated).
func (w *logOnFirstWrite) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.commit()
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer's Flush.
func (w *logOnFirstWrite) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// answer runs the gateway's checks and then the operation.
func (e *Emulator) answer(in *incoming) *response {
	if in.err != nil {
		return errorResponse(in.err)
	}
	if in.method != http.MethodPost && in.method != http.MethodGet {
		return errorResponse(newError(http.StatusBadRequest, codeUnsupportedHTTPMethod, unsupportedHTTPMethodMessage))
	}
	now := e.now()
	if err := e.authenticate(in, now); err != nil {
		return errorResponse(err)
	}
	if !e.limiter.allow(in.accessKeyID, in.action, e.now) {
		return errorResponse(errLimitControl())
	}
	switch in.action {
	case actionGetMetric:
		return e.serveGetMetric(in, now)
	case actionEnableROI:
		return e.serveEnableROI(in, now)
	case actionQueryPhoneNumbers:
		return e.serveQueryPhoneNumbers(in)
	case actionTemplateMetric:
		return e.serveTemplateMetric(in, now)
	case actionHealthStatus:
		return e.serveHealth(in)
	}
	// authenticate has already refused unknown actions.
	return errorResponse(newError(http.StatusNotFound, codeAPINotFound, apiNotFoundMessage))
}
