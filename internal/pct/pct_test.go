package pct

import (
	"fmt"
	"testing"
)

// The expectations are those of the official encoders for each character
// class: unreserved bytes kept, every other byte %XX in upper-case hex.
func TestEncode(t *testing.T) {
	cases := map[string]string{
		"":                 "",
		"AZaz09-_.~":       "AZaz09-_.~",
		" ":                "%20",
		"+":                "%2B",
		"*":                "%2A",
		"/":                "%2F",
		"=":                "%3D",
		"&":                "%26",
		"%":                "%25",
		":":                "%3A",
		"!'()":             "%21%27%28%29",
		"中":                "%E4%B8%AD",
		"é":                "%C3%A9",
		"😀":                "%F0%9F%98%80",
		"\x00\x7f\xff":     "%00%7F%FF",
		"a b&c=d+e%f":      "a%20b%26c%3Dd%2Be%25f",
		"2016-02-23T12:46": "2016-02-23T12%3A46",
	}
	for in, want := range cases {
		if got := Encode(in); got != want {
			t.Errorf("Encode(%q) = %q, want %q", in, got, want)
		}
		if got := Len(in); got != len(want) {
			t.Errorf("Len(%q) = %d, want %d", in, got, len(want))
		}
	}
}

func TestEncodeNoEscapeDoesNotAllocate(t *testing.T) {
	s := "GetChatappPhoneNumberMetric"
	if n := testing.AllocsPerRun(100, func() { _ = Encode(s) }); n != 0 {
		t.Fatalf("Encode of an unreserved string allocated %v times", n)
	}
}

// TestEveryPositionInALongRun puts every byte value at every position of
// unreserved runs of every length, and compares with an encoder written
// from the rule alone.
func TestEveryPositionInALongRun(t *testing.T) {
	reference := func(s string) string {
		var out []byte
		for i := 0; i < len(s); i++ {
			c := s[i]
			if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
				out = append(out, c)
			} else {
				out = append(out, fmt.Sprintf("%%%02X", c)...)
			}
		}
		return string(out)
	}
	const run = "abcdefghIJKLMNOP0123456789-_.~xyz"
	for n := range len(run) + 1 {
		for at := range n + 1 {
			for c := range 256 {
				s := run[:at] + string(rune(0)) + run[at:n]
				s = s[:at] + string([]byte{byte(c)}) + s[at+1:]
				want := reference(s)
				if got := Encode(s); got != want {
					t.Fatalf("Encode(%q) = %q, want %q", s, got, want)
				}
				if got := Len(s); got != len(want) {
					t.Fatalf("Len(%q) = %d, want %d", s, got, len(want))
				}
			}
		}
	}
}
