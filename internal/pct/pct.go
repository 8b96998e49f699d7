// Package pct implements the strict RFC 3986 percent-encoding that Alibaba
// Cloud's request signatures are defined over.
//
// Only the unreserved characters A-Z a-z 0-9 - _ . ~ are kept; every other
// byte of the UTF-8 input becomes %XX with upper-case hex. Space is %20
// (never '+') and '*' is %2A, as both of Alibaba Cloud's signature schemes
// require.
package pct

const upperHex = "0123456789ABCDEF"

// unreserved reports whether b is kept as-is by the encoding.
func unreserved(b byte) bool { return unreservedTable[b] != 0 }

// unreservedTable makes the test a single load on the signing hot path; its
// entries are 1 or 0 so that eight of them can be tested with one AND.
var unreservedTable = func() (t [256]uint8) {
	for c := range 256 {
		b := byte(c)
		if 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' ||
			b == '-' || b == '_' || b == '.' || b == '~' {
			t[c] = 1
		}
	}
	return t
}()

// unreservedRun returns the length of the run of unreserved bytes that s
// begins with. Signing spends most of its encoding time here, on values that
// are mostly long unreserved runs, so it tests eight bytes per step without
// a branch between them. It is not generic: a dictionary call from a
// generic caller would make every caller's stack buffer escape.
func unreservedRun(s string) int {
	t := &unreservedTable
	i := 0
	for ; len(s)-i >= 8; i += 8 {
		w := s[i : i+8]
		if t[w[0]]&t[w[1]]&t[w[2]]&t[w[3]]&t[w[4]]&t[w[5]]&t[w[6]]&t[w[7]] == 0 {
			break
		}
	}
	for i < len(s) && t[s[i]] != 0 {
		i++
	}
	return i
}

// Len returns the length of s once encoded.
func Len(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n += 2
		}
	}
	return n
}

// Append appends the encoding of s to dst and returns the extended slice.
func Append(dst []byte, s string) []byte {
	return appendEscaped(dst, s, "%")
}

// AppendTwice appends the encoding of the encoding of s, in one pass: an
// escaped byte becomes %25XX. The RPC string-to-sign encodes the canonical
// query a second time, and this builds it from the raw parameters.
func AppendTwice(dst []byte, s string) []byte {
	return appendEscaped(dst, s, "%25")
}

// appendEscaped appends s with every byte that is not unreserved written
// as escape followed by its two hex digits. Runs of unreserved bytes, the
// common case, are copied at once.
func appendEscaped(dst []byte, s, escape string) []byte {
	for {
		i := unreservedRun(s)
		dst = append(dst, s[:i]...)
		if i == len(s) {
			return dst
		}
		c := s[i]
		dst = append(append(dst, escape...), upperHex[c>>4], upperHex[c&15])
		s = s[i+1:]
	}
}

// Encode returns the encoding of s. It does not allocate when s needs no
// escaping.
func Encode(s string) string {
	n := Len(s)
	if n == len(s) {
		return s
	}
	return string(Append(make([]byte, 0, n), s))
}
