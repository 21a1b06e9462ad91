package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	"github.com/trygg-gis/trygg"
)

// The risk-date calendar: Swedish public holidays and risk dates (risktillfällen) of a
// year in a municipality, with its own windows of skolavslutning, studentdagar and
// påsklov. Public, no personal data; the municipality's admins and planners set its
// windows.

type calendarAnswer struct {
	Municipality string               `json:"municipality"`
	Year         int                  `json:"year"`
	LeadDays     int                  `json:"lead_days"` // a campaign counts for a risk date this many days before it
	Dates        []trygg.CalendarDate `json:"dates"`
}

func readYear(v string) (int, error) {
	if v == "" {
		return 0, trygg.Errorf(trygg.EINVALID, "year", "year is missing (such as 2026)")
	}
	y, err := strconv.Atoi(v)
	if err != nil || len(v) != 4 || strings.TrimLeft(v, "0123456789") != "" {
		return 0, trygg.Errorf(trygg.EINVALID, "year", "year %q is not a year such as 2026", v)
	}
	return y, trygg.CheckCalendarYear("year", y)
}

// handleCalendar answers GET /api/v1/calendar?municipality=CODE&year=YYYY.
func (s *Server) handleCalendar(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	code := q.Get("municipality")
	if !trygg.ValidMunicipalityCode(code) {
		return trygg.Errorf(trygg.EINVALID, "municipality", "municipality %q is not four digits (SCB code, e.g. 1470)", code)
	}
	year, err := readYear(q.Get("year"))
	if err != nil {
		return err
	}
	dates, err := s.db.Calendar(r.Context(), code, year)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	return writeJSON(w, http.StatusOK, "application/json", calendarAnswer{code, year, trygg.RiskLeadDays, dates})
}

// handleSetRiskDates answers PUT /api/v1/municipalities/{code}/risk-dates/{year} with
// {"dates": [{"key": "skolavslutning", "from": "2026-06-10", "to": "2026-06-10"}, …]}:
// the municipality's own windows for the year (keys not given take the defaults).
func (s *Server) handleSetRiskDates(w http.ResponseWriter, r *http.Request) error {
	code := mux.Vars(r)["code"]
	if !trygg.ValidMunicipalityCode(code) {
		return trygg.Errorf(trygg.EINVALID, "code", "municipality code %q is not four digits (SCB code, e.g. 1470)", code)
	}
	year, err := readYear(mux.Vars(r)["year"])
	if err != nil {
		return err
	}
	var in struct {
		Dates []trygg.LocalDate `json:"dates"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Dates == nil {
		return trygg.Errorf(trygg.EINVALID, "dates", "dates is missing ([] for the defaults)")
	}
	dates, err := s.db.SetLocalRiskDates(r.Context(), code, year, in.Dates)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusOK, "application/json", calendarAnswer{code, year, trygg.RiskLeadDays, dates})
}
