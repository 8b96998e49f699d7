// Command benchtable runs the chatapp benchmarks and prints a Markdown table
// of their medians, the ratios between the variants, and whether each
// performance target is met.
//
// It runs three sets, with -benchmem:
//
//   - the micro-benchmarks of the chatapp package (signing, limiter, decode),
//     with go test -count N;
//   - BenchmarkCall of the bench module (Floor, Chatapp, Official), with
//     -count 1 -rounds N, so that the variants alternate in one process
//     against one canned server instead of each running N times back to
//     back;
//   - BenchmarkCallAlternating of the bench module with -count N: Chatapp
//     and Floor alternate call by call, and each run reports their ratio.
//     The Chatapp-versus-Floor time targets use its median: on a shared
//     machine, rounds a second apart still differ by tens of percent.
//
// Every figure is the median of the N runs. A ratio of bytes or allocations
// divides two medians; a ratio of times is the median of the N per-round
// ratios (round i of one variant against round i of the other, run seconds
// apart), which cancels most of a noisy machine's drift between rounds.
//
// Usage, from the bench module:
//
//	go run ./cmd/benchtable [-count 10] [-benchtime 1s] [-raw out.txt] [-strict]
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

const benchModule = "github.com/chatappkit/chatapp/bench"

func main() {
	count := flag.Int("count", 10, "runs of every benchmark; the table shows their medians")
	benchtime := flag.String("benchtime", "1s", "go test -benchtime of every run")
	benchDir := flag.String("bench", "", "directory of the bench module (default: found from the working directory)")
	rootDir := flag.String("root", "", "directory of the chatapp module (default: the bench module's parent)")
	raw := flag.String("raw", "", "also write the raw go test output to this file (benchstat reads it)")
	quiet := flag.Bool("q", false, "do not echo go test's output while it runs")
	strict := flag.Bool("strict", false, "exit with status 1 when a target is missed")
	flag.Parse()
	if *count < 1 {
		fatalf("-count must be at least 1")
	}

	if *benchDir == "" {
		dir, err := findBenchModule()
		if err != nil {
			fatalf("%v", err)
		}
		*benchDir = dir
	}
	if *rootDir == "" {
		*rootDir = filepath.Dir(*benchDir)
	}

	var echo io.Writer = os.Stderr
	if *quiet {
		echo = io.Discard
	}
	var rawOut bytes.Buffer
	n := strconv.Itoa(*count)
	runs := []struct {
		dir  string
		args []string
	}{
		{*rootDir, []string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-count", n, "-benchtime", *benchtime, "."}},
		{*benchDir, []string{"test", "-run", "^$", "-bench", "^BenchmarkCall$", "-benchmem", "-count", "1", "-benchtime", *benchtime, ".", "-args", "-rounds", n}},
		{*benchDir, []string{"test", "-run", "^$", "-bench", "^BenchmarkCallAlternating$", "-count", n, "-benchtime", *benchtime, "."}},
	}
	results := newResults()
	for _, r := range runs {
		fmt.Fprintf(echo, "$ cd %s && go %s\n", r.dir, strings.Join(r.args, " "))
		out, err := goTest(r.dir, r.args, echo)
		rawOut.Write(out)
		if err != nil {
			fatalf("go %s in %s: %v", strings.Join(r.args, " "), r.dir, err)
		}
		results.parse(out)
	}
	if *raw != "" {
		if err := os.WriteFile(*raw, rawOut.Bytes(), 0o644); err != nil {
			fatalf("%v", err)
		}
	}

	var b strings.Builder
	missed := report(&b, results, *count, *benchtime)
	fmt.Print(b.String())
	if missed > 0 && *strict {
		os.Exit(1)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchtable: "+format+"\n", args...)
	os.Exit(2)
}

// findBenchModule returns the bench module's directory: the working
// directory or one of its parents, or ./bench.
func findBenchModule() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	candidates := []string{filepath.Join(wd, "bench")}
	for dir := wd; ; dir = filepath.Dir(dir) {
		candidates = append(candidates, dir)
		if filepath.Dir(dir) == dir {
			break
		}
	}
	for _, dir := range candidates {
		if modulePath(filepath.Join(dir, "go.mod")) == benchModule {
			return dir, nil
		}
	}
	return "", fmt.Errorf("no %s module here; run from bench/ or pass -bench", benchModule)
}

func modulePath(gomod string) string {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return ""
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// goTest runs go with args in dir, echoing its output, and returns it.
func goTest(dir string, args []string, echo io.Writer) ([]byte, error) {
	var out bytes.Buffer
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Stdout = io.MultiWriter(&out, echo)
	cmd.Stderr = io.MultiWriter(&out, echo)
	err := cmd.Run()
	return out.Bytes(), err
}

// results holds every run of every benchmark, by name without the
// GOMAXPROCS suffix and without the #NN that repeated b.Run names get.
type results struct {
	runs  map[string][]measure
	order []string
}

type measure struct {
	ns, bytes, allocs float64
	perFloor          float64 // BenchmarkCallAlternating's chatapp/floor
}

func newResults() *results { return &results{runs: make(map[string][]measure)} }

var (
	benchLine = regexp.MustCompile(`^(Benchmark\S+)\s+\d+\s+(.+)$`)
	procs     = regexp.MustCompile(`-\d+$`)
	dedup     = regexp.MustCompile(`#\d+$`)
)

// parse adds the result lines of go test -bench output.
func (r *results) parse(out []byte) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		name := procs.ReplaceAllString(m[1], "")
		parts := strings.Split(name, "/")
		for i, p := range parts {
			parts[i] = dedup.ReplaceAllString(p, "")
		}
		name = strings.Join(parts, "/")
		var ms measure
		var haveNs bool
		fields := strings.Fields(m[2])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			switch fields[i+1] {
			case "ns/op":
				ms.ns, haveNs = v, true
			case "B/op":
				ms.bytes = v
			case "allocs/op":
				ms.allocs = v
			case "chatapp/floor":
				ms.perFloor = v
			}
		}
		if !haveNs {
			continue
		}
		if _, ok := r.runs[name]; !ok {
			r.order = append(r.order, name)
		}
		r.runs[name] = append(r.runs[name], ms)
	}
}

