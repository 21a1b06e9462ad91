package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/patrol"
	"github.com/trygg-gis/trygg/postgis"
)

// Patrol planning (package patrol): POST /api/v1/patrol-plans plans and saves a shift's
// stops; a plan is read as GeoJSON (default), GPX (?format=gpx or Accept:
// application/gpx+xml) or a printable Swedish page (?format=html, or …/print); officers
// record each stop's visit, which becomes a foot-patrol activity on the plan's
// commitment; GET /api/v1/patrol-dose is the minutes present per week at each place.

type patrolInput struct {
	Municipality string          `json:"municipality"`
	ShiftStart   string          `json:"shift_start"`
	ShiftEnd     string          `json:"shift_end"`
	Stops        *int            `json:"stops"`
	DwellMinutes *int            `json:"dwell_minutes"`
	Start        json.RawMessage `json:"start"`
	Categories   []string        `json:"categories"`
	CommitmentID string          `json:"commitment_id"`
	GapMinutes   *int            `json:"gap_minutes"`
	SpeedKmh     *float64        `json:"speed_kmh"`
	Detour       *float64        `json:"detour"`
	Packed       bool            `json:"packed"`
	Source       string          `json:"source"`
	Seed         *int64          `json:"seed"`
}

// readPatrolParams reads and checks a plan's parameters; each refusal names its field.
func readPatrolParams(r *http.Request) (patrol.Params, error) {
	var p patrol.Params
	var in patrolInput
	if err := decodeJSON(r, &in); err != nil {
		return p, err
	}
	c := trygg.CallerFrom(r.Context())
	p.Municipality = in.Municipality
	if p.Municipality == "" && len(c.User.Municipalities) == 1 {
		p.Municipality = c.User.Municipalities[0]
	}
	if p.Municipality != "" && !c.Serves(p.Municipality) {
		return p, trygg.Errorf(trygg.EFORBIDDEN, "municipality", "you do not serve municipality %q", p.Municipality)
	}
	var err error
	if in.ShiftStart == "" {
		return p, trygg.Errorf(trygg.EINVALID, "shift_start", "shift_start is missing")
	}
	if p.ShiftStart, err = parseRFC3339(in.ShiftStart, "shift_start"); err != nil {
		return p, err
	}
	if in.ShiftEnd == "" {
		return p, trygg.Errorf(trygg.EINVALID, "shift_end", "shift_end is missing")
	}
	if p.ShiftEnd, err = parseRFC3339(in.ShiftEnd, "shift_end"); err != nil {
		return p, err
	}
	// An explicit 0 is out of range, not the default.
	intOr := func(v *int, def int) int {
		if v == nil {
			return def
		}
		return *v
	}
	p.Stops = intOr(in.Stops, patrol.DefaultStops)
	if p.Stops == 0 {
		return p, trygg.Errorf(trygg.EINVALID, "stops", "stops 0 is outside %d–%d", patrol.MinStops, patrol.MaxStops)
	}
	p.DwellMinutes = intOr(in.DwellMinutes, patrol.DefaultDwell)
	if p.DwellMinutes == 0 {
		return p, trygg.Errorf(trygg.EINVALID, "dwell_minutes", "dwell_minutes 0 is outside %d–%d", patrol.MinDwell, patrol.MaxDwell)
	}
	p.GapMinutes = intOr(in.GapMinutes, patrol.DefaultGapMinutes)
	if in.GapMinutes != nil && *in.GapMinutes == 0 {
		p.GapMinutes = -1 // no gap: Normalize must not take 0 for the default
	}
	if in.SpeedKmh != nil {
		p.SpeedKmh = *in.SpeedKmh
		if p.SpeedKmh == 0 {
			return p, trygg.Errorf(trygg.EINVALID, "speed_kmh", "speed_kmh is above 0")
		}
	}
	if in.Detour != nil {
		p.Detour = *in.Detour
		if p.Detour == 0 {
			return p, trygg.Errorf(trygg.EINVALID, "detour", "detour is 1 or more")
		}
	}
	if in.Seed != nil {
		if *in.Seed <= 0 {
			return p, trygg.Errorf(trygg.EINVALID, "seed", "seed is a whole number from 1 to 2^53")
		}
		p.Seed = *in.Seed
	}
	if p.Start, err = readStartPoint(in.Start); err != nil {
		return p, err
	}
	p.Categories, p.CommitmentID, p.Packed, p.Source = in.Categories, in.CommitmentID, in.Packed, in.Source
	if p.CommitmentID != "" && !isUUIDText(p.CommitmentID) {
		return p, trygg.Errorf(trygg.EINVALID, "commitment_id", "no commitment has id %q", p.CommitmentID)
	}
	p.Normalize()
	if p.GapMinutes == -1 {
		p.GapMinutes = 0
	}
	return p, p.Check()
}

