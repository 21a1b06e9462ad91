package api

import (
	"net/http"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/open311"
	"github.com/trygg-gis/trygg/postgis"
)

// open311Hooks connect package open311 to the server: the resident report path of
// POST /api/v1/reports and the server's error classification.
func (s *Server) open311Hooks() open311.Hooks {
	return open311.Hooks{Submit: s.submitOpen311, Problem: s.open311Problem, BaseURL: s.baseURL}
}

// submitOpen311 stores an Open311 service request as a resident report, through the
// same rate limit, checks and store call as handleSubmitReport. The erasure token is
// made but not returned: Open311 has no place for it.
func (s *Server) submitOpen311(r *http.Request, in open311.Submission) (postgis.Submitted, error) {
	key, err := idempotencyKey(r)
	if err != nil {
		return postgis.Submitted{}, err
	}
	p, err := point([]float64{in.Long, in.Lat}, "location")
	if err != nil {
		return postgis.Submitted{}, err
	}
	if err := inSweden(p, "location", "location", "lat is the latitude (north), long the longitude (east)"); err != nil {
		return postgis.Submitted{}, err
	}
	rep := trygg.Report{Location: p}
	f := reportFields{Category: in.ServiceCode, Feeling: in.Feeling, When: in.When, Description: in.Description}
	if in.Email != "" || in.Phone != "" {
		f.Contact = &trygg.Contact{Email: in.Email, Phone: in.Phone}
	}
	if err := s.checkFields(r, &rep, f); err != nil {
		return postgis.Submitted{}, err
	}
	return s.storeReport(r, rep, key, in.RequestHash)
}

// open311Problem classifies err as the server's problem+json answers do, logging
// internal errors the same way.
func (s *Server) open311Problem(r *http.Request, err error) open311.Problem {
	s.health.failed(err)
	p, internal := problemFor(err, r)
	if internal {
		s.log.ErrorContext(r.Context(), "internal error", "error", err.Error(),
			"request_id", requestID(r.Context()), "path", r.URL.Path)
	}
	return open311.Problem{Status: p.Status, Field: p.Field, Message: p.Detail, RetryAfter: p.retryAfter}
}
