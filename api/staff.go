package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/auth"
)

// handleAudit answers GET /api/v1/audit for admins and planners: entries touching the
// caller's municipalities, filtered by entity, entity_id, municipality, from and to
// (RFC 3339), newest first, paged with limit and before (an entry id).
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := trygg.AuditFilter{Entity: q.Get("entity"), EntityID: q.Get("entity_id"), Municipality: q.Get("municipality")}
	if f.Municipality != "" && !trygg.CallerFrom(r.Context()).Serves(f.Municipality) {
		return trygg.Errorf(trygg.EFORBIDDEN, "municipality", "you do not serve municipality %q", f.Municipality)
	}
	var err error
	if f.From, err = timeParam(q, "from"); err != nil {
		return err
	}
	if f.To, err = timeParam(q, "to"); err != nil {
		return err
	}
	if f.Limit, err = intParam(q.Get("limit"), "limit", 1, 1000, 100); err != nil {
		return err
	}
	before, err := intParam(q.Get("before"), "before", 1, 1<<62, 0)
	if err != nil {
		return err
	}
	f.BeforeID = int64(before)
	entries, err := s.db.AuditLog(r.Context(), f)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []trygg.AuditEntry{}
	}
	return writeJSON(w, http.StatusOK, "application/json", map[string]any{"entries": entries})
}

func timeParam(q map[string][]string, name string) (time.Time, error) {
	v := ""
	if vs := q[name]; len(vs) > 0 {
		v = vs[0]
	}
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return t, trygg.Errorf(trygg.EINVALID, name, "%s=%q is not an RFC 3339 time such as 2026-01-31T08:00:00Z", name, v)
	}
	return t, nil
}

func intParam(v, name string, lo, hi, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, trygg.Errorf(trygg.EINVALID, name, "%s=%q must be a whole number from %d to %d", name, v, lo, hi)
	}
	return n, nil
}

// handleUsers answers GET /api/v1/users for admins: the users of the admin's own
// organisation.
func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.db.Users(r.Context())
	if err != nil {
		return err
	}
	if users == nil {
		users = []trygg.User{}
	}
	return writeJSON(w, http.StatusOK, "application/json", map[string]any{"users": users})
}

// handleUser answers GET /api/v1/users/{id} for admins.
func (s *Server) handleUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.db.User(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "application/json", u)
}

// handleTokens answers GET /api/v1/tokens for admins.
func (s *Server) handleTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.db.APITokens(r.Context())
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []trygg.APIToken{}
	}
	return writeJSON(w, http.StatusOK, "application/json", map[string]any{"tokens": ts})
}

type newToken struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
}

// handleCreateToken answers POST /api/v1/tokens for admins: a bearer token for a user
// of their own organisation. The token is in this response only.
func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request) error {
	var in newToken
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.UserID == "":
		return trygg.Errorf(trygg.EINVALID, "user_id", "user_id is missing")
	case in.Name == "" || len(in.Name) > 200:
		return trygg.Errorf(trygg.EINVALID, "name", "name must be 1 to 200 characters, e.g. \"QGIS at the planning office\"")
	}
	secret := auth.NewToken(auth.APITokenPrefix)
	t, err := s.db.CreateAPIToken(r.Context(), in.UserID, in.Name, auth.HashToken(secret))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, "application/json", map[string]any{"token": secret, "api_token": t})
}

// handleRevokeToken answers DELETE /api/v1/tokens/{id} for admins.
func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request) error {
	t, err := s.db.RevokeAPIToken(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "application/json", t)
}
