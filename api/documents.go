package api

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/documents"
	"github.com/trygg-gis/trygg/geo"
	"github.com/trygg-gis/trygg/hotspot"
	"github.com/trygg-gis/trygg/postgis"
)

// The lägesbild and the åtgärdsplan (Lag (2023:196)): GET
// /api/v1/municipalities/{code}/lagesbild and …/atgardsplan, for the municipality's
// planners and admins and the police of its area (routes.go gives the roles; the
// caller must serve the municipality, else 404 as for anything it cannot see).

// Map image size of the lägesbild (pixels; 4:3, printed 13.6 cm wide).
const mapWidth, mapHeight = 960, 720

// documentMunicipality is the path's municipality if the caller serves it.
func (s *Server) documentMunicipality(r *http.Request) (documents.Municipality, *trygg.Municipality, error) {
	code := mux.Vars(r)["code"]
	if !trygg.CallerFrom(r.Context()).Serves(code) {
		return documents.Municipality{}, nil, trygg.Errorf(trygg.ENOTFOUND, "code", "no municipality you serve has code %q", code)
	}
	m, err := s.db.Municipality(r.Context(), code)
	if err != nil {
		return documents.Municipality{}, nil, err
	}
	return documents.Municipality{Code: m.Code, Name: m.Name}, m, nil
}

// documentPeriod reads from and to (ÅÅÅÅ-MM-DD, both included); by default the twelve
// months up to today (Swedish time).
func documentPeriod(v url.Values, now time.Time) (postgis.Period, error) {
	p := postgis.Period{To: trygg.Today(now)}
	if s := v.Get("to"); s != "" {
		d, err := dateInput(s, "to")
		if err != nil {
			return p, err
		}
		p.To = *d
	}
	p.From = trygg.Date{Time: p.To.AddDate(-1, 0, 1)}
	if s := v.Get("from"); s != "" {
		d, err := dateInput(s, "from")
		if err != nil {
			return p, err
		}
		p.From = *d
	}
	switch {
	case p.From.After(p.To.Time):
		return p, trygg.Errorf(trygg.EINVALID, "from", "from %s is after to %s", p.From.Format(time.DateOnly), p.To.Format(time.DateOnly))
	case p.Days() > 3660:
		return p, trygg.Errorf(trygg.EINVALID, "from", "a lägesbild spans at most ten years")
	}
	return p, nil
}

// documentFormat is the format parameter, one of allowed ("html" when absent).
func documentFormat(v url.Values, allowed ...string) (string, error) {
	f := v.Get("format")
	if f == "" {
		return "html", nil
	}
	for _, a := range allowed {
		if f == a {
			return f, nil
		}
	}
	return "", trygg.Errorf(trygg.EINVALID, "format", "format %q is not one of %v", f, allowed)
}

