-- Staff sources stay staff. EST incidents and police-sourced reports (sources est and
-- police) start received, not published: a planner (or the municipality's moderator or
-- admin) publishes them through the moderation endpoint. Once published the public
-- still sees none of their free text, and their public times are whole hours (stored,
-- generated columns, so the public view orders and pages by an index, as before).
-- The public precision says what the public geometry is: an area, or a point snapped to
-- cells of public_grid_m metres (the grid report_public_geom snapped it with, found by a
-- trigger from the position and its public position, so every path that writes reports
-- is covered).

-- +goose Up

-- report_staff_sourced: the sources whose reports are staff's (free text and minutes).
CREATE FUNCTION report_staff_sourced(p_source text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT p_source IN ('est', 'police') $$;

-- report_public_grid is the cell size, in metres of SWEREF 99 TM, that report_public_geom
-- snapped the point g to pub with: the session's grid (trygg.public_grid_m, which the
-- server sets on its connections and an import for its transaction) if it gives pub,
-- else the largest of the usual grids that does (a point snapped to 50 m that is also
-- the centre of its 250 m cell is then said to be within 125 m: never more precise than
-- it is), or NULL when pub is g itself, an area, or none of them.
-- +goose StatementBegin
CREATE FUNCTION report_public_grid(g geometry, pub geometry) RETURNS double precision
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = public, pg_temp AS $$
DECLARE
    a geometry;
    b geometry;
    s double precision;
BEGIN
    IF g IS NULL OR pub IS NULL OR GeometryType(g) <> 'POINT' OR GeometryType(pub) <> 'POINT' OR pub ~= g THEN
        RETURN NULL;
    END IF;
    a := ST_Transform(g, 3006);
    b := ST_Transform(pub, 3006);
    s := nullif(current_setting('trygg.public_grid_m', true), '')::double precision;
    FOREACH s IN ARRAY array_remove(ARRAY[s, 1000, 500, 250, 200, 100, 50, 25, 20, 10], NULL) LOOP
        -- ST_SnapToGrid(a, s/2, s/2, s, s): the centre of a's cell of size s.
        IF abs(round((ST_X(a) - s / 2) / s) * s + s / 2 - ST_X(b)) < 0.01
           AND abs(round((ST_Y(a) - s / 2) / s) * s + s / 2 - ST_Y(b)) < 0.01 THEN
            RETURN s;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

ALTER TABLE report
    ADD COLUMN public_grid_m double precision CHECK (public_grid_m > 0),
    ADD COLUMN public_observed_at timestamptz GENERATED ALWAYS AS (
        CASE WHEN report_staff_sourced(source) THEN date_bin('1 hour', observed_at, timestamptz '2000-01-01 00:00+00')
             ELSE observed_at END) STORED,
    ADD COLUMN public_created_at timestamptz NOT NULL GENERATED ALWAYS AS (
        CASE WHEN report_staff_sourced(source) THEN date_bin('1 hour', created_at, timestamptz '2000-01-01 00:00+00')
             ELSE created_at END) STORED;
UPDATE report SET public_grid_m = report_public_grid(geom, public_geom) WHERE GeometryType(public_geom) = 'POINT';
CREATE INDEX report_public_created_idx ON report (public_created_at) WHERE status IN ('published', 'resolved');

-- +goose StatementBegin
CREATE FUNCTION report_public_grid_set() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    NEW.public_grid_m := report_public_grid(NEW.geom, NEW.public_geom);
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER report_public_grid BEFORE INSERT OR UPDATE OF geom, public_geom ON report
    FOR EACH ROW EXECUTE FUNCTION report_public_grid_set();

-- Staff-sourced reports published at once (by the code before this migration: their
-- only status is the first one) are received again, until someone publishes them.
WITH back AS (
    UPDATE report r SET status = 'received', updated_at = now()
    WHERE report_staff_sourced(r.source) AND r.status = 'published'
      AND (SELECT count(*) FROM report_status s WHERE s.report_id = r.id) <= 1
    RETURNING r.id)
INSERT INTO report_status (report_id, status, actor, note)
SELECT id, 'received', 'migration 00018', 'staff sources are public only once published' FROM back;

-- The public view, last defined in 00009: staff sources without free text and with
-- whole hours, the precision of the public geometry, and its grid (precision_m).
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
       CASE WHEN r.precision <> 'area' THEN r.public_grid_m END AS precision_m
FROM report r
LEFT JOIN report_confirmation_count cc ON cc.report_id = r.id
WHERE r.status IN ('published', 'resolved') AND r.source <> 'police-event';

-- +goose Down
DROP VIEW public_report;
CREATE VIEW public_report AS
SELECT r.id, r.municipality_code, r.public_geom AS geom, r.category, r.feeling, r.times,
       r.public_description AS description, r.source, r.precision, r.status,
       r.observed_at, r.created_at, r.updated_at,
       coalesce(cc.n, 0)::bigint AS confirmations,
       (SELECT a.status FROM action a WHERE a.report_id = r.id ORDER BY a.updated_at DESC, a.id LIMIT 1) AS action_status,
       (SELECT a.feedback FROM action a WHERE a.report_id = r.id ORDER BY a.updated_at DESC, a.id LIMIT 1) AS action_feedback,
       r.public_pt AS pt,
       r.public_xy AS xy
FROM report r
LEFT JOIN report_confirmation_count cc ON cc.report_id = r.id
WHERE r.status IN ('published', 'resolved') AND r.source <> 'police-event';
GRANT SELECT ON public_report TO trygg_app;
-- Reports made received by the Up stay received.
DROP TRIGGER report_public_grid ON report;
DROP FUNCTION report_public_grid_set();
ALTER TABLE report DROP COLUMN public_created_at, DROP COLUMN public_observed_at, DROP COLUMN public_grid_m;
DROP FUNCTION report_public_grid(geometry, geometry);
DROP FUNCTION report_staff_sourced(text);
