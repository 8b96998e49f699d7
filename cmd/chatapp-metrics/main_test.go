package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// invoke runs the command as a shell would and returns its exit code and
// output.
func invoke(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// pinClock makes "now" a fixed instant for relative -since and -until.
func pinClock(t *testing.T, at time.Time) {
	old := now
	now = func() time.Time { return at }
	t.Cleanup(func() { now = old })
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	require.Equal(t, string(want), got)
}

// The emulator's data is a pure function of the number and the bucket, so
// past ranges give the same output on every run.
func TestGoldenOutputs(t *testing.T) {
	threeNumbers := "8613800001234,8613800005678,6588887777"
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"table_daily", []string{"-phone", threeNumbers, "-since", "2026-09-01", "-until", "2026-09-14"}},
		{"csv_daily", []string{"-phone", threeNumbers, "-since", "2026-09-01", "-until", "2026-09-14", "-format", "csv"}},
		{"json_daily", []string{"-phone", threeNumbers, "-since", "2026-09-01", "-until", "2026-09-14", "-format", "json"}},
		{"table_half_hour", []string{"-phone", "8613800001234", "-granularity", "half_hour",
			"-since", "2026-09-01T08:00:00+08:00", "-until", "2026-09-01T11:00:00+08:00"}},
		{"csv_half_hour_utc", []string{"-phone", "8613800001234", "-granularity", "HALF_HOUR", "-tz", "UTC",
			"-since", "2026-09-01T00:00:00Z", "-until", "2026-09-01T02:00:00Z", "-format", "csv"}},
		// Relative to the pinned clock; no -phone takes the emulator's
		// sample numbers.
		{"table_relative", []string{"-since", "7d"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pinClock(t, time.Date(2026, 9, 14, 10, 30, 0, 0, time.FixedZone("", 8*3600)))
			code, stdout, stderr := invoke(t, append([]string{"-emulator"}, tc.args...)...)
			require.Equal(t, exitOK, code, stderr)
			assert.Contains(t, stderr, "in-process emulator")
			golden(t, tc.name, stdout)
		})
	}
}

func TestJSONIsOneObjectPerLine(t *testing.T) {
	code, stdout, stderr := invoke(t, "-emulator", "-since", "2026-09-01", "-until", "2026-09-03", "-format", "json")
	require.Equal(t, exitOK, code, stderr)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Len(t, lines, 3*2)
	for _, l := range lines {
		var row jsonRow
		dec := jsonDecoder(l)
		require.NoError(t, dec.Decode(&row), l)
		assert.Equal(t, "DAILY", row.Granularity)
		assert.Positive(t, row.Sent)
		assert.InDelta(t, float64(row.Delivered)/float64(row.Sent), row.DeliveryRate, 1e-6)
	}
}

func TestChartSVG(t *testing.T) {
	file := filepath.Join(t.TempDir(), "metrics.svg")
	code, _, stderr := invoke(t, "-emulator", "-since", "2026-07-01", "-until", "2026-09-30", "-chart", file)
	require.Equal(t, exitOK, code, stderr)

	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	// Well-formed XML with an <svg> root, and the words a reader needs.
	dec := xml.NewDecoder(f)
	var root string
	var texts []string
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
			inText = tok.Name.Local == "text"
		case xml.CharData:
			if inText {
				texts = append(texts, string(tok))
			}
		case xml.EndElement:
			inText = false
		}
	}
	assert.Equal(t, "svg", root)
	all := strings.Join(texts, "\n")
	for _, want := range []string{"Sent", "Delivered", "Day (+08:00)", "Messages per day", "2 numbers, 2026-07-01 to 2026-09-30", "Aug 1"} {
		assert.Contains(t, all, want)
	}
}

func TestChartPNG(t *testing.T) {
	file := filepath.Join(t.TempDir(), "metrics.PNG")
	code, _, stderr := invoke(t, "-emulator", "-since", "14d", "-chart", file, "-format", "csv")
	require.Equal(t, exitOK, code, stderr)
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	assert.Greater(t, img.Bounds().Dx(), img.Bounds().Dy(), "a wide chart")
}

