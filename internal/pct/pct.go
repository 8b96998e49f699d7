// Package pct implements the strict RFC 3986 percent-encoding that Alibaba
// Cloud's request signatures are defined over.
//
// Only the unreserved characters A-Z a-z 0-9 - _ . ~ are kept; every other
// byte of the UTF-8 input becomes %XX with upper-case hex. Space is %20
// (never '+') and '*' is %2A, as both of Alibaba Cloud's signature schemes
// require.
package pct

const upperHex = "0123456789ABCDEF"

// unreserved marks the bytes the encoding keeps as they are. A table
// rather than a chain of comparisons: the signers run every byte of every
// query through it, twice for the RPC string-to-sign.
var unreserved = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~'
	}
	return t
}()

// Len returns the length of s once encoded.
func Len[S string | []byte](s S) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if !unreserved[s[i]] {
			n += 2
		}
	}
	return n
}

// Append appends the encoding of s to dst and returns the extended slice.
// Runs of unreserved bytes, most of any query, are copied whole.
func Append[S string | []byte](dst []byte, s S) []byte {
	kept := 0 // s[kept:i] is unreserved and not yet copied
	for i := 0; i < len(s); i++ {
		if c := s[i]; !unreserved[c] {
			dst = append(dst, s[kept:i]...)
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
			kept = i + 1
		}
	}
	return append(dst, s[kept:]...)
}

// Encode returns the encoding of s; s itself when nothing needs escaping.
func Encode(s string) string {
	n := Len(s)
	if n == len(s) {
		return s
	}
	return string(Append(make([]byte, 0, n), s))
}
