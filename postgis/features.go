package postgis

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/trygg-gis/trygg"
)

// Feature collections: the store side of OGC API – Features (package ogc). Each
// collection is a source in SQL: a FROM clause, the feature id, its time (the keyset
// order is time then id), its geometry (SRID 4326) and its properties, built as one
// JSON object per row in SQL. A collection has a public source, a staff source, or
// both; staff sources run in the caller's scoped transaction, so row-level security
// keeps them to the caller's municipalities.

// FeatureSource is how one audience reads a collection.
type FeatureSource struct {
	from  string
	where string // always applied; "" for none
	id    string // text
	time  string // timestamptz
	geom  string // geometry in SRID 4326, may be NULL
	// bbox is the bbox test with {env} for the envelope (SRID 4326), written on indexed
	// columns so their GiST index is used; "" is ST_Intersects(geom, {env}).
	bbox    string
	props   []featureProp
	filters map[string]string // query parameter → text column
}

type featureProp struct{ name, expr string }

// Properties are the names of the source's properties, in order.
func (s *FeatureSource) Properties() []string {
	out := make([]string, len(s.props))
	for i, p := range s.props {
		out[i] = p.name
	}
	return out
}

// numericProps are the properties that are numbers (integer, float or numeric SQL
// types) wherever a collection has them; TestFeatureNumericProperties holds this list to
// the columns' types. CSV keeps their values as they are (package csvout).
var numericProps = map[string]bool{
	"confirmations": true, "i": true, "j": true, "value": true, "count": true, "z": true, "p": true,
	"class": true, "rank": true, "score": true, "seq": true, "duration_minutes": true, "feeling": true,
	"height_m": true, "bearing": true, "fov": true, "range_m": true, "retention_days": true, "police_event_id": true,
	"precision_m": true,
}

// Numeric reports whether the property is a number (not text, time, boolean or JSON).
func (s *FeatureSource) Numeric(name string) bool { return numericProps[name] }

// Filters says whether the source can be filtered by the property param (category,
// status, source, municipality).
func (s *FeatureSource) Filters(param string) bool {
	_, ok := s.filters[param]
	return ok
}

// FeatureCollectionDef is one collection.
type FeatureCollectionDef struct {
	ID          string
	Title       string // Swedish
	Description string // Swedish
	TimeField   string // the property the time is, for datetime
	Public      *FeatureSource
	Staff       *FeatureSource
	StaffRoles  []trygg.Role // roles that read Staff; every staff role when empty
}

// Source returns the source the caller reads, or nil when the collection is not
// theirs to see.
func (c *FeatureCollectionDef) Source(caller *trygg.Caller) *FeatureSource {
	if c.Staff != nil && caller != nil && caller.User.ID != "" &&
		(len(c.StaffRoles) == 0 || caller.Can(c.StaffRoles...)) {
		return c.Staff
	}
	return c.Public
}

var reportProps = []featureProp{
	{"municipality", "r.municipality_code"}, {"category", "r.category"}, {"categories", "r.categories"}, {"feeling", "r.feeling"},
	{"when", "r.times"}, {"description", "r.description"}, {"source", "r.source"},
	{"precision", "r.precision"}, {"status", "r.status"}, {"observed_at", "r.observed_at"},
	{"created_at", "r.created_at"},
}

// A category filter on reports keeps those giving any of its categories among their
// reasons (conditions: an array column is matched by overlap, on its GIN index).
var reportFilters = map[string]string{"category": "r.categories", "status": "r.status",
	"source": "r.source", "municipality": "r.municipality_code"}

// Roles as the API's own endpoints for the objects (api/routes.go).
var (
	walkRoles     = []trygg.Role{trygg.RoleAdmin, trygg.RolePlanner, trygg.RolePolice}
	dialogueRoles = []trygg.Role{trygg.RoleAdmin, trygg.RolePlanner}
	estRoles      = []trygg.Role{trygg.RoleAdmin, trygg.RolePlanner, trygg.RolePolice}
	hotspotRoles  = []trygg.Role{trygg.RoleAdmin, trygg.RolePlanner, trygg.RolePolice}
)

