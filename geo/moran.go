package geo

import (
	"errors"
	"fmt"
	"math"
)

// Moran is Global Moran's I of values at points with binary fixed-distance weights at
// one distance band, and its test under the randomisation assumption.
type Moran struct {
	Band       float64 // the distance band, metres
	I          float64 // Moran's I
	E          float64 // its expectation, −1/(n − 1)
	Var        float64 // its variance under randomisation
	Z          float64 // (I − E)/√Var
	P          float64 // one-sided p-value of positive autocorrelation, P(Z ≥ z)
	Neighbours float64 // neighbours per point on average (the point itself not counted)
}

// MoranI computes Global Moran's I for values v at points (x[i], y[i]) in metres with
// binary weights w_ij = 1 when i ≠ j lie at most band apart. It equals R spdep's
// moran.test(v, nb2listw(dnearneigh(xy, 0, band), style = "B", zero.policy = TRUE),
// zero.policy = TRUE): the variance under randomisation (spdep's default, as ArcGIS'),
// n reduced by the points without neighbours (adjust.n), the p-value one-sided
// ("greater"). With n the points that have neighbours, z_i = v_i − v̄ (the mean of every
// point), S0 = Σ w_ij, S1 = 2·S0, S2 = Σ_i (2 k_i)² for k_i neighbours of i and
// b2 = N Σ z⁴/(Σ z²)² over all N points:
//
//	I = n/S0 · Σ_ij w_ij z_i z_j / Σ z_i²,  E[I] = −1/(n − 1),
//	Var[I] = (n((n² − 3n + 3)S1 − n S2 + 3S0²) − b2((n² − n)S1 − 2n S2 + 6S0²))
//	         / ((n − 1)(n − 2)(n − 3) S0²) − E[I]².
func MoranI(x, y, v []float64, band float64) (Moran, error) {
	ms, err := IncrementalMoran(x, y, v, []float64{band})
	if err != nil {
		return Moran{}, err
	}
	return ms[0], nil
}

// IncrementalMoran computes MoranI at each of bands (ascending, positive) in one pass
// over the pairs of points within the largest: incremental spatial autocorrelation, as
// ArcGIS' tool of that name (binary weights, not row-standardised).
func IncrementalMoran(x, y, v []float64, bands []float64) ([]Moran, error) {
	n := len(v)
	if len(x) != n || len(y) != n {
		return nil, fmt.Errorf("geo: IncrementalMoran needs as many x (%d) and y (%d) as values (%d)", len(x), len(y), n)
	}
	if n < 4 {
		return nil, fmt.Errorf("geo: IncrementalMoran needs at least 4 points, got %d", n)
	}
	if len(bands) == 0 {
		return nil, errors.New("geo: IncrementalMoran needs a distance band")
	}
	for k, b := range bands {
		if !(b > 0) || math.IsInf(b, 0) || (k > 0 && !(b > bands[k-1])) {
			return nil, fmt.Errorf("geo: IncrementalMoran bands must be positive, finite and ascending, got %v", bands)
		}
	}
	for i := range n {
		if !isFinite(x[i]) || !isFinite(y[i]) {
			return nil, fmt.Errorf("geo: IncrementalMoran point %d: %w", i, ErrNotFinite)
		}
		if !isFinite(v[i]) {
			return nil, fmt.Errorf("geo: IncrementalMoran value %d is not a finite number", i)
		}
	}
	mean := compensatedSum(v) / float64(n)
	var zz, z4 float64
	g := newGridHash(x, y, bands[len(bands)-1])
	zs := make([]float64, n) // deviations in the grid's sorted order
	for k, i := range g.order {
		d := v[i] - mean
		zs[k] = d
		zz += d * d
		z4 += d * d * d * d
	}
	if zz == 0 || math.IsNaN(zz) {
		return nil, errors.New("geo: IncrementalMoran needs values that are not all equal")
	}
	nb := len(bands)
	b2 := make([]float64, nb)
	for k, b := range bands {
		b2[k] = b * b
	}
	// Per band (the smallest that holds the pair): Σ z_i z_j over the pairs, and each
	// point's neighbours; made cumulative afterwards.
	cross := make([]float64, nb)
	pairs := make([]float64, nb)
	cnt := make([]int32, n*nb) // point k's neighbours first met at band b: cnt[k*nb+b]
	var rs [5][2]int32
	for k := range n {
		px, py, pz := g.xs[k], g.ys[k], zs[k]
		for _, r := range rs[:g.forward(&rs, k)] {
			for j := r[0]; j < r[1]; j++ {
				dx, dy := g.xs[j]-px, g.ys[j]-py
				d2 := dx*dx + dy*dy
				if d2 > b2[nb-1] {
					continue
				}
				b := 0
				for d2 > b2[b] {
					b++
				}
				cross[b] += pz * zs[j]
				pairs[b]++
				cnt[k*nb+b]++
				cnt[int(j)*nb+b]++
			}
		}
	}
	out := make([]Moran, nb)
	var sumCross, sumPairs float64
	kk := make([]int32, n) // neighbours within the current band
	nf := float64(n)
	b2k := z4 * nf / (zz * zz)
	for b := range nb {
		sumCross += cross[b]
		sumPairs += pairs[b]
		var s2, with float64
		for k := range n {
			kk[k] += cnt[k*nb+b]
			if kk[k] > 0 {
				with++
				s2 += 4 * float64(kk[k]) * float64(kk[k])
			}
		}
		m := Moran{Band: bands[b], Neighbours: 2 * sumPairs / nf}
		s0 := 2 * sumPairs // each pair is two weights
		if s0 == 0 || with < 4 {
			m.I, m.E, m.Var, m.Z, m.P = math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()
			out[b] = m
			continue
		}
		s1 := 2 * s0
		na := with // n reduced by the points without neighbours
		m.I = na / s0 * (2 * sumCross) / zz
		m.E = -1 / (na - 1)
		s02 := s0 * s0
		vi := na * (s1*(na*na-3*na+3) - na*s2 + 3*s02)
		vi -= b2k * (s1*(na*na-na) - 2*na*s2 + 6*s02)
		m.Var = vi/((na-1)*(na-2)*(na-3)*s02) - m.E*m.E
		m.Z = (m.I - m.E) / math.Sqrt(m.Var)
		m.P = 0.5 * math.Erfc(m.Z/math.Sqrt2)
		out[b] = m
	}
	return out, nil
}

// FirstPeak returns the index of the first peak of the Moran z-scores ms, or −1: the
// first z that is significant (at least minZ) and larger than the next different z
// after it and than the one before it (a plateau of equal z counts as one distance;
// the first distance needs only to be followed by a smaller z). NaN is never a peak.
func FirstPeak(ms []Moran, minZ float64) int {
	// Collapse runs of equal z (bands holding the same neighbours), keeping the first.
	idx := make([]int, 0, len(ms))
	for k, m := range ms {
		if len(idx) > 0 && ms[idx[len(idx)-1]].Z == m.Z {
			continue
		}
		idx = append(idx, k)
	}
	for a := 0; a+1 < len(idx); a++ {
		z := ms[idx[a]].Z
		if math.IsNaN(z) || z < minZ || !(z > ms[idx[a+1]].Z) {
			continue
		}
		if prev := ms[idx[max(a-1, 0)]].Z; a == 0 || math.IsNaN(prev) || z > prev {
			return idx[a]
		}
	}
	return -1
}
