package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/gorilla/mux"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

// Corrections of the work a follow-up counts: PATCH and DELETE of activities, PATCH of
// dialogues and commitments. Each PATCH changes the fields it sends and refuses any
// other (400 naming it).

// commitmentIDsInput reads commitment_ids: an array of ids (null is none).
func commitmentIDsInput(raw json.RawMessage) ([]string, error) {
	var ids []string
	if err := json.Unmarshal(raw, &ids); err != nil {
		return nil, trygg.Errorf(trygg.EINVALID, "commitment_ids", "commitment_ids is an array of commitment ids")
	}
	if ids == nil {
		ids = []string{}
	}
	return checkCommitmentIDs(ids)
}

// patchFields decodes a PATCH body into its members, sorted by name so the same input
// names the same field first.
func patchFields(r *http.Request) (map[string]json.RawMessage, []string, error) {
	var in map[string]json.RawMessage
	if err := decodeJSON(r, &in); err != nil {
		return nil, nil, err
	}
	if in == nil {
		return nil, nil, trygg.Errorf(trygg.EINVALID, "body", "send an object with the fields to change")
	}
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return in, keys, nil
}

func stringField(raw json.RawMessage, k string) (*string, error) {
	var v *string
	if err := json.Unmarshal(raw, &v); err != nil || v == nil {
		return nil, trygg.Errorf(trygg.EINVALID, k, "%s must be a string", k)
	}
	return v, nil
}

// dayField reads a member that must be a day (ÅÅÅÅ-MM-DD).
func dayField(raw json.RawMessage, k string) (trygg.Date, error) {
	v, err := stringField(raw, k)
	if err != nil {
		return trygg.Date{}, err
	}
	return parseDay(*v, k)
}

func intField(raw json.RawMessage, k string) (*int, error) {
	var v *int
	if err := json.Unmarshal(raw, &v); err != nil || v == nil {
		return nil, trygg.Errorf(trygg.EINVALID, k, "%s must be a whole number", k)
	}
	return v, nil
}

func unknownField(k string) error {
	return httpError(http.StatusBadRequest, k, fmt.Sprintf("unknown field %q", k))
}

// handleUpdateActivity answers PATCH /api/v1/activities/{id}: kind, party, starts_at
// (RFC 3339) or date (a day, keeping the time of day in Swedish time),
// duration_minutes, count, notes, geometry (null: none), place_id (null: none),
// commitment_ids.
func (s *Server) handleUpdateActivity(w http.ResponseWriter, r *http.Request) error {
	in, keys, err := patchFields(r)
	if err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	var u postgis.ActivityUpdate
	for _, k := range keys {
		raw := in[k]
		switch k {
		case "kind", "party", "notes":
			v, err := stringField(raw, k)
			if err != nil {
				return err
			}
			*map[string]**string{"kind": &u.Kind, "party": &u.Party, "notes": &u.Notes}[k] = v
		case "starts_at":
			v, err := stringField(raw, k)
			if err != nil {
				return err
			}
			t, err := parseRFC3339(*v, k)
			if err != nil {
				return err
			}
			u.StartsAt = &t
		case "date":
			d, err := dayField(raw, k)
			if err != nil {
				return err
			}
			if _, ok := in["starts_at"]; ok {
				return trygg.Errorf(trygg.EINVALID, "date", "send starts_at or date, not both")
			}
			before, err := s.db.Activity(r.Context(), id)
			if err != nil {
				return err
			}
			at := before.StartsAt.In(trygg.SwedishTime)
			t := time.Date(d.Year(), d.Month(), d.Day(), at.Hour(), at.Minute(), at.Second(), 0, trygg.SwedishTime)
			u.StartsAt = &t
		case "duration_minutes":
			if u.DurationMinutes, err = intField(raw, k); err != nil {
				return err
			}
		case "count":
			if u.Count, err = intField(raw, k); err != nil {
				return err
			}
		case "geometry":
			u.SetGeometry = true
			if u.Geometry, err = readPlaceGeometry(raw, k); err != nil {
				return err
			}
		case "place_id":
			var v *string
			if err := json.Unmarshal(raw, &v); err != nil {
				return trygg.Errorf(trygg.EINVALID, k, "place_id is a place's id or null")
			}
			if v == nil {
				v = new(string)
			}
			u.PlaceID = v
		case "commitment_ids":
			ids, err := commitmentIDsInput(raw)
			if err != nil {
				return err
			}
			u.CommitmentIDs = &ids
		default:
			return unknownField(k)
		}
	}
	a, err := s.db.UpdateActivity(r.Context(), id, u)
	if err != nil {
		return err
	}
	b, err := appendActivity(nil, a)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeBytes(w, http.StatusOK, contentTypeGeoJSON, append(b, '\n'))
}