// hotspotCellProps and hotspotProps are the properties of the hotspot analyses'
// collections, as the tiles carry them (postgis/tiles.go).
var (
	hotspotCellProps = []featureProp{{"run", "c.run_id"}, {"municipality", "c.municipality_code"}, {"i", "c.i"}, {"j", "c.j"},
		{"value", "c.value"}, {"count", "c.count"}, {"z", "c.z"}, {"p", "c.p"}, {"class", "c.class"}}
	hotspotProps = []featureProp{{"run", "h.run_id"}, {"municipality", "h.municipality_code"}, {"rank", "h.rank"},
		{"score", "h.score"}, {"z", "h.z"}, {"value", "h.value"}, {"count", "h.count"}, {"pattern", "h.pattern"}}
)

var reportKindFilters = map[string]string{"category": "r.categories", "status": "r.status", "municipality": "r.municipality_code"}

// FeatureCollections are the collections, in the order they are listed.
var FeatureCollections = []*FeatureCollectionDef{
	{
		ID: "municipalities", Title: "Kommuner", Description: "Kommunernas gränser (SCB).", TimeField: "updated_at",
		Public: &FeatureSource{from: "municipality m", id: "m.code", time: "m.updated_at", geom: "m.boundary",
			props:   []featureProp{{"code", "m.code"}, {"name", "m.name"}, {"updated_at", "m.updated_at"}},
			filters: map[string]string{"municipality": "m.code"}},
	},
	{
		ID: "reports", Title: "Rapporter", TimeField: "created_at",
		Description: "Platser där människor känner sig otrygga. Allmänheten ser publicerade rapporter med grövre position; " +
			"inloggad personal ser sina kommuners rapporter i sin helhet.",
		Public: &FeatureSource{from: "public_report r", id: "r.id::text", time: "r.created_at", geom: "r.geom",
			props: append(append([]featureProp{}, reportProps...),
				featureProp{"confirmations", "r.confirmations"}, featureProp{"action_status", "r.action_status"},
				featureProp{"precision_m", "r.precision_m"}),
			filters: reportFilters},
		Staff: &FeatureSource{from: "scoped_report r", where: "r.source <> 'police-event'", id: "r.id::text", time: "r.created_at", geom: "r.geom",
			props: append(append([]featureProp{}, reportProps...),
				featureProp{"public_description", "r.public_description"}, featureProp{"walk_id", "r.walk_id"},
				featureProp{"dialogue_id", "r.dialogue_id"}, featureProp{"est_type", "r.est_type"},
				featureProp{"est_area", "r.est_area"}, featureProp{"updated_at", "r.updated_at"}),
			filters: reportFilters},
	},
	{
		ID: "hexcells", Title: "Hotspotanalysens celler", TimeField: "created_at", StaffRoles: hotspotRoles,
		Description: "Rutnätets celler i varje kommuns senaste hotspotanalys (Getis-Ord Gi*), med klass -3…3 " +
			"(kall- och hotspots med 90, 95 och 99 % konfidens). Allmänheten ser den senaste publika analysen.",
		Public: &FeatureSource{from: "public_hotspot_cell c", id: "c.run_id::text || ':' || c.i || ':' || c.j",
			time: "c.created_at", geom: "c.geom",
			props:   append(append([]featureProp{}, hotspotCellProps...), featureProp{"created_at", "c.created_at"}),
			filters: map[string]string{"municipality": "c.municipality_code"}},
		Staff: &FeatureSource{from: "hotspot_cell c JOIN hotspot_run r ON r.id = c.run_id", where: "c.run_id IN " + latestRuns,
			id: "c.run_id::text || ':' || c.i || ':' || c.j", time: "r.created_at", geom: "c.geom",
			props:   append(append([]featureProp{}, hotspotCellProps...), featureProp{"created_at", "r.created_at"}),
			filters: map[string]string{"municipality": "c.municipality_code"}},
	},
	{
		ID: "hotspots", Title: "Hotspots", TimeField: "created_at", StaffRoles: hotspotRoles,
		Description: "Hotspots i varje kommuns senaste hotspotanalys: sammanhängande heta celler som ett område, rangordnade efter viktade rapporter i området. Allmänheten ser den senaste publika analysen.",
		Public: &FeatureSource{from: "public_hotspot h", id: "h.id::text", time: "h.created_at", geom: "h.geom",
			props:   append(append([]featureProp{}, hotspotProps...), featureProp{"created_at", "h.created_at"}),
			filters: map[string]string{"municipality": "h.municipality_code"}},
		Staff: &FeatureSource{from: "hotspot h JOIN hotspot_run r ON r.id = h.run_id", where: "h.run_id IN " + latestRuns,
			id: "h.id::text", time: "r.created_at", geom: "h.geom",
			props: append(append([]featureProp{}, hotspotProps...), featureProp{"stats", "h.stats"},
				featureProp{"created_at", "r.created_at"}),
			filters: map[string]string{"municipality": "h.municipality_code"}},
	},
	{
		ID: "walks", Title: "Trygghetsvandringar", Description: "Trygghetsvandringar med sina rutter (personal).",
		TimeField: "starts_at", StaffRoles: walkRoles,
		Staff: &FeatureSource{from: "scoped_walk w", id: "w.id::text", time: "coalesce(w.starts_at, w.created_at)",
			// The route's bbox is the same with or without its M: the filter is on the
			// column, so walk_route_gix serves it.
			geom: "ST_Force2D(w.route)", bbox: "ST_Intersects(w.route, {env})",
			props: []featureProp{{"title", "w.title"}, {"municipality", "w.municipality_code"}, {"status", "w.status"},
				{"starts_at", "w.starts_at"}, {"ends_at", "w.ends_at"}, {"dark", "w.dark"},
				{"organisers", "w.organisers"}, {"participants", "w.participants"}, {"notes", "w.notes"}},
			filters: map[string]string{"status": "w.status", "municipality": "w.municipality_code"}},
	},
	{
		ID: "actions", Title: "Åtgärder", TimeField: "created_at", StaffRoles: walkRoles,
		Description: "Åtgärder med ägare och tidsgräns; geometrin är observationens plats eller vandringens rutt (personal).",
		Staff: &FeatureSource{
			from: "scoped_action a LEFT JOIN scoped_report r ON r.id = a.report_id LEFT JOIN scoped_walk w ON w.id = a.walk_id",
			id:   "a.id::text", time: "a.created_at", geom: "coalesce(r.geom, ST_Force2D(w.route))",
			// The geometry's test, one indexed column at a time (report_geom_gix and
			// walk_route_gix): the observation's place, or the route when there is none.
			bbox: "(a.report_id IN (SELECT bx.id FROM scoped_report bx WHERE ST_Intersects(bx.geom, {env})) OR " +
				"(r.geom IS NULL AND a.walk_id IN (SELECT bw.id FROM scoped_walk bw WHERE ST_Intersects(bw.route, {env}))))",
			props: []featureProp{{"description", "a.description"}, {"municipality", "a.municipality_code"},
				{"status", "a.status"}, {"report_id", "a.report_id"}, {"walk_id", "a.walk_id"},
				{"owner_org", "a.owner_org"}, {"owner_text", "a.owner_text"}, {"due_on", "a.due_on"},
				{"feedback", "a.feedback"}, {"created_at", "a.created_at"}},
			filters: map[string]string{"status": "a.status", "municipality": "a.municipality_code"}},
	},
	{
		ID: "observations", Title: "Observationer", TimeField: "observed_at", StaffRoles: walkRoles,
		Description: "Observationer från trygghetsvandringar (personal).",
		Staff: &FeatureSource{from: "scoped_report r", where: "r.source = 'walk'", id: "r.id::text",
			time: "coalesce(r.observed_at, r.created_at)", geom: "r.geom",
			props: []featureProp{{"walk_id", "r.walk_id"}, {"municipality", "r.municipality_code"},
				{"category", "r.category"}, {"categories", "r.categories"}, {"feeling", "r.feeling"}, {"when", "r.times"},
				{"description", "r.description"}, {"precision", "r.precision"}, {"status", "r.status"},
				{"observed_at", "r.observed_at"}, {"created_at", "r.created_at"}},
			filters: reportKindFilters},
	},
	{
		ID: "dialogue-places", Title: "Platser från medborgardialoger", TimeField: "created_at", StaffRoles: dialogueRoles,
		Description: "Platser som nämnts i medborgardialoger, även de som inte publicerats (personal).",
		Staff: &FeatureSource{from: "scoped_report r", where: "r.source = 'dialogue'", id: "r.id::text",
			time: "r.created_at", geom: "r.geom",
			props: []featureProp{{"dialogue_id", "r.dialogue_id"}, {"municipality", "r.municipality_code"},
				{"category", "r.category"}, {"categories", "r.categories"}, {"feeling", "r.feeling"}, {"when", "r.times"},
				{"description", "r.description"}, {"precision", "r.precision"}, {"status", "r.status"},
				{"created_at", "r.created_at"}},
			filters: reportKindFilters},
	},
	{
		ID: "est-incidents", Title: "EST-händelser", TimeField: "occurred_at", StaffRoles: estRoles,
		Description: "Händelser rapporterade med EST (Effektiv samordning för trygghet) (personal).",
		Staff: &FeatureSource{from: "scoped_report r", where: "r.source = 'est'", id: "r.id::text",
			time: "coalesce(r.observed_at, r.created_at)", geom: "r.geom",
			props: []featureProp{{"municipality", "r.municipality_code"}, {"est_type", "r.est_type"},
				{"est_area", "r.est_area"}, {"category", "r.category"}, {"categories", "r.categories"}, {"description", "r.description"},
				{"reported_by_org", "r.reported_by_org"}, {"precision", "r.precision"}, {"status", "r.status"},
				{"occurred_at", "r.observed_at"}, {"created_at", "r.created_at"}},
			filters: reportKindFilters},
	},
	{
		ID: "police-events", Title: "Polisens händelser", TimeField: "observed_at",
		Description: "Polisens publicerade händelser, med områdesprecision (personal).",
		Staff: &FeatureSource{from: "scoped_report r", where: "r.source = 'police-event'", id: "r.id::text",
			time: "coalesce(r.observed_at, r.created_at)", geom: "r.geom",
			props: []featureProp{{"municipality", "r.municipality_code"}, {"category", "r.category"},
				{"police_event_id", "r.police_event_id"}, {"police_event_type", "r.police_event_type"},
				{"description", "r.description"}, {"precision", "r.precision"}, {"observed_at", "r.observed_at"}},
			filters: map[string]string{"category": "r.category", "municipality": "r.municipality_code"}},
	},
	{
		ID: "patrol-targets", Title: "Patrullmål", TimeField: "planned_arrival", StaffRoles: hotspotRoles,
		Description: "Stoppen i patrullplaneringens planer: hotspotens område, planerad och genomförd ankomst och avgång (personal).",
		Staff: &FeatureSource{from: "patrol_stop s", id: "s.plan_id::text || ':' || s.seq", time: "s.planned_arrival",
			geom: "coalesce(s.geom, s.pt)", bbox: "(ST_Intersects(s.pt, {env}) OR ST_Intersects(s.geom, {env}))",
			props: []featureProp{{"plan_id", "s.plan_id"}, {"seq", "s.seq"}, {"municipality", "s.municipality_code"},
				{"target", "s.target_key"}, {"name", "s.name"}, {"place_id", "s.place_id"},
				{"planned_arrival", "s.planned_arrival"}, {"planned_departure", "s.planned_departure"},
				{"arrived_at", "s.arrived_at"}, {"departed_at", "s.departed_at"}, {"activity_id", "s.activity_id"}},
			filters: map[string]string{"municipality": "s.municipality_code"}},
	},
	{
		ID: "places", Title: "Platser", TimeField: "created_at", StaffRoles: hotspotRoles,
		Description: "Namngivna platser, ofta sparade från en hotspot, som åtaganden och patruller hänvisar till (personal).",
		Staff: &FeatureSource{from: "place p", id: "p.id::text", time: "p.created_at", geom: "p.geom",
			props: []featureProp{{"name", "p.name"}, {"municipality", "p.municipality_code"},
				{"hotspot_id", "p.hotspot_id"}, {"created_at", "p.created_at"}},
			filters: map[string]string{"municipality": "p.municipality_code"}},
	},
	{
		ID: "activities", Title: "Aktiviteter", TimeField: "starts_at",
		Description: "Aktiviteter för medborgarlöftenas åtaganden: patruller, kontroller, skolbesök, vandringar (personal).",
		Staff: &FeatureSource{from: "activity a", id: "a.id::text", time: "a.starts_at", geom: "a.geom",
			props: []featureProp{{"municipality", "a.municipality_code"}, {"kind", "a.kind"}, {"party", "a.party"},
				{"starts_at", "a.starts_at"}, {"duration_minutes", "a.duration_minutes"}, {"place_id", "a.place_id"},
				{"notes", "a.notes"},
				{"commitment_ids", "ARRAY(SELECT ac.commitment_id FROM activity_commitment ac WHERE ac.activity_id = a.id ORDER BY 1)"},
				{"created_at", "a.created_at"}},
			filters: map[string]string{"municipality": "a.municipality_code", "kind": "a.kind", "party": "a.party"}},
	},
	{
		ID: "promise-places", Title: "Medborgarlöftenas platser", TimeField: "created_at",
		Description: "Platser som medborgarlöftenas åtaganden avser. Allmänheten ser publicerade löftens platser; " +
			"inloggad personal ser alla sina kommuners.",
		Public: &FeatureSource{from: "public_promise_place pp", id: "pp.id::text", time: "pp.created_at", geom: "pp.geom",
			props: []featureProp{{"name", "pp.name"}, {"municipality", "pp.municipality_code"}, {"promise_id", "pp.promise_id"},
				{"commitment_id", "pp.commitment_id"}, {"promise_title", "pp.promise_title"}, {"focus_area", "pp.focus_area"},
				{"activity_kind", "pp.activity_kind"}, {"created_at", "pp.created_at"}},
			filters: map[string]string{"municipality": "pp.municipality_code"}},
		Staff: &FeatureSource{
			from: "commitment_place cp JOIN commitment c ON c.id = cp.commitment_id JOIN promise p ON p.id = c.promise_id " +
				"LEFT JOIN place pl ON pl.id = cp.place_id",
			id: "cp.id::text", time: "cp.created_at", geom: "coalesce(cp.geom, pl.geom)",
			// One indexed column at a time: the place's own geometry, or the named place's.
			bbox: "(ST_Intersects(cp.geom, {env}) OR cp.place_id IN (SELECT bp.id FROM place bp WHERE ST_Intersects(bp.geom, {env})))",
			props: []featureProp{{"name", "coalesce(nullif(cp.name, ''), pl.name, '')"}, {"municipality", "cp.municipality_code"},
				{"promise_id", "c.promise_id"}, {"commitment_id", "cp.commitment_id"}, {"promise_title", "p.title"},
				{"focus_area", "c.focus_area"}, {"activity_kind", "c.activity_kind"}, {"place_id", "cp.place_id"},
				{"published", "p.published"}, {"created_at", "cp.created_at"}},
			filters: map[string]string{"municipality": "cp.municipality_code"}},
	},
	camerasCollection, // postgis/cameras_tiles.go
}

