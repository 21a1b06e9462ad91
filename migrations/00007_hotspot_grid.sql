-- Report points in SWEREF 99 TM (EPSG:3006) for the hotspot analysis (postgis/hotspots.go):
-- a stored point on surface of the place (staff) and of its public position, so the grid
-- assigns a million reports to cells by arithmetic on stored metric coordinates instead
-- of transforming every row. The public view shows the public one as xy.

-- +goose Up
ALTER TABLE report
    ADD COLUMN xy geometry(Point, 3006) NOT NULL
        GENERATED ALWAYS AS (ST_Transform(ST_PointOnSurface(geom), 3006)) STORED,
    ADD COLUMN public_xy geometry(Point, 3006) NOT NULL
        GENERATED ALWAYS AS (ST_Transform(ST_PointOnSurface(public_geom), 3006)) STORED;
-- Analyses of a bbox read the points inside the envelope transformed to 3006.
CREATE INDEX report_xy_gix ON report USING gist (xy);
CREATE INDEX report_public_xy_gix ON report USING gist (public_xy) WHERE status IN ('published', 'resolved');

CREATE OR REPLACE VIEW public_report AS
SELECT r.id, r.municipality_code, r.public_geom AS geom, r.category, r.feeling, r.times,
       r.public_description AS description, r.source, r.precision, r.status,
       r.observed_at, r.created_at, r.updated_at,
       (SELECT count(*) FROM report_confirmation c WHERE c.report_id = r.id) AS confirmations,
       (SELECT a.status FROM action a WHERE a.report_id = r.id ORDER BY a.updated_at DESC, a.id LIMIT 1) AS action_status,
       (SELECT a.feedback FROM action a WHERE a.report_id = r.id ORDER BY a.updated_at DESC, a.id LIMIT 1) AS action_feedback,
       r.public_pt AS pt,
       r.public_xy AS xy
FROM report r
WHERE r.status IN ('published', 'resolved') AND r.source <> 'police-event';

-- +goose Down
DROP VIEW public_report;
CREATE VIEW public_report AS
SELECT r.id, r.municipality_code, r.public_geom AS geom, r.category, r.feeling, r.times,
       r.public_description AS description, r.source, r.precision, r.status,
       r.observed_at, r.created_at, r.updated_at,
       (SELECT count(*) FROM report_confirmation c WHERE c.report_id = r.id) AS confirmations,
       (SELECT a.status FROM action a WHERE a.report_id = r.id ORDER BY a.updated_at DESC, a.id LIMIT 1) AS action_status,
       (SELECT a.feedback FROM action a WHERE a.report_id = r.id ORDER BY a.updated_at DESC, a.id LIMIT 1) AS action_feedback,
       r.public_pt AS pt
FROM report r
WHERE r.status IN ('published', 'resolved') AND r.source <> 'police-event';
GRANT SELECT ON public_report TO trygg_app;
ALTER TABLE report DROP COLUMN public_xy, DROP COLUMN xy;
