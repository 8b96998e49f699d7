package chatapptest

import (
	"container/heap"
	"sync"
	"time"
)

// maxNoncesPerKey bounds the nonces remembered for one AccessKeyId. At the
// documented 50 requests a second, 30 minutes of nonces is 90,000; past
// the bound the nonce closest to expiry is forgotten first.
const maxNoncesPerKey = 1 << 18

// nonceStore remembers, per AccessKeyId, the nonces of accepted requests
// until their timestamps leave the allowed skew, after which a replay fails
// the timestamp check anyway.
type nonceStore struct {
	mu    sync.Mutex
	byKey map[string]*nonceSet
}

type nonceSet struct {
	seen    map[string]struct{}
	expires nonceHeap // the same nonces, soonest expiry first
}

type nonceEntry struct {
	nonce   string
	expires time.Time
}

func newNonceStore() *nonceStore {
	return &nonceStore{byKey: make(map[string]*nonceSet)}
}

// use records nonce for accessKeyID until expires and reports whether it
// was new.
func (s *nonceStore) use(accessKeyID, nonce string, now, expires time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	set := s.byKey[accessKeyID]
	if set == nil {
		set = &nonceSet{seen: make(map[string]struct{})}
		s.byKey[accessKeyID] = set
	}
	for len(set.expires) > 0 && !set.expires[0].expires.After(now) {
		delete(set.seen, heap.Pop(&set.expires).(nonceEntry).nonce)
	}
	if _, used := set.seen[nonce]; used {
		return false
	}
	if len(set.expires) >= maxNoncesPerKey {
		delete(set.seen, heap.Pop(&set.expires).(nonceEntry).nonce)
	}
	set.seen[nonce] = struct{}{}
	heap.Push(&set.expires, nonceEntry{nonce, expires})
	return true
}

// nonceHeap is a min-heap of nonces by expiry (container/heap).
type nonceHeap []nonceEntry

func (h nonceHeap) Len() int           { return len(h) }
func (h nonceHeap) Less(i, j int) bool { return h[i].expires.Before(h[j].expires) }
func (h nonceHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nonceHeap) Push(x any)        { *h = append(*h, x.(nonceEntry)) }
func (h *nonceHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