// FeatureCollection returns the collection with the id, or nil.
func FeatureCollection(id string) *FeatureCollectionDef {
	for _, c := range FeatureCollections {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// FeatureKey is a feature's place in the keyset order.
type FeatureKey struct {
	Time time.Time
	ID   string
}

// FeatureQuery selects features.
type FeatureQuery struct {
	ID        string      // one feature; the other fields but SRID are ignored
	BBox      *[4]float64 // minx, miny, maxx, maxy in BBoxSRID (x east, y north)
	BBoxSRID  int         // 4326 or 3006
	From, To  *time.Time  // the time is within [From, To]; nil is open
	Filters   map[string][]string
	After     *FeatureKey // features after this key (a next page)
	Before    *FeatureKey // features before this key (a previous page), still returned in order
	Limit     int
	SRID      int  // output: 4326 (default) or 3006
	NorthEast bool // output in northing, easting order (EPSG:3006's axis order)
	XY        bool // FeatureRow.X and Y instead of WKB: a point's coordinates, or its point on surface
	Count     bool // count the matches (without After/Before), up to MaxCount
}

// MaxCount is the most FeatureQuery.Count counts; beyond, the count is unknown (-1).
const MaxCount = 100_000

// FeatureRow is one feature as read: its id, time, geometry as WKB (nil for none) and
// properties as a JSON object. Its slices are valid only during the callback. With
// FeatureQuery.XY, WKB is nil and X, Y are the coordinates of the geometry's point (its
// own, or its point on surface) in easting, northing order (HasXY false without one).
type FeatureRow struct {
	ID    string
	Time  time.Time
	WKB   []byte
	Props []byte
	X, Y  float64
	HasXY bool
}

// FeaturePage says what surrounds a page of features.
type FeaturePage struct {
	Matched     int64 // -1 when not counted or more than MaxCount
	Returned    int
	First, Last FeatureKey
	MoreBefore  bool // features exist before First
	MoreAfter   bool // features exist after Last
	TimeStamp   time.Time
}

// Features streams the features of src that q selects to each, in keyset order, as
// PostgreSQL returns them: nothing is collected. An error from each stops the read
// and is returned as is. With q.ID set, a missing feature is ENOTFOUND. each runs
// while a pool connection is held: it must not wait on a client (encode into memory,
// write after Features returns).
func (db *DB) Features(ctx context.Context, src *FeatureSource, q FeatureQuery, each func(FeatureRow) error) (FeaturePage, error) {
	page := FeaturePage{Matched: -1}
	err := db.inTx(ctx, "read features", func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT now()`).Scan(&page.TimeStamp); err != nil {
			return wrap(err, "read features")
		}
		where, args := src.conditions(q)
		if q.Count && q.ID == "" {
			var n int64
			if err := tx.QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM (SELECT 1 FROM %s%s LIMIT %d) s`,
				src.from, where, MaxCount+1), args...).Scan(&n); err != nil {
				return wrap(err, "count features")
			}
			if n <= MaxCount {
				page.Matched = n
			}
		}

		geom := src.geom
		if q.SRID == 3006 {
			geom = "ST_Transform(" + geom + ", 3006)"
		}
		cols := "ST_AsBinary(" + geom + ") AS fwkb, NULL::float8 AS fx, NULL::float8 AS fy"
		if q.XY {
			// A point is its own point on surface; a line's lies on the line, a polygon's inside it.
			cols = "NULL::bytea AS fwkb, ST_X(fpt) AS fx, ST_Y(fpt) AS fy"
		} else if q.SRID == 3006 && q.NorthEast {
			cols = "ST_AsBinary(ST_FlipCoordinates(" + geom + ")) AS fwkb, NULL::float8 AS fx, NULL::float8 AS fy"
		}
		from := src.from
		if q.XY {
			from += " CROSS JOIN LATERAL (SELECT ST_PointOnSurface(" + geom + ") AS fpt) fxy"
		}
		sel := fmt.Sprintf(`SELECT %s AS fid, %s AS ftime, %s, %s::text FROM %s`,
			src.id, src.time, cols, src.propsJSON(), from)
		kw, kargs := where, args
		order := "ftime, fid"
		switch {
		case q.ID != "":
			kargs = []any{q.ID}
			kw = " WHERE " + src.id + " = $1"
			if src.where != "" {
				kw += " AND " + src.where
			}
		case q.After != nil:
			kw, kargs = keyCondition(src, where, args, ">", *q.After)
		case q.Before != nil:
			kw, kargs = keyCondition(src, where, args, "<", *q.Before)
			order = "ftime DESC, fid DESC"
		}
		query := sel + kw + " ORDER BY " + order
		if q.ID == "" {
			query += fmt.Sprintf(" LIMIT %d", q.Limit)
		}
		if q.Before != nil && q.ID == "" {
			query = "SELECT * FROM (" + query + ") p ORDER BY ftime, fid"
		}
		rows, err := tx.Query(ctx, query, kargs...)
		if err != nil {
			return wrap(err, "read features")
		}
		defer rows.Close()
		var row FeatureRow
		var x, y pgtype.Float8
		for rows.Next() {
			if err := rows.Scan(&row.ID, &row.Time, &row.WKB, &x, &y, &row.Props); err != nil {
				return wrap(err, "read feature")
			}
			row.X, row.Y, row.HasXY = x.Float64, y.Float64, x.Valid && y.Valid
			if page.Returned == 0 {
				page.First = FeatureKey{row.Time, row.ID}
			}
			page.Last = FeatureKey{row.Time, row.ID}
			page.Returned++
			if err := each(row); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return wrap(err, "read features")
		}
		rows.Close()
		if q.ID != "" {
			if page.Returned == 0 {
				return trygg.Errorf(trygg.ENOTFOUND, "featureId", "no feature has id %q", q.ID)
			}
			return nil
		}
		if page.Returned == 0 {
			// An empty page past either end: the other side is where features are.
			switch {
			case q.After != nil:
				page.MoreBefore, page.First = true, *q.After
			case q.Before != nil:
				page.MoreAfter, page.Last = true, *q.Before
			}
			return nil
		}
		exists := func(op string, k FeatureKey) (bool, error) {
			w, a := keyCondition(src, where, args, op, k)
			var b bool
			err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+src.from+w+")", a...).Scan(&b)
			return b, wrap(err, "read features")
		}
		if page.MoreBefore, err = exists("<", page.First); err != nil {
			return err
		}
		page.MoreAfter, err = exists(">", page.Last)
		return err
	})
	return page, err
}