func TestUsageErrorsExitWith2(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	for _, tc := range []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no -phone without -emulator", nil, "-phone is required"},
		{"unknown flag", []string{"-emulator", "-frobnicate"}, "flag provided but not defined"},
		{"argument", []string{"-emulator", "8613800001234"}, "unexpected argument"},
		{"bad -phone", []string{"-phone", "+86 138"}, "not a number of digits"},
		{"bad -format", []string{"-emulator", "-format", "xml"}, "-o (-format) must be table, csv, json or yaml"},
		{"bad -granularity", []string{"-emulator", "-granularity", "HOURLY"}, "-granularity must be DAILY or HALF_HOUR"},
		{"bad -tz", []string{"-emulator", "-tz", "Mars/Olympus"}, "-tz"},
		{"bad -since", []string{"-emulator", "-since", "last tuesday"}, "-since"},
		{"bad -until", []string{"-emulator", "-until", "tomorrow"}, "-until"},
		{"-since after -until", []string{"-emulator", "-since", "2026-09-10", "-until", "2026-09-01"}, "must be before -until"},
		{"bad -chart", []string{"-emulator", "-chart", "metrics.gif"}, ".svg or .png"},
		{"bad -workers", []string{"-emulator", "-workers", "0"}, "-workers"},
		{"-endpoint with -emulator", []string{"-emulator", "-endpoint", "http://127.0.0.1:1"}, "exclude each other"},
		{"plain http endpoint", []string{"-phone", "8613800001234", "-endpoint", "http://cams.example.com"}, `-endpoint "http://cams.example.com": plain http is allowed only for a loopback host`},
		{"endpoint with a path", []string{"-phone", "8613800001234", "-endpoint", "https://cams.example.com/api"}, `-endpoint "https://cams.example.com/api" must be a scheme and a host only`},
		{"ftp endpoint", []string{"-phone", "8613800001234", "-endpoint", "ftp://cams.example.com"}, "the scheme must be https"},
		{"-chart in a missing directory", []string{"-emulator", "-chart", "/nonexistent/dir/x.svg"}, `-chart "/nonexistent/dir/x.svg": the directory "/nonexistent/dir" does not exist`},
		{"-since after -until, as typed", []string{"-emulator", "-since", "2026-11-20", "-until", "2026-11-19"}, `-since "2026-11-20" must be before -until "2026-11-19"`},
		{"-since in the future", []string{"-emulator", "-since", "2999-01-01", "-until", "2999-01-02"}, `-since "2999-01-01" is in the future`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := invoke(t, tc.args...)
			assert.Equal(t, exitUsage, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tc.want)
		})
	}
	code, _, stderr := invoke(t, "-h")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stderr, "Usage: chatapp-metrics")
}

// serviceEnv points the credentials-go default chain at srv's AccessKey
// through the environment, and keeps the chain off the network.
func serviceEnv(t *testing.T, id, secret string) {
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", id)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret)
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	t.Setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")
}

