-- Gazetteer, place labels and boundary tolerance (issue 17).
--
-- gazetteer: public place names (addresses, streets, stops, places and the
-- municipalities themselves) for search and for naming where a report is. It is
-- public data (OpenStreetMap, Västtrafik, SCB), so it has no row-level security:
-- trygg_app may read it, and only the owner (imports, the demo) writes it.
--
-- place_label(g) names a report's place from the gazetteer: "vid <stop or place>"
-- within 150 m, else the nearest street within 100 m, else "nära <stop or place>"
-- within 1 km, else NULL. A trigger fills report.place_label on every insert path. The
-- label is computed from the private position but names only a stop, place or street,
-- which is coarser than the public 50 m cell.
--
-- report_municipality(g) keeps its answer for points inside a boundary and accepts a
-- point up to trygg.boundary_tolerance_m metres (SWEREF 99 TM; the server sets it on
-- every connection, default 1000) outside every boundary for the nearest municipality:
-- SCB's generalised boundaries cut the coast (Varberg's Torget is 345 m outside).

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Swedish order for names (å, ä, ö after z).
CREATE COLLATION IF NOT EXISTS trygg_sv (provider = icu, locale = 'sv-SE');

-- gazetteer_search_text is the text search matches: the name and the locality, lower
-- case, spaces collapsed; å, ä and ö are kept (they are letters of their own).
CREATE FUNCTION gazetteer_search_text(p_name text, p_locality text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT btrim(regexp_replace(lower(p_name || ' ' || coalesce(p_locality, '')), '\s+', ' ', 'g'))
$$;

CREATE TABLE gazetteer (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind              text NOT NULL CHECK (kind IN ('address', 'street', 'stop', 'place', 'municipality')),
    name              text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    street            text CHECK (length(street) <= 200),
    housenumber       text CHECK (length(housenumber) <= 20),
    postcode          text CHECK (length(postcode) <= 10),
    locality          text CHECK (length(locality) <= 100),
    municipality_code text NOT NULL REFERENCES municipality (code) ON DELETE CASCADE,
    -- geom is the entry's representative point; shape is what distances are measured
    -- to in metres: the point, or a street's lines.
    geom              geometry(Point, 4326) NOT NULL,
    shape             geometry(Geometry, 3006) NOT NULL CHECK (GeometryType(shape) IN ('POINT', 'LINESTRING', 'MULTILINESTRING')),
    source            text NOT NULL CHECK (source ~ '^[a-z0-9-]+$'),
    source_id         text NOT NULL,
    search            text NOT NULL GENERATED ALWAYS AS (gazetteer_search_text(name, locality)) STORED,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, source_id)
);
CREATE INDEX gazetteer_search_trgm ON gazetteer USING gin (search gin_trgm_ops);
CREATE INDEX gazetteer_geom_gix ON gazetteer USING gist (geom);
-- place_label's nearest-neighbour scans, one index per step: stops and places, streets
-- (addresses, the most numerous, are never labels).
CREATE INDEX gazetteer_place_shape_gix ON gazetteer USING gist (shape) WHERE kind IN ('stop', 'place');
CREATE INDEX gazetteer_street_shape_gix ON gazetteer USING gist (shape) WHERE kind = 'street';
CREATE INDEX gazetteer_municipality_idx ON gazetteer (municipality_code, kind);
GRANT SELECT ON gazetteer TO trygg_app;

-- Municipalities are gazetteer entries too (source scb), kept in step by a trigger on
-- every write of municipality.
-- +goose StatementBegin
CREATE FUNCTION gazetteer_municipality_sync() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO gazetteer (kind, name, municipality_code, geom, shape, source, source_id)
    SELECT 'municipality', n.name, n.code, p.p, ST_Transform(p.p, 3006), 'scb', n.code
    FROM new_rows n CROSS JOIN LATERAL (SELECT ST_PointOnSurface(n.boundary) AS p) p
    ON CONFLICT (source, source_id) DO UPDATE
        SET name = EXCLUDED.name, geom = EXCLUDED.geom, shape = EXCLUDED.shape, updated_at = now()
        WHERE (gazetteer.name, gazetteer.geom) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.geom);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER gazetteer_municipality_insert AFTER INSERT ON municipality
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION gazetteer_municipality_sync();
CREATE TRIGGER gazetteer_municipality_update AFTER UPDATE ON municipality
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION gazetteer_municipality_sync();
INSERT INTO gazetteer (kind, name, municipality_code, geom, shape, source, source_id)
SELECT 'municipality', m.name, m.code, ST_PointOnSurface(m.boundary), ST_Transform(ST_PointOnSurface(m.boundary), 3006), 'scb', m.code
FROM municipality m;

