package ogc

import (
	"net/http"
)

// openAPI is the API's OpenAPI 3.0 document: every path, its parameters and responses.
func (h *Handler) openAPI(r *http.Request) map[string]any {
	ref := func(name string) map[string]any { return map[string]any{"$ref": "#/components/parameters/" + name} }
	resp := func(desc string, types ...string) map[string]any {
		content := map[string]any{}
		for _, t := range types {
			content[t] = map[string]any{"schema": map[string]any{"type": "object"}}
		}
		if t := types[0]; t == "text/csv" || t == "text/html" {
			content[t] = map[string]any{"schema": map[string]any{"type": "string"}}
		}
		for _, t := range types {
			if t == "text/html" || t == "text/csv" {
				content[t] = map[string]any{"schema": map[string]any{"type": "string"}}
			}
		}
		return map[string]any{"description": desc, "content": content}
	}
	problem := map[string]any{"description": "problem details (RFC 9457)",
		"content": map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"type": "object"}}}}
	op := func(id, summary string, params []any, ok map[string]any, extra ...string) map[string]any {
		responses := map[string]any{"200": ok, "400": problem}
		for _, code := range extra {
			responses[code] = problem
		}
		return map[string]any{"get": map[string]any{"operationId": id, "summary": summary, "parameters": params, "responses": responses}}
	}
	str := map[string]any{"type": "string"}
	crsEnum := map[string]any{"type": "string", "format": "uri", "enum": []string{CRS84, EPSG3006}, "default": CRS84}
	param := func(name, in, desc string, schema map[string]any, extra map[string]any) map[string]any {
		p := map[string]any{"name": name, "in": in, "description": desc, "required": in == "path", "schema": schema}
		for k, v := range extra {
			p[k] = v
		}
		return p
	}
	fEnum := func(values ...string) map[string]any {
		return map[string]any{"type": "string", "enum": values, "default": "json"}
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "Trygg – OGC API Features", "version": "1.0.0",
			"description": "Trygghetsdata som OGC API – Features (del 1 och del 2, crs)."},
		"servers": []any{map[string]any{"url": h.base(r)}},
		"paths": map[string]any{
			"/": op("getLandingPage", "Startsida", []any{ref("f")},
				resp("startsidan", "application/json", "text/html")),
			"/conformance": op("getConformance", "Överensstämmelseklasser", []any{ref("f")},
				resp("klasserna", "application/json", "text/html")),
			"/api": op("getAPI", "Denna API-beskrivning", []any{},
				resp("OpenAPI 3.0", "application/vnd.oai.openapi+json;version=3.0")),
			"/collections": op("getCollections", "Samlingar", []any{ref("f")},
				resp("samlingarna", "application/json", "text/html")),
			"/collections/{collectionId}": op("describeCollection", "En samling", []any{ref("collectionId"), ref("f")},
				resp("samlingen", "application/json", "text/html"), "404"),
			"/collections/{collectionId}/items": op("getFeatures", "En samlings objekt",
				[]any{ref("collectionId"), ref("fItems"), ref("bbox"), ref("bbox-crs"), ref("datetime"), ref("limit"),
					ref("cursor"), ref("crs"), ref("csv-geometry"), ref("category"), ref("status"), ref("source"), ref("municipality")},
				resp("en sida objekt", "application/geo+json", "text/html", "text/csv"), "404"),
			"/collections/{collectionId}/items/{featureId}": op("getFeature", "Ett objekt",
				[]any{ref("collectionId"), ref("featureId"), ref("fItems"), ref("crs"), ref("csv-geometry")},
				resp("objektet", "application/geo+json", "text/html", "text/csv"), "404"),
		},
		"components": map[string]any{"parameters": map[string]any{
			"f":            param("f", "query", "svarets format", fEnum("json", "html"), map[string]any{"style": "form", "explode": false}),
			"fItems":       param("f", "query", "svarets format", fEnum("json", "html", "csv"), map[string]any{"style": "form", "explode": false}),
			"collectionId": param("collectionId", "path", "samlingens id", str, nil),
			"featureId":    param("featureId", "path", "objektets id", str, nil),
			"bbox": param("bbox", "query", "4 eller 6 tal i bbox-crs axelordning (CRS84: longitud, latitud; EPSG:3006: nordlig, östlig)",
				map[string]any{"type": "array", "minItems": 4, "maxItems": 6, "items": map[string]any{"type": "number"}},
				map[string]any{"style": "form", "explode": false}),
			"bbox-crs": param("bbox-crs", "query", "bbox koordinatsystem", crsEnum, nil),
			"crs":      param("crs", "query", "svarets koordinatsystem", crsEnum, nil),
			"datetime": param("datetime", "query", "tidpunkt eller intervall (a/b, ../b, a/..); ett datum är hela dygnet i svensk tid (Europe/Stockholm)", str, nil),
			"limit": param("limit", "query", "högst så många objekt per sida (större värden begränsas)",
				map[string]any{"type": "integer", "minimum": 1, "maximum": MaxLimit, "default": DefaultLimit}, nil),
			"csv-geometry": param("csv-geometry", "query", "geometrin i CSV: wkt (en WKT-kolumn) eller xy (kolumnerna x och y, "+
				"östlig och nordlig koordinat för punkten eller en punkt på ytan, i crs)",
				map[string]any{"type": "string", "enum": []string{"wkt", "xy"}, "default": "wkt"}, nil),
			"cursor":       param("cursor", "query", "sidans position (från next- och prev-länkarna)", str, nil),
			"category":     param("category", "query", "kategorier, kommaseparerade; en rapport matchar när någon av dess orsaker (categories) finns med", str, nil),
			"status":       param("status", "query", "statusar, kommaseparerade", str, nil),
			"source":       param("source", "query", "källor, kommaseparerade", str, nil),
			"municipality": param("municipality", "query", "kommunkoder (SCB), kommaseparerade", str, nil),
		}},
	}
}

func (h *Handler) api(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, "application/vnd.oai.openapi+json;version=3.0", h.openAPI(r))
}
