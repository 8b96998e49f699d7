package chatapptest

import (
	"hash/fnv"
	"time"
)

// Generated data is a pure function of the phone number and the start of
// a half hour (and of the emulator's time zone, which places the half hour
// in a local day and week): a busy working-day curve with quiet nights and
// weekends, a per-number volume, and hash-seeded noise. It uses integer
// arithmetic only, so that every platform gives the same numbers.

// hourShape is the share of the peak volume sent in each local hour, in
// thousandths.
var hourShape = [24]int64{
	60, 40, 30, 25, 25, 40, 120, 300, 550, 800, 950, 1000,
	850, 800, 850, 880, 860, 780, 700, 760, 820, 650, 350, 150,
}

// weekShape scales each weekday (Sunday first), in thousandths.
var weekShape = [7]int64{450, 1000, 1050, 1000, 1020, 950, 600}

// counts are the two numbers of one bucket.
type counts struct{ sent, delivered int64 }

// phoneHash seeds a number's series.
func phoneHash(phone string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(phone))
	return mix(h.Sum64())
}

// mix is the splitmix64 finaliser: it spreads every input bit over the
// output.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// generated returns the counts of the half hour that starts at start for
// the number whose phoneHash is ph. A number sends 20 to 200 messages in a
// peak half hour, give or take 25 %, and 88 % to 99 % of them are
// delivered, so DeliveredCount never exceeds SentCount.
func generated(ph uint64, start time.Time, loc *time.Location) counts {
	local := start.In(loc)
	r := mix(ph ^ uint64(start.UnixMilli()))
	peak := 20 + int64(ph%181)
	noise := 750 + int64(r%501)
	sent := peak * hourShape[local.Hour()] * weekShape[local.Weekday()] * noise / 1_000_000_000
	rate := 880 + int64((r>>32)%111)
	return counts{sent: sent, delivered: sent * rate / 1000}
}
