package redislimit

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Stats counts what a Limiter has done since New.
type Stats struct {
	Admitted         uint64 // Waits admitted by the shared bucket in Redis
	FallbackAdmitted uint64 // Waits admitted by the local fallback bucket
	Refused          uint64 // Waits refused by FailClosed while Redis was unavailable
	Delays           uint64 // times Wait slept for a slot (named by Redis, or the next one after a sleeping call of this process)
	DeadlineRefusals uint64 // Waits that failed at once because the deadline was too near
	RedisCalls       uint64 // script runs started
	RedisErrors      uint64 // script runs that failed or timed out (not counting the caller's own cancellations)
	Outages          uint64 // times the Limiter lost Redis and turned to its fault policy
	BucketFaults     uint64 // Waits refused with a *BucketError: one key's value was unusable
	Degraded         bool   // whether Redis is considered unavailable now
}

type counters struct {
	admitted, fallbackAdmitted, refused, delays, deadlineRefusals,
	redisCalls, redisErrors, outages, bucketFaults atomic.Uint64
}

// Stats returns the Limiter's counters, for metrics and health checks.
func (l *Limiter) Stats() Stats {
	if l == nil {
		return Stats{}
	}
	return Stats{
		Admitted:         l.stats.admitted.Load(),
		FallbackAdmitted: l.stats.fallbackAdmitted.Load(),
		Refused:          l.stats.refused.Load(),
		Delays:           l.stats.delays.Load(),
		DeadlineRefusals: l.stats.deadlineRefusals.Load(),
		RedisCalls:       l.stats.redisCalls.Load(),
		RedisErrors:      l.stats.redisErrors.Load(),
		Outages:          l.stats.outages.Load(),
		BucketFaults:     l.stats.bucketFaults.Load(),
		Degraded:         l.health.isDown(),
	}
}

// health is a small circuit breaker. While Redis is down, calls skip it
// and one call at a time, once per probe interval, tries it again; only a
// successful probe ends the outage, so that answers in flight when Redis
// failed cannot make it flap.
type health struct {
	mu        sync.Mutex
	down      bool
	probing   bool
	probeAt   time.Time
	since     time.Time
	lastErr   error
	fallbacks uint64 // counters.fallbackAdmitted when the outage began

	// outage is cancelled when the outage ends.
	outage    context.Context
	endOutage context.CancelFunc
}

func (h *health) isDown() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.down
}

// skipRedis returns the current outage, which ends when Redis is back,
// if a call should not even queue for Redis: Redis is down and someone
// else is probing or no probe is due. Otherwise it returns nil.
func (h *health) skipRedis(now time.Time) context.Context {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down && (h.probing || now.Before(h.probeAt)) {
		return h.outage
	}
	return nil
}

// current returns the current outage, or nil if Redis is considered
// available.
func (h *health) current() context.Context {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.down {
		return nil
	}
	return h.outage
}

// route tells a caller whether to ask Redis, and whether it does so as
// the outage's probe.
func (h *health) route(now time.Time) (ask, probe bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.down {
		return true, false
	}
	if h.probing || now.Before(h.probeAt) {
		return false, false
	}
	h.probing = true
	return true, true
}

// abandon releases the probe of a caller whose own context ended.
func (h *health) abandon(probe bool) {
	if !probe {
		return
	}
	h.mu.Lock()
	h.probing = false
	h.mu.Unlock()
}

func (h *health) cause() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lastErr
}

// fault records a failed Redis call, and logs the first of an outage.
func (l *Limiter) fault(probe bool, err error) {
	l.stats.redisErrors.Add(1)
	now := time.Now()
	h := &l.health
	h.mu.Lock()
	h.lastErr = err
	h.probeAt = now.Add(l.cfg.probeInterval)
	if probe {
		h.probing = false
	}
	began := !h.down
	if began {
		h.down = true
		h.since = now
		h.outage, h.endOutage = context.WithCancel(context.Background())
		h.fallbacks = l.stats.fallbackAdmitted.Load()
	}
	h.mu.Unlock()
	if !began {
		return
	}
	l.stats.outages.Add(1)
	attrs := []any{"err", err, "policy", l.cfg.policy.String()}
	if l.cfg.policy == Fallback {
		attrs = append(attrs, "expected_replicas", l.cfg.replicas)
	}
	l.cfg.logger.Warn("redislimit: Redis unavailable; rate limiting falls back to the fault policy", attrs...)
}

// healthy records a successful Redis call; a successful probe ends the
// outage and logs it.
func (l *Limiter) healthy(probe bool) {
	if !probe {
		return
	}
	h := &l.health
	h.mu.Lock()
	h.probing = false
	if !h.down {
		h.mu.Unlock()
		return
	}
	h.down = false
	h.endOutage()
	outage := time.Since(h.since)
	fallbacks := l.stats.fallbackAdmitted.Load() - h.fallbacks
	h.mu.Unlock()
	attrs := []any{"outage", outage.Round(time.Millisecond)}
	if l.cfg.policy == Fallback {
		attrs = append(attrs, "fallback_admitted", fallbacks)
	} else {
		attrs = append(attrs, "policy", l.cfg.policy.String())
	}
	l.cfg.logger.Info("redislimit: Redis available again; shared rate limiting resumed", attrs...)
}
