package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"

	"github.com/gorilla/mux"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/importer"
)

// Citizen dialogues (medborgardialoger): the meeting or round of conversations, and the
// places residents named in it, which are moderated like residents' own reports.

type dialogueInput struct {
	Municipality  string `json:"municipality"`
	Title         string `json:"title"`
	HeldOn        string `json:"held_on"`
	Place         string `json:"place"`
	Format        string `json:"format"`
	Conversations *int   `json:"conversations"`
	Notes         string `json:"notes"`
	// The commitments the meeting counts toward once held.
	CommitmentIDs []string `json:"commitment_ids"`
}

// handleCreateDialogue answers POST /api/v1/dialogues: 201 with the dialogue.
func (s *Server) handleCreateDialogue(w http.ResponseWriter, r *http.Request) error {
	var in dialogueInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c := trygg.CallerFrom(r.Context())
	d := trygg.Dialogue{Municipality: in.Municipality, Title: in.Title, Place: in.Place, Format: in.Format, Notes: in.Notes,
		CommitmentIDs: in.CommitmentIDs}
	if d.Municipality == "" && len(c.User.Municipalities) == 1 {
		d.Municipality = c.User.Municipalities[0]
	}
	if in.HeldOn == "" {
		return trygg.Errorf(trygg.EINVALID, "held_on", "held_on is missing: the day of the dialogue, such as 2026-03-14")
	}
	held, err := trygg.ParseDate(in.HeldOn)
	if err != nil {
		return trygg.Errorf(trygg.EINVALID, "held_on", "held_on %q is not a date such as 2026-03-14", in.HeldOn)
	}
	d.HeldOn = held
	if in.Conversations != nil {
		d.Conversations = *in.Conversations
	}
	out, err := s.db.CreateDialogue(r.Context(), d)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/dialogues/"+out.ID)
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, "application/json", out)
}

// handleDialogues answers GET /api/v1/dialogues?municipality=: the dialogues of the
// caller's municipalities, the most recent first.
func (s *Server) handleDialogues(w http.ResponseWriter, r *http.Request) error {
	muni, err := servedMunicipality(r, true)
	if err != nil {
		return err
	}
	ds, err := s.db.Dialogues(r.Context(), muni)
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []trygg.Dialogue{}
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusOK, "application/json", map[string]any{"dialogues": ds})
}

// handleDialogue answers GET /api/v1/dialogues/{id}.
func (s *Server) handleDialogue(w http.ResponseWriter, r *http.Request) error {
	d, err := s.db.Dialogue(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusOK, "application/json", d)
}

// handleDialoguePlaces answers GET /api/v1/dialogues/{id}/places: the places named in
// the dialogue, as staff see them.
func (s *Server) handleDialoguePlaces(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.db.DialoguePlaces(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	return writeStaffReports(w, r, http.StatusOK, rs)
}

// handleAddDialoguePlaces answers POST /api/v1/dialogues/{id}/places: one place (a
// report's JSON or a GeoJSON Feature), a GeoJSON FeatureCollection, or CSV (text/csv:
// lat, lon, kategori/category, känsla/feeling, när/when, text/description and the other
// columns of trygg import reports), each checked as a resident's report and stored all
// or nothing as a received report with source dialogue, waiting for moderation. 201
// with the places; refusals name the feature index or line.
func (s *Server) handleAddDialoguePlaces(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := mux.Vars(r)["id"]
	if _, err := s.db.Dialogue(ctx, id); err != nil {
		return err
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		mt = ""
	}
	var places []trygg.Report
	var where []importer.RecordError // for each place, its line or feature, when read from a file
	switch mt {
	case "text/csv", "application/json", "application/geo+json":
	default:
		return httpError(http.StatusUnsupportedMediaType, "Content-Type",
			"send one place or a FeatureCollection as application/json or application/geo+json, or a list as text/csv")
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	if mt != "text/csv" { // CSV is checked line by line by the importer
		if err := checkUTF8(data); err != nil {
			return err
		}
	}
	var kind struct {
		Type any `json:"type"`
	}
	if mt == "text/csv" || json.Unmarshal(data, &kind) == nil && kind.Type == "FeatureCollection" {
		cats, err := s.db.Categories(ctx)
		if err != nil {
			return err
		}
		checked, errs, err := importer.CheckReports(data, cats, importer.ReportOptions{
			Source: trygg.SourceDialogue, Status: trygg.StatusReceived})
		if err != nil {
			return trygg.Errorf(trygg.EINVALID, "body", "%s", err.Error())
		}
		for _, c := range checked {
			if c.Report.Source != trygg.SourceDialogue {
				errs = append(errs, importer.RecordError{Line: c.Line, Feature: c.Feature, Field: "source",
					Reason: fmt.Sprintf("the places of a dialogue have source dialogue, not %q", c.Report.Source)})
			}
		}
		if len(errs) > 0 {
			slices.SortStableFunc(errs, func(a, b importer.RecordError) int { return a.Line + a.Feature - b.Line - b.Feature })
			return writeRefused(w, r, http.StatusBadRequest, recordRefusals(errs))
		}
		for _, c := range checked {
			places = append(places, c.Report)
			where = append(where, importer.RecordError{Line: c.Line, Feature: c.Feature})
		}
	} else {
		r.Body = io.NopCloser(bytes.NewReader(data))
		rep, _, err := s.readReport(r)
		if err != nil {
			return err
		}
		switch {
		case rep.Contact != nil:
			return trygg.Errorf(trygg.EINVALID, "contact", "the places of a dialogue carry no contact data")
		case rep.Source != trygg.SourceResident && rep.Source != trygg.SourceDialogue:
			return trygg.Errorf(trygg.EINVALID, "source", "the places of a dialogue have source dialogue, not %q", rep.Source)
		}
		rep.Source, rep.Status = trygg.SourceDialogue, trygg.StatusReceived
		places = append(places, rep)
	}
	release := func() {}
	if where != nil { // a list from a file: an import; one place is a cheap write
		if release, err = s.gates.imports.enter(ctx); err != nil {
			return err
		}
	}
	out, rejected, err := s.db.AddDialoguePlaces(ctx, id, places, s.opts.PublicGridM)
	release()
	if err != nil {
		return err
	}
	if len(rejected) > 0 {
		if where == nil {
			return trygg.Errorf(trygg.EUNPROCESSABLE, "location", "%s", rejected[0].Reason)
		}
		errs := make([]importer.RecordError, len(rejected))
		for i, rej := range rejected {
			errs[i] = where[rej.Index]
			errs[i].Field, errs[i].Reason = "location", rej.Reason
			if errs[i].Line == 0 {
				errs[i].Field = "geometry"
			}
		}
		return writeRefused(w, r, http.StatusUnprocessableEntity, recordRefusals(errs))
	}
	ids := make([]string, len(out))
	for i, rep := range out {
		ids[i] = rep.ID
	}
	near, err := s.db.NearBoundary(ctx, ids)
	if err != nil {
		return err
	}
	// The FeatureCollection of the stored places, with a foreign member near_boundary:
	// how many lie outside every boundary, placed in the dialogue's municipality by the
	// boundary tolerance.
	c := trygg.CallerFrom(ctx)
	b, err := featureCollection(len(out), func(b []byte, i int) ([]byte, error) { return appendStaffReport(b, out[i], c) })
	if err != nil {
		return err
	}
	b = append(strconv.AppendInt(append(b[:len(b)-2], `,"near_boundary":`...), int64(near), 10), "}\n"...)
	w.Header().Set("Cache-Control", "private, no-store")
	return writeBytes(w, http.StatusCreated, contentTypeGeoJSON, b)
}
