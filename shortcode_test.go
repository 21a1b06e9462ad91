package trygg

import (
	"strings"
	"testing"
)

func TestShortCodeRoundTrip(t *testing.T) {
	for _, id := range []string{"00000000-0000-4000-8000-000000000000", "ffffffff-ffff-4fff-bfff-ffffffffffff",
		"8c1f2a9e-47d3-4b6a-9e2f-0123456789ab", "0f0e0d0c-0b0a-4000-8000-000000000001"} {
		code := ShortCode(id)
		if len(code) != 9 || code[4] != '-' || strings.ContainsAny(code, "ILOU") {
			t.Fatalf("ShortCode(%s) = %q, want XXXX-XXXX in Crockford base32", id, code)
		}
		for _, typed := range []string{code, strings.ToLower(code), strings.ReplaceAll(code, "-", ""), " " + code[:4] + " " + code[5:]} {
			first, last, err := ParseShortCode(typed)
			if err != nil {
				t.Fatalf("ParseShortCode(%q): %v", typed, err)
			}
			if id < first || id > last || first[:11] != id[:11] || last[:11] != id[:11] {
				t.Errorf("ParseShortCode(%q) = %s … %s, which does not hold %s", typed, first, last, id)
			}
		}
	}
	if got := ShortCode("8c1f2a9e-47d3-4b6a-9e2f-0123456789ab"); got != "HGFJ-N7J7" {
		t.Errorf("ShortCode = %q, want HGFJ-N7J7 (0x8c1f2a9e47 in Crockford base32)", got)
	}
	// O, I and L are read as 0, 1 and 1.
	a, _, _ := ParseShortCode("0011-0000")
	b, _, _ := ParseShortCode("OoIl-oooo")
	if a != b {
		t.Errorf("OoIl-oooo reads as %s, 0011-0000 as %s", b, a)
	}
	for _, bad := range []string{"", "ABC", "ABCD-EFGHJ", "ABCD-EFGU", "ÅÄÖA-BCDE"} {
		if _, _, err := ParseShortCode(bad); ErrorCode(err) != EINVALID || ErrorField(err) != "code" {
			t.Errorf("ParseShortCode(%q) = %v, want invalid naming code", bad, err)
		}
	}
	if ShortCode("not-a-uuid") != "" {
		t.Error("ShortCode of a non-UUID is not empty")
	}
}