-- place_label names the place of g (a point, or a polygon's point on surface) from the
-- gazetteer, or NULL; each step is a nearest-neighbour search on its partial index
-- (gazetteer_place_shape_gix, gazetteer_street_shape_gix).
CREATE FUNCTION place_label(g geometry) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = public, pg_temp AS $$
    WITH p AS (SELECT ST_Transform(ST_PointOnSurface(g), 3006) AS p)
    SELECT coalesce(
        (SELECT 'vid ' || z.name FROM gazetteer z, p
         WHERE z.kind IN ('stop', 'place') AND ST_DWithin(z.shape, p.p, 150)
         ORDER BY z.shape <-> p.p, z.id LIMIT 1),
        (SELECT z.name FROM gazetteer z, p
         WHERE z.kind = 'street' AND ST_DWithin(z.shape, p.p, 100)
         ORDER BY z.shape <-> p.p, z.id LIMIT 1),
        (SELECT 'nära ' || z.name FROM gazetteer z, p
         WHERE z.kind IN ('stop', 'place') AND ST_DWithin(z.shape, p.p, 1000)
         ORDER BY z.shape <-> p.p, z.id LIMIT 1))
$$;

ALTER TABLE report ADD COLUMN place_label text CHECK (length(place_label) <= 210);

-- report_place_label_set fills place_label when an insert leaves it NULL, and again
-- when the position moves and the label is not set with it. Police events are placed
-- at their area's centroid: no label names a place for them.
-- +goose StatementBegin
CREATE FUNCTION report_place_label_set() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.source = 'police-event' THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' AND NEW.place_label IS NULL
       OR TG_OP = 'UPDATE' AND NOT NEW.geom ~= OLD.geom AND NEW.place_label IS NOT DISTINCT FROM OLD.place_label THEN
        NEW.place_label := place_label(NEW.geom);
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER report_place_label BEFORE INSERT OR UPDATE OF geom ON report
    FOR EACH ROW EXECUTE FUNCTION report_place_label_set();

-- boundary_tolerance_m is the session's trygg.boundary_tolerance_m (metres), 1000 when
-- it is not set; 0 accepts no point outside the boundaries.
CREATE FUNCTION boundary_tolerance_m() RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT greatest(coalesce(nullif(current_setting('trygg.boundary_tolerance_m', true), '')::double precision, 1000), 0)
$$;

-- report_municipality (last defined in 00003) is the municipality whose boundary covers
-- a report's place (a polygon's point on surface); else, within boundary_tolerance_m()
-- metres of SWEREF 99 TM, the nearest one; else NULL. The prefilter is ST_DWithin in
-- degrees on the boundary's index, with a radius at least the tolerance in longitude.
CREATE OR REPLACE FUNCTION report_municipality(g geometry) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = public, pg_temp AS $$
    WITH p AS (SELECT ST_PointOnSurface(g) AS p, boundary_tolerance_m() AS tol)
    SELECT coalesce(
        (SELECT m.code FROM municipality m, p WHERE ST_Covers(m.boundary, p.p) ORDER BY m.code LIMIT 1),
        (SELECT m.code FROM municipality m, p
         WHERE p.tol > 0
           AND ST_DWithin(m.boundary, p.p, p.tol / (111000 * greatest(cos(radians(least(abs(ST_Y(p.p)), 89))), 0.01)))
           AND ST_DWithin(ST_Transform(m.boundary, 3006), ST_Transform(p.p, 3006), p.tol)
         ORDER BY ST_Distance(ST_Transform(m.boundary, 3006), ST_Transform(p.p, 3006)), m.code LIMIT 1))
$$;