// stats are the medians of one benchmark's runs.
type stats struct {
	n                 int
	ns, bytes, allocs float64
	spread            float64 // (max-min)/median of ns/op
}

func (r *results) get(name string) (stats, bool) {
	runs := r.runs[name]
	if len(runs) == 0 {
		return stats{}, false
	}
	pick := func(f func(measure) float64) []float64 {
		v := make([]float64, len(runs))
		for i, m := range runs {
			v[i] = f(m)
		}
		return v
	}
	ns := pick(func(m measure) float64 { return m.ns })
	s := stats{
		n:      len(runs),
		ns:     median(ns),
		bytes:  median(pick(func(m measure) float64 { return m.bytes })),
		allocs: median(pick(func(m measure) float64 { return m.allocs })),
	}
	if s.ns > 0 {
		s.spread = (slices.Max(ns) - slices.Min(ns)) / s.ns
	}
	return s, true
}

// nsRatio is the median over the rounds of a's ns/op divided by b's in the
// same round: the variants of a round ran seconds apart, so a slow minute
// slows both, where the ratio of two medians would mix minutes.
func (r *results) nsRatio(a, b string) (float64, bool) {
	ra, rb := r.runs[a], r.runs[b]
	n := min(len(ra), len(rb))
	var v []float64
	for i := range n {
		if rb[i].ns > 0 {
			v = append(v, ra[i].ns/rb[i].ns)
		}
	}
	if len(v) == 0 {
		return 0, false
	}
	return median(v), true
}

