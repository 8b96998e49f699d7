// Package pct implements the strict RFC 3986 percent-encoding that Alibaba
// Cloud's request signatures are defined over.
//
// Only the unreserved characters A-Z a-z 0-9 - _ . ~ are kept; every other
// byte of the UTF-8 input becomes %XX with upper-case hex. Space is %20
// (never '+') and '*' is %2A (signing.md §1.1).
package pct

const upperHex = "0123456789ABCDEF"

// unreserved reports whether b is kept as-is by the encoding.
func unreserved(b byte) bool { return unreservedTable[b] }

// unreservedTable makes the test a single load on the signing hot path.
var unreservedTable = func() (t [256]bool) {
	for c := range 256 {
		b := byte(c)
		t[c] = 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' ||
			b == '-' || b == '_' || b == '.' || b == '~'
	}
	return t
}()

// Len returns the length of s once encoded.
func Len(s string) int { return encodedLen(s) }

func encodedLen[S string | []byte](s S) int {
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
	return appendEncoded(dst, s)
}

// appendEncoded serves Append and AppendBytes; runs of unreserved bytes,
// the common case, are copied at once.
func appendEncoded[S string | []byte](dst []byte, s S) []byte {
	for {
		i := 0
		for i < len(s) && unreserved(s[i]) {
			i++
		}
		dst = append(dst, s[:i]...)
		if i == len(s) {
			return dst
		}
		c := s[i]
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
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

// LenBytes is Len for a byte slice.
func LenBytes(s []byte) int { return encodedLen(s) }

// AppendBytes is Append for a byte slice.
func AppendBytes(dst, s []byte) []byte {
	return appendEncoded(dst, s)
}

// AppendTwice appends the encoding of the encoding of s, in one pass: an
// escaped byte becomes %25XX. The RPC string-to-sign encodes the canonical
// query a second time, and this builds it from the raw parameters.
func AppendTwice(dst []byte, s string) []byte {
	for {
		i := 0
		for i < len(s) && unreserved(s[i]) {
			i++
		}
		dst = append(dst, s[:i]...)
		if i == len(s) {
			return dst
		}
		c := s[i]
		dst = append(dst, '%', '2', '5', upperHex[c>>4], upperHex[c&15])
		s = s[i+1:]
	}
}
