package postgis

import "github.com/trygg-gis/trygg"

// Camera sites in tiles (layer cameras) and as an OGC collection (cameras): the public
// reads the public_camera view (cameras installed or active, the view only where the
// site shows it), staff the table under row-level security. A tile has each camera's
// position (kind camera) and its view (kind view).

// TileCameras is the cameras tile layer.
const TileCameras = "cameras"

// cameraRoles read and write cameras (api/routes.go): the police read.
var cameraRoles = []trygg.Role{trygg.RoleAdmin, trygg.RolePlanner, trygg.RolePolice}

const publicCamerasTileSQL = `WITH f AS (
  SELECT c.position AS geom, c.id::text AS id, 'camera' AS kind, c.name, c.municipality_code AS municipality,
         c.operator_kind, c.operator_name, c.place_type, c.purpose, c.state
  FROM public_camera c
  WHERE ST_Intersects(c.position, ST_Transform(` + envelope + `, 4326))
  UNION ALL
  SELECT c.view, c.id::text, 'view', c.name, c.municipality_code, c.operator_kind, c.operator_name, c.place_type,
         c.purpose, c.state
  FROM public_camera c
  WHERE c.view IS NOT NULL AND ST_Intersects(c.view, ST_Transform(` + envelope + `, 4326))
  LIMIT 5000),
mvt AS (
  SELECT ST_AsMVTGeom(ST_Transform(f.geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom,
         f.id, f.kind, f.name, f.municipality, f.operator_kind, f.operator_name, f.place_type, f.purpose, f.state
  FROM f)
SELECT coalesce(ST_AsMVT(mvt.*, 'cameras', 4096, 'geom'), '') FROM mvt WHERE geom IS NOT NULL`

const staffCamerasTileSQL = `WITH f AS (
  SELECT c.position AS geom, c.id::text AS id, 'camera' AS kind, c.name, c.municipality_code AS municipality,
         c.operator_kind, c.operator_name, c.place_type, c.purpose, c.state, c.indoor, c.audio, c.public_view,
         coalesce(c.regime, '') AS regime
  FROM scoped_camera_site c
  WHERE ST_Intersects(c.position, ST_Transform(` + envelope + `, 4326))
  UNION ALL
  SELECT c.view, c.id::text, 'view', c.name, c.municipality_code, c.operator_kind, c.operator_name, c.place_type,
         c.purpose, c.state, c.indoor, c.audio, c.public_view, coalesce(c.regime, '')
  FROM scoped_camera_site c
  WHERE ST_Intersects(c.view, ST_Transform(` + envelope + `, 4326))
  LIMIT 5000),
mvt AS (
  SELECT ST_AsMVTGeom(ST_Transform(f.geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom,
         f.id, f.kind, f.name, f.municipality, f.operator_kind, f.operator_name, f.place_type, f.purpose, f.state,
         f.indoor, f.audio, f.public_view, f.regime
  FROM f)
SELECT coalesce(ST_AsMVT(mvt.*, 'cameras', 4096, 'geom'), '') FROM mvt WHERE geom IS NOT NULL`

func camerasTileSQL(staff bool) string {
	if staff {
		return staffCamerasTileSQL
	}
	return publicCamerasTileSQL
}

var cameraProps = []featureProp{{"name", "c.name"}, {"municipality", "c.municipality_code"},
	{"operator_kind", "c.operator_kind"}, {"operator_name", "c.operator_name"}, {"place_type", "c.place_type"},
	{"purpose", "c.purpose"}, {"state", "c.state"}, {"indoor", "c.indoor"}, {"audio", "c.audio"},
	{"retention_days", "c.retention_days"}, {"updated_at", "c.updated_at"}}

var cameraFilters = map[string]string{"municipality": "c.municipality_code", "state": "c.state",
	"operator_kind": "c.operator_kind", "place_type": "c.place_type"}

// camerasCollection is the OGC collection cameras: each camera's position.
var camerasCollection = &FeatureCollectionDef{
	ID: "cameras", Title: "Kamerabevakning", TimeField: "updated_at", StaffRoles: cameraRoles,
	Description: "Kameraplatser: var kamerorna finns och vem som bevakar. Allmänheten ser installerade och aktiva " +
		"kameror; inloggad personal ser alla sina kommuners med beslut och regim.",
	Public: &FeatureSource{from: "public_camera c", id: "c.id::text", time: "c.updated_at", geom: "c.position",
		props: cameraProps, filters: cameraFilters},
	Staff: &FeatureSource{from: "scoped_camera_site c", id: "c.id::text", time: "c.updated_at", geom: "c.position",
		props: append(append([]featureProp{}, cameraProps...), featureProp{"public_access", "c.public_access"},
			featureProp{"public_view", "c.public_view"}, featureProp{"height_m", "c.height_m"},
			featureProp{"bearing", "c.bearing"}, featureProp{"fov", "c.fov"}, featureProp{"range_m", "c.range_m"},
			featureProp{"regime", "c.regime"}, featureProp{"decision_on", "c.decision_on"},
			featureProp{"permit_ref", "c.permit_ref"}, featureProp{"permit_expires_on", "c.permit_expires_on"},
			featureProp{"weighing_ref", "c.weighing_ref"}, featureProp{"dpia_ref", "c.dpia_ref"},
			featureProp{"signage_checked_on", "c.signage_checked_on"}, featureProp{"review_on", "c.review_on"},
			featureProp{"operated_from", "c.operated_from"}, featureProp{"operated_until", "c.operated_until"},
			featureProp{"created_at", "c.created_at"}),
		filters: cameraFilters},
}