// perFloor is the median of a BenchmarkCallAlternating benchmark's
// chatapp/floor ratios: each run's ratio already pairs every call with a
// Floor call made microseconds apart.
func (r *results) perFloor(name string) (float64, bool) {
	var v []float64
	for _, m := range r.runs[name] {
		if m.perFloor > 0 {
			v = append(v, m.perFloor)
		}
	}
	if len(v) == 0 {
		return 0, false
	}
	return median(v), true
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// target is one performance goal: measured value against a limit.
type target struct {
	what     string
	measured float64
	limit    float64
	atLeast  bool // the measured value must reach the limit instead of staying under it
	unit     string
	ok       bool // the benchmarks it needs ran
}

func (t target) pass() bool {
	if t.atLeast {
		return t.measured >= t.limit
	}
	return t.measured <= t.limit
}

// Benchmark names.
const (
	floor       = "BenchmarkCall/Floor"
	chatappRPC  = "BenchmarkCall/Chatapp/RPC"
	chatappV3   = "BenchmarkCall/Chatapp/V3"
	officialV3  = "BenchmarkCall/Official/V3"
	officialRPC = "BenchmarkCall/Official/RPC"
	alternating = "BenchmarkCallAlternating/Chatapp/"
	signV3      = "BenchmarkSign/V3"
	signRPC     = "BenchmarkSign/RPC"
	limiterWait = "BenchmarkLimiterWait"
	decode7     = "BenchmarkDecodeDaily7"
	decode1440  = "BenchmarkDecodeHalfHour1440"
)

// schemePairs pairs, per signature scheme, chatapp's call with the
// official core's.
var schemePairs = []struct {
	name, ours, official string
	nsLimit              float64 // of Floor: V3's extra headers cost about 7 % by themselves
}{
	{"RPC", chatappRPC, officialRPC, 1.10},
	{"V3", chatappV3, officialV3, 1.15},
}

// report writes the tables and returns how many targets were missed.
func report(w io.Writer, r *results, count int, benchtime string) int {
	fmt.Fprintf(w, "\n## Full call: GetChatappPhoneNumberMetric, 7 DAILY points, loopback HTTP/1.1 keep-alive\n\n")
	fmt.Fprintf(w, "Medians of %d interleaved rounds (-benchtime %s). Chatapp uses default settings except the endpoint, a fixed AccessKey, the scheme and `WithRateLimiter(NewRateLimiter(1e9))`: the default token bucket, on, but never the bottleneck (the default 48/s would measure its own sleep). Retries on. Official is darabonba-openapi v2 `CallApi` as the generated cams client calls it.\n\n", count, benchtime)
	fmt.Fprintln(w, "| Benchmark | runs | ns/op | B/op | allocs/op | ns/op spread | ×Floor ns | ×Floor B | ×Floor allocs |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	fl, haveFloor := r.get(floor)
	for _, name := range []string{floor, chatappRPC, chatappV3, officialRPC, officialV3} {
		s, ok := r.get(name)
		if !ok {
			fmt.Fprintf(w, "| %s | 0 | – | – | – | – | – | – | – |\n", short(name))
			continue
		}
		ratios := "– | – | –"
		if haveFloor {
			ratios = fmt.Sprintf("%s | %s | %s", r.nsRatioText(name, floor), ratio(s.bytes, fl.bytes), ratio(s.allocs, fl.allocs))
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %.0f%% | %s |\n", short(name), s.n, num(s.ns), num(s.bytes), num(s.allocs), 100*s.spread, ratios)
	}

	fmt.Fprintf(w, "\nTime ratios (×Floor ns and below) are medians of the per-round ratios; byte and allocation ratios divide medians.\n")
	fmt.Fprintf(w, "\n### Ratios per scheme (medians of the same run)\n\n")
	fmt.Fprintln(w, "| Scheme | Chatapp/Floor ns | Chatapp/Floor B | Chatapp/Floor allocs | Official/Chatapp ns | Official/Chatapp B | Official/Chatapp allocs |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|")
	for _, scheme := range schemePairs {
		c, okC := r.get(scheme.ours)
		o, okO := r.get(scheme.official)
		cells := make([]string, 6)
		for i := range cells {
			cells[i] = "–"
		}
		if okC && haveFloor {
			cells[0], cells[1], cells[2] = r.nsRatioText(scheme.ours, floor), ratio(c.bytes, fl.bytes), ratio(c.allocs, fl.allocs)
		}
		if okC && okO {
			cells[3], cells[4], cells[5] = r.nsRatioText(scheme.official, scheme.ours), ratio(o.bytes, c.bytes), ratio(o.allocs, c.allocs)
		}
		fmt.Fprintf(w, "| %s | %s |\n", scheme.name, strings.Join(cells, " | "))
	}

	fmt.Fprintf(w, "\n### Call by call (BenchmarkCallAlternating)\n\n")
	fmt.Fprintln(w, "Every iteration makes one Floor call and one Chatapp call, each first in turn; the ratio of their summed times, per run.")
	fmt.Fprintln(w, "\n| Scheme | runs | Chatapp/Floor ns, median | lowest | highest |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
	for _, scheme := range schemePairs {
		name := alternating + scheme.name
		med, ok := r.perFloor(name)
		if !ok {
			fmt.Fprintf(w, "| %s | 0 | – | – | – |\n", scheme.name)
			continue
		}
		var v []float64
		for _, m := range r.runs[name] {
			v = append(v, m.perFloor)
		}
		fmt.Fprintf(w, "| %s | %d | %.3f× | %.3f× | %.3f× |\n", scheme.name, len(v), med, slices.Min(v), slices.Max(v))
	}

	fmt.Fprintf(w, "\n## Steps of a call (chatapp package), medians of %d runs\n\n", count)
	fmt.Fprintln(w, "| Benchmark | runs | ns/op | B/op | allocs/op | ns/op spread |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	for _, name := range r.order {
		if strings.HasPrefix(name, "BenchmarkCall/") || strings.HasPrefix(name, "BenchmarkCallAlternating/") {
			continue
		}
		s, _ := r.get(name)
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %.0f%% |\n", name, s.n, num(s.ns), num(s.bytes), num(s.allocs), 100*s.spread)
	}
	if d7, ok7 := r.get(decode7); ok7 {
		if d1440, ok := r.get(decode1440); ok {
			fmt.Fprintf(w, "\nDecode cost by series length: %s allocs for 7 points, %s for 1,440, so %.2f allocs and %s B per extra point.\n",
				num(d7.allocs), num(d1440.allocs), (d1440.allocs-d7.allocs)/(1440-7), num((d1440.bytes-d7.bytes)/(1440-7)))
		}
	}

	targets := targets(r)
	fmt.Fprintf(w, "\n## Targets\n\n")
	fmt.Fprintln(w, "| Target | Measured | Limit | Result |")
	fmt.Fprintln(w, "|---|---:|---:|---|")
	missed := 0
	for _, t := range targets {
		op := "≤"
		if t.atLeast {
			op = "≥"
		}
		result := "PASS"
		switch {
		case !t.ok:
			result, t.measured = "not run", 0
			missed++
		case !t.pass():
			result = "**FAIL**"
			missed++
		}
		fmt.Fprintf(w, "| %s | %s%s | %s %s%s | %s |\n", t.what, num(t.measured), t.unit, op, num(t.limit), t.unit, result)
	}
	fmt.Fprintf(w, "\n%d of %d targets met.\n", len(targets)-missed, len(targets))
	return missed
}

// targets evaluates the performance targets. They are all of the full
// call, as a user sees it: an optimisation inside stays only when this
// benchmark shows it is worth at least 2 %, so the micro-benchmarks are
// reported but are not targets.
func targets(r *results) []target {
	var ts []target
	rel := func(what, a, b string, f func(stats) float64, limit float64, atLeast bool) {
		sa, okA := r.get(a)
		sb, okB := r.get(b)
		t := target{what: what, limit: limit, atLeast: atLeast, unit: "×", ok: okA && okB && f(sb) > 0}
		if t.ok {
			t.measured = f(sa) / f(sb)
		}
		ts = append(ts, t)
	}
	relNs := func(what, a, b string, limit float64, atLeast bool) {
		t := target{what: what, limit: limit, atLeast: atLeast, unit: "×"}
		t.measured, t.ok = r.nsRatio(a, b)
		ts = append(ts, t)
	}
	allocs := func(s stats) float64 { return s.allocs }
	for _, scheme := range schemePairs {
		t := target{what: "Chatapp/" + scheme.name + " ns vs Floor, call by call", limit: scheme.nsLimit, unit: "×"}
		t.measured, t.ok = r.perFloor(alternating + scheme.name)
		ts = append(ts, t)
		rel("Chatapp/"+scheme.name+" allocs/op vs Floor", scheme.ours, floor, allocs, 1.5, false)
		relNs("Official/"+scheme.name+" ns/op vs Chatapp", scheme.official, scheme.ours, 1.6, true)
	}
	return ts
}

// nsRatioText is nsRatio for a table cell.
func (r *results) nsRatioText(a, b string) string {
	v, ok := r.nsRatio(a, b)
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.2f×", v)
}

func short(name string) string {
	s, _ := strings.CutPrefix(name, "BenchmarkCall/")
	s, _ = strings.CutPrefix(s, "Benchmark")
	return s
}

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// num prints a figure with the precision it deserves.
func num(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 100 || v == float64(int64(v)):
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}