func (s *FeatureSource) propsJSON() string {
	var b strings.Builder
	b.WriteString("json_build_object(")
	for i, p := range s.props {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "'%s', %s", p.name, p.expr)
	}
	b.WriteString(")")
	return b.String()
}

// conditions returns the WHERE clause (with its leading " WHERE ", or "") and its
// arguments for everything in q but the keyset position.
func (s *FeatureSource) conditions(q FeatureQuery) (string, []any) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if s.where != "" {
		where = append(where, s.where)
	}
	if q.BBox != nil {
		srid := q.BBoxSRID
		if srid == 0 {
			srid = 4326
		}
		env := fmt.Sprintf("ST_MakeEnvelope(%s, %s, %s, %s, %d)", arg(q.BBox[0]), arg(q.BBox[1]), arg(q.BBox[2]), arg(q.BBox[3]), srid)
		if srid != 4326 {
			// The envelope is transformed, never the column, so the GiST index is used.
			env = "ST_Transform(ST_Segmentize(" + env + ", 1000), 4326)"
		}
		cond := s.bbox
		if cond == "" {
			cond = "ST_Intersects(" + s.geom + ", {env})"
		}
		where = append(where, strings.ReplaceAll(cond, "{env}", env))
	}
	if q.From != nil {
		where = append(where, s.time+" >= "+arg(*q.From))
	}
	if q.To != nil {
		where = append(where, s.time+" <= "+arg(*q.To))
	}
	for _, name := range []string{"category", "status", "source", "municipality"} {
		if vals := q.Filters[name]; len(vals) > 0 {
			if col := s.filters[name]; strings.HasSuffix(col, ".categories") {
				where = append(where, col+" && "+arg(vals)+"::text[]")
			} else {
				where = append(where, col+" = ANY("+arg(vals)+")")
			}
		}
	}
	if len(where) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

func keyCondition(s *FeatureSource, where string, args []any, op string, k FeatureKey) (string, []any) {
	a := append(append([]any{}, args...), k.Time, k.ID)
	cond := fmt.Sprintf("(%s, %s) %s ($%d::timestamptz, $%d::text)", s.time, s.id, op, len(a)-1, len(a))
	if where == "" {
		return " WHERE " + cond, a
	}
	return where + " AND " + cond, a
}