func TestAPIErrorsExitWith1(t *testing.T) {
	srv := chatapptest.NewServer()
	defer srv.Close()
	serviceEnv(t, srv.AccessKeyID, srv.AccessKeySecret)

	t.Run("every number fails", func(t *testing.T) {
		srv.InjectFault(2, chatapptest.Fault{Status: 400, Code: "Ram.PermissionDeny", Message: "not authorised"})
		code, stdout, stderr := invoke(t, "-endpoint", srv.URL, "-phone", "8613800001234,8613800005678", "-since", "2026-09-01", "-until", "2026-09-03")
		assert.Equal(t, exitError, code)
		assert.Contains(t, stderr, "8613800001234: Ram.PermissionDeny (HTTP 400): not authorised [RequestId ")
		assert.Contains(t, stderr, "8613800005678: Ram.PermissionDeny")
		assert.Contains(t, stderr, "2 of 2 numbers failed")
		assert.Empty(t, stdout, "no header, no rows, no zero totals")
	})
	t.Run("every number fails, csv", func(t *testing.T) {
		srv.InjectFault(2, chatapptest.Fault{Status: 400, Code: "Ram.PermissionDeny", Message: "not authorised"})
		code, stdout, _ := invoke(t, "-endpoint", srv.URL, "-format", "csv", "-phone", "8613800001234,8613800005678", "-since", "2026-09-01", "-until", "2026-09-03")
		assert.Equal(t, exitError, code)
		assert.Equal(t, "day,phone_number,sent,delivered,delivery_rate,partial\n", stdout, "the header at most")
	})
	t.Run("one number fails, the others are printed", func(t *testing.T) {
		srv.InjectFault(1, chatapptest.Fault{Status: 400, Code: "Unknown.ResourceOwnerId"})
		code, stdout, stderr := invoke(t, "-endpoint", srv.URL, "-workers", "1", "-format", "csv",
			"-phone", "8613800001234,8613800005678", "-since", "2026-09-01", "-until", "2026-09-03")
		assert.Equal(t, exitError, code)
		assert.Contains(t, stderr, "8613800001234: Unknown.ResourceOwnerId (HTTP 400)")
		assert.Contains(t, stderr, "[RequestId ")
		assert.NotContains(t, stdout, "8613800001234")
		assert.Equal(t, 4, strings.Count(stdout, "\n"), "header and three days of the other number")
	})
	t.Run("one of three fails: the sum says what it covers", func(t *testing.T) {
		srv.InjectFault(1, chatapptest.Fault{Status: 400, Code: "Unknown.ResourceOwnerId"})
		code, stdout, _ := invoke(t, "-endpoint", srv.URL, "-workers", "1",
			"-phone", "8613800001234,8613800005678,8613800009012", "-since", "2026-09-01", "-until", "2026-09-03")
		assert.Equal(t, exitError, code)
		assert.Contains(t, stdout, "TOTAL       2 of 3 numbers")
		assert.NotContains(t, stdout, "all numbers", "a sum without the failed number is not all of them")
	})
	t.Run("unreachable endpoint", func(t *testing.T) {
		code, stdout, stderr := invoke(t, "-endpoint", "http://127.0.0.1:1", "-o", "json", "-phone", "8613800001234", "-since", "2026-09-01", "-until", "2026-09-01")
		assert.Equal(t, exitError, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "1 of 1 numbers failed")
	})
	t.Run("unknown AccessKey", func(t *testing.T) {
		serviceEnv(t, "LTAIunknownkey000000", "secret")
		code, stdout, stderr := invoke(t, "-endpoint", srv.URL, "-phone", "8613800001234", "-since", "1d")
		assert.Equal(t, exitError, code)
		assert.Contains(t, stderr, "InvalidAccessKeyId.NotFound")
		assert.NotContains(t, stdout, "TOTAL")
	})
	t.Run("success against an endpoint", func(t *testing.T) {
		serviceEnv(t, srv.AccessKeyID, srv.AccessKeySecret)
		code, stdout, stderr := invoke(t, "-endpoint", srv.URL, "-phone", "8613800001234", "-since", "2026-09-01", "-until", "2026-09-01")
		assert.Equal(t, exitOK, code, stderr)
		assert.Contains(t, stdout, "2026-09-01  8613800001234")
		assert.Empty(t, stderr)
	})
}

func TestParseZone(t *testing.T) {
	for in, wantOffset := range map[string]int{
		"+08:00": 8 * 3600, "UTC+8": 8 * 3600, "-0530": -(5*3600 + 30*60), "GMT-05:30": -(5*3600 + 30*60),
		"UTC": 0, "utc": 0, "Asia/Shanghai": 8 * 3600, "Europe/Berlin": 3600,
	} {
		loc, err := parseZone(in)
		require.NoError(t, err, in)
		_, off := time.Date(2026, 1, 15, 12, 0, 0, 0, loc).Zone()
		assert.Equal(t, wantOffset, off, in)
	}
	for _, bad := range []string{"", "+15:00", "+08:75", "Mars/Olympus"} {
		_, err := parseZone(bad)
		assert.Error(t, err, bad)
	}
}

