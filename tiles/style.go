package tiles

import (
	"encoding/json"
	"math"
	"net/http"
	"strings"

	"github.com/gorilla/mux"
	"github.com/trygg-gis/trygg/postgis"
)

// fields are each layer's properties and their types, for TileJSON's vector_layers.
var fields = map[string]map[string]string{
	postgis.TileMunicipalities: {"code": "String", "name": "String"},
	postgis.TileReports: {"id": "String", "municipality": "String", "category": "String",
		"categories": "String (every reason, comma-separated, the main one first)", "feeling": "Number",
		"when": "String", "source": "String", "precision": "String", "precision_m": "Number (public, snapped)", "status": "String", "created_at": "String",
		"count": "Number (clusters)", "cluster": "Boolean (clusters)"},
	postgis.TileWalks:        {"id": "String", "title": "String", "municipality": "String", "status": "String", "starts_at": "String"},
	postgis.TilePoliceEvents: {"municipality": "String", "name": "String", "count": "Number"},
	postgis.TileHexcells: {"i": "Number", "j": "Number", "value": "Number", "count": "Number", "z": "Number",
		"p": "Number", "class": "Number (-3 … 3)", "run": "String"},
	postgis.TileHotspots: {"id": "String", "kind": "String (hotspot, place)", "rank": "Number", "score": "Number",
		"z": "Number", "count": "Number", "pattern": "String", "name": "String (places, staff)"},
	postgis.TileActivities: {"id": "String", "municipality": "String", "kind": "String", "party": "String",
		"starts_at": "String", "duration_minutes": "Number"},
	postgis.TilePromisePlaces: {"id": "String", "name": "String", "municipality": "String", "promise_id": "String",
		"commitment_id": "String", "focus_area": "String", "activity_kind": "String", "promise_title": "String"},
	postgis.TilePatrolTargets: {"plan": "String", "seq": "Number", "target": "String", "name": "String",
		"municipality": "String", "planned_arrival": "String", "planned_departure": "String", "visited": "Boolean"},
	postgis.TileCameras: {"id": "String", "kind": "String (camera, view)", "name": "String", "municipality": "String",
		"operator_kind": "String", "operator_name": "String", "place_type": "String", "purpose": "String", "state": "String",
		"indoor": "Boolean (staff)", "audio": "Boolean (staff)", "public_view": "Boolean (staff)", "regime": "String (staff)"},
}

// staffFields are the report properties only staff tiles carry.
var staffFields = map[string]string{"description": "String", "public_description": "String",
	"observed_at": "String", "walk_id": "String"}

var descriptions = map[string]string{
	postgis.TileMunicipalities: "Kommunernas gränser.",
	postgis.TileReports:        "Rapporter; under klusterzoomen kluster med antal och vanligaste kategori.",
	postgis.TileWalks:          "Trygghetsvandringarnas rutter (personal).",
	postgis.TilePoliceEvents:   "Antal polishändelser per kommun (personal).",
	postgis.TileHexcells:       "Celler i kommunernas senaste hotspotanalys med Gi*-klass (-3 kallt … 3 hett, 99 %).",
	postgis.TileHotspots:       "Hotspots i kommunernas senaste hotspotanalys; för personal även namngivna platser.",
	postgis.TileActivities:     "Aktiviteter för medborgarlöftenas åtaganden (personal).",
	postgis.TilePromisePlaces:  "Platser som medborgarlöftenas åtaganden avser; allmänheten ser publicerade löftens.",
	postgis.TilePatrolTargets:  "Patrullplanernas stopp: hotspotens område med planerad tid (personal).",
	postgis.TileCameras:        "Kameraplatser och, där det visas, deras bevakade område; allmänheten ser installerade och aktiva.",
}

// hexcellColors are the Gi* classes' fill colours, as ArcGIS' Hot Spot Analysis
// draws them: hot spots with 99, 95 and 90 % confidence in reds, cold spots in blues,
// not significant not drawn.
var hexcellColors = []any{"match", []any{"to-number", []any{"get", "class"}},
	3, "#b2182b", 2, "#e34a33", 1, "#fdae91",
	-1, "#a6c8e0", -2, "#4a90c2", -3, "#2166ac",
	"#f0f0f0"}

