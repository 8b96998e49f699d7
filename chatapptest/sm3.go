package chatapptest

import (
	"encoding/binary"
	"hash"
	"math/bits"
)

// SM3 is the Chinese national hash (GB/T 32905-2016) behind the
// ACS3-HMAC-SM3 algorithm, which darabonba can be told to sign with. The
// standard library has no SM3, and the emulator may use nothing else, so
// here is a plain implementation written from the standard's text.

const (
	sm3Size      = 32
	sm3BlockSize = 64
)

var sm3IV = [8]uint32{
	0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600,
	0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e,
}

type sm3Digest struct {
	v   [8]uint32
	buf [sm3BlockSize]byte
	n   int    // bytes in buf
	len uint64 // bytes written in all
}

func newSM3() hash.Hash {
	d := new(sm3Digest)
	d.Reset()
	return d
}

func (d *sm3Digest) Size() int      { return sm3Size }
func (d *sm3Digest) BlockSize() int { return sm3BlockSize }

func (d *sm3Digest) Reset() {
	d.v = sm3IV
	d.n = 0
	d.len = 0
}

func (d *sm3Digest) Write(p []byte) (int, error) {
	written := len(p)
	d.len += uint64(len(p))
	if d.n > 0 {
		k := copy(d.buf[d.n:], p)
		d.n += k
		p = p[k:]
		if d.n < sm3BlockSize {
			return written, nil
		}
		d.block(d.buf[:])
		d.n = 0
	}
	for len(p) >= sm3BlockSize {
		d.block(p[:sm3BlockSize])
		p = p[sm3BlockSize:]
	}
	d.n = copy(d.buf[:], p)
	return written, nil
}

// Sum appends the digest of what was written so far to b, leaving d as it
// was.
func (d *sm3Digest) Sum(b []byte) []byte {
	c := *d
	// Padding as in SHA-256: a 1 bit, zeros up to 56 bytes mod 64, then the
	// length in bits as a big-endian uint64.
	var pad [sm3BlockSize + 8]byte
	pad[0] = 0x80
	padLen := 56 - int(c.len%sm3BlockSize)
	if padLen <= 0 {
		padLen += sm3BlockSize
	}
	binary.BigEndian.PutUint64(pad[padLen:], c.len*8)
	_, _ = c.Write(pad[:padLen+8])
	for _, w := range c.v {
		b = binary.BigEndian.AppendUint32(b, w)
	}
	return b
}

func sm3P0(x uint32) uint32 { return x ^ bits.RotateLeft32(x, 9) ^ bits.RotateLeft32(x, 17) }
func sm3P1(x uint32) uint32 { return x ^ bits.RotateLeft32(x, 15) ^ bits.RotateLeft32(x, 23) }

// block runs the compression function on one 64-byte block.
func (d *sm3Digest) block(p []byte) {
	var w [68]uint32
	for j := 0; j < 16; j++ {
		w[j] = binary.BigEndian.Uint32(p[4*j:])
	}
	for j := 16; j < 68; j++ {
		w[j] = sm3P1(w[j-16]^w[j-9]^bits.RotateLeft32(w[j-3], 15)) ^ bits.RotateLeft32(w[j-13], 7) ^ w[j-6]
	}
	a, b, c, dd, e, f, g, h := d.v[0], d.v[1], d.v[2], d.v[3], d.v[4], d.v[5], d.v[6], d.v[7]
	for j := 0; j < 64; j++ {
		t := uint32(0x79cc4519)
		var ff, gg uint32
		if j < 16 {
			ff = a ^ b ^ c
			gg = e ^ f ^ g
		} else {
			t = 0x7a879d8a
			ff = a&b | a&c | b&c
			gg = e&f | ^e&g
		}
		a12 := bits.RotateLeft32(a, 12)
		ss1 := bits.RotateLeft32(a12+e+bits.RotateLeft32(t, j%32), 7)
		ss2 := ss1 ^ a12
		tt1 := ff + dd + ss2 + (w[j] ^ w[j+4])
		tt2 := gg + h + ss1 + w[j]
		dd = c
		c = bits.RotateLeft32(b, 9)
		b = a
		a = tt1
		h = g
		g = bits.RotateLeft32(f, 19)
		f = e
		e = sm3P0(tt2)
	}
	d.v[0] ^= a
	d.v[1] ^= b
	d.v[2] ^= c
	d.v[3] ^= dd
	d.v[4] ^= e
	d.v[5] ^= f
	d.v[6] ^= g
	d.v[7] ^= h
}
