package trygg

import (
	"math"
	"strconv"
)

// ParseDecimal reads a number written in decimal, as people and forms write
// coordinates: an optional sign, digits with an optional fraction (or a fraction
// alone), and an optional exponent. Unlike strconv.ParseFloat it refuses hexadecimal
// floats ("0x1.8p5" is 48), "Inf", "NaN", underscores and numbers too large for a
// float64.
func ParseDecimal(s string) (float64, bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, n = i+1, n+1
		}
		return n
	}
	n := digits()
	if i < len(s) && s[i] == '.' {
		i++
		n += digits()
	}
	if n == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}
