package hotspot

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
)

// Params lists the parameters ParseQuery reads, for the API's documentation and for
// refusing unknown ones (a misspelt filter must not silently widen an analysis).
var Params = []string{"municipality", "bbox", "method", "grid", "cell", "band", "fdr", "eps", "min_points",
	"half_life", "source_weights", "category", "source", "from", "to", "when", "hours", "days", "months",
	"season", "dark", "period", "min_count", "study_area"}

// ParseQuery reads an analysis from query parameters (GET /api/v1/hotspots, and the
// query object of a saved run). Lists are comma-separated. Each bad value is EINVALID
// naming its parameter. The result is not yet normalized or checked.
func ParseQuery(v url.Values) (trygg.HotspotQuery, error) {
	var q trygg.HotspotQuery
	for name := range v {
		if !slices.Contains(Params, name) {
			return q, invalid(name, "unknown parameter %q; known: %s", name, strings.Join(Params, ", "))
		}
	}
	get := func(name string) (string, bool) {
		s, ok := v[name]
		if !ok {
			return "", false
		}
		return strings.TrimSpace(s[len(s)-1]), true
	}
	number := func(name string, dst *float64) error {
		if s, ok := get(name); ok {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return invalid(name, "%s %q is not a number", name, s)
			}
			*dst = f
		}
		return nil
	}
	integer := func(name string, dst *int) error {
		if s, ok := get(name); ok {
			n, err := strconv.Atoi(s)
			if err != nil {
				return invalid(name, "%s %q is not an integer", name, s)
			}
			*dst = n
		}
		return nil
	}
	list := func(name string) []string {
		s, ok := get(name)
		if !ok || s == "" {
			return nil
		}
		var out []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	q.Municipality, _ = get("municipality")
	q.Method, _ = get("method")
	q.Grid, _ = get("grid")
	q.Days, _ = get("days")
	q.Period, _ = get("period")
	q.StudyArea, _ = get("study_area")
	q.Categories, q.Sources, q.When = list("category"), list("source"), list("when")
	q.HalfLifeDays = trygg.DefaultHalfLifeDays // half_life=0: no decay
	for _, f := range []struct {
		name string
		dst  *float64
	}{{"cell", &q.CellM}, {"band", &q.BandCells}, {"eps", &q.EpsM}, {"half_life", &q.HalfLifeDays}} {
		if err := number(f.name, f.dst); err != nil {
			return q, err
		}
	}
	if err := integer("min_points", &q.MinPoints); err != nil {
		return q, err
	}
	if err := integer("min_count", &q.MinCount); err != nil {
		return q, err
	}
	if s, ok := get("fdr"); ok {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return q, invalid("fdr", "fdr %q is not true or false", s)
		}
		q.NoFDR = !b
	}
	if s, ok := get("dark"); ok && s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return q, invalid("dark", "dark %q is not true or false", s)
		}
		q.Dark = &b
	}
	if s, ok := get("bbox"); ok {
		parts := strings.Split(s, ",")
		var f [4]float64
		if len(parts) != 4 {
			return q, invalid("bbox", "bbox %q is not minlon,minlat,maxlon,maxlat", s)
		}
		for i, p := range parts {
			n, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil {
				return q, invalid("bbox", "bbox %q is not minlon,minlat,maxlon,maxlat", s)
			}
			f[i] = n
		}
		q.BBox = &orb.Bound{Min: orb.Point{f[0], f[1]}, Max: orb.Point{f[2], f[3]}}
	}
	if s, ok := get("source_weights"); ok && s != "" {
		q.SourceWeights = map[string]float64{}
		for src, w := range trygg.DefaultSourceWeights {
			q.SourceWeights[src] = w
		}
		for _, p := range strings.Split(s, ",") {
			name, ws, ok := strings.Cut(strings.TrimSpace(p), ":")
			w, err := strconv.ParseFloat(ws, 64)
			if !ok || err != nil {
				return q, invalid("source_weights", "source_weights %q is not SOURCE:WEIGHT,…", s)
			}
			q.SourceWeights[name] = w
		}
	}
	for _, name := range []string{"from", "to"} {
		s, ok := get(name)
		if !ok {
			continue
		}
		start, end, ok := trygg.ParseInstant(s)
		if !ok {
			return q, invalid(name, "%s %q is neither an RFC 3339 time nor a date (YYYY-MM-DD)", name, s)
		}
		if name == "from" {
			q.From = &start
		} else {
			q.To = &end
		}
	}
	if s, ok := get("hours"); ok {
		a, b, found := strings.Cut(s, "-")
		from, err1 := strconv.Atoi(strings.TrimSpace(a))
		to, err2 := strconv.Atoi(strings.TrimSpace(b))
		if !found || err1 != nil || err2 != nil {
			return q, invalid("hours", "hours %q is not FROM-TO (e.g. 22-06)", s)
		}
		q.Hours = &trygg.HourRange{From: from, To: to % 24}
		if to == 24 && from == 0 {
			q.Hours = nil // the whole day
		}
	}
	for _, m := range list("months") {
		n, err := strconv.Atoi(m)
		if err != nil {
			return q, invalid("months", "month %q is not a number 1–12", m)
		}
		q.Months = append(q.Months, n)
	}
	if s, ok := get("season"); ok && s != "" {
		months, known := trygg.Seasons[s]
		if !known {
			return q, invalid("season", "season %q is not winter, spring, summer or autumn", s)
		}
		q.Months = append(q.Months, months...)
	}
	return q, nil
}

func invalid(field, format string, args ...any) error {
	return trygg.Errorf(trygg.EINVALID, field, format, args...)
}