func isUUIDText(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}

// readStartPoint reads the start: a GeoJSON Point or a [longitude, latitude] pair.
func readStartPoint(raw json.RawMessage) (orb.Point, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return orb.Point{}, trygg.Errorf(trygg.EINVALID, "start", "start is missing: a GeoJSON Point [longitude, latitude]")
	}
	var pair []float64
	if json.Unmarshal(raw, &pair) == nil {
		if len(pair) != 2 {
			return orb.Point{}, trygg.Errorf(trygg.EINVALID, "start", "start is [longitude, latitude]")
		}
		return orb.Point{pair[0], pair[1]}, nil
	}
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil {
		return orb.Point{}, trygg.Errorf(trygg.EINVALID, "start", "start is not GeoJSON: %v", err)
	}
	pt, ok := g.Geometry().(orb.Point)
	if !ok {
		return orb.Point{}, trygg.Errorf(trygg.EINVALID, "start", "start must be a Point, not %s", g.Type)
	}
	return pt, nil
}

// handleCreatePatrolPlan answers POST /api/v1/patrol-plans: plans and saves a shift's
// stops; 201 with the plan in the format asked for.
func (s *Server) handleCreatePatrolPlan(w http.ResponseWriter, r *http.Request) error {
	p, err := readPatrolParams(r)
	if err != nil {
		return err
	}
	if _, err := s.db.Municipality(r.Context(), p.Municipality); err != nil {
		if trygg.ErrorCode(err) == trygg.ENOTFOUND {
			return trygg.Errorf(trygg.EINVALID, "municipality", "no municipality %q", p.Municipality)
		}
		return err
	}
	plan, err := patrol.Plan(r.Context(), s.db, p, time.Now())
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/patrol-plans/"+plan.ID)
	return s.writePatrolPlan(w, r, *plan, http.StatusCreated, "")
}

