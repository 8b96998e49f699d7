package chatapptest

import (
	"sync"
	"time"
)

// slidingWindow is the service's flow control: per AccessKeyId and
// operation, a request is admitted only if fewer than the limit of
// admitted requests arrived in the second before it, that is in
// (t-1s, t]. Refused requests do not count.
//
// It keeps, per AccessKeyId and operation, the arrival times of the last
// limit admitted requests in a ring; the request is admitted iff the
// ring is not full or its oldest entry is at least a second old. The clock
// is read under the lock, so that the ring stays in time order however
// many goroutines arrive at once.
type slidingWindow struct {
	mu      sync.Mutex
	limits  map[string]int // by action; missing or <= 0: unlimited
	windows map[windowKey]*ring
}

type windowKey struct{ accessKeyID, action string }

// ring holds up to cap(times) arrival times; next is where the next one
// goes, which once the ring is full is also the oldest.
type ring struct {
	times []time.Time
	next  int
	full  bool
}

func newSlidingWindow(limits map[string]int) *slidingWindow {
	l := &slidingWindow{limits: make(map[string]int), windows: make(map[windowKey]*ring)}
	for action, n := range limits {
		l.limits[action] = n
	}
	return l
}

// allow decides on one request and records it when admitted.
func (l *slidingWindow) allow(accessKeyID, action string, now func() time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	limit := l.limits[action]
	if limit <= 0 {
		return true
	}
	k := windowKey{accessKeyID, action}
	w := l.windows[k]
	if w == nil {
		w = &ring{times: make([]time.Time, limit)}
		l.windows[k] = w
	}
	t := now()
	if w.full && t.Sub(w.times[w.next]) < time.Second {
		return false
	}
	w.times[w.next] = t
	w.next++
	if w.next == len(w.times) {
		w.next, w.full = 0, true
	}
	return true
}

// set changes the limit of action, forgetting its past arrivals.
func (l *slidingWindow) set(action string, perSecond int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limits[action] = perSecond
	for k := range l.windows {
		if k.action == action {
			delete(l.windows, k)
		}
	}
}

// SetRateLimit changes the limit of one operation while the emulator runs,
// in requests admitted per sliding second per AccessKeyId; perSecond <= 0
// lifts it. The operation's past arrivals are forgotten. See WithRateLimit.
func (e *Emulator) SetRateLimit(action string, perSecond int) {
	e.limiter.set(action, perSecond)
}
