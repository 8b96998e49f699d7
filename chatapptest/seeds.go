package chatapptest

import (
	"fmt"
	"slices"

	"github.com/chatappkit/chatapp"
)

// seedSet holds the explicit points of one number, by bucket start in
// UNIX milliseconds.
type seedSet struct {
	daily    map[int64]counts
	halfHour map[int64]counts
}

// SeedMetrics stores explicit points, which then take the place of the
// generated ones. Each point's PhoneNumber, Granularity (empty means
// DAILY) and Start pick the bucket, which Start must begin exactly (a
// midnight in the emulator's time zone, or a half hour counted from one);
// End is ignored, since a bucket's end follows from its start. SentCount
// and DeliveredCount are answered as given, even if odd.
//
// A DAILY bucket without a DAILY seed is the sum of its half hours, seeded
// ones included, so seeding half hours moves the day too. Seeded numbers
// join the known numbers. Seeds only replace values: a bucket is answered
// only when the range, the clock and ROI collection allow it.
//
// Either every point is stored or, on error, none.
func (e *Emulator) SeedMetrics(points ...chatapp.PhoneNumberMetric) error {
	for i, p := range points {
		if p.PhoneNumber == "" {
			return fmt.Errorf("chatapptest: SeedMetrics: point %d has no PhoneNumber", i)
		}
		g := p.Granularity
		if g == "" {
			g = chatapp.GranularityDaily
		}
		if !g.Valid() {
			return fmt.Errorf("chatapptest: SeedMetrics: point %d: unknown Granularity %q", i, p.Granularity)
		}
		if b := bucketStart(g, e.loc, p.Start); !b.Equal(p.Start) {
			return fmt.Errorf("chatapptest: SeedMetrics: point %d: Start %s does not begin a %s bucket in %s (the bucket begins at %s)",
				i, p.Start.Format("2006-01-02T15:04:05.999Z07:00"), g, e.loc, b.Format("2006-01-02T15:04:05Z07:00"))
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range points {
		s := e.seeds[p.PhoneNumber]
		if s == nil {
			s = &seedSet{daily: make(map[int64]counts), halfHour: make(map[int64]counts)}
			e.seeds[p.PhoneNumber] = s
		}
		c := counts{sent: p.SentCount, delivered: p.DeliveredCount}
		if p.Granularity == chatapp.GranularityHalfHour {
			s.halfHour[p.Start.UnixMilli()] = c
		} else {
			s.daily[p.Start.UnixMilli()] = c
		}
		e.addKnownNumber(p.PhoneNumber)
	}
	return nil
}

// AddPhoneNumber adds business numbers to the known ones, which a metric
// query without PhoneNumber reports on, with generated data. Empty
// strings are ignored.
func (e *Emulator) AddPhoneNumber(numbers ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, n := range numbers {
		if n != "" {
			e.addKnownNumber(n)
		}
	}
}

// addKnownNumber adds n to the sorted known numbers, once. The caller
// holds e.mu.
func (e *Emulator) addKnownNumber(n string) {
	if i, found := slices.BinarySearch(e.phoneNumbers, n); !found {
		e.phoneNumbers = slices.Insert(e.phoneNumbers, i, n)
	}
}

// PhoneNumbers returns the known numbers in byte order: the sample set
// ("8613800001234" and "8613800005678" unless WithPhoneNumbers replaced
// it), the added ones and the seeded ones.
func (e *Emulator) PhoneNumbers() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return append(make([]string, 0, len(e.phoneNumbers)), e.phoneNumbers...)
}
