package api

import (
	"net/http"
)

// handleHealth answers while the process is up.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, "application/json", map[string]string{"status": "ok"})
}

// handleReady answers 200 when the database answers and is fully migrated, else 503.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.Ready(r.Context()); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "application/json", map[string]string{"status": "ready"})
}
