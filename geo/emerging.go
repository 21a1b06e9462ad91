package geo

// Pattern is a location's emerging hot or cold spot category, as in ArcGIS Pro's Emerging
// Hot Spot Analysis; the empty Pattern means no pattern was detected.
type Pattern string

// Emerging hot and cold spot patterns. The definitions are ArcGIS Pro's ("How Emerging
// Hot Spot Analysis works", pro.arcgis.com … learnmoreemerging.htm), for hot spots; cold
// spots mirror them. "Significant" means p < alpha, and "90 % of the time steps" means at
// least 90 % of them.
const (
	NoPattern Pattern = ""
	// New: significant hot spot in the final time step and never before.
	NewHot Pattern = "new"
	// Consecutive: one uninterrupted run of at least two significant hot spot steps at the
	// end, never a significant hot spot before the run, and under 90 % of the steps hot.
	ConsecutiveHot Pattern = "consecutive"
	// Intensifying: hot in at least 90 % of the steps including the final one, and the
	// z-scores increase (Mann–Kendall, significant at alpha).
	IntensifyingHot Pattern = "intensifying"
	// Persistent: hot in at least 90 % of the steps including the final one, with no
	// significant trend in the z-scores.
	PersistentHot Pattern = "persistent"
	// Diminishing: hot in at least 90 % of the steps including the final one, and the
	// z-scores decrease significantly.
	DiminishingHot Pattern = "diminishing"
	// Sporadic: hot in the final step, on and off before, in under 90 % of the steps, and
	// never a significant cold spot.
	SporadicHot Pattern = "sporadic"
	// Oscillating: hot in the final step, a significant cold spot in some earlier step, and
	// hot in under 90 % of the steps.
	OscillatingHot Pattern = "oscillating"
	// Historical: not hot in the final step, but hot in at least 90 % of the steps.
	HistoricalHot Pattern = "historical"

	NewCold          Pattern = "cold-new"
	ConsecutiveCold  Pattern = "cold-consecutive"
	IntensifyingCold Pattern = "cold-intensifying" // z-scores decrease significantly
	PersistentCold   Pattern = "cold-persistent"
	DiminishingCold  Pattern = "cold-diminishing" // z-scores increase significantly
	SporadicCold     Pattern = "cold-sporadic"
	OscillatingCold  Pattern = "cold-oscillating"
	HistoricalCold   Pattern = "cold-historical"
)

// Emerging classifies one location from its Gi* z-scores and p-values per time step,
// oldest first, at significance alpha (e.g. 0.1). A step is a significant hot spot when
// p < alpha and z > 0, a cold spot when p < alpha and z < 0. Pass BH-adjusted p-values to
// correct for multiple testing, as ArcGIS does. The trend is Mann–Kendall on the z-scores,
// significant when its P < alpha; with fewer than 3 steps there is no trend. Mismatched
// lengths or no steps give NoPattern.
func Emerging(z, p []float64, alpha float64) Pattern {
	n := len(z)
	if n == 0 || len(p) != n {
		return NoPattern
	}
	hot := make([]bool, n)
	cold := make([]bool, n)
	for i := range n {
		sig := p[i] < alpha
		hot[i] = sig && z[i] > 0
		cold[i] = sig && z[i] < 0
	}
	trend := 0 // +1 significant increase, −1 significant decrease
	if mk, err := MannKendall(z); err == nil && mk.P < alpha {
		switch {
		case mk.Z > 0:
			trend = 1
		case mk.Z < 0:
			trend = -1
		}
	}
	if pt := classify(hot, cold, trend); pt != NoPattern {
		return pt
	}
	if pt := classify(cold, hot, -trend); pt != NoPattern {
		return "cold-" + pt
	}
	return NoPattern
}

// classify applies the hot spot definitions with sig the steps that are significant hot
// spots, opp those that are significant cold spots, and trend +1 for a significant
// increase (toward hotter). For cold spots the caller swaps sig and opp and negates trend.
func classify(sig, opp []bool, trend int) Pattern {
	n := len(sig)
	count := 0
	for _, s := range sig {
		if s {
			count++
		}
	}
	mostly := count*10 >= 9*n // at least 90 % of the time steps
	final := sig[n-1]
	switch {
	case count == 0:
		return NoPattern
	case mostly && !final:
		return HistoricalHot
	case mostly && trend > 0:
		return IntensifyingHot
	case mostly && trend < 0:
		return DiminishingHot
	case mostly:
		return PersistentHot
	case !final:
		return NoPattern
	}
	for _, o := range opp[:n-1] {
		if o {
			return OscillatingHot
		}
	}
	if count == 1 {
		return NewHot
	}
	run := 0
	for i := n - 1; i >= 0 && sig[i]; i-- {
		run++
	}
	if run == count { // no hot step before the final run, and run ≥ 2
		return ConsecutiveHot
	}
	return SporadicHot
}
