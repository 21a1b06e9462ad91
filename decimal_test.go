package trygg

import "testing"

func TestParseDecimal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"58.26", 58.26, true}, {"-13", -13, true}, {"+13.1", 13.1, true}, {".5", 0.5, true}, {"5.", 5, true},
		{"5.826e1", 58.26, true}, {"1E-3", 0.001, true}, {"0", 0, true},
		{"0x1.8p5", 0, false}, {"0x30", 0, false}, {"Inf", 0, false}, {"+Inf", 0, false}, {"infinity", 0, false},
		{"NaN", 0, false}, {"nan", 0, false}, {"1_000", 0, false}, {"1e999", 0, false}, {"", 0, false},
		{".", 0, false}, {"-", 0, false}, {"1e", 0, false}, {"1e+", 0, false}, {"13,1", 0, false}, {" 13", 0, false},
		{"13 ", 0, false}, {"0b101", 0, false}, {"1.2.3", 0, false},
	} {
		got, ok := ParseDecimal(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseDecimal(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