func TestSinceAndUntil(t *testing.T) {
	cst := time.FixedZone("+08:00", 8*3600)
	at := time.Date(2026, 9, 14, 10, 30, 0, 0, cst)
	until, err := parseUntil("2026-09-14", at, cst)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 9, 15, 0, 0, 0, 0, cst), until, "a date runs through its end")
	until, err = parseUntil("now", at, cst)
	require.NoError(t, err)
	assert.Equal(t, at, until)

	for in, want := range map[string]time.Time{
		"7d":                        time.Date(2026, 9, 7, 0, 0, 0, 0, cst), // from midnight
		"1w":                        time.Date(2026, 9, 7, 0, 0, 0, 0, cst),
		"36h":                       at.Add(-36 * time.Hour),
		"2026-07-01":                time.Date(2026, 7, 1, 0, 0, 0, 0, cst),
		"2026-07-01T12:00:00+02:00": time.Date(2026, 7, 1, 18, 0, 0, 0, cst),
	} {
		got, err := parseSince(in, at, cst)
		require.NoError(t, err, in)
		assert.True(t, want.Equal(got), "%s: got %s, want %s", in, got, want)
	}
	// Before an -until at midnight, 90d is exactly 90 days.
	got, err := parseSince("90d", time.Date(2026, 10, 1, 0, 0, 0, 0, cst), cst)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 7, 3, 0, 0, 0, 0, cst), got)
	for _, bad := range []string{"0d", "-3h", "90", "yesterday"} {
		_, err := parseSince(bad, at, cst)
		assert.Error(t, err, bad)
	}
}

func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	assert.Nil(t, newProgress(&buf, 3), "no progress line off a terminal")
	var nilBar *progress
	nilBar.done() // safe

	p := &progress{w: &buf, numbers: 2}
	p.update(progressOf("1", 1, 2))
	p.update(progressOf("2", 1, 2))
	p.update(progressOf("1", 2, 2))
	p.done()
	assert.Equal(t, "\r\x1b[Kfetched 1/4 windows, 0/2 numbers done"+
		"\r\x1b[Kfetched 2/4 windows, 0/2 numbers done"+
		"\r\x1b[Kfetched 3/4 windows, 1/2 numbers done"+
		"\r\x1b[K", buf.String())

	// A single request draws nothing.
	buf.Reset()
	p = &progress{w: &buf, numbers: 1}
	p.update(progressOf("1", 1, 1))
	p.done()
	assert.Empty(t, buf.String())
}

func jsonDecoder(line string) *json.Decoder {
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	return dec
}

func progressOf(phone string, window, windows int) chatapp.RangeProgress {
	return chatapp.RangeProgress{PhoneNumber: phone, Window: window, Windows: windows}
}

// TestEndpointPasswordIsNeverRepeated checks that an -endpoint with user
// information is refused by every command without its text on stderr, and
// that a redis:// URL that does not parse is reported without its password.
func TestEndpointPasswordIsNeverRepeated(t *testing.T) {
	const secret = "hunter2PW"
	for _, args := range [][]string{
		{"-phone", "8613800001234", "-endpoint", "https://user:" + secret + "@cams.example.com"},
		{"-phone", "8613800001234", "-endpoint", "user:" + secret + "@cams.example.com:bad"},
		{"serve", "-phone", "8613800001234", "-endpoint", "https://user:" + secret + "@cams.example.com"},
		{"sync", "-db", "sqlite:" + t.TempDir() + "/m.db", "-phone", "8613800001234", "-endpoint", "http://user:" + secret + "@127.0.0.1:1"},
		{"serve", "-emulator", "-listen", "127.0.0.1:0", "-redis", "redis://user:" + secret + "@host:port/0"},
	} {
		code, stdout, stderr := invoke(t, args...)
		assert.Equal(t, exitUsage, code, "%v: %s", args, stderr)
		assert.Empty(t, stdout, "%v", args)
		assert.NotEmpty(t, stderr, "%v", args)
		assert.NotContains(t, stderr, secret, "%v", args)
	}
}
