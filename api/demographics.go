package api

import (
	"net/http"
	"slices"

	"github.com/trygg-gis/trygg"
)

// handleDemographics answers GET /api/v1/stats/demographics?municipality=&category=:
// how many published residents' reports (of the municipality, giving the category
// among their reasons, any when it is left out) were made by each age band and,
// separately, each gender, with every count below 5 null and "suppressed": true (and a
// second cell of a marginal with only one such), so that no one reporter can be picked
// out. Public, for anyone, staff included: demographics are never read per report.
func (s *Server) handleDemographics(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	for name := range q {
		if name != "municipality" && name != "category" {
			return trygg.Errorf(trygg.EINVALID, name, "unknown parameter %q: municipality and category are", name)
		}
	}
	muni, cat := q.Get("municipality"), q.Get("category")
	if muni == "" {
		// Per municipality only: a total over several, less one, would give back the
		// counts suppressed in the other.
		return trygg.Errorf(trygg.EINVALID, "municipality", "municipality is missing: demographics are counted per municipality")
	}
	if cat != "" {
		cats, err := s.db.Categories(r.Context())
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(cats, func(c trygg.Category) bool { return c.Code == cat }) {
			return trygg.Errorf(trygg.EINVALID, "category", "unknown category %q (GET /api/v1/categories lists them)", cat)
		}
	}
	st, err := s.db.DemographicsStats(r.Context(), muni, cat)
	if err != nil {
		return err
	}
	var c *string
	if cat != "" {
		c = &cat
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	return writeJSON(w, http.StatusOK, "application/json", map[string]any{
		"municipality": muni, "category": c, "min_count": 5,
		"total": st.Total, "age_band": st.AgeBand, "gender": st.Gender,
	})
}