// handleLagesbild answers GET /api/v1/municipalities/{code}/lagesbild?from=&to=&format=html|pdf|json.
func (s *Server) handleLagesbild(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	for k := range v {
		if k != "from" && k != "to" && k != "format" {
			return trygg.Errorf(trygg.EINVALID, k, "unknown parameter %q; known: from, to, format", k)
		}
	}
	format, err := documentFormat(v, "html", "pdf", "json")
	if err != nil {
		return err
	}
	now := time.Now()
	period, err := documentPeriod(v, now)
	if err != nil {
		return err
	}
	dm, m, err := s.documentMunicipality(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	counts, err := s.db.LagesbildCounts(ctx, m.Code, period)
	if err != nil {
		return err
	}
	cats, err := s.db.Categories(ctx)
	if err != nil {
		return err
	}
	l := documents.Lagesbild{Municipality: dm, From: period.From, To: period.To, Previous: counts.Previous,
		GeneratedAt: now.UTC().Truncate(time.Second), Reports: counts.Reports, EST: counts.EST,
		PoliceEvents: counts.PoliceEvents, Dialogues: counts.Dialogues, Walks: counts.Walks, Actions: counts.Actions,
		Cameras: counts.Cameras, Labels: documents.NewLabels(cats)}
	if l.Hotspots, err = s.lagesbildHotspots(r, m, period); err != nil {
		return err
	}
	if l.Promise, err = s.lagesbildPromise(r, m.Code); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	name := fmt.Sprintf("lagesbild-%s-%s-%s", m.Code, period.From.Format(time.DateOnly), period.To.Format(time.DateOnly))
	switch format {
	case "json":
		return writeJSON(w, http.StatusOK, "application/json", l)
	case "pdf":
		b, err := documents.LagesbildPDF(l)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.pdf"`)
		return writeBytes(w, http.StatusOK, "application/pdf", b)
	}
	b, err := documents.LagesbildHTML(l)
	if err != nil {
		return err
	}
	return writeBytes(w, http.StatusOK, "text/html; charset=utf-8", b)
}

// lagesbildHotspots runs the hotspot analysis (Gi*, its defaults) of the municipality's
// reports in the period, under the analyses' concurrency limit, names each hot area's
// place and draws the map.
func (s *Server) lagesbildHotspots(r *http.Request, m *trygg.Municipality, p postgis.Period) (documents.Hotspots, error) {
	h := documents.Hotspots{Areas: []documents.HotArea{}}
	q, err := s.hotspotQuery(r, url.Values{"municipality": {m.Code}, "from": {p.From.Format(time.DateOnly)},
		"to": {p.To.Format(time.DateOnly)}})
	if err != nil {
		return h, err
	}
	release, err := s.gates.analyses.enter(r.Context())
	if err != nil {
		return h, err
	}
	defer release()
	res, err := hotspot.Run(r.Context(), s.db, q)
	if err != nil {
		return h, err
	}
	release()
	h.Reports = res.Reports
	var polys []orb.Polygon
	for _, a := range res.Hotspots {
		if len(a.Polygon) > 0 {
			polys = append(polys, a.Polygon)
		}
	}
	labels, err := s.db.PlaceLabels(r.Context(), polys)
	if err != nil {
		return h, err
	}
	i := 0
	for _, a := range res.Hotspots {
		ha := documents.HotArea{Rank: a.Rank, Count: a.Count, Score: a.Score, Confidence: a.Confidence,
			PeakHours: a.PeakHours, PeakDays: a.PeakDays}
		if a.Trend != nil {
			ha.Trend = a.Trend.Direction
		}
		if len(a.Polygon) > 0 {
			ha.Label = labels[i]
			i++
		}
		h.Areas = append(h.Areas, ha)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, geo.MapImage(mapWidth, mapHeight, m.Boundary, polys)); err != nil {
		return h, err
	}
	h.MapPNG = b.Bytes()
	h.Map = "data:image/png;base64," + base64.StdEncoding.EncodeToString(h.MapPNG)
	return h, nil
}

// lagesbildPromise is the municipality's current promise with its follow-up (the
// store's Followup), without the activities themselves; nil when it has none.
func (s *Server) lagesbildPromise(r *http.Request, code string) (*documents.Promise, error) {
	id, err := s.db.CurrentPromise(r.Context(), code)
	if trygg.ErrorCode(err) == trygg.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f, err := s.db.Followup(r.Context(), id, false)
	if err != nil {
		return nil, err
	}
	p := &documents.Promise{Title: f.Promise.Title, PeriodStart: f.Promise.PeriodStart, PeriodEnd: f.Promise.PeriodEnd,
		Status: f.Promise.Status, Published: f.Promise.Published, Commitments: []documents.PromiseCommitment{}}
	for _, c := range f.Commitments {
		p.Commitments = append(p.Commitments, documents.PromiseCommitment{Text: c.Text, Party: c.Party,
			FocusArea: c.FocusArea, ActivityKind: c.ActivityKind, Progress: c.Progress, Activities: len(c.Activities)})
	}
	return p, nil
}

// handleAtgardsplan answers GET /api/v1/municipalities/{code}/atgardsplan?format=html|pdf|csv|json.
func (s *Server) handleAtgardsplan(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	for k := range v {
		if k != "format" {
			return trygg.Errorf(trygg.EINVALID, k, "unknown parameter %q; known: format", k)
		}
	}
	format, err := documentFormat(v, "html", "pdf", "csv", "json")
	if err != nil {
		return err
	}
	dm, m, err := s.documentMunicipality(r)
	if err != nil {
		return err
	}
	now := time.Now()
	today := trygg.Today(now)
	rows, err := s.db.Atgardsplan(r.Context(), m.Code, today)
	if err != nil {
		return err
	}
	cats, err := s.db.Categories(r.Context())
	if err != nil {
		return err
	}
	p := documents.NewAtgardsplan(dm, today, now.UTC().Truncate(time.Second), rows, documents.NewLabels(cats))
	w.Header().Set("Cache-Control", "private, no-store")
	name := fmt.Sprintf("atgardsplan-%s-%s", m.Code, today.Format(time.DateOnly))
	var b []byte
	switch format {
	case "json":
		return writeJSON(w, http.StatusOK, "application/json", p)
	case "pdf":
		if b, err = documents.AtgardsplanPDF(p); err != nil {
			return err
		}
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.pdf"`)
		return writeBytes(w, http.StatusOK, "application/pdf", b)
	case "csv":
		if b, err = documents.AtgardsplanCSV(p); err != nil {
			return err
		}
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		return writeBytes(w, http.StatusOK, "text/csv; charset=utf-8", b)
	}
	if b, err = documents.AtgardsplanHTML(p); err != nil {
		return err
	}
	return writeBytes(w, http.StatusOK, "text/html; charset=utf-8", b)
}
