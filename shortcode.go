package trygg

import (
	"encoding/hex"
	"strings"
)

// A report's short code is the first 40 bits of its id (a random UUID) in Crockford's
// base32, 8 characters shown as "K7M2-QX9P": short enough to read out on the phone or
// write down, beside the follow-up link. It is not stored: the store finds the report
// by the range of ids that begin with those 40 bits, on the primary key. With random
// ids two reports share a code with probability n/2⁴⁰ per report (about 1 in 10⁷ for
// 100 000 reports); such a code answers 409 and the link still works. Like the id, it
// reveals nothing: an unpublished report needs its erasure token to be seen.

// crockford is Crockford's base32 alphabet: no I, L, O or U.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// ShortCode is the short code of the report with UUID id, "" if id is not a UUID.
func ShortCode(id string) string {
	b, ok := idPrefix(id)
	if !ok {
		return ""
	}
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	var out [9]byte
	for i, j := 7, 8; i >= 0; i-- {
		if j == 4 {
			out[j] = '-'
			j--
		}
		out[j] = crockford[v&31]
		v >>= 5
		j--
	}
	return string(out[:])
}

// ParseShortCode reads a short code, in any case, with or without the dash or spaces,
// taking O for 0 and I or L for 1 as Crockford's base32 does, and gives the range of
// report ids (first and last, as UUID text) that begin with it.
func ParseShortCode(s string) (first, last string, err error) {
	s = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(s))
	if len(s) != 8 {
		return "", "", Errorf(EINVALID, "code", "a report code has 8 characters, like K7M2-QX9P")
	}
	var v uint64
	for _, c := range s {
		switch c {
		case 'O':
			c = '0'
		case 'I', 'L':
			c = '1'
		}
		i := strings.IndexRune(crockford, c)
		if i < 0 {
			return "", "", Errorf(EINVALID, "code", "%q is not a character of a report code (digits and letters but I, L, O, U)", c)
		}
		v = v<<5 | uint64(i)
	}
	var b [5]byte
	for i := 4; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
	p := hex.EncodeToString(b[:])
	return p[:8] + "-" + p[8:] + "00-0000-0000-000000000000", p[:8] + "-" + p[8:] + "ff-ffff-ffff-ffffffffffff", nil
}

// idPrefix is the first 5 bytes of a UUID in text form.
func idPrefix(id string) ([5]byte, bool) {
	var b [5]byte
	if len(id) != 36 || id[8] != '-' {
		return b, false
	}
	if _, err := hex.Decode(b[:4], []byte(id[:8])); err != nil {
		return b, false
	}
	if _, err := hex.Decode(b[4:], []byte(id[9:11])); err != nil {
		return b, false
	}
	return b, true
}