-- report_outside_boundary: whether g lies outside the boundary of municipality p_code
-- (placed there by the tolerance), for the imports' summaries.
CREATE FUNCTION report_outside_boundary(g geometry, p_code text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = public, pg_temp AS $$
    SELECT NOT EXISTS (SELECT 1 FROM municipality m WHERE m.code = p_code AND ST_Covers(m.boundary, ST_PointOnSurface(g)))
$$;

-- The public view, last defined in 00018, with the place label.
CREATE OR REPLACE VIEW public_report AS
SELECT r.id, r.municipality_code, r.public_geom AS geom, r.category, r.feeling, r.times,
       CASE WHEN report_staff_sourced(r.source) THEN ''::text ELSE r.public_description END AS description,
       r.source,
       CASE WHEN r.precision = 'area' THEN 'area' WHEN r.public_grid_m IS NOT NULL THEN 'snapped' ELSE r.precision END AS precision,
       r.status, r.public_observed_at AS observed_at, r.public_created_at AS created_at,
       CASE WHEN report_staff_sourced(r.source) THEN date_bin('1 hour', r.updated_at, timestamptz '2000-01-01 00:00+00')
            ELSE r.updated_at END AS updated_at,
       coalesce(cc.n, 0)::bigint AS confirmations,
       (SELECT a.status FROM action a WHERE a.report_id = r.id ORDER BY a.updated_at DESC, a.id LIMIT 1) AS action_status,
       (SELECT a.feedback FROM action a WHERE a.report_id = r.id ORDER BY a.updated_at DESC, a.id LIMIT 1) AS action_feedback,
       r.public_pt AS pt,
       r.public_xy AS xy,
       CASE WHEN r.precision <> 'area' THEN r.public_grid_m END AS precision_m,
       r.place_label
FROM report r
LEFT JOIN report_confirmation_count cc ON cc.report_id = r.id
WHERE r.status IN ('published', 'resolved') AND r.source <> 'police-event';

-- report_for_reporter (00003) with the place label, for the reporter's status page.
DROP FUNCTION report_for_reporter(uuid, bytea);
CREATE FUNCTION report_for_reporter(p_id uuid, p_erasure_hash bytea)
RETURNS TABLE (id uuid, municipality_code text, status text, created_at timestamptz, updated_at timestamptz, place_label text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.id, r.municipality_code, r.status, r.created_at, r.updated_at, r.place_label FROM report r
    WHERE r.id = p_id AND r.erasure_hash = p_erasure_hash
$$;
REVOKE ALL ON FUNCTION report_for_reporter(uuid, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_for_reporter(uuid, bytea) TO trygg_app;

-- +goose Down
DROP FUNCTION report_for_reporter(uuid, bytea);
CREATE FUNCTION report_for_reporter(p_id uuid, p_erasure_hash bytea)
RETURNS TABLE (id uuid, municipality_code text, status text, created_at timestamptz, updated_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.id, r.municipality_code, r.status, r.created_at, r.updated_at FROM report r
    WHERE r.id = p_id AND r.erasure_hash = p_erasure_hash
$$;
REVOKE ALL ON FUNCTION report_for_reporter(uuid, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_for_reporter(uuid, bytea) TO trygg_app;
DROP VIEW public_report;
CREATE VIEW public_report AS
SELECT r.id, r.municipality_code, r.public_geom AS geom, r.category, r.feeling, r.times,
       CASE WHEN report_staff_sourced(r.source) THEN ''::text ELSE r.public_description END AS description,
       r.source,
       CASE WHEN r.precision = 'area' THEN 'area' WHEN r.public_grid_m IS NOT NULL THEN 'snapped' ELSE r.precision END AS precision,
       r.status, r.public_observed_at AS observed_at, r.public_created_at AS created_at,
       CASE WHEN report_staff_sourced(r.source) THEN date_bin('1 hour', r.updated_at, timestamptz '2000-01-01 00:00+00')
            ELSE r.updated_at END AS updated_at,
       coalesce(cc.n, 0)::bigint AS confirmations,
       (SELECT a.status FROM action a WHERE a.report_id = r.id ORDER BY a.updated_at DESC, a.id LIMIT 1) AS action_status,
       (SELECT a.feedback FROM action a WHERE a.report_id = r.id ORDER BY a.updated_at DESC, a.id LIMIT 1) AS action_feedback,
       r.public_pt AS pt,
       r.public_xy AS xy,
       CASE WHEN r.precision <> 'area' THEN r.public_grid_m END AS precision_m
FROM report r
LEFT JOIN report_confirmation_count cc ON cc.report_id = r.id
WHERE r.status IN ('published', 'resolved') AND r.source <> 'police-event';
GRANT SELECT ON public_report TO trygg_app;
DROP FUNCTION report_outside_boundary(geometry, text);
CREATE OR REPLACE FUNCTION report_municipality(g geometry) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT m.code FROM public.municipality m
    WHERE ST_Covers(m.boundary, ST_PointOnSurface(g)) ORDER BY m.code LIMIT 1
$$;
DROP FUNCTION boundary_tolerance_m();
DROP TRIGGER report_place_label ON report;
DROP FUNCTION report_place_label_set();
ALTER TABLE report DROP COLUMN place_label;
DROP FUNCTION place_label(geometry);
DROP TRIGGER gazetteer_municipality_update ON municipality;
DROP TRIGGER gazetteer_municipality_insert ON municipality;
DROP FUNCTION gazetteer_municipality_sync();
DROP TABLE gazetteer;
DROP FUNCTION gazetteer_search_text(text, text);
DROP COLLATION IF EXISTS trygg_sv;
