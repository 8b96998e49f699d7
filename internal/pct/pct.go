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
func unreserved(b byte) bool {
	return 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' ||
		b == '-' || b == '_' || b == '.' || b == '~'
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
	for i := 0; i < len(s); i++ {
		if c := s[i]; unreserved(c) {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return dst
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
