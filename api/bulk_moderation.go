package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

type bulkModerationInput struct {
	Action string   `json:"action"`
	Reason string   `json:"reason"`
	IDs    []string `json:"ids"`
	Filter *struct {
		Municipality string    `json:"municipality"`
		Source       string    `json:"source"`
		Category     string    `json:"category"`
		BBox         []float64 `json:"bbox"`
		From         time.Time `json:"from"`
		To           time.Time `json:"to"`
	} `json:"filter"`
}

// handleBulkModeration answers POST /api/v1/moderation/bulk: publish or reject (with a
// reason) many received reports, by ids or by a filter, in one transaction; each report
// is audited as a single decision is.
func (s *Server) handleBulkModeration(w http.ResponseWriter, r *http.Request) error {
	var in bulkModerationInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m := postgis.Moderation{Action: in.Action, Reason: strings.TrimSpace(in.Reason)}
	switch in.Action {
	case "publish":
	case "reject":
		if m.Reason == "" {
			return trygg.Errorf(trygg.EINVALID, "reason", "say why the reports are rejected")
		}
	case "":
		return trygg.Errorf(trygg.EINVALID, "action", "action is missing: publish or reject")
	default:
		return trygg.Errorf(trygg.EINVALID, "action", "action %q is not publish or reject", in.Action)
	}
	if err := trygg.CheckText("reason", m.Reason, 500); err != nil {
		return err
	}
	if (in.Filter == nil) == (len(in.IDs) == 0) {
		return trygg.Errorf(trygg.EINVALID, "ids", "give either ids or a filter")
	}
	var f *postgis.BulkFilter
	if in.Filter != nil {
		b := in.Filter.BBox
		if len(b) != 0 && (len(b) != 4 || b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90 || b[0] >= b[2] || b[1] >= b[3]) {
			return trygg.Errorf(trygg.EINVALID, "filter.bbox", "bbox is west,south,east,north in degrees")
		}
		f = &postgis.BulkFilter{Municipality: in.Filter.Municipality, Source: in.Filter.Source,
			Category: in.Filter.Category, BBox: b, From: in.Filter.From, To: in.Filter.To}
	}
	res, err := s.db.BulkModerate(r.Context(), in.IDs, f, m)
	if err != nil {
		return err
	}
	key := "published"
	if in.Action == "reject" {
		key = "rejected"
	}
	return writeJSON(w, http.StatusOK, "application/json", map[string]any{key: res.Changed, "skipped": res.Skipped})
}