// handlePatrolPlan answers GET /api/v1/patrol-plans/{id}.
func (s *Server) handlePatrolPlan(w http.ResponseWriter, r *http.Request) error {
	plan, err := s.db.PatrolPlan(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	return s.writePatrolPlan(w, r, plan, http.StatusOK, "")
}

// handlePatrolPrint answers GET /api/v1/patrol-plans/{id}/print: the printable page.
func (s *Server) handlePatrolPrint(w http.ResponseWriter, r *http.Request) error {
	plan, err := s.db.PatrolPlan(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	return s.writePatrolPlan(w, r, plan, http.StatusOK, "html")
}

func (s *Server) writePatrolPlan(w http.ResponseWriter, r *http.Request, plan postgis.PatrolPlan, status int, format string) error {
	if format == "" {
		format = r.URL.Query().Get("format")
	}
	if format == "" {
		accept := r.Header.Get("Accept")
		switch {
		case strings.Contains(accept, "application/gpx+xml"):
			format = "gpx"
		case strings.Contains(accept, "text/html") && !strings.Contains(accept, "json"):
			format = "html"
		}
	}
	w.Header().Set("Cache-Control", "private, no-store")
	risk, err := s.db.RiskDatesOn(r.Context(), plan.Municipality, plan.ShiftStart, plan.ShiftEnd)
	if err != nil {
		return err
	}
	risk = append([]trygg.CalendarDate{}, risk...) // [] when none
	switch format {
	case "", "geojson", "json":
		b, err := patrolGeoJSON(plan, risk)
		if err != nil {
			return err
		}
		return writeBytes(w, status, contentTypeGeoJSON, b)
	case "gpx":
		b, err := patrolGPX(plan)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="patrull-%s.gpx"`, plan.ID))
		return writeBytes(w, status, "application/gpx+xml", b)
	case "html":
		b, err := s.patrolHTML(r, plan, risk)
		if err != nil {
			return err
		}
		return writeBytes(w, status, "text/html; charset=utf-8", b)
	}
	return trygg.Errorf(trygg.EINVALID, "format", "format %q is not geojson, gpx or html", format)
}

// patrolStopProps are a stop's properties in GeoJSON.
type patrolStopProps struct {
	Kind string `json:"kind"` // stop
	postgis.PatrolStop
	Area *geojson.Geometry `json:"area,omitempty"`
}

// patrolGeoJSON is the plan as a FeatureCollection: a Point feature per stop (the
// hotspot's area in its properties) and the route as a LineString from the start
// through the stops in order.
func patrolGeoJSON(plan postgis.PatrolPlan, risk []trygg.CalendarDate) ([]byte, error) {
	var b []byte
	b = append(b, `{"type":"FeatureCollection","features":[`...)
	var err error
	route := orb.LineString{plan.Start}
	for i, st := range plan.Stops {
		if i > 0 {
			b = append(b, ',')
		}
		props := patrolStopProps{Kind: "stop", PatrolStop: st}
		if len(st.Polygon) > 0 {
			props.Area = geojson.NewGeometry(st.Polygon)
		}
		if b, err = appendFeature(b, plan.ID+":"+strconv.Itoa(st.Seq), st.Point, props); err != nil {
			return nil, err
		}
		route = append(route, st.Point)
	}
	if len(plan.Stops) > 0 {
		if b, err = appendFeature(append(b, ','), plan.ID+":route", route,
			map[string]any{"kind": "route", "length_m": plan.RouteM, "stops": len(plan.Stops)}); err != nil {
			return nil, err
		}
	}
	b = append(b, `],"id":`...)
	b = strconv.AppendQuote(b, plan.ID)
	summary := map[string]any{"stops": len(plan.Stops), "route_m": plan.RouteM}
	if n := len(plan.Stops); n > 0 {
		summary["first_arrival"] = plan.Stops[0].PlannedArrival
		summary["last_departure"] = plan.Stops[n-1].PlannedDeparture
	}
	rest, err := json.Marshal(map[string]any{"municipality": plan.Municipality, "shift_start": plan.ShiftStart,
		"shift_end": plan.ShiftEnd, "start": []float64{plan.Start[0], plan.Start[1]}, "parameters": plan.Params,
		"seed": plan.Seed, "notes": plan.Notes, "commitment_id": plan.CommitmentID, "created_at": plan.CreatedAt,
		"summary": summary, "no_stops": plan.NoStops, "risk_dates": risk})
	if err != nil {
		return nil, err
	}
	b = append(b, ',')
	b = append(b, rest[1:]...)
	return append(b, '\n'), nil
}

// GPX 1.1: the stops as waypoints with their planned arrival, the route from the start
// through them.
type gpxDoc struct {
	XMLName  xml.Name  `xml:"gpx"`
	Version  string    `xml:"version,attr"`
	Creator  string    `xml:"creator,attr"`
	XMLNS    string    `xml:"xmlns,attr"`
	Metadata gpxMeta   `xml:"metadata"`
	Wpts     []gpxWpt  `xml:"wpt"`
	Rte      *gpxRoute `xml:"rte,omitempty"`
}

type gpxMeta struct {
	Name string `xml:"name"`
	Desc string `xml:"desc,omitempty"`
	Time string `xml:"time"`
}

type gpxWpt struct {
	Lat  string `xml:"lat,attr"`
	Lon  string `xml:"lon,attr"`
	Time string `xml:"time,omitempty"`
	Name string `xml:"name"`
	Desc string `xml:"desc,omitempty"`
	Type string `xml:"type,omitempty"`
}

type gpxRoute struct {
	Name   string   `xml:"name"`
	Points []gpxWpt `xml:"rtept"`
}

func gpxPoint(p orb.Point, name string) gpxWpt {
	return gpxWpt{Lat: strconv.FormatFloat(p[1], 'f', 7, 64), Lon: strconv.FormatFloat(p[0], 'f', 7, 64), Name: name}
}

func patrolGPX(plan postgis.PatrolPlan) ([]byte, error) {
	title := "Patrullplan " + plan.ShiftStart.In(stockholm).Format("2006-01-02 15:04") + "–" +
		plan.ShiftEnd.In(stockholm).Format("15:04")
	doc := gpxDoc{Version: "1.1", Creator: "Trygg", XMLNS: "http://www.topografix.com/GPX/1/1",
		Metadata: gpxMeta{Name: title, Desc: strings.Join(plan.Notes, " "), Time: plan.CreatedAt.UTC().Format(time.RFC3339)},
		Rte:      &gpxRoute{Name: title, Points: []gpxWpt{gpxPoint(plan.Start, "Start")}}}
	for _, st := range plan.Stops {
		name := fmt.Sprintf("%d. %s", st.Seq, st.Name)
		wp := gpxPoint(st.Point, name)
		wp.Time = st.PlannedArrival.UTC().Format(time.RFC3339)
		wp.Desc = fmt.Sprintf("Ankomst %s, avgång %s", st.PlannedArrival.In(stockholm).Format("15:04"),
			st.PlannedDeparture.In(stockholm).Format("15:04"))
		wp.Type = "patrol-stop"
		doc.Wpts = append(doc.Wpts, wp)
		doc.Rte.Points = append(doc.Rte.Points, gpxPoint(st.Point, name))
	}
	b, err := xml.MarshalIndent(doc, "", " ")
	if err != nil {
		return nil, err
	}
	return append(append([]byte(xml.Header), b...), '\n'), nil
}

//go:embed patrol.html
var patrolPageHTML string

var patrolTemplate = template.Must(template.New("patrol").Funcs(template.FuncMap{
	"clock": func(t time.Time) string { return t.In(stockholm).Format("15:04") },
	"ptime": func(t *time.Time) string { return swedishTime(t, "15:04") },
	"coord": func(f float64) string { return strconv.FormatFloat(f, 'f', 5, 64) },
	"km":    func(m float64) string { return strconv.FormatFloat(m/1000, 'f', 1, 64) },
	"one":   func(f float64) string { return strconv.FormatFloat(f, 'f', 0, 64) },
	"trend": func(d string) string { return trendSV[d] },
}).Parse(patrolPageHTML))

var trendSV = map[string]string{"up": "ökande", "down": "minskande", "none": "ingen tydlig trend"}

type patrolPage struct {
	Plan         postgis.PatrolPlan
	Municipality string
	Date         string
	Stops        []patrolPageStop
	Printed      string
	RiskDates    []trygg.CalendarDate // the risk dates the shift falls on
}

type patrolPageStop struct {
	postgis.PatrolStop
	Stats patrol.StopStats
	Hours string
}

func (s *Server) patrolHTML(r *http.Request, plan postgis.PatrolPlan, risk []trygg.CalendarDate) ([]byte, error) {
	m, err := s.db.Municipality(r.Context(), plan.Municipality)
	if err != nil {
		return nil, err
	}
	page := patrolPage{Plan: plan, Municipality: m.Name, Date: plan.ShiftStart.In(stockholm).Format("2006-01-02"),
		Printed: time.Now().In(stockholm).Format("2006-01-02 15:04"), RiskDates: risk}
	for _, st := range plan.Stops {
		ps := patrolPageStop{PatrolStop: st}
		_ = json.Unmarshal(st.Hotspot, &ps.Stats) // what the plan saved; missing numbers show as 0
		hours := make([]string, len(ps.Stats.PeakHours))
		for i, h := range ps.Stats.PeakHours {
			hours[i] = fmt.Sprintf("%02d–%02d", h, (h+1)%24)
		}
		ps.Hours = strings.Join(hours, ", ")
		page.Stops = append(page.Stops, ps)
	}
	var b bytes.Buffer
	if err := patrolTemplate.Execute(&b, page); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

type visitInput struct {
	ArrivedAt  string `json:"arrived_at"`
	DepartedAt string `json:"departed_at"`
	Notes      string `json:"notes"`
}

// handlePatrolVisit answers POST /api/v1/patrol-plans/{id}/stops/{seq}/visit: records
// when the patrol arrived at and left the stop, once; the visit becomes a foot-patrol
// activity of the police on the plan's commitment (or on none). 201 with the stop.
func (s *Server) handlePatrolVisit(w http.ResponseWriter, r *http.Request) error {
	var in visitInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	seq, err := strconv.Atoi(mux.Vars(r)["seq"])
	if err != nil {
		return trygg.Errorf(trygg.ENOTFOUND, "seq", "no stop %q", mux.Vars(r)["seq"])
	}
	if in.ArrivedAt == "" {
		return trygg.Errorf(trygg.EINVALID, "arrived_at", "arrived_at is missing")
	}
	arrived, err := parseRFC3339(in.ArrivedAt, "arrived_at")
	if err != nil {
		return err
	}
	if in.DepartedAt == "" {
		return trygg.Errorf(trygg.EINVALID, "departed_at", "departed_at is missing")
	}
	departed, err := parseRFC3339(in.DepartedAt, "departed_at")
	if err != nil {
		return err
	}
	switch {
	case !departed.After(arrived):
		return trygg.Errorf(trygg.EINVALID, "departed_at", "departed_at is not after arrived_at")
	case departed.Sub(arrived) > patrol.MaxShift:
		return trygg.Errorf(trygg.EINVALID, "departed_at", "a stop lasts at most 12 hours")
	case arrived.After(time.Now().Add(5 * time.Minute)):
		return trygg.Errorf(trygg.EINVALID, "arrived_at", "arrived_at is in the future")
	}
	if err := trygg.CheckText("notes", in.Notes, 2000); err != nil {
		return err
	}
	plan, err := s.db.PatrolPlan(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	var stop *postgis.PatrolStop
	for i := range plan.Stops {
		if plan.Stops[i].Seq == seq {
			stop = &plan.Stops[i]
		}
	}
	if stop == nil {
		return trygg.Errorf(trygg.ENOTFOUND, "seq", "the plan has no stop %d", seq)
	}
	if stop.ArrivedAt != nil {
		return trygg.Errorf(trygg.ECONFLICT, "seq", "the visit of stop %d is already recorded", seq)
	}
	// The activity first, then the stop with its id; a stop recorded meanwhile by
	// someone else makes this a conflict (the activity stays, as its own record).
	a := &trygg.Activity{Municipality: plan.Municipality, Kind: trygg.KindFootPatrol, Party: trygg.PartyPolice,
		StartsAt: arrived, DurationMinutes: int((departed.Sub(arrived) + 30*time.Second) / time.Minute),
		Geometry: stop.Point, PlaceID: stop.PlaceID,
		Notes: strings.TrimSpace(fmt.Sprintf("Patrullstopp %d (%s) i patrullplan %s. %s", seq, stop.Name, plan.ID, in.Notes))}
	if len(stop.Polygon) > 0 {
		a.Geometry = stop.Polygon
	}
	if plan.CommitmentID != "" {
		a.CommitmentIDs = []string{plan.CommitmentID}
	}
	if err := s.db.AddActivity(r.Context(), a); err != nil {
		return err
	}
	out, err := s.db.RecordPatrolVisit(r.Context(), plan.ID, seq, arrived, departed, a.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, "application/json", map[string]any{"plan_id": plan.ID, "stop": out,
		"activity": a})
}

// handlePatrolDose answers GET /api/v1/patrol-dose?municipality=&weeks=: each place's
// patrol dose, minutes present per week over the last weeks (default 8, 1–52) from
// recorded visits, with its reports per week beside it, as GeoJSON.
func (s *Server) handlePatrolDose(w http.ResponseWriter, r *http.Request) error {
	muni, err := servedMunicipality(r, false)
	if err != nil {
		return err
	}
	weeks := patrol.DoseWeeks
	if v := r.URL.Query().Get("weeks"); v != "" {
		if weeks, err = strconv.Atoi(v); err != nil || weeks < 1 || weeks > 52 {
			return trygg.Errorf(trygg.EINVALID, "weeks", "weeks=%q is not a whole number from 1 to 52", v)
		}
	}
	ds, err := s.db.PatrolDoses(r.Context(), muni, weeks, time.Now())
	if err != nil {
		return err
	}
	b, err := featureCollection(len(ds), func(b []byte, i int) ([]byte, error) {
		var g orb.Geometry = ds[i].Point
		if len(ds[i].Polygon) > 0 {
			g = ds[i].Polygon
		}
		return appendFeature(b, ds[i].TargetKey, g, ds[i])
	})
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeBytes(w, http.StatusOK, contentTypeGeoJSON, b)
}
