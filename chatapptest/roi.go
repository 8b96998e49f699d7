package chatapptest

import "time"

// roiState is whether WhatsApp ROI metric collection is on for one
// CustSpaceId, and since when.
type roiState struct {
	enabled bool
	since   time.Time
}

// firstBucket returns the start of the first day with data: the day after
// collection was switched on, in loc.
func (s roiState) firstBucket(loc *time.Location) time.Time {
	return nextDay(dayStart(s.since, loc), loc)
}

// roiFor returns the state of custSpaceID. The caller holds e.mu.
func (e *Emulator) roiFor(custSpaceID string) roiState {
	if s, ok := e.roi[custSpaceID]; ok {
		return s
	}
	return e.roiDefault
}

// EnableROI switches WhatsApp ROI metric collection on for custSpaceID
// ("" is the caller's own space, what a direct customer has), as of the
// emulator's clock, exactly as the EnableWhatsappROIMetric operation does:
// metric data then exists for buckets from the next midnight on. If
// collection is already on, nothing changes.
//
// ROI state is kept per CustSpaceId; spaces never named follow the
// default, which is on since the UNIX epoch unless WithROIDisabled was
// given.
func (e *Emulator) EnableROI(custSpaceID string) {
	e.enableROI(custSpaceID, e.now())
}

// enableROI switches collection on for custSpaceID as of now, unless it is
// on already.
func (e *Emulator) enableROI(custSpaceID string, now time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.roiFor(custSpaceID).enabled {
		e.roi[custSpaceID] = roiState{enabled: true, since: now}
	}
}

// EnableROIAt switches collection on for custSpaceID as of t, which may be
// in the past; unlike EnableROI it also moves the start of a collection
// that is already on.
func (e *Emulator) EnableROIAt(custSpaceID string, t time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.roi[custSpaceID] = roiState{enabled: true, since: t}
}

// DisableROI switches collection off for custSpaceID: metric queries then
// answer Code "OK" with empty Data, as for an account that never enabled
// it. The service itself has no such operation; this is for tests.
func (e *Emulator) DisableROI(custSpaceID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.roi[custSpaceID] = roiState{}
}

// ROIEnabledSince reports whether collection is on for custSpaceID, and
// since when.
func (e *Emulator) ROIEnabledSince(custSpaceID string) (since time.Time, ok bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	s := e.roiFor(custSpaceID)
	return s.since, s.enabled
}

// serveEnableROI answers EnableWhatsappROIMetric.
func (e *Emulator) serveEnableROI(in *incoming, now time.Time) *response {
	e.enableROI(in.params.Get("CustSpaceId"), now)
	id := newRequestID()
	body := []byte(`{"RequestId":"` + id + `","Code":"OK","Message":"OK"}`)
	return okResponse(id, body)
}
