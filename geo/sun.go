package geo

import (
	"math"
	"time"
)

// Polar tells whether the sun rises and sets on a day.
type Polar int

// Kinds of day at high latitudes.
const (
	NotPolar    Polar = iota // the sun rises or sets (or both) during the day
	MidnightSun              // the sun stays above the horizon all day
	PolarNight               // the sun stays below the horizon all day
)

// sunHorizon is the altitude in degrees of the sun's centre at sunrise and sunset: the
// standard horizon corrected for refraction (34′) and the solar radius (16′).
const sunHorizon = -0.833

// SunTimes returns sunrise and sunset on the calendar day of day in day's location, for the
// place at latitude lat and longitude lon (degrees, north and east positive). Rise and set
// are when the sun's centre crosses the standard horizon (altitude −0.833°), computed with
// NOAA's solar position algorithm, and are given in day's location. On a day without
// either crossing polar says which: MidnightSun or PolarNight, and rise and set are zero.
// Near the polar circles a day can have only one crossing; the missing one is the zero
// Time and polar is NotPolar. Crossings less than a few minutes apart (the sun grazing the
// horizon) may be missed.
func SunTimes(lat, lon float64, day time.Time) (rise, set time.Time, polar Polar) {
	loc := day.Location()
	y, m, d := day.Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, loc)
	end := time.Date(y, m, d+1, 0, 0, 0, 0, loc) // 23 or 25 hours on DST change days

	const step = 5 * time.Minute
	above := func(t time.Time) bool { return SunAltitude(lat, lon, t) >= sunHorizon }
	prev, prevUp := start, above(start)
	anyUp, anyDown := prevUp, !prevUp
	for t := start.Add(step); ; t = t.Add(step) {
		if t.After(end) {
			t = end
		}
		up := above(t)
		anyUp, anyDown = anyUp || up, anyDown || !up
		if up != prevUp {
			c := crossing(prev, t, prevUp, above)
			if up && rise.IsZero() {
				rise = c.In(loc)
			}
			if !up && set.IsZero() {
				set = c.In(loc)
			}
		}
		prev, prevUp = t, up
		if !t.Before(end) {
			break
		}
	}
	switch {
	case !anyDown:
		return time.Time{}, time.Time{}, MidnightSun
	case !anyUp:
		return time.Time{}, time.Time{}, PolarNight
	}
	return rise, set, NotPolar
}

// crossing bisects [a, b], where above(a) == aUp != above(b), to one second.
func crossing(a, b time.Time, aUp bool, above func(time.Time) bool) time.Time {
	for b.Sub(a) > time.Second {
		mid := a.Add(b.Sub(a) / 2)
		if above(mid) == aUp {
			a = mid
		} else {
			b = mid
		}
	}
	return a.Add(b.Sub(a) / 2).Truncate(time.Second)
}

// Dark reports whether the sun's centre is below the standard horizon (altitude < −0.833°,
// which allows for refraction and the solar radius) at the place at latitude lat and
// longitude lon at instant t: between sunset and sunrise.
func Dark(lat, lon float64, t time.Time) bool {
	return SunAltitude(lat, lon, t) < sunHorizon
}

// SunAltitude returns the geometric altitude in degrees of the sun's centre above the
// horizon (without refraction) at the place at latitude lat and longitude lon at instant
// t, with NOAA's solar position algorithm (after Meeus, "Astronomical Algorithms"):
// declination, equation of time and hour angle. It is accurate to about a minute of time
// between 1800 and 2100.
func SunAltitude(lat, lon float64, t time.Time) float64 {
	const rad = math.Pi / 180
	u := t.UTC()
	jd := float64(u.Unix())/86400 + float64(u.Nanosecond())/86400e9 + 2440587.5
	c := (jd - 2451545) / 36525 // Julian centuries since J2000.0

	l0 := math.Mod(280.46646+c*(36000.76983+c*0.0003032), 360) // geometric mean longitude
	m := 357.52911 + c*(35999.05029-0.0001537*c)               // mean anomaly
	e := 0.016708634 - c*(0.000042037+0.0000001267*c)          // orbit eccentricity
	eqc := math.Sin(m*rad)*(1.914602-c*(0.004817+0.000014*c)) +
		math.Sin(2*m*rad)*(0.019993-0.000101*c) + math.Sin(3*m*rad)*0.000289
	omega := 125.04 - 1934.136*c
	lambda := l0 + eqc - 0.00569 - 0.00478*math.Sin(omega*rad) // apparent longitude
	eps0 := 23 + (26+(21.448-c*(46.815+c*(0.00059-c*0.001813)))/60)/60
	eps := eps0 + 0.00256*math.Cos(omega*rad) // corrected obliquity
	decl := math.Asin(math.Sin(eps*rad) * math.Sin(lambda*rad))

	yy := math.Pow(math.Tan(eps*rad/2), 2)
	eot := 4 / rad * (yy*math.Sin(2*l0*rad) - 2*e*math.Sin(m*rad) +
		4*e*yy*math.Sin(m*rad)*math.Cos(2*l0*rad) -
		0.5*yy*yy*math.Sin(4*l0*rad) - 1.25*e*e*math.Sin(2*m*rad)) // minutes

	minutes := float64(u.Hour()*60+u.Minute()) + (float64(u.Second())+float64(u.Nanosecond())/1e9)/60
	trueSolar := minutes + eot + 4*lon
	ha := trueSolar/4 - 180 // hour angle, degrees

	cosZen := math.Sin(lat*rad)*math.Sin(decl) + math.Cos(lat*rad)*math.Cos(decl)*math.Cos(ha*rad)
	cosZen = math.Max(-1, math.Min(1, cosZen))
	return 90 - math.Acos(cosZen)/rad
}