// handleDeleteActivity answers DELETE /api/v1/activities/{id}: 204.
func (s *Server) handleDeleteActivity(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.DeleteActivity(r.Context(), mux.Vars(r)["id"]); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleUpdateDialogue answers PATCH /api/v1/dialogues/{id}: title, held_on, place,
// format, conversations, notes, commitment_ids.
func (s *Server) handleUpdateDialogue(w http.ResponseWriter, r *http.Request) error {
	in, keys, err := patchFields(r)
	if err != nil {
		return err
	}
	var u postgis.DialogueUpdate
	for _, k := range keys {
		raw := in[k]
		switch k {
		case "title", "place", "format", "notes":
			v, err := stringField(raw, k)
			if err != nil {
				return err
			}
			*map[string]**string{"title": &u.Title, "place": &u.Place, "format": &u.Format, "notes": &u.Notes}[k] = v
		case "held_on":
			d, err := dayField(raw, k)
			if err != nil {
				return err
			}
			u.HeldOn = &d
		case "conversations":
			if u.Conversations, err = intField(raw, k); err != nil {
				return err
			}
		case "commitment_ids":
			ids, err := commitmentIDsInput(raw)
			if err != nil {
				return err
			}
			u.CommitmentIDs = &ids
		default:
			return unknownField(k)
		}
	}
	d, err := s.db.UpdateDialogue(r.Context(), mux.Vars(r)["id"], u)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, "application/json", d)
}

// handleUpdateCommitment answers PATCH /api/v1/commitments/{id}: text, activity_kind,
// target (a count, or null for done / not done), places (each a geometry, a place_id
// or a gazetteer_id, with a name; the list replaces them all), done, done_reason.
func (s *Server) handleUpdateCommitment(w http.ResponseWriter, r *http.Request) error {
	in, keys, err := patchFields(r)
	if err != nil {
		return err
	}
	var u postgis.CommitmentUpdate
	for _, k := range keys {
		raw := in[k]
		switch k {
		case "text", "activity_kind", "done_reason":
			v, err := stringField(raw, k)
			if err != nil {
				return err
			}
			*map[string]**string{"text": &u.Text, "activity_kind": &u.ActivityKind, "done_reason": &u.DoneReason}[k] = v
		case "target":
			u.SetTarget = true
			if err := json.Unmarshal(raw, &u.Target); err != nil {
				return trygg.Errorf(trygg.EINVALID, k, "target is a count from 1 to 100000, or null for done / not done")
			}
		case "done":
			var v *bool
			if err := json.Unmarshal(raw, &v); err != nil || v == nil {
				return trygg.Errorf(trygg.EINVALID, k, "done is true or false")
			}
			u.Done = v
		case "places":
			var ps []commitmentPlaceInput
			if err := strictJSON(raw, &ps); err != nil {
				return withFieldPrefix(err, "places.")
			}
			places := []trygg.CommitmentPlace{}
			for i, p := range ps {
				f := fmt.Sprintf("places[%d]", i)
				g, err := readPlaceGeometry(p.Geometry, f+".geometry")
				if err != nil {
					return err
				}
				places = append(places, trygg.CommitmentPlace{Name: p.Name, PlaceID: p.PlaceID, GazetteerID: p.GazetteerID, Geometry: g})
			}
			u.Places = &places
		default:
			return unknownField(k)
		}
	}
	if len(keys) == 0 {
		return trygg.Errorf(trygg.EINVALID, "body", "send the fields to change: text, activity_kind, target, places, done, done_reason")
	}
	c, err := s.db.UpdateCommitment(r.Context(), mux.Vars(r)["id"], u)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusOK, "application/json", outCommitment(c))
}
