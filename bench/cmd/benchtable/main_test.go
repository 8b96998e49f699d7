package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
BenchmarkCall/Floor-2         	    7304	    100 ns/op	    1000 B/op	      80 allocs/op
BenchmarkCall/Chatapp/V3-2    	    7287	    110 ns/op	    1500 B/op	     100 allocs/op
BenchmarkCall/Official/V3-2   	    3556	    300 ns/op	   58306 B/op	    1259 allocs/op
BenchmarkCall#01/Floor-2      	    7304	    120 ns/op	    1000 B/op	      80 allocs/op
BenchmarkCall/Floor#01-2      	    7304	    140 ns/op	    1000 B/op	      80 allocs/op
BenchmarkCallAlternating/Chatapp/V3-2 	    3000	    220 ns/op	         1.08 chatapp/floor	    2500 B/op	     180 allocs/op
BenchmarkCallAlternating/Chatapp/V3-2 	    3000	    230 ns/op	         1.13 chatapp/floor	    2500 B/op	     180 allocs/op
BenchmarkDecodeDaily7-2       	  100472	     11301 ns/op	  88.49 MB/s	    2376 B/op	      25 allocs/op
--- FAIL: BenchmarkSign/RPC
PASS
`

func TestParseAndMedians(t *testing.T) {
	r := newResults()
	r.parse([]byte(sample))
	fl, ok := r.get("BenchmarkCall/Floor")
	if !ok || fl.n != 3 || fl.ns != 120 || fl.allocs != 80 {
		t.Fatalf("Floor = %+v, %v; want 3 runs, median 120 ns, 80 allocs", fl, ok)
	}
	d, ok := r.get("BenchmarkDecodeDaily7")
	if !ok || d.bytes != 2376 || d.allocs != 25 {
		t.Fatalf("DecodeDaily7 = %+v, %v", d, ok)
	}
	if got := median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("median = %v, want 2.5", got)
	}
}

func TestReportFlagsTargets(t *testing.T) {
	r := newResults()
	r.parse([]byte(sample))
	var b strings.Builder
	missed := report(&b, r, 1, "1x")
	out := b.String()
	// Chatapp/V3 is 1.08 and 1.13 of Floor call by call (median 1.105,
	// pass), Official/V3 300/110 of the first round (pass); RPC did not run.
	for _, want := range []string{"| Chatapp/V3 ns vs Floor, call by call | 1.10× | ≤ 1.15× | PASS |", "| V3 | 2 | 1.105× | 1.080× | 1.130× |", "| Official/V3 ns/op vs Chatapp | 2.73× | ≥ 1.60× | PASS |", "not run"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if missed == 0 {
		t.Error("missing benchmarks were not counted as missed targets")
	}
}

// TestTimeRatiosArePerRound checks that a time ratio pairs the rounds: a
// machine that slows down between rounds slows both variants of a round, so
// the per-round ratios stay where they are, where the ratio of the two
// medians would compare different minutes.
func TestTimeRatiosArePerRound(t *testing.T) {
	r := newResults()
	r.parse([]byte(`BenchmarkCall/Floor-2 1 100 ns/op
BenchmarkCall/Chatapp/RPC-2 1 110 ns/op
BenchmarkCall/Floor#01-2 1 200 ns/op
BenchmarkCall/Chatapp/RPC#01-2 1 220 ns/op
BenchmarkCall/Floor#02-2 1 400 ns/op
BenchmarkCall/Chatapp/RPC#02-2 1 150 ns/op
`))
	got, ok := r.nsRatio("BenchmarkCall/Chatapp/RPC", "BenchmarkCall/Floor")
	if !ok || got < 1.0999 || got > 1.1001 {
		t.Fatalf("nsRatio = %v, %v; want the median of 1.10, 1.10, 0.375 = 1.10 (the medians' ratio is 0.75)", got, ok)
	}
	if _, ok := r.nsRatio("BenchmarkCall/Chatapp/V3", "BenchmarkCall/Floor"); ok {
		t.Error("nsRatio of a benchmark that did not run reported a value")
	}
}