func (h *Handler) base(r *http.Request) string {
	if h.hooks.BaseURL != nil {
		return h.hooks.BaseURL(r)
	}
	scheme := "http"
	if r.TLS != nil || h.opts.HTTPS {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

type vectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description"`
	Fields      map[string]string `json:"fields"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
}

// tileJSON answers GET /tiles/{layer}.json: TileJSON 3.0.0 for a layer or All, with
// the request's filter passed on to the tiles' URL.
func (h *Handler) tileJSON(w http.ResponseWriter, r *http.Request) error {
	name := mux.Vars(r)["layer"]
	layers, staff, err := visible(r, name)
	if err != nil {
		return err
	}
	if _, err := parseFilter(r.Context(), h.db, r.URL.Query()); err != nil {
		return err
	}
	snap, err := h.versions.current(r.Context())
	if err != nil {
		return err
	}
	bounds := []float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, b := range snap.bounds {
		bounds[0], bounds[1] = min(bounds[0], b.Min[0]+boundsPad), min(bounds[1], b.Min[1]+boundsPad)
		bounds[2], bounds[3] = max(bounds[2], b.Max[0]-boundsPad), max(bounds[3], b.Max[1]-boundsPad)
	}
	if len(snap.bounds) == 0 {
		bounds = []float64{-180, -85.0511, 180, 85.0511}
	}
	url := h.base(r) + "/tiles/" + name + "/{z}/{x}/{y}.mvt"
	if q := r.URL.RawQuery; q != "" {
		url += "?" + q
	}
	var vls []vectorLayer
	for _, l := range layers {
		f := map[string]string{}
		for k, v := range fields[l] {
			f[k] = v
		}
		if l == postgis.TileReports && staff[l] {
			for k, v := range staffFields {
				f[k] = v
			}
		}
		vls = append(vls, vectorLayer{ID: l, Description: descriptions[l], Fields: f, MinZoom: 0, MaxZoom: MaxZoom})
	}
	doc := map[string]any{
		"tilejson": "3.0.0", "name": "trygg " + name, "scheme": "xyz", "tiles": []string{url},
		"vector_layers": vls, "bounds": bounds, "minzoom": 0, "maxzoom": MaxZoom,
		"center":      []float64{(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, 8},
		"attribution": "Trygg; kommungränser © SCB",
	}
	return writeJSON(w, r, doc)
}

func writeJSON(w http.ResponseWriter, r *http.Request, doc any) error {
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	if !strings.HasPrefix(viewKey(r), "staff") {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Cache-Control", "public, max-age=60")
	} else {
		w.Header().Set("Cache-Control", "private, max-age=0")
	}
	_, err = w.Write(b)
	return err
}

// style answers GET /styles/trygg.json: a MapLibre style (version 8) drawing the
// layers of the All tiles, over the self-hosted basemap when one is configured
// (Options.Basemap: its source, glyphs and layers, every URL on the server's own).
func (h *Handler) style(w http.ResponseWriter, r *http.Request) error {
	src := "trygg"
	count := []any{"coalesce", []any{"get", "count"}, 1}
	doc := map[string]any{
		"version": 8,
		"name":    "Trygg",
		"sources": map[string]any{
			src: map[string]any{"type": "vector", "url": h.base(r) + "/tiles/all.json"},
		},
		"layers": []any{
			map[string]any{"id": "background", "type": "background", "paint": map[string]any{"background-color": "#f4f1ea"}},
			map[string]any{"id": "hexcells", "type": "fill", "source": src, "source-layer": postgis.TileHexcells,
				"paint": map[string]any{"fill-color": hexcellColors,
					"fill-opacity":       []any{"case", []any{"==", []any{"to-number", []any{"get", "class"}}, 0}, 0, 0.6},
					"fill-outline-color": "rgba(0, 0, 0, 0)"}},
			map[string]any{"id": "municipalities", "type": "line", "source": src, "source-layer": postgis.TileMunicipalities,
				"paint": map[string]any{"line-color": "#6b6b6b", "line-width": 1.2}},
			map[string]any{"id": "walks", "type": "line", "source": src, "source-layer": postgis.TileWalks,
				"layout": map[string]any{"line-cap": "round", "line-join": "round"},
				"paint":  map[string]any{"line-color": "#2b6cb0", "line-width": 3}},
			map[string]any{"id": "hotspots", "type": "line", "source": src, "source-layer": postgis.TileHotspots,
				"filter": []any{"!=", []any{"get", "kind"}, "place"},
				"paint":  map[string]any{"line-color": "#7f0000", "line-width": 2, "line-dasharray": []any{2, 1}}},
			map[string]any{"id": "places", "type": "line", "source": src, "source-layer": postgis.TileHotspots,
				"filter": []any{"==", []any{"get", "kind"}, "place"},
				"paint":  map[string]any{"line-color": "#5f3dc4", "line-width": 2.5}},
			map[string]any{"id": "patrol-targets", "type": "line", "source": src, "source-layer": postgis.TilePatrolTargets,
				"paint": map[string]any{"line-color": []any{"case", []any{"==", []any{"get", "visited"}, true}, "#2f9e44", "#1864ab"},
					"line-width": 2.5, "line-dasharray": []any{1, 1}}},
			map[string]any{"id": "promise-places-fill", "type": "fill", "source": src, "source-layer": postgis.TilePromisePlaces,
				"filter": []any{"==", []any{"geometry-type"}, "Polygon"},
				"paint":  map[string]any{"fill-color": "#2f9e44", "fill-opacity": 0.15}},
			map[string]any{"id": "promise-places-line", "type": "line", "source": src, "source-layer": postgis.TilePromisePlaces,
				"filter": []any{"!=", []any{"geometry-type"}, "Point"},
				"paint":  map[string]any{"line-color": "#2f9e44", "line-width": 2}},
			map[string]any{"id": "promise-places-point", "type": "circle", "source": src, "source-layer": postgis.TilePromisePlaces,
				"filter": []any{"==", []any{"geometry-type"}, "Point"},
				"paint": map[string]any{"circle-color": "#2f9e44", "circle-radius": 6,
					"circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5}},
			map[string]any{"id": "activities-line", "type": "line", "source": src, "source-layer": postgis.TileActivities,
				"filter": []any{"!=", []any{"geometry-type"}, "Point"},
				"paint":  map[string]any{"line-color": "#0b7285", "line-width": 2, "line-dasharray": []any{1, 1}}},
			map[string]any{"id": "activities", "type": "circle", "source": src, "source-layer": postgis.TileActivities,
				"filter": []any{"==", []any{"geometry-type"}, "Point"},
				"paint": map[string]any{"circle-color": "#0b7285", "circle-radius": 4,
					"circle-stroke-color": "#ffffff", "circle-stroke-width": 1}},
			map[string]any{"id": "report-clusters", "type": "circle", "source": src, "source-layer": postgis.TileReports,
				"filter": []any{"==", []any{"get", "cluster"}, true},
				"paint": map[string]any{
					"circle-color":        "#d9480f",
					"circle-opacity":      0.8,
					"circle-radius":       []any{"interpolate", []any{"linear"}, count, 1, 6, 10, 10, 100, 18, 1000, 28},
					"circle-stroke-color": "#ffffff", "circle-stroke-width": 1,
				}},
			// No text layers here: without a basemap the style has no glyphs, so it draws
			// offline without a font server; a cluster's size shows its count (and the
			// app's popup the number). With the basemap's glyphs a count label is added.
			map[string]any{"id": "reports", "type": "circle", "source": src, "source-layer": postgis.TileReports,
				"filter": []any{"!", []any{"has", "cluster"}},
				"paint": map[string]any{"circle-color": "#e8590c", "circle-radius": 5,
					"circle-stroke-color": "#ffffff", "circle-stroke-width": 1}},
			map[string]any{"id": "police-events", "type": "circle", "source": src, "source-layer": postgis.TilePoliceEvents,
				"paint": map[string]any{"circle-color": "#1c3d7a", "circle-opacity": 0.7,
					"circle-radius": []any{"interpolate", []any{"linear"}, count, 1, 8, 100, 20, 1000, 32}}},
			map[string]any{"id": "camera-views", "type": "fill", "source": src, "source-layer": postgis.TileCameras,
				"filter": []any{"==", []any{"get", "kind"}, "view"},
				"paint":  map[string]any{"fill-color": "#495057", "fill-opacity": 0.15, "fill-outline-color": "#343a40"}},
			map[string]any{"id": "cameras", "type": "circle", "source": src, "source-layer": postgis.TileCameras,
				"filter": []any{"==", []any{"get", "kind"}, "camera"},
				"paint": map[string]any{"circle-color": "#212529", "circle-radius": 4,
					"circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5}},
		},
	}
	if h.opts.Basemap != nil {
		base := h.base(r)
		doc["sources"].(map[string]any)["basemap"] = map[string]any{"type": "vector", "url": base + "/basemap.json"}
		doc["glyphs"] = base + "/fonts/{fontstack}/{range}.pbf"
		own := doc["layers"].([]any)[1:] // the basemap has its own background
		if font := basemapFont(h.opts.Basemap); font != nil {
			// With glyphs, a cluster shows its count above its circle, in the basemap's font.
			for i, l := range own {
				if l.(map[string]any)["id"] == "report-clusters" {
					label := map[string]any{"id": "report-cluster-count", "type": "symbol", "source": src,
						"source-layer": postgis.TileReports,
						"filter":       []any{"all", []any{"==", []any{"get", "cluster"}, true}, []any{">", count, 1}},
						"layout": map[string]any{"text-field": []any{"to-string", []any{"get", "count"}}, "text-font": font,
							"text-size": 12, "text-allow-overlap": true, "text-ignore-placement": true},
						"paint": map[string]any{"text-color": "#ffffff", "text-halo-color": "#7a2a06", "text-halo-width": 1}}
					own = append(own[:i+1:i+1], append([]any{label}, own[i+1:]...)...)
					break
				}
			}
		}
		doc["layers"] = append(append([]any{}, h.opts.Basemap...), own...)
	}
	return writeJSON(w, r, doc)
}

// basemapFont is the text-font of the basemap's first label layer (the font the server
// ships glyphs for), or nil when it has none.
func basemapFont(layers []any) any {
	for _, l := range layers {
		if m, ok := l.(map[string]any); ok {
			if layout, ok := m["layout"].(map[string]any); ok && layout["text-font"] != nil {
				return layout["text-font"]
			}
		}
	}
	return nil
}
